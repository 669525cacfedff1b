"""Slash-command answer time: can `advisor serve` answer inside Slack's 3-second window?

    .venv/bin/python benchmarks/slack_bench.py [--requests 30] [--mode hybrid]

Starts the real server with a signing secret, then sends signed slash commands one after
another (as a channel does): each a real pasted log of about 10 KB (every sample of the KB
between 8 and 16 KB, headers stripped), and one-line prose symptoms (the embedding path).
Prints p50/p90/max of the whole HTTP round trip. Nothing asserts; the numbers are for people.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.evaluate import strip_header  # noqa: E402
from advisor.slack import slack_signature  # noqa: E402
from benchmarks.serve_bench import free_port  # noqa: E402

SECRET = "bench-secret"


def pastes() -> list[str]:
    out = []
    for p in sorted((ROOT / "kb").glob("failure-modes/*/samples/*.log")):
        if 8_000 <= p.stat().st_size <= 16_000:
            out.append(strip_header(p.read_bytes()).decode("utf-8", "replace"))
    return out + ["memory keeps climbing until the pod is OOMKilled",
                  "requests hang forever when the upstream is slow"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--mode", default="hybrid")
    args = ap.parse_args()
    port = free_port()
    env = dict(os.environ, SLACK_SIGNING_SECRET=SECRET)
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "serve", "--port", str(port), "--mode", args.mode,
                             "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if json.loads(c.getresponse().read())["status"] == "ok":
                    break
            except OSError:
                time.sleep(0.1)
        texts = pastes()
        times, sizes = [], []
        for i in range(args.requests):
            text = texts[i % len(texts)]
            body = urlencode({"command": "/goadvisor", "text": text, "user_id": "U1", "trigger_id": f"{i}.{time.time()}"}).encode()
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": slack_signature(SECRET, stamp, body)}
            start = time.perf_counter()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("POST", "/slack/command", body, headers)
            r = c.getresponse()
            r.read()
            times.append(time.perf_counter() - start)
            sizes.append(len(text.encode()))
            assert r.status == 200, r.status
        times.sort()
        print(f"mode {args.mode}: {len(times)} slash commands ({len(texts)} distinct pastes, "
              f"median {statistics.median(sizes) / 1024:.1f} KB)")
        print(f"  p50 {statistics.median(times) * 1000:.0f} ms   p90 {times[int(len(times) * 0.9)] * 1000:.0f} ms"
              f"   max {times[-1] * 1000:.0f} ms   (Slack's window: 3000 ms)")
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
