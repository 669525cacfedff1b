"""A prose query, whole process, and what the prose path costs the rest.

    .venv/bin/python benchmarks/prose_bench.py [--runs 7]

Prints medians of whole-process wall time (a new process each run, caches warm as a
second query finds them) for typed statements in English and Chinese against the 0.5 s
target, the rules path on a 10 KB panic against 0.3 s (and which heavy modules it
imported: it must import neither the model nor BM25), and the import cost that decided
against `bm25s` on the prose path. Prints numbers, asserts nothing; the load average is
printed because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ADVISOR, BENCH, ROOT, make_10k_log  # noqa: E402

STATEMENTS = {
    "prose, English": "does time.After inside a for-select loop leak memory",
    "prose, Chinese": "服务跑几天后 goroutine 数量一直增长",
    "prose, off topic (abstains)": "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
}
HEAVY = ("advisor.embed", "advisor.semantic", "advisor.lexical", "tokenizers", "safetensors", "bm25s", "scipy")


def measure(name: str, cmd: list[str], target: float, runs: int) -> None:
    """Whole-process medians: wall time, and CPU time (user + sys), which a shared machine
    inflates far less than wall time."""
    walls, cpus = [], []
    for i in range(runs + 1):  # the first run fills caches, as a second query would find them
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        if i:
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{name:<46} wall {wall:6.3f} s  cpu {cpu:6.3f} s  target {target:4.2f} s  "
          f"ratio {wall / target:5.2f} (cpu {cpu / target:4.2f})", flush=True)


def import_cost(module: str, runs: int) -> float:
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {args.runs} runs\n")
    BENCH.mkdir(parents=True, exist_ok=True)
    for n, (name, text) in enumerate(STATEMENTS.items()):
        path = BENCH / f"prose-{n}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        measure(f"match (hybrid), {name}", ADVISOR + ["match", str(path)], 0.5, args.runs)
    log10k = make_10k_log()
    measure("match --mode rules, 10 KB panic", ADVISOR + ["match", "--mode", "rules", str(log10k)], 0.3, args.runs)
    probe = (f"import sys; sys.argv = ['advisor', 'match', '--mode', 'rules', {str(log10k)!r}]\n"
             "from advisor.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print('heavy modules imported by the rules path:', [m for m in {HEAVY!r} if m in sys.modules] or 'none',"
             " file=sys.stderr)")
    subprocess.run([sys.executable, "-c", probe], stdout=subprocess.DEVNULL, cwd=ROOT)
    numpy_s = import_cost("numpy", args.runs)
    try:
        bm25s_s = import_cost("bm25s", args.runs)
        print(f"\nimport numpy {numpy_s:.3f} s; import bm25s {bm25s_s:.3f} s "
              f"(+{bm25s_s - numpy_s:.3f} s: scipy.sparse), hence the numpy BM25 in advisor/lexical.py")
    except subprocess.CalledProcessError:
        print(f"\nimport numpy {numpy_s:.3f} s; bm25s not installed (pip install -e '.[dev]')")


if __name__ == "__main__":
    main()
