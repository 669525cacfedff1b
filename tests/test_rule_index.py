"""The rule engine's shortcuts give the answers of the straightforward evaluation.

- advisor/line_set.py tests lines in chunks joined by newlines; every line a rule matches
  must still be found, with the same rules, as testing each line alone.
- advisor/bucket_index.py lets a goroutine rule visit only the buckets its regexes picked;
  each rule must group the same buckets as walking every bucket and testing each one.
- advisor/gcpause.py pauses the cyclic collector during a match and must restore it.

Inputs are the KB's samples and the development corpus (real output)."""

from __future__ import annotations

import gc
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.kb import load_view
from advisor.line_set import LineSet
from advisor.match import Advisor
from advisor.normalise import normalise_bytes
from advisor.parse import parse
from advisor.rules import RuleEngine

from .conftest import KB, ROOT

REAL = sorted(KB.glob("failure-modes/*/samples/*.log")) + sorted((ROOT / "corpus" / "dev").glob("*.log"))


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load_view(KB))


@pytest.fixture(scope="module")
def real_lines() -> list[str]:
    lines: dict[str, None] = {}
    for path in REAL:
        for line in normalise_bytes(path.read_bytes(), None).text.split("\n"):
            if line:
                lines[line] = None
    return list(lines)


def one_by_one(lset: LineSet, lines: list[str]) -> dict[int, list[int]]:
    return {i: sorted(found) for i, line in enumerate(lines) if (found := lset.match(line))}


def chunked(lset: LineSet, lines: list[str]) -> dict[int, list[int]]:
    return {i: sorted(found) for i, found in lset.scan(lines)}


def test_chunked_scan_finds_every_line_a_rule_matches(engine: RuleEngine, real_lines: list[str]) -> None:
    want = one_by_one(engine._line_set, real_lines)
    assert len(want) > 200  # the samples do hold lines the rules match
    assert chunked(engine._line_set, real_lines) == want


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_chunked_scan_in_any_order_and_mix(engine: RuleEngine, real_lines: list[str], data) -> None:
    """Matching lines at chunk edges, alone in a chunk, between odd text: the same hits."""
    picks = data.draw(st.lists(st.sampled_from(real_lines), max_size=300))
    noise = data.draw(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=40),
                               max_size=100))
    lines = [x for x in data.draw(st.permutations(picks + noise)) if x]
    assert chunked(engine._line_set, lines) == one_by_one(engine._line_set, lines)


def test_patterns_that_read_the_whole_text_are_tested_line_by_line() -> None:
    lset = LineSet()
    lset.add(r"\Afatal")  # \A: only at the start of a line tested alone
    lset.add(r"^ok$", ignore_case=True)
    lset.compile()
    lines = ["x"] * 70 + ["fatal error: boom"] + ["x"] * 70 + ["OK"]
    assert chunked(lset, lines) == {70: [0], 141: [1]}


def test_a_line_holding_a_newline_is_tested_alone() -> None:
    lset = LineSet()
    lset.add(r"a\nb")
    lset.compile()
    assert chunked(lset, ["x", "a\nb"]) == {1: [0]}


def reference_groups(engine: RuleEngine, p, buckets) -> dict[str, tuple[int, int, list[int]]]:
    """Every bucket tested against the predicate, in dump order (the engine before the index)."""
    states = [engine._regex(s) for s in p.state]
    fn = engine._regex(p.function) if p.function else None
    cb = engine._regex(p.created_by) if p.created_by else None
    stack = engine._regex(p.stack) if p.stack else None
    groups: dict[str, list] = defaultdict(lambda: [0, 0, []])
    for b in buckets:
        if states and not any(rx.search(b.state) for rx in states):
            continue
        if fn and not any(fn.search(f.function) for f in b.frames):
            continue
        if cb and not (b.created_by and cb.search(b.created_by.function)):
            continue
        if stack and not stack.search(" > ".join(f.function for f in b.frames)):
            continue
        if b.max_wait < p.min_wait_minutes or (p.leaked is not None and b.leaked != p.leaked):
            continue
        culprit = b.culprit
        g = groups[culprit.function if culprit else "?"]
        g[0] += b.count
        g[1] = max(g[1], b.max_wait)
        g[2].append(b.first_line)
    return {k: (v[0], v[1], v[2]) for k, v in groups.items()}


def test_indexed_buckets_are_those_each_rule_would_pick(engine: RuleEngine) -> None:
    rules = [r.goroutines for e in engine.entries for r in e.match.rules if r.goroutines is not None]
    dumps = 0
    picked = 0
    for path in REAL:
        facts = parse(normalise_bytes(path.read_bytes(), None).text)
        if not facts.buckets:
            continue
        dumps += 1
        engine.evaluate(facts)  # builds the index for these facts
        for p in rules:
            got = {k: (v[0], v[1], [b.first_line for b in v[2]]) for k, v in engine._groups(p).items()}
            want = reference_groups(engine, p, facts.buckets)
            assert list(got.items()) == list(want.items()), (path.name, p)
            picked += bool(want)
    assert dumps > 30 and picked > 30


@pytest.mark.parametrize("was_on", [True, False])
def test_a_match_leaves_the_collector_as_it_found_it(was_on: bool) -> None:
    advisor = Advisor(mode="rules")
    sample = next(KB.glob("failure-modes/goroutine-leak-channel-block/samples/*.log")).read_bytes()
    (gc.enable if was_on else gc.disable)()
    try:
        assert advisor.match_bytes(sample).matches
        assert gc.isenabled() is was_on
    finally:
        gc.enable()
