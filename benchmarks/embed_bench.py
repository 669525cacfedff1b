"""Is the numpy embedder worth having? Whole-process cost of one query, both runtimes.

An `advisor match` is one process per pasted log, so what counts is interpreter start +
imports + model load + one encode, and the peak memory of that process. Every measurement
runs in a fresh subprocess; the child reports its own peak RSS (resource.getrusage) and
in-process timings as JSON. Medians over --runs, because the 2-core machine is shared.

    .venv/bin/python benchmarks/embed_bench.py [--runs 7] [--ref-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_embed import GO_PANIC, TEXTS  # noqa: E402  (the texts the tests compare on)

# First 7 lines of the panic: 206 tokens, a typical pasted crash head.
QUERY = "".join(GO_PANIC.splitlines(True)[:7])

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
mode, backend, arg = sys.argv[1], sys.argv[2], sys.argv[3]
from advisor.embed import load_embedder
emb = load_embedder(reference=(backend == "reference"))
t_load = time.perf_counter()
out = {"load_s": t_load - t0}
if mode == "once":
    vec = emb.encode([arg])
    out["first_encode_s"] = time.perf_counter() - t_load
    out["tokens"] = len(emb._tok.encode(arg).ids) if hasattr(emb, "_tok") else None
elif mode == "steady":
    emb.encode([arg])  # warm-up: first call pays lazy initialisation in torch
    times = []
    for _ in range(15):
        t = time.perf_counter()
        emb.encode([arg])
        times.append(time.perf_counter() - t)
    times.sort()
    out["per_query_s"] = times[len(times) // 2]
elif mode == "vectors":
    texts = json.loads(open(arg, encoding="utf-8").read())
    t = time.perf_counter()
    vecs = emb.encode(texts)
    out["batch_s"] = time.perf_counter() - t
    import numpy as np
    np.save(arg + "." + backend + ".npy", vecs)
out["modules"] = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(mode: str, backend: str, arg: str, **extra_env: str) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_MODEL"}
    env.update(extra_env)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, backend, arg], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{backend} {mode} failed:\n{proc.stderr}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9, help="whole-process runs of the numpy path")
    ap.add_argument("--ref-runs", type=int, default=5, help="whole-process runs of the reference")
    args = ap.parse_args()

    print(f"machine: {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.2f}")
    results: dict[str, dict] = {}
    # Interleaved, so a burst of load from elsewhere hits both runtimes alike.
    walls: dict[str, list[float]] = {"numpy": [], "reference": []}
    infos: dict[str, list[dict]] = {"numpy": [], "reference": []}
    for i in range(max(args.runs, args.ref_runs)):
        for backend, n in (("numpy", args.runs), ("reference", args.ref_runs)):
            if i < n:
                wall, info = child("once", backend, QUERY)
                walls[backend].append(wall)
                infos[backend].append(info)
    for backend in walls:
        steady = [child("steady", backend, QUERY)[1]["per_query_s"] for _ in range(3)]
        results[backend] = {
            "wall_s": med(walls[backend]),
            "wall_min_s": min(walls[backend]),
            "load_s": med([x["load_s"] for x in infos[backend]]),
            "first_encode_s": med([x["first_encode_s"] for x in infos[backend]]),
            "per_query_s": med(steady),
            "peak_rss_mb": med([x["peak_rss_mb"] for x in infos[backend]]),
            "modules": infos[backend][0]["modules"],
            "tokens": infos[backend][0]["tokens"],
        }

    # Why NumpyMiniLM pins OpenBLAS to one thread: the same query with numpy's default (2).
    blas2 = med([child("steady", "numpy", QUERY, OPENBLAS_NUM_THREADS="2")[1]["per_query_s"]
                 for _ in range(3)])

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "texts.json")
        Path(path).write_text(json.dumps(TEXTS), encoding="utf-8")
        batch = {b: child("vectors", b, path)[1]["batch_s"] for b in ("numpy", "reference")}
        ours, ref = np.load(path + ".numpy.npy"), np.load(path + ".reference.npy")
    cosine = (ours * ref).sum(axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))

    n, r = results["numpy"], results["reference"]
    print(f"query: {n['tokens']} tokens; runs: numpy {args.runs}, reference {args.ref_runs} (medians)")
    print(f"{'':34}{'reference (ST)':>16}{'numpy':>12}{'ratio':>9}")

    def row(label: str, key: str, scale: float = 1.0, unit: str = "s", fmt: str = ".3f") -> None:
        a, b = r[key] * scale, n[key] * scale
        print(f"{label:34}{a:>14{fmt}}{unit:>2}{b:>10{fmt}}{unit:>2}{a / b:>8.1f}x")

    row("whole process: import+load+encode", "wall_s")
    row("  best run", "wall_min_s")
    row("  in-process import+load", "load_s")
    row("  first encode", "first_encode_s")
    row("per-query encode (warm)", "per_query_s", 1000, "ms", ".1f")
    row("peak RSS", "peak_rss_mb", 1, "MB", ".0f")
    print(f"{'encode all ' + str(len(TEXTS)) + ' test texts':34}{batch['reference']:>14.3f} s"
          f"{batch['numpy']:>10.3f} s{batch['reference'] / batch['numpy']:>8.1f}x")
    print(f"{'  numpy with 2 OpenBLAS threads':34}{'':>16}{blas2 * 1000:>10.1f}ms")
    print(f"numpy path imported: {n['modules'] or 'no torch/sentence_transformers/transformers'}")
    print(f"max |cosine - 1| over {len(TEXTS)} test texts: {np.abs(cosine - 1).max():.2e}; "
          f"max |component diff|: {np.abs(ours - ref).max():.2e}")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
