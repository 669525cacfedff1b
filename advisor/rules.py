"""Evaluate every entry's `match:` rules against the facts of one input.

All regular expressions of all entries are compiled into two RE2 sets (case-sensitive
and not), so each distinct input line is scanned once, in linear time, whatever the
number of rules; a hostile line cannot make a contributed pattern backtrack.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

import re2

from .bucket_index import BucketIndex, SearchMemo
from .facts import Bucket, Facts
from .line_set import LineSet

if TYPE_CHECKING:  # rules are read by attribute: pydantic models or a KbView's namespaces
    from .kb import KbView, KnowledgeBase
    from .models import FailureMode, GctracePredicate, GoroutinePredicate, MatchRule
from .regex import compile_re2, rule_patterns

MAX_EVIDENCE_PER_RULE = 3
ALIAS_WEIGHT = 0.6
MAX_EVIDENCE_TEXT = 300


@dataclass
class Evidence:
    line: int
    text: str
    rule: str

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "rule": self.rule}


@dataclass
class RuleHit:
    rule: MatchRule
    evidence: list[Evidence]
    strength: float = 1.0  # scales the rule's weight (a dump pile-up counts by its size)

    @property
    def weight(self) -> float:
        return self.rule.weight * self.strength


@dataclass
class RuleScore:
    entry_id: str
    score: float
    decisive: bool
    hits: list[RuleHit] = field(default_factory=list)
    excluded: bool = False
    buckets: list[Bucket] = field(default_factory=list)  # dump buckets that matched, for the report


def _set(ignore_case: bool) -> re2.Set:
    opts = re2.Options()
    opts.case_sensitive = not ignore_case
    opts.log_errors = False
    opts.max_mem = 64 << 20
    return re2.Set.SearchSet(opts)


class RuleEngine:
    """Compiled rules of a whole KB. Build once per process."""

    def __init__(self, kb: KnowledgeBase | KbView) -> None:
        self.entries: list[FailureMode] = sorted(kb.entries.values(), key=lambda e: e.id)
        # one set for all line regexes (case-insensitive ones wrapped in (?i:...)): one RE2
        # pass per distinct line; set index -> (entry id, rule id or None for an exclude pattern)
        self._line_set = LineSet()
        self._line_slots: list[tuple[str, str | None]] = []
        self._compiled: dict[str, re2._Regexp] = {}
        # every goroutine-predicate regex in one more set: one pass per distinct bucket string
        self._pred_set, self._pred_index = _set(False), {}
        catalogue = None
        for e in self.entries:
            for r in e.match.rules:
                if r.regex is not None:
                    self._add(r.ignore_case, r.regex, (e.id, r.id))
                elif getattr(r, "catalogue", None):  # runtime messages, worded by the catalogue
                    catalogue = catalogue or _catalogue(kb)
                    self._add(False, catalogue.rule_regex(r.catalogue), (e.id, r.id))
                for loc, pattern in rule_patterns(r):
                    if loc[0] in ("goroutines", "heap", "sanitizer"):  # compiled once here; regexes live in the sets
                        rx = self._regex(pattern)
                        if loc[0] == "goroutines" and id(rx) not in self._pred_index:
                            self._pred_index[id(rx)] = self._pred_set.Add(pattern)
            for x in e.match.exclude:
                self._add(False, x, (e.id, None))
        self._line_set.compile()
        self._pred_set.Compile()
        # Aliases (other names, error texts, the Chinese terms of the seed) count as
        # evidence only in prose: in a log, the runtime's own lines decide.
        self._alias_set = _set(True)
        self._alias_slots: list[tuple[str, str]] = []
        for e in self.entries:
            for alias in e.aliases:
                pattern = re2.escape(alias.strip())
                if alias[:1].isascii() and alias[:1].isalnum():
                    pattern = r"\b" + pattern
                if alias[-1:].isascii() and alias[-1:].isalnum():
                    pattern += r"\b"
                self._alias_set.Add(pattern)
                self._alias_slots.append((e.id, alias))
        if self._alias_slots:
            self._alias_set.Compile()
        self._alias_rule = SimpleNamespace(id="alias", regex="alias", weight=ALIAS_WEIGHT, decisive=False,
                                           requires=[], description="the text names this failure mode")

    def _add(self, icase: bool, pattern: str, slot: tuple[str, str | None]) -> None:
        self._line_set.add(pattern, icase)
        self._line_slots.append(slot)

    def _regex(self, pattern: str) -> re2._Regexp:
        rx = self._compiled.get(pattern)
        if rx is None:
            rx = compile_re2(pattern)
            self._compiled[pattern] = rx
        return rx

    # ------------------------------------------------------------------ evaluation

    def _line_hits(self, facts: Facts) -> dict[tuple[str, str | None], tuple[int, list[tuple[int, str]]]]:
        """(entry, rule) -> (matching line count, first few (line no, text))."""
        hits: dict[tuple[str, str | None], list] = {}
        if not self._line_slots:
            return {}
        slots, lines = self._line_slots, facts.lines
        texts = [t for t in lines if t]
        for i, matched in self._line_set.scan(texts):
            text = texts[i]
            line_no, count = lines[text]
            for idx in matched:
                slot = slots[idx]
                h = hits.get(slot)
                if h is None:
                    h = hits[slot] = [0, []]
                h[0] += count
                h[1].append((line_no, text))
        out = {}
        for slot, (count, examples) in hits.items():
            examples.sort()
            out[slot] = (count, examples[:MAX_EVIDENCE_PER_RULE])
        return out

    def _alias_hits(self, facts: Facts) -> dict[str, list[Evidence]]:
        out: dict[str, list[Evidence]] = defaultdict(list)
        if not self._alias_slots or "free-text" not in facts.kinds:
            return out
        for text, (line_no, _) in facts.lines.items():
            for idx in self._alias_set.Match(text) or ():
                ident, alias = self._alias_slots[idx]
                if len(out[ident]) < MAX_EVIDENCE_PER_RULE:
                    out[ident].append(Evidence(line_no, _clip(text), f"alias: {alias}"))
        return out

    def evaluate(self, facts: Facts) -> dict[str, RuleScore]:
        self._memo = SearchMemo(self._pred_set, self._pred_index)
        self._index = BucketIndex(facts, self._memo)  # every bucket's predicate hits, once
        line_hits = self._line_hits(facts)
        alias_hits = self._alias_hits(facts)
        results: dict[str, RuleScore] = {}
        for e in self.entries:
            if (e.id, None) in line_hits:
                results[e.id] = RuleScore(e.id, 0.0, False, excluded=True)
                continue
            matched: dict[str, RuleHit] = {}
            buckets: list[Bucket] = []
            for r in e.match.rules:
                hit = self._eval_rule(e, r, facts, line_hits, buckets)
                if hit is not None:
                    matched[r.id] = hit
            if e.id in alias_hits:
                matched["alias"] = RuleHit(self._alias_rule, alias_hits[e.id])
            # a rule with `requires` counts only when all it requires matched too
            changed = True
            while changed:
                changed = False
                for rid, hit in list(matched.items()):
                    if any(req not in matched for req in hit.rule.requires):
                        del matched[rid]
                        changed = True
            if not matched:
                continue
            miss = 1.0
            for hit in matched.values():
                miss *= 1.0 - hit.weight
            score = 1.0 - miss
            decisive = any(h.rule.decisive for h in matched.values())
            results[e.id] = RuleScore(e.id, score, decisive, list(matched.values()), buckets=buckets)
        return results

    def _eval_rule(self, e: FailureMode, r: MatchRule, facts: Facts, line_hits: dict,
                   buckets_out: list[Bucket]) -> RuleHit | None:
        if r.regex is not None or getattr(r, "catalogue", None):
            found = line_hits.get((e.id, r.id))
            if not found or found[0] < r.min_lines:
                return None
            return RuleHit(r, [Evidence(n, _clip(t), r.id) for n, t in found[1]])
        if r.goroutines is not None:
            return self._eval_goroutines(r, r.goroutines, facts, buckets_out)
        if r.gctrace is not None:
            return _eval_gctrace(r, r.gctrace, facts)
        if getattr(r, "sanitizer", None) is not None:
            return self._eval_sanitizer(r, r.sanitizer, facts)
        if getattr(r, "heap", None) is not None:
            from .heaprules import eval_heap  # memory-profile predicates live in their own module

            return eval_heap(r, r.heap, facts, self._regex)
        if r.exit_code is not None:
            for line, code, text in facts.exit_codes:
                if code in r.exit_code:
                    return RuleHit(r, [Evidence(line, _clip(text), r.id)])
            return None
        if r.kind is not None:
            if facts.kinds & set(r.kind):
                return RuleHit(r, [])
            return None
        return None

    def _eval_sanitizer(self, r: MatchRule, p, facts: Facts) -> RuleHit | None:
        err = self._regex(p.error) if p.error else None
        for s in facts.sanitizers:
            if p.tool and s.tool not in p.tool:
                continue
            if err is not None and not err.search(s.error):
                continue
            if p.go_frames is not None and bool(s.go_frames) != p.go_frames:
                continue
            if p.cgo is not None and s.cgo != p.cgo:
                continue
            return RuleHit(r, [Evidence(s.line, _clip(_sanitizer_summary(s)), r.id)])
        return None

    def _eval_goroutines(self, r: MatchRule, p: GoroutinePredicate, facts: Facts,
                         buckets_out: list[Bucket]) -> RuleHit | None:
        if not facts.buckets or not facts.goroutines:
            return None
        groups = self._groups(p)
        if not groups:
            return None
        name, (count, wait, blist) = max(groups.items(), key=lambda kv: kv[1][0])
        if count < p.min_count or count / facts.goroutines < p.min_share:
            return None
        blist.sort(key=lambda b: -b.count)
        buckets_out.extend(b for b in blist[:3] if b not in buckets_out)
        top = blist[0]
        where = top.culprit.short_location if top.culprit and top.culprit.location else ""
        text = (f"{count:,} of {facts.goroutines:,} goroutines in {top.state} at {name}"
                + (f" ({where})" if where else "") + (f", waiting up to {wait} minutes" if wait else ""))
        # A pile-up holding a larger share of all goroutines is stronger evidence: in a
        # dump with 40,000 goroutines on a channel and 10,000 on a mutex, the channel
        # story should rank first. Full weight from 40 % of the dump up.
        share = count / facts.goroutines
        strength = 0.6 + 0.4 * min(1.0, share / 0.4)
        return RuleHit(r, [Evidence(top.first_line, text, r.id)], strength)

    def _groups(self, p: GoroutinePredicate) -> dict[str, list]:
        """Buckets the predicate selects, grouped by culprit: name -> [goroutines, longest
        wait, buckets], in dump order of each group's first bucket."""
        index, memo = self._index, self._memo
        states = [self._regex(s) for s in p.state]
        fn = self._regex(p.function) if p.function else None
        cb = self._regex(p.created_by) if p.created_by else None
        st = self._regex(p.stack) if p.stack else None
        fn_i = memo.index.get(id(fn)) if fn is not None else None
        cb_i = memo.index.get(id(cb)) if cb is not None else None
        # the narrowest list to walk: buckets the function or creator regex picked
        if fn_i is not None:
            todo, state_ok = index.by_fn.get(fn_i, []), index.state_test(states)
        elif cb_i is not None:
            todo, state_ok = index.by_cb.get(cb_i, []), index.state_test(states)
        else:
            todo, state_ok = index.with_state(states), None
        buckets, search = index.buckets, memo.search
        leaked = getattr(p, "leaked", None)
        groups: dict[str, list] = defaultdict(lambda: [0, 0, []])
        for pos in todo:
            b = buckets[pos]
            if state_ok is not None and not state_ok(pos):
                continue
            if fn is not None and not (fn_i in index.fn_hits[pos] if fn_i is not None
                                       else any(search(fn, f.function) for f in b.frames)):
                continue
            if cb is not None and not (cb_i in index.cb_hits[pos] if cb_i is not None
                                       else b.created_by and search(cb, b.created_by.function)):
                continue
            if st is not None and not search(st, index.stack(pos)):
                continue
            if b.max_wait < p.min_wait_minutes:
                continue
            if leaked is not None and b.leaked != leaked:
                continue
            g = groups[index.culprit[pos]]
            g[0] += b.count
            g[1] = max(g[1], b.max_wait)
            g[2].append(b)
        return groups


