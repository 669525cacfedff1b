"""What grew between two snapshots of one process, and which failure mode explains it.

Two goroutine dumps (any form `match` reads, or goroutine profiles in protobuf form):
buckets are matched across them by wait state, top user frame and `created by`; the
buckets that grew beyond noise become the evidence handed to the same engine as `match`
(`Advisor.match_normalised` with the growth as facts), so the diagnosis ranks exactly as a
dump holding only the leaked goroutines would. Two heap or allocs profiles: the growth
per allocation stack is the evidence, read by the entries' `heap:` rules.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .errors import InputError
from .facts import Bucket, Facts
from .heap import HeapProfile, growth, human_value
from .inputs import Loaded, facts_from_buckets, heap_facts, infer_state, summary_text
from .match import Advisor, MatchResult
from .normalise import Normalised

# A bucket grew when it gained at least this many goroutines and this share of its old size;
# the dump as a whole must have grown by NET_MIN and NET_SHARE, else it only reshuffled.
MIN_DELTA = 3
REL_DELTA = 0.10
NET_MIN = 5
NET_SHARE = 0.05
# in-use memory must grow by at least this much (bytes) and share to count
HEAP_NET_MIN = 1 << 20
HEAP_NET_SHARE = 0.05


@dataclass
class BucketDelta:
    """One bucket key across the two dumps."""

    state: str
    function: str
    location: str
    created_by: str
    old: int
    new: int
    bucket: Bucket  # the bucket as it appears in NEW (or OLD when gone)
    grown: bool = False

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def status(self) -> str:
        if self.old == 0:
            return "new"
        if self.new == 0:
            return "gone"
        return "grown" if self.delta > 0 else ("shrunk" if self.delta < 0 else "same")

    def as_dict(self, minutes: float | None) -> dict:
        b = self.bucket
        return {
            "state": self.state, "function": self.function, "location": self.location,
            "created_by": self.created_by, "old": self.old, "new": self.new, "delta": self.delta,
            "status": self.status, "grown": self.grown,
            "rate_per_minute": round(self.delta / minutes, 2) if minutes else None,
            "wait_minutes": [b.min_wait or 0, b.max_wait] if self.new and b.min_wait is not None else None,
        }


@dataclass
class SiteDelta:
    """Memory held by one allocating function in the two profiles (the chosen sample type)."""

    function: str
    location: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    def as_dict(self, minutes: float | None) -> dict:
        return {"function": self.function, "location": self.location, "old": self.old, "new": self.new,
                "delta": self.delta, "rate_per_minute": round(self.delta / minutes, 1) if minutes else None}


@dataclass
class DiffResult:
    kind: str  # "goroutine-diff" or "heap-diff"
    old: Loaded
    new: Loaded
    match: MatchResult | None
    buckets: list[BucketDelta] = field(default_factory=list)
    sites: list[SiteDelta] = field(default_factory=list)
    sample: str = ""
    interval: float | None = None  # seconds between the two snapshots
    abstain_reason: str | None = None  # "no-growth", "no-matching-entry"
    notes: list[str] = field(default_factory=list)

    @property
    def abstained(self) -> bool:
        return self.match is None or self.match.abstained

    @property
    def minutes(self) -> float | None:
        return self.interval / 60 if self.interval and self.interval > 0 else None

    @property
    def grown(self) -> list[BucketDelta]:
        return [b for b in self.buckets if b.grown]

    def totals(self, which: Loaded) -> dict:
        if self.kind == "goroutine-diff":
            return {"goroutines": which.facts.goroutines, "buckets": len(which.facts.buckets), "form": which.form}
        prof = which.facts.heap.profile
        return {self.sample: prof.total(self.sample), "form": which.form}

    def as_dict(self) -> dict:
        minutes = self.minutes
        out = {
            "kind": self.kind,
            "old": self.totals(self.old),
            "new": self.totals(self.new),
            "interval_seconds": round(self.interval, 3) if self.interval else None,
        }
        if self.kind == "goroutine-diff":
            out["buckets"] = [b.as_dict(minutes) for b in self.buckets]
        else:
            out["sample"] = self.sample
            out["sites"] = [s.as_dict(minutes) for s in self.sites]
        out["matches"] = [m.as_dict() for m in self.match.matches] if self.match else []
        out["abstained"] = self.abstained
        out["abstain_reason"] = self.abstain_reason if self.abstained else None
        out["notes"] = self.notes
        return out


# --------------------------------------------------------------------------- goroutines


def _state_key(b: Bucket, inferred: bool) -> str:
    state = infer_state(b.frames) if inferred else b.state
    return state.replace(" (leaked)", "")  # Go 1.27 marks leaked goroutines once detected


def bucket_key(b: Bucket, inferred: bool = False) -> tuple[str, str, str]:
    c = b.culprit
    return (_state_key(b, inferred), c.function if c else "?", b.created_by.function if b.created_by else "")


def _merge(rep: Bucket, b: Bucket) -> Bucket:
    merged = Bucket(state=rep.state, frames=rep.frames, created_by=rep.created_by, count=rep.count + b.count,
                    max_wait=max(rep.max_wait, b.max_wait), first_line=min(rep.first_line, b.first_line),
                    ids=rep.ids, elided=rep.elided)
    merged.min_wait = min(x for x in (rep.min_wait, b.min_wait) if x is not None) \
        if (rep.min_wait is not None or b.min_wait is not None) else None
    return merged


def _group(facts: Facts, inferred: bool) -> dict[tuple[str, str, str], tuple[int, Bucket]]:
    out: dict[tuple[str, str, str], tuple[int, Bucket]] = {}
    for b in facts.buckets:
        k = bucket_key(b, inferred)
        if k in out:
            n, rep = out[k]
            out[k] = (n + b.count, _merge(rep, b))
        else:
            out[k] = (b.count, b)
    return out


# Where a goroutine is at this instant, not what it waits for: one just woken from its
# sleep or select shows as runnable at the same frame until a P runs it, and on a busy
# machine that can be a third of a leak's goroutines in one snapshot and none in the next.
TRANSIENT_STATES = ("runnable", "running")


def _fold_transient(*groups: dict[tuple[str, str, str], tuple[int, Bucket]]) -> None:
    """Count runnable/running goroutines with the waiting bucket at the same frame and
    creator (the largest such bucket of either snapshot), so scheduling noise is not growth."""
    waiting: dict[tuple[str, str], tuple[int, str]] = {}
    for g in groups:
        for (state, fn, creator), (n, _) in g.items():
            if state not in TRANSIENT_STATES and n > waiting.get((fn, creator), (0, ""))[0]:
                waiting[(fn, creator)] = (n, state)
    for g in groups:
        for k in [k for k in g if k[0] in TRANSIENT_STATES and (k[1], k[2]) in waiting]:
            n, b = g.pop(k)
            into = (waiting[(k[1], k[2])][1], k[1], k[2])
            if into in g:
                m, rep = g[into]
                g[into] = (m + n, _merge(rep, b))
            else:  # shown in the state it waits in, which the rules read
                g[into] = (n, dataclasses.replace(b, state=into[0]))


def _is_app(function: str) -> bool:
    first = function.split("/", 1)[0]
    return function.startswith("main.") or ("/" in function and "." in first)


def _app_functions(facts: Facts) -> set[str]:
    """Application functions on the stacks, less the ones every Go program has."""
    return {f.function for b in facts.buckets for f in b.frames
            if _is_app(f.function) and f.function != "main.main" and not f.function.startswith("main.init")}


def diff_buckets(old: Facts, new: Facts) -> list[BucketDelta]:
    """Every bucket key of either dump with its counts, largest growth first."""
    inferred = any(b.state == "unknown" for b in old.buckets + new.buckets) or \
        _no_states(old) != _no_states(new)
    a, b = _group(old, inferred), _group(new, inferred)
    _fold_transient(a, b)
    rows = []
    for k in a.keys() | b.keys():
        n_old, rep_old = a.get(k, (0, None))
        n_new, rep_new = b.get(k, (0, None))
        rep = rep_new or rep_old
        c = rep.culprit
        rows.append(BucketDelta(state=k[0], function=k[1], location=c.short_location if c else "", created_by=k[2],
                                old=n_old, new=n_new, bucket=rep))
    for r in rows:
        r.grown = r.delta >= max(MIN_DELTA, math.ceil(REL_DELTA * r.old))
    rows.sort(key=lambda r: (-r.delta, -r.new, r.function))
    return rows


def _no_states(facts: Facts) -> bool:
    return bool(facts.buckets) and all(b.state == "unknown" for b in facts.buckets)


def growth_facts(rows: list[BucketDelta]) -> Facts:
    """The grown goroutines as a dump of their own: what the rules read."""
    buckets = []
    for r in rows:
        if not r.grown:
            continue
        b = r.bucket
        g = Bucket(state=b.state, frames=b.frames, created_by=b.created_by, count=r.delta, max_wait=b.max_wait,
                   first_line=b.first_line, ids=list(b.ids), elided=b.elided)
        g.min_wait = b.min_wait
        buckets.append(g)
    return facts_from_buckets(buckets, set())


def _growth_text(rows: list[BucketDelta]) -> str:
    return "\n".join(
        f"goroutines grew by {r.delta} in {r.state} at {r.function}"
        + (f", created by {r.created_by}" if r.created_by else "") for r in rows if r.grown) or "no growth"


# --------------------------------------------------------------------------- checks


def _check_same_process(old: Loaded, new: Loaded, old_name: str, new_name: str) -> None:
    if old.is_heap != new.is_heap:
        what = {True: "a heap profile", False: "a goroutine dump"}
        raise InputError(f"{old_name} is {what[old.is_heap]} and {new_name} is {what[new.is_heap]}; "
                         "diff compares two snapshots of the same kind (two goroutine dumps, or two heap profiles)")
    if not old.is_heap and not (old.facts.goroutines and new.facts.goroutines):
        empty = old_name if not old.facts.goroutines else new_name
        raise InputError(f"{empty}: no goroutine dump or profile found; "
                         "take one with: curl 'http://HOST/debug/pprof/goroutine?debug=2'")
    if old.build_id and new.build_id and old.build_id != new.build_id:
        raise InputError(f"{old_name} and {new_name} come from different programs (build ID {old.build_id[:12]} "
                         f"vs {new.build_id[:12]}); diff compares two snapshots of one process")
    if not old.is_heap:
        # One process keeps its code paths between two dumps (a new one may appear); two
        # programs share at most a few helpers.
        a, b = _app_functions(old.facts), _app_functions(new.facts)
        if a and b and len(a & b) < 0.5 * min(len(a), len(b)):
            raise InputError(f"{old_name} and {new_name} share no application function "
                             f"(e.g. {sorted(a)[0]} vs {sorted(b)[0]}); they look like two different programs")


def _interval(old: Loaded, new: Loaded, given: float | None) -> tuple[float | None, list[str]]:
    if given is not None:
        return given, []
    if old.time and new.time:
        return new.time - old.time, []
    return None, ["the inputs carry no capture times; give --interval (e.g. --interval 1h) for rates per minute"]


# --------------------------------------------------------------------------- entry point


def diff(advisor: Advisor, old: Loaded, new: Loaded, *, interval: float | None = None, top: int = 5,
         old_name: str = "OLD", new_name: str = "NEW") -> DiffResult:
    """Compare two loaded snapshots; InputError when they cannot be compared."""
    _check_same_process(old, new, old_name, new_name)
    notes: list[str] = []
    if old.time and new.time and new.time < old.time:
        old, new = new, old
        notes.append(f"{new_name} was taken before {old_name}; compared the other way round")
    seconds, more = _interval(old, new, interval)
    notes += more
    if old.is_heap:
        return _diff_heap(advisor, old, new, seconds, top, notes)
    rows = diff_buckets(old.facts, new.facts)
    net = new.facts.goroutines - old.facts.goroutines
    grown = [r for r in rows if r.grown]
    result = DiffResult("goroutine-diff", old, new, None, buckets=rows, interval=seconds, notes=notes)
    for n in new.facts.notes:
        if n not in notes:
            notes.append(n)
    if not grown or net < max(NET_MIN, NET_SHARE * old.facts.goroutines):
        for r in rows:
            r.grown = False
        result.abstain_reason = "no-growth"
        return result
    facts = growth_facts(rows)
    norm = Normalised(_growth_text(rows), new.norm.original_bytes)
    result.match = advisor.match_normalised(norm, top, facts=facts)
    result.abstain_reason = result.match.abstain_reason
    return result


def _diff_heap(advisor: Advisor, old: Loaded, new: Loaded, seconds: float | None, top: int,
               notes: list[str]) -> DiffResult:
    po: HeapProfile = old.facts.heap.profile
    pn: HeapProfile = new.facts.heap.profile
    sample = pn.default_sample()
    if sample not in po.sample_types:
        raise InputError(f"the two profiles have no sample type in common ({', '.join(po.sample_types)} vs "
                         f"{', '.join(pn.sample_types)})")
    g = growth(po, pn)
    before = {fn: (loc, v) for fn, loc, v in po.top_owners(sample, 10**6)}
    after = {fn: (loc, v) for fn, loc, v in pn.top_owners(sample, 10**6)}
    sites = [SiteDelta(fn, (after.get(fn) or before.get(fn))[0], before.get(fn, ("", 0))[1], after.get(fn, ("", 0))[1])
             for fn in before.keys() | after.keys()]
    sites.sort(key=lambda s: (-s.delta, s.function))
    result = DiffResult("heap-diff", old, new, None, sites=sites, sample=sample, interval=seconds, notes=notes)
    t_old, t_new = po.total(sample), pn.total(sample)
    floor = HEAP_NET_MIN if sample.endswith("_space") else 100
    if t_new - t_old < max(floor, HEAP_NET_SHARE * t_old):
        result.abstain_reason = "no-growth"
        notes.append(f"{sample} went from {human_value(sample, t_old)} to {human_value(sample, t_new)}: "
                     "within noise")
        return result
    facts = heap_facts(pn, g)
    norm = Normalised(summary_text(g, "grown"), new.norm.original_bytes)
    result.match = advisor.match_normalised(norm, top, facts=facts)
    result.abstain_reason = result.match.abstain_reason
    return result
