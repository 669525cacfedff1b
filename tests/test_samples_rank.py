"""Entry x sample confusion matrix: every sample ranks its own entry first, and no rule
takes another entry's samples or its near-misses. Fails when a new or changed rule does."""

from __future__ import annotations

from functools import cache

import pytest

from advisor.evaluate import sample_items, strip_header
from advisor.kb import load_kb
from advisor.match import Advisor

from .conftest import KB, ROOT

ITEMS = sample_items(load_kb(KB))


@cache
def advisor(mode: str) -> Advisor:
    return Advisor(load_kb(KB), mode=mode)


def _ids(item, mode):
    result = advisor(mode).match_bytes(strip_header(item.path.read_bytes()))
    return [m.id for m in result.matches]


def _name(item):
    return str(item.path.relative_to(ROOT))


@pytest.mark.parametrize("item", [i for i in ITEMS if not i.forbidden_top], ids=_name)
def test_sample_ranks_its_entry_first_by_rules(item):
    got = _ids(item, "rules")
    assert got and got[0] == item.expected[0], f"expected {item.expected[0]} first, got {got[:3]}"


@pytest.mark.parametrize("item", [i for i in ITEMS if i.forbidden_top], ids=_name)
def test_near_miss_does_not_rank_its_entry_first(item):
    for mode in ("rules",):
        got = _ids(item, mode)
        assert not got or got[0] != item.forbidden_top, f"{mode}: {got[:3]}"


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("item", [i for i in ITEMS if not i.forbidden_top], ids=_name)
def test_sample_ranks_its_entry_first_hybrid(item):
    got = _ids(item, "hybrid")
    assert got and got[0] == item.expected[0], f"expected {item.expected[0]} first, got {got[:3]}"


def test_every_entry_has_a_reproducer_sample_and_a_public_sample():
    kb = load_kb(KB)
    for ident in kb.entries:
        names = [p.name for p in (kb.entry_dir(ident) / "samples").glob("*.log")]
        assert any(n.startswith("repro-") for n in names), f"{ident}: no saved reproducer output"
        assert any(not n.startswith("repro-") for n in names), f"{ident}: no public paste"