def _sanitizer_summary(s) -> str:
    where = "in C code called through cgo" if s.cgo else ("in Go code" if s.go_frames else "")
    return f"{s.tool} report: {s.error}" + (f" ({where})" if where else "")


def _catalogue(kb: KnowledgeBase | KbView):
    from .catalogue import load_catalogue

    return load_catalogue(kb.root)


def _eval_gctrace(r: MatchRule, p: GctracePredicate, facts: Facts) -> RuleHit | None:
    cycles = facts.gc
    if len(cycles) < p.min_cycles:
        return None
    forced = [c for c in cycles if c.forced]
    if p.forced is True and not forced:
        return None
    if p.forced is False and forced:
        return None
    if len(forced) / len(cycles) < p.min_forced_share:
        return None
    notes = []
    if p.min_cpu_percent is not None:
        peak = max(c.cpu_percent for c in cycles)
        if peak < p.min_cpu_percent:
            return None
        notes.append(f"GC CPU up to {peak:g}%")
    if p.min_cycles_per_second is not None:
        span = cycles[-1].at_seconds - cycles[0].at_seconds
        if len(cycles) < 2 or span <= 0:
            return None
        rate = (len(cycles) - 1) / span
        if rate < p.min_cycles_per_second:
            return None
        notes.append(f"{rate:.1f} GC cycles/s")
    if p.heap_near_goal is not None:
        near = sum(1 for c in cycles if c.goal > 0 and c.heap_live >= 0.9 * c.goal)
        if near / len(cycles) < p.heap_near_goal:
            return None
        notes.append(f"{near} of {len(cycles)} cycles end with the live heap ≥ 90 % of the goal")
    if p.growing_heap:
        third = max(1, len(cycles) // 3)
        first = sum(c.heap_live for c in cycles[:third]) / third
        last = sum(c.heap_live for c in cycles[-third:]) / third
        if len(cycles) < 3 or last < first * 1.2:
            return None
        notes.append(f"live heap {first:.0f} → {last:.0f} MB")
    if forced and p.forced:
        notes.insert(0, f"{len(forced)} of {len(cycles)} cycles forced")
    first = forced[0] if (forced and p.forced) else cycles[0]
    summary = f"{len(cycles)} gctrace cycle(s)" + (": " + ", ".join(notes) if notes else "")
    return RuleHit(r, [Evidence(first.line, summary, r.id)])


def _clip(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= MAX_EVIDENCE_TEXT else text[: MAX_EVIDENCE_TEXT - 1] + "…"
