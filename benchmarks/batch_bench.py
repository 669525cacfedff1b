"""Batch throughput per core: a team's pipeline matching stored logs with the Python API.

    .venv/bin/python benchmarks/batch_bench.py [--repeat 3] [--mode rules|hybrid|both]

One process, pinned to one CPU (os.sched_setaffinity), one `Advisor.load()` (its start-up is
printed apart), then `advisor.match(...)` over every stored log of the repository: the KB's
samples and near-misses and the development corpus (headers stripped), `--repeat` times.
Prints logs per second and MB per second per core. Nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor import Advisor  # noqa: E402
from advisor.evaluate import strip_header  # noqa: E402


def logs() -> list[bytes]:
    files = sorted(ROOT.glob("kb/failure-modes/*/samples/*.log")) + \
        sorted(ROOT.glob("kb/failure-modes/*/near-misses/*.log")) + sorted(ROOT.glob("corpus/*/*.log"))
    return [strip_header(p.read_bytes()) for p in files]


def run(mode: str, data: list[bytes], repeat: int) -> None:
    start = time.perf_counter()
    advisor = Advisor.load(mode=mode)
    advisor.match("the service's memory keeps growing")  # loads the model in hybrid mode
    ready = time.perf_counter() - start
    cpu0, t0 = time.process_time(), time.perf_counter()
    n = 0
    for _ in range(repeat):
        for result in advisor.match_many(data):
            n += 1
            _ = result.matches
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    mb = sum(len(d) for d in data) * repeat / 1e6
    print(f"{mode:6}  start-up {ready:5.2f} s   {n} logs ({mb:.1f} MB) in {wall:.1f} s wall / {cpu:.1f} s CPU:"
          f"  {n / cpu:6.1f} logs/s per core   {mb / cpu:5.2f} MB/s per core")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mode", default="both", choices=["rules", "hybrid", "both"])
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    data = logs()
    print(f"{len(data)} stored logs, {sum(map(len, data)) / 1e6:.2f} MB; one core")
    for mode in (["rules", "hybrid"] if args.mode == "both" else [args.mode]):
        run(mode, data, args.repeat)


if __name__ == "__main__":
    main()
