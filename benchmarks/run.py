"""Speed and memory of what users feel, as whole-process wall time (medians of several runs).

    .venv/bin/python benchmarks/run.py [--runs 5] [--quick]

Prints one row per target of design.md: median, target, ratio (median / target; below 1
is within target) and, where it matters, peak RSS and throughput. Inputs are generated
or taken from the repository; nothing here asserts, the numbers are for people.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADVISOR = [str(BIN / "advisor")]
BENCH = ROOT / "build" / "bench"


def run_once(cmd: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one whole process."""
    full_env = dict(os.environ, **(env or {}))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, env=full_env)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(name: str, cmd: list[str], target: float, runs: int, *, mb: float | None = None,
            rss_target: float | None = None, env: dict[str, str] | None = None, warm: bool = True) -> dict:
    if warm:
        run_once(cmd, env)  # fills caches (KB pickle, index) as a second query would find them
    walls, rsss, codes = [], [], set()
    for _ in range(runs):
        w, r, c = run_once(cmd, env)
        walls.append(w)
        rsss.append(r)
        codes.add(c)
    med = statistics.median(walls)
    row = {"name": name, "median_s": med, "target_s": target, "ratio": med / target,
           "peak_rss_mb": max(rsss), "exit_codes": sorted(codes)}
    if mb:
        row["mb_per_s"] = mb / med
    if rss_target:
        row["rss_target_mb"] = rss_target
    line = f"{name:<48} median {med:6.3f} s  target {target:5.2f} s  ratio {med / target:5.2f}  peak RSS {max(rsss):6.0f} MB"
    if rss_target:
        line += f" (target {rss_target:.0f} MB, ratio {max(rsss) / rss_target:.2f})"
    if mb:
        line += f"  {mb / med:6.1f} MB/s"
    line += f"  exit {sorted(codes)}"
    print(line, flush=True)
    return row


def go_binary() -> str:
    return str(BIN / "go")


def make_dump(n: int) -> Path:
    path = BENCH / f"dump-{n // 1000}k.txt"
    if path.is_file():
        return path
    BENCH.mkdir(parents=True, exist_ok=True)
    src = ROOT / "benchmarks" / "gendump"
    env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
               GOCACHE=str(ROOT / "build" / "go-cache"), CGO_ENABLED="0")
    with path.open("wb") as out:
        subprocess.run([go_binary(), "run", ".", "-n", str(n)], cwd=src, stdout=out, check=True, env=env)
    return path


def make_10k_log() -> Path:
    """A real 10 KB crash log: the GOTRACEBACK=all fixture cut at a goroutine boundary."""
    BENCH.mkdir(parents=True, exist_ok=True)
    src = (ROOT / "tests" / "fixtures" / "formats" / "go1.27-tb-all.log").read_text()
    cut = src[:10240]
    cut = cut[: cut.rfind("\n\n")] + "\n"
    path = BENCH / "panic-10k.log"
    path.write_text(cut)
    return path


def make_kb(n: int) -> Path:
    """A KB of n entries: the real ones with their samples (version notes cite them), copied
    under new ids until there are n."""
    dst = Path(tempfile.mkdtemp(prefix="kb-bench-")) / "kb"
    src = ROOT / "kb"
    shutil.copytree(src / "postmortems", dst / "postmortems") if (src / "postmortems").is_dir() else None
    real = sorted(p.parent for p in (src / "failure-modes").glob("*/entry.yaml"))
    i = 0
    while i < n:
        for d in real:
            if i >= n:
                break
            new_id = d.name if i < len(real) else f"{d.name}-copy{i}"
            target = dst / "failure-modes" / new_id
            shutil.copytree(d, target, ignore=shutil.ignore_patterns("near-misses"))
            if new_id != d.name:
                p = target / "entry.yaml"
                text = p.read_text()
                text = text.replace(f"id: {d.name}\n", f"id: {new_id}\n", 1)
                # former ids must stay unique, so copies drop them
                text = re.sub(r"^former_ids:.*\n(?:[ ]+- .*\n)*", "", text, flags=re.M)
                p.write_text(text)
            i += 1
    return dst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="skip the 1,000-entry validate run")
    args = ap.parse_args()
    runs = args.runs
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {runs} runs\n")
    rows = []
    log10k = make_10k_log()
    rows.append(measure("match --mode rules, 10 KB panic", ADVISOR + ["match", "--mode", "rules", str(log10k)], 0.3, runs))
    rows.append(measure("match (hybrid), 10 KB panic", ADVISOR + ["match", str(log10k)], 1.0, runs))
    sentence = BENCH / "symptom.txt"
    sentence.write_text("p99 latency climbs every few minutes and memory never comes back until the pod is OOMKilled\n")
    rows.append(measure("match (hybrid), one-sentence symptom", ADVISOR + ["match", str(sentence)], 0.5, runs))
    dump = make_dump(100_000)
    size_mb = dump.stat().st_size / 1e6
    rows.append(measure(f"match --mode rules, 100k-goroutine dump ({size_mb:.0f} MB)",
                        ADVISOR + ["match", "--mode", "rules", str(dump)], 1.0, runs, mb=size_mb, rss_target=300))
    rows.append(measure(f"match (hybrid), 100k-goroutine dump ({size_mb:.0f} MB)",
                        ADVISOR + ["match", str(dump)], 1.0, runs, mb=size_mb, rss_target=300))
    rows.append(measure("validate, real KB", ADVISOR + ["validate"], 3.0, runs))
    if not args.quick:
        kb = make_kb(1000)
        rows.append(measure("validate, 1,000 entries (cold)", ADVISOR + ["validate", "--kb", str(kb)], 3.0,
                            runs, warm=False))
        shutil.rmtree(kb.parent, ignore_errors=True)
    print("\nratio = median / target; below 1.00 is within target.")


if __name__ == "__main__":
    main()
