"""The leak workflow on real processes: the KB's leak reproducers run in live mode
(ADVISOR_REPRO_LIVE=1, a loopback net/http/pprof server), are sampled twice a second or
so apart, and `advisor diff` / `advisor watch` must name the reproducer's own entry first.

One session fixture takes every snapshot (three reproducers at a time), so the whole
module costs one build and about three seconds per reproducer.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from advisor.repro import build_dir, find_go, go_env, start

from .conftest import run_advisor

pytestmark = [pytest.mark.slow, pytest.mark.go, pytest.mark.xdist_group("go")]

GOROUTINE_LEAKS = [
    "goroutine-leak-channel-block",
    "goroutine-leak-lock-wait",
    "goroutine-leak-context-not-propagated",
    "handler-goroutine-detached-from-request",
    "unclosed-http-response-body",
    "timer-ticker-not-stopped",
]
HEAP_LEAKS = ["unbounded-map-or-slice-growth", "sync-pool-misuse", "subslice-memory-retention"]
FIRST_AFTER, INTERVAL = 1.0, 1.5  # seconds after the server is up, and between the two samples


def _capture(kb, ident: str, variant: str, folder: Path) -> dict[str, Path]:
    """Two snapshots of one live reproducer: debug=2 dumps, goroutine and heap protobufs."""
    paths = {
        "dump": ("/debug/pprof/goroutine?debug=2", "dump{}.txt"),
        "gpb": ("/debug/pprof/goroutine", "goroutine{}.pb.gz"),
        "heap": ("/debug/pprof/heap", "heap{}.pb.gz"),
    }
    out: dict[str, Path] = {}
    with start(kb, ident, variant, env={"ADVISOR_REPRO_LIVE": "1"}) as live:
        live.wait_ready(60)
        time.sleep(FIRST_AFTER)
        for i in (0, 1):
            if i:
                time.sleep(INTERVAL)
            for key, (url, name) in paths.items():
                p = folder / name.format(i)
                p.write_bytes(live.get(url))
                out[f"{key}{i}"] = p
        assert live.proc.poll() is None, "the live reproducer must still be running"
    return out


@pytest.fixture(scope="module")
def snaps(kb) -> dict[str, dict[str, Path]]:
    # under build/, not pytest's basetemp: that one is pruned by any other pytest run of the
    # same user, which on a shared machine can delete these files mid-module
    build_dir().mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="leak-snapshots-", dir=build_dir()))
    jobs = [(i, "repro") for i in GOROUTINE_LEAKS + HEAP_LEAKS] + [("unclosed-http-response-body", "fixed")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {}
        for ident, variant in jobs:
            folder = base / f"{ident}-{variant}"
            folder.mkdir()
            futures[f"{ident}/{variant}"] = pool.submit(_capture, kb, ident, variant, folder)
        got = {k: f.result() for k, f in futures.items()}
    yield got
    shutil.rmtree(base, ignore_errors=True)


def _diff(a: Path, b: Path, *extra: str) -> tuple[int, dict]:
    proc = run_advisor("diff", str(a), str(b), "--json", "--mode", "rules", *extra)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("ident", GOROUTINE_LEAKS)
def test_diff_of_two_dumps_names_the_leak_first(snaps, ident):
    s = snaps[f"{ident}/repro"]
    code, out = _diff(s["dump0"], s["dump1"])
    assert code == 0 and not out["abstained"], [(b["state"], b["function"], b["old"], b["new"]) for b in out["buckets"]]
    assert out["matches"][0]["id"] == ident, [m["id"] for m in out["matches"]]
    assert out["kind"] == "goroutine-diff"
    grown = [b for b in out["buckets"] if b["grown"]]
    assert grown and grown[0]["delta"] > 0
    # evidence points at the lines of NEW it quotes: a goroutine header or the frame itself
    lines = s["dump1"].read_text().split("\n")
    for ev in out["matches"][0]["evidence"]:
        if ev["line"]:
            line = lines[ev["line"] - 1]
            assert line.startswith("goroutine ") or line.startswith(ev["text"].split("(")[0].strip()), ev


@pytest.mark.parametrize("ident", HEAP_LEAKS)
def test_diff_of_two_heap_profiles_names_the_leak_first(snaps, ident):
    s = snaps[f"{ident}/repro"]
    code, out = _diff(s["heap0"], s["heap1"])
    assert code == 0, out
    assert out["kind"] == "heap-diff" and out["sample"] == "inuse_space"
    assert out["matches"][0]["id"] == ident, [(m["id"], m["evidence"]) for m in out["matches"]]
    assert out["new"]["inuse_space"] > out["old"]["inuse_space"]
    assert out["interval_seconds"] and 1.0 <= out["interval_seconds"] <= 30  # profiles carry their times


def test_diff_json_shape_counts_and_order(snaps):
    s = snaps["goroutine-leak-channel-block/repro"]
    _, out = _diff(s["dump0"], s["dump1"], "--interval", "90s")
    headers = [len(re.findall(r"(?m)^goroutine \d+ \[", p.read_text())) for p in (s["dump0"], s["dump1"])]
    assert [out["old"]["goroutines"], out["new"]["goroutines"]] == headers
    deltas = [b["delta"] for b in out["buckets"]]
    assert deltas == sorted(deltas, reverse=True)
    for b in out["buckets"]:
        assert {"state", "function", "location", "created_by", "old", "new", "delta"} <= b.keys()
        assert b["delta"] == b["new"] - b["old"]
    top = out["buckets"][0]
    assert top["rate_per_minute"] == pytest.approx(top["delta"] / 1.5, rel=0.01)
    assert sum(b["new"] for b in out["buckets"]) == headers[1]


def test_goroutine_profiles_in_protobuf_form(snaps):
    s = snaps["goroutine-leak-channel-block/repro"]
    code, out = _diff(s["gpb0"], s["gpb1"])
    assert code == 0 and out["matches"][0]["id"] == "goroutine-leak-channel-block"
    assert out["new"]["form"] == "goroutine profile (protobuf)"


def test_column_reader_decodes_real_profiles_as_the_sample_by_sample_decode_does(snaps, tmp_path):
    """Every protobuf profile the live reproducers served (heap: packed runs and a label per
    sample; goroutine: one value, so unpacked), and one rewritten by `go tool pprof -proto`
    (google/pprof's encoder, not the runtime's), decode alike either way."""
    from advisor.pprof import proto

    paths = [p for s in snaps.values() for k, p in s.items() if k.startswith(("heap", "gpb"))]
    rewritten = tmp_path / "rewritten.pb.gz"
    proc = subprocess.run([str(find_go()), "tool", "pprof", "-proto", "-output", str(rewritten),
                           str(snaps["sync-pool-misuse/repro"]["heap1"])], capture_output=True, env=go_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    for path in [*paths, rewritten]:
        data = path.read_bytes()
        fast, slow = proto.decode(data, path.name), proto.decode(data, path.name, fast=False)
        assert fast.table.encoded, f"{path}: the column-wise reader declined a real profile"
        assert fast == slow, path
        assert len(fast.samples) > 0, path


def test_pprof_top_and_traces_text(snaps, tmp_path):
    s = snaps["sync-pool-misuse/repro"]
    texts = {}
    for form in ("top", "traces"):
        for i in (0, 1):
            proc = subprocess.run([str(find_go()), "tool", "pprof", f"-{form}", str(s[f"heap{i}"])],
                                  capture_output=True, env=go_env(), timeout=120)
            assert proc.returncode == 0, proc.stderr
            texts[form, i] = tmp_path / f"{form}{i}.txt"
            texts[form, i].write_bytes(proc.stdout)
    code, out = _diff(texts["top", 0], texts["top", 1])
    assert code == 0 and out["matches"][0]["id"] == "sync-pool-misuse", out
    proc = run_advisor("match", str(texts["traces", 1]), "--json", "--mode", "rules")
    assert json.loads(proc.stdout)["matches"][0]["id"] == "sync-pool-misuse"


def test_match_reads_one_heap_profile(snaps):
    proc = run_advisor("match", str(snaps["sync-pool-misuse/repro"]["heap1"]), "--json", "--mode", "rules")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["input"]["kinds"] == ["heap-profile"]
    assert out["matches"][0]["id"] == "sync-pool-misuse"
    assert "bytes.(*Buffer).grow" in out["matches"][0]["evidence"][0]["text"]


def test_goroutines_caught_just_woken_are_not_counted_as_another_bucket(snaps, tmp_path):
    """On a busy machine a snapshot shows many of a leak's sleepers as [runnable] at the same
    frame (woken, waiting for a P). The real second dump of a leak, with three in five of its
    time.Sleep goroutines marked so, must diff exactly like the dump as taken."""
    s = snaps["goroutine-leak-context-not-propagated/repro"]
    blocks = s["dump1"].read_text().split("\n\n")
    sleepers = [i for i, b in enumerate(blocks) if b.startswith("goroutine ") and "[sleep" in b.split("\n", 1)[0]
                and "main.publishRetry" in b]
    assert len(sleepers) >= 20
    for i in sleepers[: len(sleepers) * 3 // 5]:
        head, rest = blocks[i].split("\n", 1)
        blocks[i] = re.sub(r"\[sleep[^\]]*\]", "[runnable]", head) + "\n" + rest
    woken = tmp_path / "dump1-woken.txt"
    woken.write_text("\n\n".join(blocks))
    _, as_taken = _diff(s["dump0"], s["dump1"])
    code, out = _diff(s["dump0"], woken)
    assert code == 0 and out["matches"][0]["id"] == "goroutine-leak-context-not-propagated", out["buckets"]
    assert [(b["state"], b["function"], b["delta"]) for b in out["buckets"] if b["grown"]] == \
        [(b["state"], b["function"], b["delta"]) for b in as_taken["buckets"] if b["grown"]]


def test_healthy_service_that_only_reshuffles_abstains(snaps):
    s = snaps["unclosed-http-response-body/fixed"]
    code, out = _diff(s["dump0"], s["dump1"])
    assert code == 1 and out["abstained"] and out["abstain_reason"] == "no-growth", out
    assert out["matches"] == []
    code, out = _diff(s["heap0"], s["heap1"])
    assert code == 1 and out["abstained"]


def test_snapshots_of_different_processes_are_refused_clearly(snaps):
    dump = snaps["goroutine-leak-channel-block/repro"]["dump0"]
    heap = snaps["sync-pool-misuse/repro"]["heap1"]
    proc = run_advisor("diff", str(dump), str(heap))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "is a goroutine dump and" in err and "is a heap profile" in err, err
    assert "Traceback" not in err
    proc = run_advisor("diff", str(snaps["unbounded-map-or-slice-growth/repro"]["heap0"]), str(heap))
    assert proc.returncode == 2 and "come from different programs (build ID" in proc.stderr.decode()
    proc = run_advisor("diff", str(dump), str(snaps["goroutine-leak-lock-wait/repro"]["dump1"]))
    assert proc.returncode == 2 and "look like two different programs" in proc.stderr.decode()


def test_watch_a_running_leak_names_its_entry(kb):
    with start(kb, "goroutine-leak-channel-block", env={"ADVISOR_REPRO_LIVE": "1"}) as live:
        url = live.wait_ready(60)
        started = time.monotonic()
        proc = run_advisor("watch", url, "--interval", "1s", "--duration", "2s", "--json", "--mode", "rules")
        took = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert out["diffs"][0]["matches"][0]["id"] == "goroutine-leak-channel-block"
    # bounded: three samples on a one-second grid, one request each, then the report
    assert out["watch"]["samples"] == 3 and out["watch"]["requests"] == {"goroutine": 3, "heap": 0}
    assert took < 30


def test_match_buckets_view_with_wait_ranges(tmp_path):
    """A real dump whose leaked goroutines are given waits of 5..12 minutes (the form a dump
    taken later prints), so the condensed view must show the range per bucket."""
    from advisor.evaluate import strip_header

    src = Path(__file__).resolve().parent.parent / "kb/failure-modes/goroutine-leak-channel-block/samples/repro-go1.27.3.log"
    counter = iter(range(10**6))
    text = re.sub(r"(?m)^(goroutine \d+ \[chan (?:send|receive)[^\]]*)\]:",
                  lambda m: f"{m.group(1)}, {5 + next(counter) % 8} minutes]:", strip_header(src.read_bytes()).decode())
    dump = tmp_path / "dump.txt"
    dump.write_text(text)
    proc = run_advisor("match", str(dump), "--buckets", "--json", "--mode", "rules")
    out = json.loads(proc.stdout)
    ranges = {tuple(b["wait_minutes"]) for b in out["buckets"] if b["count"] >= 8 and b["wait_minutes"]}
    assert ranges == {(5, 12)}, out["buckets"][:3]
    assert sum(b["count"] for b in out["buckets"]) == out["input"]["goroutines"]
    for b in out["buckets"]:
        users = [f["user"] for f in b["frames"]]
        assert users == sorted(users, reverse=True)  # user frames first
    proc = run_advisor("match", str(dump), "--buckets", "--mode", "rules")
    assert "[5~12 minutes]" in proc.stdout.decode()
