"""Latency and throughput of `advisor serve` under a bounded load, on 127.0.0.1.

    .venv/bin/python benchmarks/serve_bench.py [--requests 3000] [--clients 8]
                                               [--mode rules|hybrid|both] [--time-limit 120]

Starts the real server (uvicorn) on a free local port, sends the entries' own samples
(real Go output, headers stripped; in hybrid mode also one-line prose symptoms, which
take the embedding path) over keep-alive connections from `--clients` threads, at most
`--requests` requests and at most `--time-limit` seconds per mode, then prints p50, p90,
p99 and max latency and the throughput. Nothing here asserts: the numbers are for people
(tests/test_serve.py has the asserted, smaller load test).

Measured on the 2-core development machine, 2026-11-27, while other test suites ran
(load average 4-6, so treat these as upper bounds), the samples of real Go output:

    mode     clients  requests  p50       p99       throughput
    rules    1        3000      1.7 ms    31 ms     275 req/s
    rules    8        3000      31 ms     146 ms    200 req/s
    hybrid   1        1000      5.2 ms    134 ms    34 req/s
    hybrid   8        3000      200 ms    1.09 s    33 req/s

With eight clients on two cores the latency is queueing: the service time of one
request is the one-client column. One matcher thread against two measured within noise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.evaluate import strip_header  # noqa: E402

PROSE = [
    b"memory keeps climbing until the pod is OOMKilled",
    b"the goroutine count grows every hour and never comes down",
    b"requests hang forever when the upstream is slow",
    b"too many open files after a few hours of traffic",
    b"GC runs constantly and CPU is at 100% near the memory limit",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bodies(mode: str) -> list[bytes]:
    paths = sorted((ROOT / "kb" / "failure-modes").glob("*/samples/*.log"))
    out = [strip_header(p.read_bytes()) for p in paths]
    out = [b for b in out if 0 < len(b) < 256 * 1024]
    if mode == "hybrid":
        # interleave prose so that about one request in four embeds its text
        mixed: list[bytes] = []
        for i, b in enumerate(out):
            mixed.append(b)
            if i % 3 == 0:
                mixed.append(PROSE[(i // 3) % len(PROSE)])
        out = mixed
    return out


def start(mode: str, port: int, concurrency: int = 2) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--mode", mode, "--log-level", "warning", "--concurrency", str(concurrency)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            r = c.getresponse()
            ok = r.status == 200 and json.loads(r.read())["status"] == "ok"
            c.close()
            if ok:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not become ready within 180 s")


def load(port: int, payloads: list[bytes], total: int, clients: int, time_limit: float):
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                t = time.perf_counter()
                c.request("POST", "/match", body=payloads[i % len(payloads)],
                          headers={"Content-Type": "text/plain"})
                r = c.getresponse()
                r.read()
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    statuses[r.status] = statuses.get(r.status, 0) + 1
        finally:
            c.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 120)
    return latencies, statuses, time.perf_counter() - started


def pct(sorted_values: list[float], p: float) -> float:
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values))) - 1))
    return sorted_values[k]


def bench(mode: str, requests: int, clients: int, time_limit: float, concurrency: int = 2) -> dict:
    port = free_port()
    t0 = time.perf_counter()
    proc = start(mode, port, concurrency)
    startup = time.perf_counter() - t0
    try:
        payloads = bodies(mode)
        load(port, payloads[:20], min(100, requests), clients, 30)  # warm-up, not counted
        lat, statuses, wall = load(port, payloads, requests, clients, time_limit)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat.sort()
    row = {
        "mode": mode, "requests": len(lat), "clients": clients, "server_concurrency": concurrency, "startup_s": round(startup, 2),
        "p50_ms": round(statistics.median(lat) * 1000, 1), "p90_ms": round(pct(lat, 90) * 1000, 1),
        "p99_ms": round(pct(lat, 99) * 1000, 1), "max_ms": round(lat[-1] * 1000, 1),
        "throughput_rps": round(len(lat) / wall, 1), "statuses": statuses,
        "mean_body_kb": round(sum(len(b) for b in payloads) / len(payloads) / 1024, 1),
    }
    print(f"advisor serve ({mode:<6}, {concurrency} matcher threads) {row['requests']:>5} requests, {clients} clients: "
          f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms  "
          f"{row['throughput_rps']:7.1f} req/s  (startup {startup:.1f} s, statuses {statuses})", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--mode", choices=["rules", "hybrid", "both"], default="both")
    ap.add_argument("--concurrency", type=int, default=2, help="the server's matcher threads")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds per mode, at most")
    ap.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = ap.parse_args()
    modes = ["rules", "hybrid"] if args.mode == "both" else [args.mode]
    print(f"machine: {os.cpu_count()} CPUs; bounded: {args.requests} requests or "
          f"{args.time_limit:g} s per mode", flush=True)
    rows = [bench(m, args.requests, args.clients, args.time_limit, args.concurrency) for m in modes]
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
