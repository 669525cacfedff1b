"""Memory profiles as text: `go tool pprof -top`, `go tool pprof -traces`, and the debug=1
form of `/debug/pprof/heap?debug=1`. Each becomes a HeapProfile.

Pasted text is untrusted: lines are split with str methods, and the two patterns used
run on RE2 (linear time).
"""

from __future__ import annotations

import datetime as dt

from ..heap import SAMPLE_TYPES, HeapProfile, HeapStack
from ..regex import compile_re2

_DEBUG1_HEADER = compile_re2(r"^heap profile: \d+: \d+ \[\d+: \d+\] @ heap/\d+")
_DEBUG1_RECORD = compile_re2(r"^(\d{1,19}): (\d{1,19}) \[(\d{1,19}): (\d{1,19})\] @")
_DEBUG1_FRAME = compile_re2(r"^#\s+0x[0-9a-f]+\s+(\S+?)\+0x[0-9a-f]+\s+(\S+)")
TRACES_RULE = "-----------+-------------------------------------------------------"
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "": 1}


def detect(text: str) -> str | None:
    """'top', 'traces' or 'debug1' when the text holds such a memory profile, else None."""
    head = text[:20000]
    if "heap profile: " in head and any(_DEBUG1_HEADER.search(ln) for ln in head.split("\n")
                                        if ln.startswith("heap profile: ")):
        return "debug1"
    sample = _type_line(head)
    if sample is None:
        return None
    if TRACES_RULE in head:
        return "traces"
    if "flat%" in head and "cum%" in head:
        return "top"
    return None


def _type_line(text: str) -> str | None:
    for ln in text.split("\n"):
        s = ln.strip()
        if s.startswith("Type: ") and s[6:].strip() in SAMPLE_TYPES:
            return s[6:].strip()
    return None


def quantity(token: str) -> int | None:
    """'66.61MB' -> 66610000, '0' -> 0, '1.50kB' -> 1500; None if not a quantity."""
    t = token.strip()
    i = len(t)
    while i > 0 and t[i - 1].isalpha():
        i -= 1
    num, unit = t[:i], t[i:]
    if unit not in _UNITS or not num:
        return None
    try:
        return int(float(num) * _UNITS[unit])
    except ValueError:
        return None


def _time(text: str) -> float | None:
    for ln in text[:4000].split("\n"):
        if ln.startswith("Time: "):
            value = ln[6:].strip()
            for fmt in ("%Y-%m-%d %H:%M:%S %Z", "%b %d, %Y at %I:%M%p (%Z)"):
                try:
                    return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC).timestamp()
                except ValueError:
                    continue
    return None


def _fn(name: str) -> str:
    name = name.strip()
    return name[: -len(" (inline)")] if name.endswith(" (inline)") else name


def parse(text: str, form: str | None = None) -> HeapProfile | None:
    form = form or detect(text)
    if form == "debug1":
        return parse_debug1(text)
    if form == "top":
        return parse_top(text)
    if form == "traces":
        return parse_traces(text)
    return None


def parse_top(text: str) -> HeapProfile:
    """`go tool pprof -top`: one row per function with flat and cum values."""
    sample = _type_line(text) or "inuse_space"
    flat: dict[str, int] = {}
    cum: dict[str, int] = {}
    for ln in text.split("\n"):
        parts = ln.split(None, 5)
        if len(parts) < 6 or not parts[1].endswith("%") or not parts[4].endswith("%"):
            continue
        f, c = quantity(parts[0]), quantity(parts[3])
        if f is None or c is None:
            continue
        fn = _fn(parts[5])
        flat[fn] = flat.get(fn, 0) + f
        cum[fn] = max(cum.get(fn, 0), c)
    stacks = [HeapStack((fn,), ("",), [v]) for fn, v in flat.items()]
    return HeapProfile(sample_types=[sample], stacks=stacks, kind=_kind(sample), source="go tool pprof -top",
                       time=_time(text), cum={sample: cum})


def parse_traces(text: str) -> HeapProfile:
    """`go tool pprof -traces`: blocks of label lines, then 'value  leaf' and caller lines."""
    sample = _type_line(text) or "inuse_space"
    stacks: list[HeapStack] = []
    for block in text.split(TRACES_RULE)[1:]:
        value: int | None = None
        fns: list[str] = []
        for ln in block.split("\n"):
            s = ln.strip()
            if not s:
                continue
            first = s.split(None, 1)
            if value is None:
                if first[0].endswith(":"):
                    continue  # a label line: "bytes:  24kB"
                value = quantity(first[0])
                if value is None or len(first) < 2:
                    break
                fns.append(_fn(first[1]))
            else:
                fns.append(_fn(s))
        if value is not None and fns:
            stacks.append(HeapStack(tuple(fns), ("",) * len(fns), [value]))
    return HeapProfile(sample_types=[sample], stacks=stacks, kind=_kind(sample), source="go tool pprof -traces",
                       time=_time(text))


def parse_debug1(text: str) -> HeapProfile:
    """`/debug/pprof/heap?debug=1`: 'inuse_objects: inuse_bytes [allocs: alloc_bytes] @ pcs' records."""
    stacks: list[HeapStack] = []
    values: list[int] | None = None
    fns: list[str] = []
    locs: list[str] = []

    def flush() -> None:
        if values is not None and fns:
            stacks.append(HeapStack(tuple(fns), tuple(locs), values))

    for ln in text.split("\n"):
        if ln.startswith("#"):
            if values is not None:
                m = _DEBUG1_FRAME.search(ln)
                if m:
                    fns.append(m.group(1))
                    locs.append(m.group(2).rsplit("/", 1)[-1])
            continue
        m = _DEBUG1_RECORD.search(ln) if ln[:1].isdigit() else None
        flush()
        values, fns, locs = None, [], []
        if m:
            inuse_obj, inuse_b, alloc_obj, alloc_b = (int(m.group(i)) for i in range(1, 5))
            values = [alloc_obj, alloc_b, inuse_obj, inuse_b]
    flush()
    return HeapProfile(sample_types=list(SAMPLE_TYPES), stacks=stacks, kind="heap",
                       source="heap profile (debug=1)")


def _kind(sample: str) -> str:
    return "allocs" if sample.startswith("alloc_") else "heap"
