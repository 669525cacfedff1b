"""Hostile pastes through the whole matching path (normalise, parse, every entry's rules):
time grows linearly with the paste, whatever its shape, and nothing but InputError escapes.

The shapes are tests/hostile.py's: the reproducers of issue 12 (114 bytes of "{a}" froze
the parser; a line of '(' took the normaliser quadratic time), the other worst cases found
while fixing them, and hypothesis-generated pastes built from Go-shaped fragments and
delimiters, repeated and nested. Growth is a ratio of CPU times at two sizes, 16x apart.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import normalise
from advisor.errors import InputError
from advisor.match import Advisor

from .hostile import PASTE_SHAPES, Hang, growth, hostile_texts, scale

SMALL, FACTOR = 8_000, 16
MAX_RATIO = 4 * FACTOR  # linear is ~16x, quadratic ~256x


@pytest.fixture(scope="module")
def advisor_rules():
    return Advisor(mode="rules")


def _match(advisor):
    def run(text: str):
        try:
            return advisor.match_bytes(text.encode("utf-8", "surrogatepass"))
        except InputError:
            return None
    return run


def _ratio(fn, make) -> float:
    ratio = growth(fn, make, SMALL, FACTOR, max_ratio=MAX_RATIO)
    if ratio > MAX_RATIO / 2:  # a quick look, then a careful one
        ratio = growth(fn, make, SMALL, FACTOR, batches=5, min_batch=5e-3, max_ratio=MAX_RATIO)
    return ratio


@pytest.mark.parametrize("repairs", ["line-by-line", "whole-text"])
@pytest.mark.parametrize("shape", sorted(PASTE_SHAPES))
def test_hostile_paste_costs_linear_time(advisor_rules, monkeypatch, shape, repairs):
    # Inputs above normalise.SMALL_INPUT (2 MB) take the whole-text repairs; at 0 every
    # input does, so both paths are measured at sizes a test can afford.
    if repairs == "whole-text":
        monkeypatch.setattr(normalise, "SMALL_INPUT", 0)
    try:
        ratio = _ratio(_match(advisor_rules), PASTE_SHAPES[shape])
    except Hang:
        pytest.fail(f"{shape}: no answer in time at {SMALL} or {SMALL * FACTOR} characters")
    assert ratio <= MAX_RATIO, f"{shape}: a {FACTOR}x longer paste took {ratio:.0f}x longer"


@settings(max_examples=20, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(paste=hostile_texts())
def test_generated_hostile_pastes_cost_linear_time(advisor_rules, paste):
    fn = _match(advisor_rules)
    fn(paste)  # nothing but InputError escapes
    try:
        ratio = _ratio(fn, lambda n: scale(paste, n))
    except Hang:
        pytest.fail(f"no answer in time on {paste[:200]!r}... repeated")
    assert ratio <= MAX_RATIO, f"{FACTOR}x longer took {ratio:.0f}x longer on {paste[:200]!r}... repeated"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paste=hostile_texts(max_units=40) | st.text(max_size=2000) | st.binary(max_size=2000).map(
    lambda b: b.decode("latin-1")))
def test_any_paste_gives_a_result_or_an_input_error(advisor_rules, paste):
    result = _match(advisor_rules)(paste)
    if result is not None:
        assert result.abstained == (not result.matches)
        assert result.as_dict()["input"]["bytes"] == len(paste.encode("utf-8", "surrogatepass"))
