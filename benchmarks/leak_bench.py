"""Leak-workflow targets: `advisor diff` of two 100,000-goroutine dumps (whole process,
<= 1.5 s, <= 400 MB), a 20 MB heap profile parsed (<= 1.0 s; printed with its CPU time,
the figure to compare on a loaded machine) and matched (`advisor match --mode rules`,
whole process, same target), and `advisor watch` adding no more than one request per
endpoint per interval to the watched service.

    .venv/bin/python benchmarks/leak_bench.py [--runs 5]

Inputs are generated: the dumps by benchmarks/gendump (a real Go program), the heap
profile by writing profile.proto messages with random allocation stacks over a real
profile's frames until the gzipped file reaches 20 MB. Nothing asserts; numbers are for
people.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ADVISOR, BENCH, make_dump, measure  # noqa: E402


def make_heap_profile(target_mb: float = 20.0) -> Path:
    from advisor.pprof.profile_pb2 import Profile

    path = BENCH / f"heap-{target_mb:.0f}mb.pb.gz"
    if path.is_file():
        return path
    BENCH.mkdir(parents=True, exist_ok=True)
    rng = random.Random(15)
    p = Profile()
    p.string_table.extend(["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects", "inuse_space",
                           "space", "main.go"])
    for t, u in ((1, 2), (3, 4), (5, 2), (6, 4)):
        st = p.sample_type.add()
        st.type, st.unit = t, u
    p.default_sample_type = 6
    p.period_type.type, p.period_type.unit, p.period = 7, 4, 524288
    p.time_nanos = int(time.time() * 1e9)
    nfn = 20000
    for i in range(1, nfn + 1):
        p.string_table.append(f"github.com/example/svc/pkg{i % 97}.Func{i}")
        f = p.function.add()
        f.id, f.name, f.filename = i, len(p.string_table) - 1, 8
        loc = p.location.add()
        loc.id, loc.address = i, 0x400000 + i * 16
        ln = loc.line.add()
        ln.function_id, ln.line = i, i % 500 + 1
    raw_target = target_mb * 1e6
    batch = 20000
    while True:
        for _ in range(batch):
            s = p.sample.add()
            s.location_id.extend(rng.randrange(1, nfn + 1) for _ in range(rng.randrange(8, 32)))
            n = rng.randrange(1, 50)
            size = rng.choice((16, 64, 512, 4096, 65536))
            s.value.extend((n, n * size, n // 2, n // 2 * size))
        data = gzip.compress(p.SerializeToString(), 6)
        if len(data) >= raw_target:
            break
    path.write_bytes(data)
    return path


def parse_seconds(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of loading the profile (imports included), one process per run:
    CPU time is what to compare on a loaded machine."""
    code = ("import sys,time; t=time.perf_counter(); c=time.process_time(); from advisor.inputs import load; "
            f"l=load(open({str(path)!r},'rb').read()); "
            "print(time.perf_counter()-t, time.process_time()-c, len(l.facts.heap.profile.stacks))")
    walls, cpus = [], []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        wall, cpu, _ = proc.stdout.split()
        walls.append(float(wall))
        cpus.append(float(cpu))
    return walls, cpus


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    body = b""

    def do_GET(self):  # noqa: N802
        key = self.path.split("?")[0].rsplit("/", 1)[-1]
        type(self).hits[key] = type(self).hits.get(key, 0) + 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def watch_requests(dump_pb: bytes, interval: float, duration: float) -> dict:
    """Serve a real goroutine profile on loopback and count what `advisor watch` asks."""
    _Counter.body = dump_pb
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    subprocess.run(ADVISOR + ["watch", url, "--interval", f"{interval}s", "--duration", f"{duration}s", "--json",
                              "--mode", "rules"], capture_output=True)
    srv.shutdown()
    return dict(_Counter.hits)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    old = make_dump(100_000)
    new = BENCH / "dump-110k.txt"
    if not new.is_file():
        new = make_dump(110_000)
    mb = (old.stat().st_size + new.stat().st_size) / 1e6
    measure(f"diff --mode rules, 100k vs 110k goroutines ({mb:.0f} MB)",
            ADVISOR + ["diff", "--mode", "rules", str(old), str(new)], 1.5, args.runs, mb=mb, rss_target=400)
    measure(f"diff (hybrid), 100k vs 110k goroutines ({mb:.0f} MB)",
            ADVISOR + ["diff", str(old), str(new)], 1.5, args.runs, mb=mb, rss_target=400)
    heap = make_heap_profile(20)
    secs, cpu = parse_seconds(heap, args.runs)
    med = statistics.median(secs)
    print(f"{'heap profile parsed (' + f'{heap.stat().st_size / 1e6:.0f} MB gz)':<48} median {med:6.3f} s  "
          f"target  1.00 s  ratio {med:5.2f}  CPU {statistics.median(cpu):.3f} s  (in-process: imports, decode, stacks)")
    measure(f"match --mode rules, heap profile ({heap.stat().st_size / 1e6:.0f} MB gz)",
            ADVISOR + ["match", "--mode", "rules", str(heap)], 1.0, args.runs)
    # a real goroutine profile in protobuf form, from the live channel-leak reproducer
    profile = _goroutine_profile()
    hits = watch_requests(profile, 1.0, 4.0)
    print(f"watch --interval 1s --duration 4s: requests per endpoint {hits} (5 samples on a 0..4 s grid; "
          "target: one per endpoint per interval)")


def _goroutine_profile() -> bytes:
    from advisor.kb import load_kb
    from advisor.repro import start

    with start(load_kb(), "goroutine-leak-channel-block", env={"ADVISOR_REPRO_LIVE": "1"}) as live:
        live.wait_ready(60)
        time.sleep(1)
        return live.get("/debug/pprof/goroutine")


if __name__ == "__main__":
    main()
