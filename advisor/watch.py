"""`advisor watch URL`: poll a live service's net/http/pprof endpoints, show what grows,
and end with the diff of the first and last sample and its diagnosis.

Exactly one request per endpoint per interval (the goroutine profile, and the heap profile
when asked), scheduled on a fixed grid so a slow answer does not shift later requests
closer together. The goroutine profile is fetched in protobuf form: the same profile as
?debug=1 at the same cost to the service, but with the runtime frames that ?debug=1 text
hides, so wait states can be inferred. `full_stacks` asks ?debug=2 instead (states, wait
times and `created by`), which stops the world while it is written: use it with care on
a big service. Each request has its own timeout. Ctrl-C ends the watch early
and still reports. Nothing but the URL the user gives is contacted.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from .diff import DiffResult, bucket_key, diff
from .errors import InputError, UsageError
from .inputs import Loaded, load
from .match import Advisor

GOROUTINE_PATH = "/goroutine"
FULL_STACKS_PATH = "/goroutine?debug=2"
HEAP_PATH = "/heap"
MAX_BODY = 256 << 20  # a 100,000-goroutine debug=1 profile is a few MB


def pprof_base(url: str) -> str:
    """'http://host:6060' or '.../debug/pprof/anything' -> 'http://host:6060/debug/pprof'."""
    parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{url}: give an http:// or https:// URL of a service serving net/http/pprof")
    path = parts.path
    i = path.find("/debug/pprof")
    path = path[: i + len("/debug/pprof")] if i >= 0 else path.rstrip("/") + "/debug/pprof"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass
class Sample:
    at: float  # seconds since the epoch, taken when the request was sent
    goroutines: Loaded
    heap: Loaded | None = None


@dataclass
class Watch:
    base: str
    interval: float
    duration: float
    timeout: float
    heap: bool = False
    full_stacks: bool = False
    samples: list[Sample] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=lambda: {"goroutine": 0, "heap": 0})
    interrupted: bool = False

    def fetch(self, path: str, endpoint: str) -> bytes:
        url = self.base + path
        self.requests[endpoint] += 1
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:  # the URL the user gave
                return resp.read(MAX_BODY)
        except urllib.error.HTTPError as exc:
            hint = " (the service does not serve net/http/pprof there)" if exc.code == 404 else ""
            raise InputError(f"{url}: HTTP {exc.code}{hint}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(f"{url}: no answer within {self.timeout:g} s ({reason})") from None

    def take(self) -> Sample:
        at = time.time()
        path = FULL_STACKS_PATH if self.full_stacks else GOROUTINE_PATH
        body = self.fetch(path, "goroutine")
        ok = body.startswith(b"goroutine ") if self.full_stacks else body[:2] == b"\x1f\x8b"
        try:
            g = load(body, self.base + path) if ok else None
        except InputError:
            g = None
        if g is None or not g.is_goroutines:
            raise InputError(f"{self.base}{path}: the answer is not a goroutine profile "
                             f"(starts with {body[:40]!r}); is this a net/http/pprof endpoint?")
        h = None
        if self.heap:
            h = load(self.fetch(HEAP_PATH, "heap"), f"{self.base}{HEAP_PATH}")
            if not h.is_heap:
                raise InputError(f"{self.base}{HEAP_PATH}: the answer is not a heap profile")
        return Sample(at, g, h)

    def run(self, on_sample: Callable[[Watch], None] | None = None) -> None:
        """Sample every interval until the duration is over or the user presses Ctrl-C."""
        start = time.monotonic()
        k = 0
        try:
            while True:
                self.samples.append(self.take())
                if on_sample:
                    on_sample(self)
                k += 1
                next_at = start + k * self.interval
                if next_at - start > self.duration + 1e-6:
                    break
                time.sleep(max(0.0, next_at - time.monotonic()))
        except KeyboardInterrupt:
            self.interrupted = True

    def results(self, advisor: Advisor, top: int = 5) -> list[DiffResult]:
        """The diff of the first and the last sample (goroutines, then heap when watched)."""
        if len(self.samples) < 2:
            raise InputError("the watch ended before a second sample; give a longer --duration")
        first, last = self.samples[0], self.samples[-1]
        span = last.at - first.at
        out = [diff(advisor, first.goroutines, last.goroutines, interval=span, top=top,
                    old_name="first sample", new_name="last sample")]
        if first.heap is not None and last.heap is not None:
            out.append(diff(advisor, first.heap, last.heap, interval=span, top=top,
                            old_name="first heap profile", new_name="last heap profile"))
        return out

    def trend(self, n: int = 10) -> list[tuple[tuple[str, str, str], list[int]]]:
        """The biggest buckets of the last sample with their counts in every sample."""
        series: dict[tuple[str, str, str], list[int]] = {}
        for i, s in enumerate(self.samples):
            for b in s.goroutines.facts.buckets:
                row = series.setdefault(bucket_key(b, inferred=True), [0] * len(self.samples))
                row[i] += b.count
        for row in series.values():
            row.extend([0] * (len(self.samples) - len(row)))
        return sorted(series.items(), key=lambda kv: -kv[1][-1])[:n]


def parse_seconds(text: str) -> float:
    """'10s', '2m', '1h', '500ms' or a number of seconds -> seconds."""
    t = text.strip().lower()
    for suffix, mult in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if t.endswith(suffix) and not (suffix == "s" and t.endswith("ms")):
            t, scale = t[: -len(suffix)], mult
            break
    else:
        scale = 1
    try:
        value = float(t) * scale
    except ValueError:
        raise UsageError(f"'{text}' is not a duration; use e.g. 10s, 2m, 1h") from None
    if value <= 0:
        raise UsageError(f"'{text}': a duration must be positive")
    return value
