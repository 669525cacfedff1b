"""Benchmark: `mkdocs build --strict` with the real KB and with generated KBs of N entries.

    .venv/bin/python benchmarks/site_build.py                  # real KB and 1,000 entries, 3 runs each
    .venv/bin/python benchmarks/site_build.py --sizes 250,500,1000 --runs 3
    .venv/bin/python benchmarks/site_build.py --json

A generated KB copies the real entries (with their repro programs and samples) under new
ids (`<id>-n0042`) until it holds N entries, plus the real postmortems. Each run is a
whole `mkdocs build --strict` process timed by wall clock, with a fresh KB cache (cold:
the KB is validated from YAML, as in CI); the build must pass with no warning. Prints the
median per size, seconds per entry, and the growth between sizes (target: 1,000 entries
in at most 60 s, growing linearly).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from advisor.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
MODELINE = "# yaml-language-server: $schema=../../../schemas/failure-mode.schema.json\n"


def real_kb() -> Path:
    env = os.environ.get("ADVISOR_KB")
    return Path(env) if env else ROOT / "kb"


def generate_kb(src: Path, dest: Path, n: int) -> int:
    """Copy src's entries into dest until it holds n entries; returns the count."""
    entries = sorted(p.parent for p in (src / "failure-modes").glob("*/entry.yaml"))
    if not entries:
        raise SystemExit(f"{src}: no entries to copy")
    if (src / "postmortems").is_dir():
        shutil.copytree(src / "postmortems", dest / "postmortems", dirs_exist_ok=True)
    (dest / "failure-modes").mkdir(parents=True, exist_ok=True)
    for folder in entries:  # the originals, so related ids and postmortems resolve
        shutil.copytree(folder, dest / "failure-modes" / folder.name)
    count, i = len(entries), 0
    while count < n:
        folder = entries[i % len(entries)]
        copy_no = i // len(entries) + 1
        new_id = f"{folder.name}-n{copy_no:04d}"[:80]
        target = dest / "failure-modes" / new_id
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("entry.yaml"))
        # read as the KB loader does (YAML 1.2: a key `on:` stays a string, not True)
        data = load_yaml(folder / "entry.yaml").data
        data["id"] = new_id
        data["former_ids"] = []
        data["title"] = f"{data['title']} (copy {copy_no})"
        for alert in data.get("alerts") or []:
            alert["name"] = f"{alert['name']}N{copy_no:04d}"
        text = MODELINE + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        (target / "entry.yaml").write_text(text, encoding="utf-8")
        count += 1
        i += 1
    return count


def build_once(kb_root: Path, workdir: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build process)."""
    cache = Path(tempfile.mkdtemp(dir=workdir, prefix="cache-"))
    env = dict(os.environ, ADVISOR_KB=str(kb_root), ADVISOR_CACHE=str(cache),
               NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    dest = workdir / "site"
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(dest)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({kb_root}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="mkdocs build time vs KB size")
    ap.add_argument("--sizes", default="1000", help="comma-separated generated KB sizes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    src = real_kb()
    results = []
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        work = Path(tmp)
        plan: list[tuple[str, Path, int]] = []
        n_real = len(list((src / "failure-modes").glob("*/entry.yaml")))
        plan.append(("real KB", src, n_real))
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            dest = work / f"kb-{size}"
            plan.append((f"{size} entries", dest, generate_kb(src, dest, size)))
        for label, kb_root, n in plan:
            runs = [build_once(kb_root, work) for _ in range(args.runs)]
            times = [w for w, _ in runs]
            med = statistics.median(times)
            cpu = statistics.median(c for _, c in runs)
            results.append({"label": label, "entries": n, "runs": [round(t, 2) for t in times],
                            "median_s": round(med, 2), "median_cpu_s": round(cpu, 2),
                            "s_per_entry": round(med / n, 4)})
            if not args.json:
                print(f"{label:>14}: {n:5d} entries  median {med:6.2f} s wall, {cpu:6.2f} s CPU  "
                      f"({med / n * 1000:6.1f} ms/entry)  runs {', '.join(f'{t:.2f}' for t in times)}",
                      flush=True)

    # Growth: marginal cost per added entry between consecutive sizes, and a linear fit.
    growth = []
    for a, b in zip(results, results[1:], strict=False):
        if b["entries"] > a["entries"]:
            growth.append({"from": a["entries"], "to": b["entries"],
                           "ratio_time": round(b["median_s"] / a["median_s"], 2),
                           "ratio_entries": round(b["entries"] / a["entries"], 2),
                           "marginal_ms_per_entry": round(
                               (b["median_s"] - a["median_s"]) / (b["entries"] - a["entries"]) * 1000, 1)})
    load = os.getloadavg()[0]
    biggest = max(results, key=lambda r: r["entries"])
    verdict = {"largest_entries": biggest["entries"], "largest_median_s": biggest["median_s"],
               "target_s": TARGET_SECONDS, "within_target": biggest["median_s"] <= TARGET_SECONDS,
               "load_average_1m": round(load, 2)}
    if args.json:
        print(json.dumps({"results": results, "growth": growth, "verdict": verdict}, indent=2))
    else:
        for g in growth:
            print(f"growth {g['from']} -> {g['to']} entries (x{g['ratio_entries']}): time x{g['ratio_time']}, "
                  f"{g['marginal_ms_per_entry']} ms per added entry")
        print(f"{biggest['entries']} entries: {biggest['median_s']:.2f} s "
              f"({'within' if verdict['within_target'] else 'OVER'} the {TARGET_SECONDS:.0f} s target; "
              f"CPU {biggest['median_cpu_s']:.2f} s; load average {load:.2f} on {os.cpu_count()} CPUs: "
              "wall time exceeds CPU time when other processes compete)")
    return 0 if verdict["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
