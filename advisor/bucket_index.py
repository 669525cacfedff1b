"""Goroutine buckets of one input, indexed once for all goroutine predicates.

Every rule's `function` and `created_by` regexes live in one RE2 set (rules.py). Here
each bucket's frame names go through that set once (a lookup per distinct name), and the
buckets are indexed by the predicates they satisfy; a rule then visits only the buckets
its function or creator regex picked, instead of testing every bucket itself. On a dump
of 12,000 all-different stacks that is one pass over the buckets instead of one per rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import re2

from .facts import Bucket, Facts

_NONE: frozenset[int] = frozenset()


class SearchMemo:
    """Goroutine-predicate searches for one input: each distinct bucket string (a state, a
    function name, a joined stack) goes through the set of all predicate regexes once, and
    a search is then a lookup. Thousands of buckets repeat a few states and runtime frames,
    and one search through the RE2 binding costs microseconds. Bounded, so a dump of all-
    different stacks cannot grow it without limit."""

    LIMIT = 200_000

    def __init__(self, pred_set: re2.Set, index: dict[int, int]) -> None:
        self.pred_set, self.index = pred_set, index
        self.seen: dict[str, frozenset[int]] = {}

    def hits(self, text: str) -> frozenset[int]:
        """Set indexes of the predicate regexes that find a match in text."""
        hits = self.seen.get(text)
        if hits is None:
            found = self.pred_set.Match(text)
            hits = frozenset(found) if found else _NONE
            if len(self.seen) < self.LIMIT:
                self.seen[text] = hits
        return hits

    def search(self, rx: re2._Regexp, text: str) -> bool:
        i = self.index.get(id(rx))
        return (i in self.hits(text)) if i is not None else rx.search(text) is not None


class BucketIndex:
    """Per bucket (by position in facts.buckets): its culprit's name and the predicate
    regexes its frame functions and its creator match; per regex, the buckets it picked,
    in dump order."""

    def __init__(self, facts: Facts, memo: SearchMemo) -> None:
        self.buckets: list[Bucket] = facts.buckets
        self.memo = memo
        self.by_state: dict[str, list[int]] = defaultdict(list)
        self.culprit: list[str] = []
        self.fn_hits: list[frozenset[int]] = []
        self.cb_hits: list[frozenset[int]] = []
        self.by_fn: dict[int, list[int]] = defaultdict(list)
        self.by_cb: dict[int, list[int]] = defaultdict(list)
        self._stack_text: dict[int, str] = {}
        hits = memo.hits
        for pos, b in enumerate(self.buckets):
            self.by_state[b.state].append(pos)
            culprit = b.culprit
            self.culprit.append(culprit.function if culprit else "?")
            fh = _NONE
            for f in b.frames:
                h = hits(f.function)
                if h:
                    fh = fh | h
            self.fn_hits.append(fh)
            for i in fh:
                self.by_fn[i].append(pos)
            ch = hits(b.created_by.function) if b.created_by else _NONE
            self.cb_hits.append(ch)
            for i in ch:
                self.by_cb[i].append(pos)

    def with_state(self, states: list[re2._Regexp]) -> list[int]:
        """Positions of buckets whose state matches one of the regexes (all without any), in
        dump order. States are decided once per distinct state."""
        if not states:
            return list(range(len(self.buckets)))
        search = self.memo.search
        chosen = [lst for s, lst in self.by_state.items() if any(search(rx, s) for rx in states)]
        if len(chosen) == 1:
            return chosen[0]
        return sorted(p for lst in chosen for p in lst)

    def state_test(self, states: list[re2._Regexp]) -> Callable[[int], bool]:
        if not states:
            return lambda pos: True
        search = self.memo.search
        ok = {s for s in self.by_state if any(search(rx, s) for rx in states)}
        buckets = self.buckets
        return lambda pos: buckets[pos].state in ok

    def stack(self, pos: int) -> str:
        """The bucket's frame functions joined by ' > ' (what a `stack:` regex reads)."""
        text = self._stack_text.get(pos)
        if text is None:
            text = self._stack_text[pos] = " > ".join(f.function for f in self.buckets[pos].frames)
        return text
