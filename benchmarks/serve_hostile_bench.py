"""`advisor serve` under hostile load: is /healthz still fast while worst-case pastes and
slow clients are in flight? Loopback only, bounded in time.

    .venv/bin/python benchmarks/serve_hostile_bench.py [--seconds 30] [--pastes 4] [--slow 64]
                                                       [--isolation process|thread|both]

Starts the real server (uvicorn, rules mode) on a free local port, then for `--seconds`:
`--pastes` threads post worst-case pastes back to back (the slowest shapes of
tests/hostile.py at about 8 MB, and issue 12's 114-byte parser freeze), `--slow` clients
each promise a 10 KB body and send 18 bytes every 0.5 s (reconnecting when answered),
one probe opens a new connection for GET /healthz every 50 ms, and one posts a small
real panic every 200 ms. Prints p50/p99/max of the probes, every status seen, and the
memory (RSS and PSS) of the server and its worker processes.

Target (issue 12): /healthz p99 < 100 ms with 4 worst-case pastes and 64 slow clients in
flight. `--isolation thread` runs matching in the server's own threads, the alternative
measured against worker processes. Nothing asserts; the numbers are for people.

Measured 2026-12-05, 30 s each, on the shared 2-core machine at load average 15-16:

    isolation            /healthz p50   p99       max       small paste p99   slow clients
    worker processes     5.8 ms         67 ms     192 ms    230 ms            all 408
    threads (in-process) 22 ms          423 ms    555 ms    488 ms            all 408
    before (issue 12)    one probe in 30 s, timed out; one slow client answered 503

Memory (rules mode): server 85 MB RSS / 58 MB PSS, each small-paste worker 36 / 14 MB,
the large-paste worker 94 / 73 MB while matching 8 MB. Hybrid mode (model loaded before
the fork): server 119 / 45 MB, workers 93-103 MB RSS but 27-35 MB PSS each.
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

from tests.hostile import PASTE_SHAPES  # noqa: E402

SMALL = (b"fatal error: concurrent map writes\n\ngoroutine 7 [running]:\nmain.worker(0xc000012345)\n"
         b"\t/app/worker.go:42 +0x4c\ncreated by main.start in goroutine 1\n\t/app/main.go:12 +0x85\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worst_pastes() -> list[bytes]:
    big = [PASTE_SHAPES[name](5_000_000).encode()[: 8 * 1024 * 1024 - 1]
           for name in ("distinct stacks", "JSON log lines", "goroutine headers only")]
    issue = ("goroutine 1 [running]:\nmain.f(" + "{a}" * 26 + " x\n").encode()
    return [*big, issue]


def start(port: int, isolation: str | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "advisor", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--mode", "rules", "--log-level", "error", "--max-mb", "8"]
    if isolation:
        cmd += ["--isolation", isolation]
    proc = subprocess.Popen(cmd, cwd=os.getcwd(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if get(port, "/healthz", 5)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def post(port: int, body: bytes, timeout: float) -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", "/match", body=body, headers={"Content-Type": "text/plain"})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


class Run:
    def __init__(self, port: int, seconds: float) -> None:
        self.port, self.stop_at = port, time.monotonic() + seconds
        self.lock = threading.Lock()
        self.health: list[float] = []
        self.fast: list[float] = []
        self.statuses: dict[str, dict[str, int]] = {}

    def live(self) -> bool:
        return time.monotonic() < self.stop_at

    def count(self, kind: str, status: int | str) -> None:
        with self.lock:
            d = self.statuses.setdefault(kind, {})
            d[str(status)] = d.get(str(status), 0) + 1

    def timed(self, kind: str, out: list[float], fn) -> None:
        t = time.perf_counter()
        try:
            status = fn()
        except OSError as exc:
            status = type(exc).__name__
        with self.lock:
            out.append(time.perf_counter() - t)
        self.count(kind, status)

    def paster(self, pastes: list[bytes], offset: int) -> None:
        i = offset
        while self.live():
            try:
                self.count("paste", post(self.port, pastes[i % len(pastes)], 120))
            except OSError as exc:
                self.count("paste", type(exc).__name__)
            i += 1

    def slow_client(self) -> None:
        while self.live():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
                    s.sendall(b"POST /match HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                              b"Content-Length: 10000\r\n\r\n")
                    s.settimeout(0.5)
                    while self.live():
                        try:
                            s.sendall(b"goroutine 1 [a]:\n")
                            reply = s.recv(4096)
                            self.count("slow", int(reply.split()[1]) if reply else "closed")
                            break
                        except TimeoutError:
                            continue
            except OSError as exc:
                self.count("slow", type(exc).__name__)
                time.sleep(0.1)

    def prober(self) -> None:
        while self.live():
            self.timed("healthz", self.health, lambda: get(self.port, "/healthz", 30)[0])
            time.sleep(0.05)

    def small(self) -> None:
        while self.live():
            self.timed("small paste", self.fast, lambda: post(self.port, SMALL, 30))
            time.sleep(0.2)


def memory(pid: int) -> tuple[float, float]:
    """(RSS MB, PSS MB) of one process."""
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(round(p / 100 * len(v))) - 1))] if v else float("nan")


def bench(isolation: str | None, seconds: float, pastes: int, slow: int) -> None:
    port = free_port()
    proc = start(port, isolation)
    payloads = worst_pastes()
    run = Run(port, seconds)
    threads = [threading.Thread(target=run.paster, args=(payloads, i), daemon=True) for i in range(pastes)]
    threads += [threading.Thread(target=run.slow_client, daemon=True) for _ in range(slow)]
    threads += [threading.Thread(target=run.prober, daemon=True), threading.Thread(target=run.small, daemon=True)]
    try:
        for t in threads:
            t.start()
        time.sleep(seconds / 2)
        mem = {"server": memory(proc.pid)}
        try:
            matchers = json.loads(get(port, "/healthz", 30)[1]).get("matchers", {})
            for name, m in matchers.items():
                for i, pid in enumerate(m.get("pids", [])):
                    mem[f"{name} worker {i}"] = memory(pid)
        except (OSError, ValueError):
            pass
        for t in threads:
            t.join(seconds + 150)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    label = isolation or "default"
    h, f = run.health, run.fast
    print(f"\nisolation: {label}; {pastes} worst-case pasters, {slow} slow clients, {seconds:.0f} s")
    print(f"  /healthz     n={len(h):4d}  p50 {statistics.median(h) * 1000:7.1f} ms  p99 {pct(h, 99) * 1000:7.1f} ms  "
          f"max {max(h) * 1000:7.1f} ms  (target p99 < 100 ms, ratio {pct(h, 99) / 0.1:.2f})" if h else "  no probes")
    if f:
        print(f"  small paste  n={len(f):4d}  p50 {statistics.median(f) * 1000:7.1f} ms  p99 {pct(f, 99) * 1000:7.1f} ms  "
              f"max {max(f) * 1000:7.1f} ms")
    for kind, d in sorted(run.statuses.items()):
        print(f"  {kind:<12} statuses {dict(sorted(d.items()))}")
    for name, (rss, pss) in mem.items():
        print(f"  memory {name:<16} RSS {rss:6.0f} MB  PSS {pss:6.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--pastes", type=int, default=4)
    ap.add_argument("--slow", type=int, default=64)
    ap.add_argument("--isolation", choices=["process", "thread", "both", "default"], default="both")
    args = ap.parse_args()
    modes = {"both": ["process", "thread"], "default": [None]}.get(args.isolation, [args.isolation])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for iso in modes:
        bench(iso, args.seconds, args.pastes, args.slow)


if __name__ == "__main__":
    main()
