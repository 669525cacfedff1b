"""Evaluate `heap:` rule predicates against memory-profile facts (see advisor.heap).

Kept apart from rules.py so the goroutine/gctrace/regex engine stays as it is; rules.py
hands every rule with a `heap:` predicate to `eval_heap`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .facts import Facts
from .heap import HeapProfile, HeapStack, human_value
from .rules import Evidence, RuleHit

if TYPE_CHECKING:
    from .models import HeapPredicate, MatchRule

_SAMPLE_WORDS = {
    "inuse_space": "in-use bytes", "inuse_objects": "in-use objects",
    "alloc_space": "allocated bytes", "alloc_objects": "allocated objects",
}


def _profile_for(p: HeapPredicate, facts: Facts) -> HeapProfile | None:
    hf = facts.heap
    if hf is None:
        return None
    if p.on == "growth":
        return hf.growth
    if p.on == "profile":
        return hf.profile
    return hf.growth if hf.growth is not None else hf.profile


def _keep(p: HeapPredicate, rx: Callable[[str], Any], prof: HeapProfile) -> Callable[[HeapStack], bool]:
    # every frame is tested against `function`: by set, from the names it matches
    fn = prof.names_matching(rx(p.function)) if p.function else None
    top = rx(p.top) if p.top else None
    st = rx(p.stack) if p.stack else None
    ex = rx(p.exclude) if p.exclude else None
    # top and exclude read few frames (one per stack; the stacks kept so far): each regex
    # runs once per function name met, stacks then cost dict lookups.
    memo: dict[tuple[int, str], bool] = {}

    def hit(k: int, rxk: Any, name: str) -> bool:
        got = memo.get((k, name))
        if got is None:
            got = memo[k, name] = bool(rxk.search(name))
        return got

    def keep(s: HeapStack) -> bool:
        fns = s.functions
        return ((fn is None or not fn.isdisjoint(fns))
                and (top is None or bool(fns) and hit(1, top, fns[s.owner]))
                and (ex is None or not any(hit(2, ex, f) for f in fns))
                and (st is None or bool(st.search(" > ".join(fns)))))

    return keep


def _top_only_sum(p: HeapPredicate, prof: HeapProfile, sample: str, rx: Callable[[str], Any]) -> tuple[int, str]:
    """`pprof -top` text has no stacks: a function predicate reads its cum column (the
    largest matching one, since cum values overlap), a top predicate sums flat values."""
    if p.stack or p.exclude:
        return 0, ""
    if p.function:
        fn = rx(p.function)
        best = max(((v, f) for f, v in prof.cum.get(sample, {}).items() if fn.search(f)), default=(0, ""))
        return best
    if p.top:
        top = rx(p.top)
        i = prof.index(sample)
        rows = [(s.values[i], s.functions[0]) for s in prof.stacks if s.functions and top.search(s.functions[0])]
        return sum(v for v, _ in rows), max(rows, default=(0, ""))[1]
    return prof.total(sample), ""


def eval_heap(r: MatchRule, p: HeapPredicate, facts: Facts, rx: Callable[[str], Any]) -> RuleHit | None:
    prof = _profile_for(p, facts)
    if prof is None or prof.index(p.sample) is None:
        return None
    total = prof.total(p.sample)
    if prof.has_stacks:
        got, _, best = prof.matching(p.sample, _keep(p, rx, prof))
        name, where = _describe(best, rx(p.function) if p.function else None)
    else:
        got, name = _top_only_sum(p, prof, p.sample, rx)
        where = ""
        if p.min_object_size is not None:
            return None  # -top text of one sample type cannot tell object sizes
    share = got / total if total > 0 else 0.0
    if share < p.min_share or got < p.min_bytes or (p.min_share > 0 and got <= 0):
        return None
    if p.max_share is not None and share > p.max_share:
        return None
    size_note = ""
    if p.min_object_size is not None:
        size = _object_size(prof, p, rx)
        if size is None or size < p.min_object_size:
            return None
        size_note = f", {human_value('inuse_space', size)} per object on average"
    growth = " growth" if prof.is_growth else ""
    unit = _SAMPLE_WORDS[p.sample]
    if p.max_share is not None and p.min_share == 0:
        text = f"{share:.0%} of {unit}{growth} under matching code ({human_value(p.sample, got)} of {human_value(p.sample, total)})"
    else:
        text = (f"{share:.0%} of {unit}{growth} ({human_value(p.sample, got)} of {human_value(p.sample, total)})"
                + (f" under {name}" if name else "") + (f" ({where})" if where else "") + size_note)
    # as for goroutine pile-ups: a larger share is stronger evidence, full weight from half
    strength = 1.0 if p.max_share is not None else 0.6 + 0.4 * min(1.0, share / 0.5)
    return RuleHit(r, [Evidence(0, text, r.id)], strength)


def _object_size(prof: HeapProfile, p: HeapPredicate, rx: Callable[[str], Any]) -> float | None:
    """Average in-use object size of the matching stacks (needs in-use bytes and objects)."""
    space, objects = prof.index("inuse_space"), prof.index("inuse_objects")
    if space is None or objects is None:
        return None
    keep = _keep(p, rx, prof)
    b = o = 0
    for s in prof.stacks:
        if keep(s):
            b += s.values[space]
            o += s.values[objects]
    return b / o if o else None


def _describe(best: HeapStack | None, fn: Any) -> tuple[str, str]:
    """'bytes.(*Buffer).grow, called from main.handle' and where, for the largest matching stack."""
    if best is None:
        return "", ""
    i = best.owner
    if fn is not None:
        i = next((k for k, f in enumerate(best.functions) if fn.search(f)), i)
    name = best.functions[i]
    where = best.locations[i] if i < len(best.locations) else ""
    app = next((k for k, f in enumerate(best.functions) if k > i and _is_app(f)), None)
    if app is not None and not _is_app(name):
        name += f", called from {best.functions[app]}"
        where = best.locations[app] if app < len(best.locations) else where
    return name, where


def _is_app(function: str) -> bool:
    """main.*, or a module path whose first element has a dot (github.com/x/y.F): not the standard library."""
    first = function.split("/", 1)[0]
    return function.startswith("main.") or ("/" in function and "." in first)
