"""Worst-case throughput: `advisor match --mode rules` on hostile shapes up to the 128 MB cap.

    .venv/bin/python benchmarks/hostile_bench.py [--sizes 1,16,128] [--runs 1] [--only WORD]

Target (design.md, issue 12): at least 5 MB/s, whole process, on any input shape up to the
128 MB input cap; and real goroutine dumps kept at about 50 MB/s. The shapes are
tests/hostile.py's PASTE_SHAPES (the issue's own reproducers, nested and unclosed
delimiters, one huge line, runs of spaces after a near-miss, deep JSON, ...); the real
dumps come from benchmarks/gendump (a real Go program's debug=2 goroutine profile).
Prints MB/s and the ratio to the target per shape and size; nothing asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import ADVISOR, BENCH, make_dump, run_once  # noqa: E402

from tests.hostile import PASTE_SHAPES  # noqa: E402

TARGET_MB_S = 5.0
REAL_TARGET_MB_S = 50.0


def shape_file(name: str, mb: int) -> Path:
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    path = BENCH / "hostile" / f"{slug}-{mb}mb.txt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = PASTE_SHAPES[name](mb * 1_000_000)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def bench(label: str, path: Path, runs: int, target: float) -> float:
    size = path.stat().st_size / 1e6
    walls, rss, codes = [], [], set()
    for _ in range(runs):
        w, r, c = run_once(ADVISOR + ["match", "--mode", "rules", "--json", str(path)])
        walls.append(w)
        rss.append(r)
        codes.add(c)
    med = statistics.median(walls)
    rate = size / med
    print(f"{label:<44} {size:7.1f} MB  {med:7.2f} s  {rate:7.1f} MB/s  target {target:4.0f}  "
          f"ratio {rate / target:5.2f}  peak RSS {max(rss):5.0f} MB  exit {sorted(codes)}", flush=True)
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,16,128", help="MB, comma-separated")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--only", default="", help="only shapes whose name contains this")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    run_once(ADVISOR + ["match", "--mode", "rules", str(shape_file("one long line of 'a'", 1))])  # warm caches
    worst: list[tuple[float, str]] = []
    print(f"hostile shapes, whole process `advisor match --mode rules --json` (median of {args.runs}); "
          f"ratio = MB/s / target, 1.00 or more is within target\n")
    for name in PASTE_SHAPES:
        if args.only and args.only not in name:
            continue
        for mb in sizes:
            rate = bench(f"{name}", shape_file(name, mb), args.runs, TARGET_MB_S)
            worst.append((rate, f"{name} @ {mb} MB"))
    if not args.only:
        print("\nreal goroutine dumps (benchmarks/gendump)\n")
        for n in (100_000, 500_000):
            dump = make_dump(n)
            bench(f"dump of {n // 1000}k goroutines", dump, max(1, args.runs), REAL_TARGET_MB_S)
    worst.sort()
    if worst:
        print(f"\nslowest hostile shape: {worst[0][1]}: {worst[0][0]:.1f} MB/s (target {TARGET_MB_S:.0f})")


if __name__ == "__main__":
    main()
