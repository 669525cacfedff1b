"""Inputs beyond pasted text: pprof profiles (protobuf) and memory profiles as text.

`load()` turns any input `match` and `diff` accept into facts: a goroutine dump (debug=1,
debug=2, SIGQUIT output, goroutine profile in protobuf form) or a heap/allocs profile
(protobuf, `go tool pprof -top` / `-traces` text, `?debug=1` text). `load_profile()` is the
part the matcher calls first: it returns None for ordinary text, which then takes the
usual normalise -> parse path unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

from .errors import InputError
from .facts import Bucket, Facts, Frame
from .gcpause import cyclic_gc_paused
from .heap import HeapFacts, HeapProfile, HeapStack, human_value
from .normalise import Normalised, normalise_bytes
from .parse import _STATE_FROM_FRAME, _collect_lines, parse
from .pprof import proto, text

if TYPE_CHECKING:  # numpy is imported where a protobuf profile is read, not by every `match`
    import numpy as np


@dataclass
class Loaded:
    """One input, read: its facts and what the report needs to say where it came from."""

    norm: Normalised
    facts: Facts
    form: str  # "goroutine dump", "goroutine profile (protobuf)", "heap profile (protobuf)", ...
    time: float | None = None  # when it was taken, when the input says
    program: str = ""
    build_id: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def is_heap(self) -> bool:
        return self.facts.heap is not None

    @property
    def is_goroutines(self) -> bool:
        return bool(self.facts.buckets) or "goroutine-dump" in self.facts.kinds


def infer_state(frames: list[Frame]) -> str:
    """The wait state of a stack from its runtime frames (profiles do not print states)."""
    for f in frames[:6]:
        for prefix, st in _STATE_FROM_FRAME:
            if f.function.startswith(prefix):
                return st
    return "unknown"


def facts_from_buckets(buckets: list[Bucket], kinds: set[str]) -> Facts:
    """Facts for goroutine buckets that did not come from parsing text (profiles, growth)."""
    facts = Facts()
    facts.buckets = sorted(buckets, key=lambda b: (-b.count, b.first_line))
    facts.goroutines = sum(b.count for b in buckets)
    facts.kinds = set(kinds)
    if facts.goroutines:
        facts.kinds.add("goroutine-dump")
    facts.go_evidence = max(1, facts.goroutines)
    _collect_lines(facts, [], SimpleNamespace(buckets={i: b for i, b in enumerate(buckets)}))
    return facts


def heap_facts(profile: HeapProfile, growth: HeapProfile | None = None) -> Facts:
    facts = Facts()
    facts.kinds = {"heap-profile"}
    facts.go_evidence = 1
    facts.heap = HeapFacts(profile=profile, growth=growth)
    return facts


def summary_text(profile: HeapProfile, what: str = "in-use") -> str:
    """A few lines naming where the memory is, for the embedding model and for the report."""
    sample = profile.default_sample()
    total = profile.total(sample)
    lines = [f"Go {profile.kind} profile ({profile.source}): {human_value(sample, total)} {what}"]
    for fn, loc, v in profile.top_owners(sample, 5):
        share = v / total if total else 0
        lines.append(f"{human_value(sample, v)} ({share:.0%}) allocated by {fn}" + (f" ({loc})" if loc else ""))
    return "\n".join(lines)


def _goroutine_profile(d: proto.Decoded, size: int, name: str) -> Loaded:
    buckets = []
    for locs, vals in d.samples.items():
        fns, where = d.stack(locs)
        frames = [Frame(fn, at) for fn, at in zip(fns, where, strict=True)]
        b = Bucket(state=infer_state(frames), frames=frames, created_by=None, count=vals[0])
        buckets.append(b)
    facts = facts_from_buckets(buckets, set())
    note = ("a goroutine profile has no goroutine states or wait times; states were inferred from "
            "runtime frames. Use ?debug=2 for states and wait times")
    facts.notes.append(note)
    text_ = "\n".join(f"{b.count} goroutines in {b.state} at {b.culprit.function if b.culprit else '?'}"
                      for b in facts.buckets[:10])
    return Loaded(Normalised(text_ or "goroutine profile", size, [note]), facts, "goroutine profile (protobuf)",
                  d.time, d.program, d.build_id)


def _heap_profile(d: proto.Decoded, size: int) -> Loaded:
    import numpy as np

    kind = "allocs" if d.default_type.startswith("alloc_") else "heap"
    table = d.table
    notes = []
    if len(table) > MAX_STACKS:
        # Rules read shares of the total: keep the largest stacks (in-use and allocated, so
        # both kinds of rule see theirs) and fold the long tail into one row, so totals
        # stay exact and a profile of a million stacks costs what one of 40,000 does.
        keys = [d.sample_types.index(t) for t in ("inuse_space", "alloc_space") if t in d.sample_types] or [-1]
        chosen = _largest(table.values, keys, MAX_STACKS // len(keys))
        tail = np.ones(len(table), bool)
        tail[chosen] = False
        rest = table.values[tail].sum(axis=0).tolist()
        notes.append(f"{len(table):,} allocation stacks; the {len(chosen):,} largest are kept, the rest "
                     "counted as one '(other stacks)' row")
        stacks = [*_heap_stacks(d, chosen), HeapStack(("(other stacks)",), ("",), rest)]
    else:
        stacks = _heap_stacks(d, None)
    prof = HeapProfile(sample_types=d.sample_types, stacks=stacks, kind=kind, time=d.time,
                       program=d.program, build_id=d.build_id)
    facts = heap_facts(prof)
    facts.notes += notes
    return Loaded(Normalised(summary_text(prof), size, notes), facts, f"{kind} profile (protobuf)",
                  d.time, d.program, d.build_id)


def _heap_stacks(d: proto.Decoded, which: list[int] | None) -> list[HeapStack]:
    """HeapStacks of the profile's stacks (all, or `which` in its order), frames joined.
    Most locations have one frame (no inlining): their names are looked up for all stacks
    at once by map(), and only a stack with another kind of location takes a Python step
    per location."""
    from itertools import chain

    fcol, wcol = d.columns()
    one_f = {k: v[0] for k, v in fcol.items() if len(v) == 1}
    one_w = {k: v[0] for k, v in wcol.items() if len(v) == 1}
    ids, counts = d.table.flat(which)
    fns, where = list(map(one_f.get, ids)), list(map(one_w.get, ids))
    empty: tuple[str, ...] = ()
    stacks, a = [], 0
    for c, vals in zip(counts, d.table.rows(which), strict=True):
        b = a + c
        f = fns[a:b]
        if None in f:  # an inlined call, or a location the profile does not list
            locs = ids[a:b]
            f = list(chain.from_iterable(fcol.get(x, empty) for x in locs))
            w = list(chain.from_iterable(wcol.get(x, empty) for x in locs))
        else:
            w = where[a:b]
        stacks.append(HeapStack(tuple(f) or ("(other stacks)",), tuple(w) or ("",), vals))
        a = b
    return stacks


def _largest(values: np.ndarray, columns: list[int], n: int) -> list[int]:
    """Rows among the n largest of each column, column by column, each column's largest
    first and ties in row order (what heapq.nlargest gives); a row is listed once."""
    import numpy as np

    chosen: dict[int, None] = {}
    for k in columns:
        col = values[:, k]
        if len(col) > n and col.dtype != object:
            # only rows at least as large as the n-th largest can be among the n largest
            cut = np.partition(col, len(col) - n)[len(col) - n]
            rows = np.flatnonzero(col >= cut)
        else:
            rows = np.arange(len(col))
        # ~x orders descending without overflow at the int64 minimum; object arrays hold ints
        top = col[rows]
        order = rows[np.argsort(~top if top.dtype != object else -top, kind="stable")[:n]]
        chosen.update(dict.fromkeys(order.tolist()))
    return list(chosen)


def load_profile(data: bytes, name: str = "input") -> Loaded | None:
    """A pprof profile (protobuf) or memory-profile text -> Loaded; None for anything else."""
    if proto.looks_like_protobuf(data):
        with cyclic_gc_paused():  # millions of tuples and strings, none in a cycle
            d = proto.decode(data, name)
            if d.is_goroutine:
                return _goroutine_profile(d, len(data), name)
            if d.is_memory:
                return _heap_profile(d, len(data))
        raise InputError(f"{name}: a pprof profile of {', '.join(d.sample_types)}; this tool reads goroutine, "
                         "heap and allocs profiles")
    head = data[:20000]
    if not (b"heap profile: " in head or b"Type: " in head):
        return None
    norm = normalise_bytes(data)
    form = text.detect(norm.text)
    if form is None:
        return None
    prof = text.parse(norm.text, form)
    facts = parse(norm.text)
    facts.kinds.discard("free-text")
    facts.kinds.add("heap-profile")
    facts.go_evidence = max(facts.go_evidence, 1)
    facts.heap = HeapFacts(profile=prof)
    return Loaded(norm, facts, prof.source, prof.time)


def load(data: bytes, name: str = "input") -> Loaded:
    """Any input diff and watch accept; text that is neither a dump nor a profile still loads
    (the caller decides whether it is usable)."""
    got = load_profile(data, name)
    if got is not None:
        return got
    norm = normalise_bytes(data)
    facts = parse(norm.text)
    form = "goroutine profile (debug=1)" if "goroutine profile: total" in norm.text[:10000] else "goroutine dump"
    return Loaded(norm, facts, form, None)


# Two big dumps are parsed at once, one in a forked child: parsing is CPU-bound Python, and
# `advisor diff` of two 100,000-goroutine dumps has a 1.5 s budget. Only the facts travel
# back (the text stays in the child), so memory and pickling stay small.
PARALLEL_MIN_BYTES = 4 << 20
MAX_STACKS = 40_000  # allocation stacks kept from one memory profile (see _heap_profile)


def _load_light(data: bytes, name: str) -> Loaded:
    got = load(data, name)
    got.norm = Normalised("", got.norm.original_bytes, got.norm.notes)
    return got


def load_pair(a: bytes, b: bytes, names: tuple[str, str] = ("OLD", "NEW")) -> tuple[Loaded, Loaded]:
    """load() both inputs; in parallel (fork) when both are large and fork is available."""
    import multiprocessing as mp

    if min(len(a), len(b)) < PARALLEL_MIN_BYTES or "fork" not in mp.get_all_start_methods():
        return load(a, names[0]), load(b, names[1])
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:
        first = pool.submit(_load_light, a, names[0])
        second = load(b, names[1])
        return first.result(), second
