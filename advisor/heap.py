"""Heap and allocs profiles as facts: in-use and allocated memory by allocation stack.

A profile comes from pprof's protobuf form (`curl .../debug/pprof/heap > heap.pb.gz`),
from `go tool pprof -top` or `-traces` text, or from the debug=1 text of
`/debug/pprof/heap?debug=1`; readers live in `advisor.pprof`. Whatever the source, the
advisor sees a HeapProfile: allocation stacks (top frame first, as the runtime records
them: leading `runtime.` and `internal/runtime/` frames hidden) with one value per
sample type. Two profiles of the same process give a growth profile (`growth()`): the
positive difference per stack, which is what a leak is made of.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

SAMPLE_TYPES = ("alloc_objects", "alloc_space", "inuse_objects", "inuse_space")

# Frames that are allocation machinery, not the code that owns the memory.
_MACHINERY = ("runtime.", "internal/", "reflect.", "sync/atomic.")


@dataclass
class HeapStack:
    functions: tuple[str, ...]  # top (allocating) frame first
    locations: tuple[str, ...]  # "main.go:27" per frame ("" when unknown)
    values: list[int]  # one per HeapProfile.sample_types

    @property
    def owner(self) -> int:
        """Index of the first frame outside runtime machinery (the code that allocated)."""
        for i, fn in enumerate(self.functions):
            if not fn.startswith(_MACHINERY):
                return i
        return 0


@dataclass
class HeapProfile:
    sample_types: list[str]
    stacks: list[HeapStack]
    kind: str = "heap"  # heap (in-use first) or allocs (allocated first)
    source: str = "pprof protobuf"
    time: float | None = None  # seconds since the epoch, when the profile says
    program: str = ""  # the main binary's path, from the profile's first mapping
    build_id: str = ""
    # `go tool pprof -top` text has per-function flat and cum values, no stacks: each row
    # is a one-frame stack (flat), and cum is kept here per sample type.
    cum: dict[str, dict[str, int]] = field(default_factory=dict)
    is_growth: bool = False

    @property
    def has_stacks(self) -> bool:
        return not self.cum

    @cached_property
    def function_names(self) -> frozenset[str]:
        """Every function name in the stacks (the profile is not changed once built)."""
        return frozenset(chain.from_iterable(s.functions for s in self.stacks))

    def names_matching(self, rx: Any) -> frozenset[str]:
        """The function names the compiled regex `rx` finds, each name searched once: a
        rule then tests a stack with one set operation, not one search per frame (a
        20 MB profile keeps 20,000 stacks of some 20 frames)."""
        cache = self.__dict__.setdefault("_names_matching", {})
        key = (rx.pattern, rx.options.case_sensitive)
        got = cache.get(key)
        if got is None:
            import re2

            # a one-pattern RE2 set: Match() is a C call returning indexes, a third of the
            # cost of search() building a match object, and the same regex semantics
            opts = re2.Options()
            opts.case_sensitive = rx.options.case_sensitive
            opts.max_mem = rx.options.max_mem
            opts.log_errors = False
            one = re2.Set.SearchSet(opts)
            one.Add(rx.pattern)
            one.Compile()
            got = cache[key] = frozenset(n for n in self.function_names if one.Match(n))
        return got

    def index(self, sample: str) -> int | None:
        try:
            return self.sample_types.index(sample)
        except ValueError:
            return None

    def total(self, sample: str) -> int:
        i = self.index(sample)
        return 0 if i is None else sum(s.values[i] for s in self.stacks)

    def default_sample(self) -> str:
        prefer = ("alloc_space",) if self.kind == "allocs" else ("inuse_space",)
        for name in (*prefer, "inuse_space", "alloc_space"):
            if name in self.sample_types:
                return name
        return self.sample_types[-1] if self.sample_types else ""

    def matching(self, sample: str, keep: Callable[[HeapStack], bool]) -> tuple[int, int, HeapStack | None]:
        """(sum of `sample` over stacks kept, total, the largest kept stack)."""
        i = self.index(sample)
        if i is None:
            return 0, 0, None
        got, total, best = 0, 0, None
        for s in self.stacks:
            v = s.values[i]
            total += v
            if v > 0 and keep(s):
                got += v
                if best is None or v > best.values[i]:
                    best = s
        return got, total, best

    def top_owners(self, sample: str, n: int = 10) -> list[tuple[str, str, int]]:
        """The allocating code holding the most: (function, location, value), largest first."""
        i = self.index(sample)
        if i is None:
            return []
        agg: dict[str, list] = {}
        for s in self.stacks:
            if not s.functions or s.values[i] <= 0:
                continue
            o = s.owner
            row = agg.setdefault(s.functions[o], [s.locations[o] if o < len(s.locations) else "", 0])
            row[1] += s.values[i]
        rows = sorted(((fn, loc, v) for fn, (loc, v) in agg.items()), key=lambda r: -r[2])
        return rows[:n]


def growth(old: HeapProfile, new: HeapProfile) -> HeapProfile:
    """Per allocation stack, what `new` holds beyond `old` (only increases are kept)."""
    types = [t for t in new.sample_types if t in old.sample_types]
    oi = [old.sample_types.index(t) for t in types]
    ni = [new.sample_types.index(t) for t in types]
    before: dict[tuple[str, ...], list[int]] = {}
    for s in old.stacks:
        row = before.setdefault(s.functions, [0] * len(types))
        for k, i in enumerate(oi):
            row[k] += s.values[i]
    after: dict[tuple[str, ...], tuple[tuple[str, ...], list[int]]] = {}
    for s in new.stacks:
        locs, row = after.setdefault(s.functions, (s.locations, [0] * len(types)))
        for k, i in enumerate(ni):
            row[k] += s.values[i]
    stacks = []
    for fns, (locs, row) in after.items():
        base = before.get(fns, [0] * len(types))
        delta = [max(0, a - b) for a, b in zip(row, base, strict=True)]
        if any(delta):
            stacks.append(HeapStack(fns, locs, delta))
    cum: dict[str, dict[str, int]] = {}
    for t in types if (old.cum and new.cum) else ():
        o, n = old.cum.get(t, {}), new.cum.get(t, {})
        cum[t] = {fn: v - o.get(fn, 0) for fn, v in n.items() if v > o.get(fn, 0)}
    return HeapProfile(sample_types=types, stacks=stacks, kind=new.kind, source=new.source,
                       time=new.time, program=new.program, build_id=new.build_id, cum=cum, is_growth=True)


@dataclass
class HeapFacts:
    """What the rules see of memory profiles: the (newest) profile, and its growth when two
    profiles were compared."""

    profile: HeapProfile
    growth: HeapProfile | None = None


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def human_value(sample: str, n: float) -> str:
    return human_bytes(n) if sample.endswith("_space") else f"{n:,.0f} objects"
