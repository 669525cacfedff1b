"""Output forms of Go 1.21-1.27: the parser's facts, the release inference, the honest
abstention. Fixtures in tests/fixtures/forms are real output of the programs in
tests/fixtures/forms/gen, run under each release by gen/generate.py (header of each file).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from advisor.evaluate import strip_header
from advisor.explain import ordered_notes
from advisor.goversion import VersionEvidence, combine
from advisor.kb import load_kb
from advisor.match import Advisor
from advisor.normalise import normalise_bytes
from advisor.parse import parse

from .conftest import FIXTURES, KB, run_advisor

FORMS = FIXTURES / "forms"
RELEASES = ("1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")
PER_VERSION = sorted(p for p in FORMS.glob("*-go1.*.log") if any(p.name.endswith(f"-go{r}.log") for r in RELEASES))


def facts(name: str):
    return parse(normalise_bytes(strip_header((FORMS / name).read_bytes())).text)


@cache
def advisor() -> Advisor:
    return Advisor(load_kb(KB), mode="rules")


def result(name: str):
    return advisor().match_bytes(strip_header((FORMS / name).read_bytes()))


def minor(path: Path) -> int:
    return int(re.search(r"-go1\.(\d+)\.\d+\.log$", path.name).group(1))


# --------------------------------------------------------------------------- parser


def test_every_fixture_says_where_it_came_from():
    for p in FORMS.glob("*.log"):
        head = p.read_text(encoding="utf-8", errors="replace").split("\n", 3)
        assert head[0].startswith("# source: tests/fixtures/forms/gen/"), p.name
        assert head[1].startswith("# command: go build"), p.name


@pytest.mark.parametrize("release", RELEASES)
def test_wait_reasons_of_each_release(release):
    f = facts(f"waits-go{release}.log")
    states = {b.state for b in f.buckets}
    assert {"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.Cond.Wait", "chan send"} <= states
    wait_group = [b for b in f.buckets if any(fr.function == "sync.(*WaitGroup).Wait" for fr in b.frames)]
    assert wait_group and wait_group[0].count == 2
    # WaitGroup.Wait had its own wait reason from Go 1.24; before, it was a bare semaphore
    assert wait_group[0].state == ("sync.WaitGroup.Wait" if release >= "1.24" else "semacquire")
    assert not f.notes, "every header of every release parses"


def test_leaked_goroutines_from_the_leak_profile():
    f = facts("leakprof-debug2-go1.27.3.log")
    leaked = [b for b in f.buckets if b.leaked]
    assert sum(b.count for b in leaked if b.state == "chan send") == 10  # 5 calls x 2 losing senders
    assert any(b.state == "sync.WaitGroup.Wait" for b in leaked)
    # the goroutine main still references is reported, but not as leaked
    assert [b.leaked for b in f.buckets if b.state == "chan receive"] == [False]
    assert "goroutine-leak-channel-block" == result("leakprof-debug2-go1.27.3.log").matches[0].id
    # debug=1 has no states; every goroutine of a goroutineleak profile is leaked
    f1 = facts("leakprof-debug1-go1.27.3.log")
    assert f1.goroutines == 11 and all(b.leaked for b in f1.buckets)


@pytest.mark.parametrize("release", RELEASES)
def test_a_fatal_error_while_panicking(release):
    f = facts(f"panicfatal-go{release}.log")
    assert f.fatal[1] == "sync: unlock of unlocked mutex"
    if release >= "1.26":  # the panic is printed first, the fatal error indented under it
        assert [(link.kind, link.nested) for link in f.panic_chain] == [("panic", False), ("fatal", True)]
        assert f.panic[1] == "request failed: upstream closed the connection"
    else:
        assert f.panic is None
    assert result(f"panicfatal-go{release}.log").matches[0].id == "sync-primitive-misuse"


@pytest.mark.parametrize("release", RELEASES)
def test_recovered_and_repanicked(release):
    f = facts(f"repanic-go{release}.log")
    first = f.panic_chain[0]
    assert first.value == "assignment to entry in nil map" and first.recovered
    if release >= "1.25":
        assert first.repanicked and len(f.panic_chain) == 1
    else:  # the same value printed again as a nested panic
        assert not first.repanicked and f.panic_chain[1].nested and f.panic_chain[1].value == first.value
    assert result(f"repanic-go{release}.log").matches[0].id == "nil-map-assignment"


def test_a_chain_of_different_panics():
    chain = facts("chain-go1.27.3.log").panic_chain
    assert [(link.value, link.recovered, link.nested) for link in chain] == [
        ("first failure", True, False), ("cleanup after first failure failed", False, True)]


@pytest.mark.parametrize("release", RELEASES)
def test_gp_m_headers_and_frame_pointers_parse(release):
    f = facts(f"tbsystem-go{release}.log")
    assert not f.notes
    running = [b for b in f.buckets if b.state == "running"][0]
    assert running.culprit.function == "main.goroutinePanic.func2"
    assert f.goroutines >= 5


def test_program_output_around_the_runtime_lines():
    f = facts("output-go1.27.3.log")
    text = strip_header((FORMS / "output-go1.27.3.log").read_bytes()).decode()
    want = 1 + text.split("\n").index("panic: runtime error: invalid memory address or nil pointer dereference")
    assert f.panic == (want, "runtime error: invalid memory address or nil pointer dereference")
    assert f.buckets[0].culprit.function == "main.interleaved"


def test_sanitizer_reports_say_whose_code_failed():
    uaf, overrun, leak, uninit = (facts(n).sanitizers[0] for n in (
        "asan-uaf-go1.27.3.log", "asan-overrun-go1.27.3.log", "lsan-leak-go1.27.3.log", "msan-uninit-go1.27.3.log"))
    assert (uaf.tool, uaf.error, uaf.cgo) == ("asan", "heap-use-after-free", True)
    assert (overrun.tool, overrun.error, overrun.cgo, overrun.frames[0]) == (
        "asan", "heap-buffer-overflow", False, "main.overrun")
    assert (leak.tool, leak.error, leak.cgo) == ("lsan", "detected memory leaks", True)
    assert (uninit.tool, uninit.error, uninit.cgo) == ("msan", "use-of-uninitialized-value", True)
    expected = {"asan-uaf": "cgo-segfault", "asan-overrun": "unsafe-pointer-misuse", "lsan-leak": "cgo-c-heap-leak",
                "msan-uninit": "cgo-segfault"}
    for name, ident in expected.items():
        assert result(f"{name}-go1.27.3.log").matches[0].id == ident, name


def test_a_c_program_under_asan_is_still_not_go():
    dev = KB.parent / "corpus" / "dev" / "neg-asan-use-after-free-c.log"
    r = advisor().match_bytes(strip_header(dev.read_bytes()))
    assert r.abstained and r.facts.sanitizers and r.facts.sanitizers[0].go_frames == 0


def test_register_dump_after_sigabrt_from_c():
    f = facts("cgo-abort-go1.27.3.log")
    assert f.register_dump >= 16 and f.signal[1].startswith("SIGABRT")
    ex = result("cgo-abort-go1.27.3.log")
    assert ex.matches[0].id == "cgo-segfault"


@pytest.mark.parametrize("name, ident", [
    ("deadlock-go1.27.3.log", "all-goroutines-asleep-deadlock"),
    ("goexit-go1.27.3.log", "all-goroutines-asleep-deadlock"),
    ("oom-go1.27.3.log", "runtime-out-of-memory"),
    ("threadlimit-go1.27.3.log", "thread-exhaustion"),
    ("newosproc-go1.27.3.log", "thread-exhaustion"),
    ("cgo-pthread-go1.27.3.log", "thread-exhaustion"),
    ("cgo-segv-go1.27.3.log", "cgo-segfault"),
    ("stack-go1.27.3.log", "stack-overflow-infinite-recursion"),
    ("mapiter-go1.27.3.log", "concurrent-map-writes"),
    ("racemap-go1.27.3.log", "data-race"),
    ("closenil-go1.27.3.log", "closed-channel-misuse"),
    # net/http recovered the handler's panic and logged it between the program's own lines
    ("httppanic-go1.21.13.log", "index-out-of-range"),
    ("httppanic-go1.27.3.log", "index-out-of-range"),
])
def test_other_wordings_of_known_failures(name, ident):
    assert result(name).matches[0].id == ident


# --------------------------------------------------------------------------- Go releases


@pytest.mark.parametrize("path", PER_VERSION, ids=lambda p: p.name)
def test_the_true_release_is_inside_the_inferred_range(path):
    v = advisor().match_bytes(strip_header(path.read_bytes())).runtime.versions
    assert v.contains(minor(path)), f"{path.name}: inferred {v.range}"


def _expected(kind: str, m: int) -> str:
    """What the evidence allows, from the table in advisor/goversion.py (not from output)."""
    heap = "<1.26" if m < 26 else ">=1.26"  # 0xc000 heap pointers (weak) / randomised heap
    if kind == "waits":  # semacquire+WaitGroup <1.24 / [sync.WaitGroup.Wait] + internal/sync >=1.24; created by ... in
        return {True: ">=1.21,<1.24"}.get(m < 24) or (">=1.24,<1.26" if m < 26 else ">=1.26")
    if kind == "tbsystem":  # created by F in goroutine N >=1.21; gp= headers >=1.22, their heap addresses
        return ">=1.21" if m < 22 else (f">=1.22,{heap}" if m < 26 else ">=1.26")
    if kind == "racemap":  # map source files: runtime/map*.go / *_swiss.go / runtime_fast*.go
        return "<1.24" if m < 24 else (">=1.24,<1.26" if m < 26 else ">=1.26")
    if kind == "repanic":  # '?' args >=1.18; value printed twice <1.25 / repanicked >=1.25
        return ">=1.18,<1.25" if m < 25 else ">=1.25"
    if kind == "panicfatal":  # sync.(*Mutex).unlockSlow <1.24 / internal/sync >=1.24; panic+\tfatal >=1.26
        return ">=1.18,<1.24" if m < 24 else (">=1.24,<1.26" if m < 26 else ">=1.26")
    raise KeyError(kind)


@pytest.mark.parametrize("path", [p for p in PER_VERSION if p.name.split("-go")[0] in
                                  ("waits", "tbsystem", "racemap", "repanic", "panicfatal")], ids=lambda p: p.name)
def test_the_range_is_as_narrow_as_the_evidence(path):
    v = advisor().match_bytes(strip_header(path.read_bytes())).runtime.versions
    assert v.range == _expected(path.name.split("-go")[0], minor(path))


def test_contradicting_evidence_gives_no_range_and_says_so():
    two = (strip_header((FORMS / "waits-go1.21.13.log").read_bytes()) + b"\n\n"
           + strip_header((FORMS / "repanic-go1.27.3.log").read_bytes()))
    r = advisor().match_bytes(two)
    assert r.runtime.versions.range is None
    assert any("contradicts" in n for n in r.notes)


def test_weak_evidence_gives_way_to_strong():
    strong = VersionEvidence(1, "x", 26, None, "strong")
    weak = VersionEvidence(2, "y", None, 26, "0xc000 heap", strong=False)
    assert combine([strong, weak]).range == ">=1.26"
    assert combine([VersionEvidence(1, "x", 24, None, "s"), weak]).range == ">=1.24,<1.26"


def test_version_notes_for_the_paste_come_first(kb):
    entry = kb.entries["concurrent-map-writes"]
    notes = [n.version for n in entry.go_versions.notes]
    assert len(notes) >= 2
    v = combine([VersionEvidence(1, "x", 24, 26, "s")])
    ordered = ordered_notes(entry, v)
    applies = [d["version"] for d in ordered if d["applies"]]
    assert applies and all(d["applies"] for d in ordered[: len(applies)])
    for d in ordered:
        m = int(d["version"].split(".")[1])
        inside = 24 <= m < 26
        before = max((int(x.split(".")[1]) for x in notes if int(x.split(".")[1]) < 24), default=None)
        assert d["applies"] == (inside or m == before)


# --------------------------------------------------------------------------- abstention


OUTSIDE = {
    "unhashable-go1.27.3.log": "panic/runtime-error-hash-of-unhashable-type",
    "uncomparable-go1.27.3.log": "panic/runtime-error-comparing-uncomparable-type",
    "makeslice-go1.27.3.log": "panic/runtime-error-makeslice-len-out-of-range",
    "negshift-go1.27.3.log": "panic/runtime-error-negative-shift-amount",
    "nilfunc-go1.27.3.log": "fatal/go-of-nil-func-value",
    "mmapfault-go1.27.3.log": "fatal/fault",
    "finalizer-go1.27.3.log": "fatal/runtime-setfinalizer-first-argument-is-not-pointer",
    "gomemlimit-go1.27.3.log": "fatal/malformed-gomemlimit-see-go-doc-runtime-debug",
    "printpanic-go1.27.3.log": "fatal/panic-while-printing-panic-value",
    "iterator-go1.27.3.log": "panic/runtime-error-range-function-continued-iteration-2",
    "addcleanup-go1.27.3.log": "panic/runtime-addcleanup-ptr-is-equal-to-arg-cleanup",
}


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_failures_outside_the_taxonomy_abstain_and_say_what_they_mean(name):
    r = result(name)
    assert r.abstained and r.abstain_reason == "no-matching-entry"
    ex = r.as_dict()["explanation"]
    assert ex["catalogue_id"] == OUTSIDE[name]
    assert ex["meaning"] and "advisor new" in ex["suggestion"]
    assert ex["message"] in strip_header((FORMS / name).read_bytes()).decode()


def test_explanation_in_every_output_format():
    path = str(FORMS / "mmapfault-go1.27.3.log")
    out = json.loads(run_advisor("match", "--mode", "rules", "--json", path).stdout)
    assert out["abstained"] and out["explanation"]["catalogue_id"] == "fatal/fault"
    assert out["input"]["go_versions"] == ">=1.26"  # gp= header (1.22+) holding a randomised heap address
    term = run_advisor("match", "--mode", "rules", path)
    assert term.returncode == 1
    text = term.stdout.decode()
    assert "fatal error: fault" in text and "advisor new" in text and "Printed by Go >=1.26" in text
    md = run_advisor("match", "--mode", "rules", "--markdown", path).stdout.decode()
    assert "**No match.**" in md and "means:" in md


def test_a_known_failure_does_not_carry_an_explanation():
    assert result("deadlock-go1.27.3.log").as_dict()["explanation"] is None


def test_what_merely_resembles_a_rule_is_no_evidence():
    # the goroutine that wrote a debug=2 dump is inside runtime/pprof.writeGoroutineStacks,
    # which a stop-the-world rule names; it says how the dump was taken, not what is wrong
    ids = [m.id for m in result("waits-go1.27.3.log").matches]
    assert "frequent-stop-the-world-diagnostics" not in ids
    # a header comment in the failure's own words is not evidence either
    fake = b"# source: forms mapwrites: fatal error: concurrent map writes\n" + strip_header(
        (FORMS / "chain-go1.27.3.log").read_bytes())
    assert "concurrent-map-writes" not in [m.id for m in advisor().match_bytes(fake).matches]


# --------------------------------------------------------------------------- live


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
def test_the_fixture_programs_still_print_these_forms(tmp_path):
    """Rebuild the forms program with the project's Go and compare the forms the advisor
    reads with the committed fixture of the same release (older releases: fixtures only)."""
    from advisor.repro import find_go, go_env, go_version

    src = tmp_path / "forms"
    # without http.go (net/http): the waits mode needs none of it, and CI compiles less
    shutil.copytree(FORMS / "gen" / "forms", src, ignore=shutil.ignore_patterns("http.go"))
    (src / "go.mod").write_text("module forms\n\ngo 1.21\n")
    go = find_go()
    release = go_version(go).split()[0].removeprefix("go")
    subprocess.run([str(go), "build", "-trimpath", "-o", "prog", "."], cwd=src, env=go_env(), check=True,
                   capture_output=True, timeout=300)
    saved = result(f"waits-go{release}.log")
    want = sorted((b.state, b.count) for b in saved.facts.buckets)
    for _ in range(3):  # on a loaded machine a goroutine may not have parked within the program's 200 ms
        out = subprocess.run(["./prog", "waits"], cwd=src, capture_output=True, timeout=60).stdout
        live = advisor().match_bytes(out)
        if sorted((b.state, b.count) for b in live.facts.buckets) == want:
            break
    assert sorted((b.state, b.count) for b in live.facts.buckets) == want
    assert live.runtime.versions.range == saved.runtime.versions.range
    assert live.runtime.versions.contains(int(release.split(".")[1]))
