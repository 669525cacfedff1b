"""The decision policy (advisor/policy.py), table by table: it is the product.

Pure functions over plain numbers: no model, no KB. The end-to-end cases at the bottom
run the real advisor (rules path; the model-marked ones load the real MiniLM)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import policy
from advisor.policy import Decision, RuleEvidence, combine_prose, combine_structured

from .conftest import ROOT

IDS = ["a", "b", "c", "d", "e"]


def ids_of(decisions: list[Decision]) -> list[str]:
    return [d.id for d in decisions]


# ============================================================== structured (Go output)


@pytest.mark.parametrize("rules, sem, mode, free, want", [
    # a decisive rule wins and is labelled high; a weak semantic-only candidate is dropped
    ({"a": RuleEvidence(0.95, decisive=True)}, {"b": 0.70}, "hybrid", False, [("a", "high")]),
    # a rule below RULE_MIN is noise
    ({"a": RuleEvidence(0.20)}, {}, "hybrid", False, []),
    # rules mode: the score is the rule score, whatever the embedding says
    ({"a": RuleEvidence(0.60), "b": RuleEvidence(0.90)}, {"a": 0.9}, "rules", False, [("b", "high"), ("a", "medium")]),
    # Go output no rule explains: semantic-only needs SEM_STRUCT_MIN (0.55); a cosine of
    # 0.60 scores 0.70 * (0.60 - 0.25) / 0.40 = 0.61, medium
    ({}, {"a": 0.60, "b": 0.50}, "hybrid", False, [("a", "medium")]),
    # an excluded entry never appears, however strong its evidence
    ({"a": RuleEvidence(0.99, decisive=True, excluded=True), "b": RuleEvidence(0.5)}, {"a": 0.9}, "hybrid", False,
     [("b", "low")]),
    # semantic mode ignores rules and needs SEM_ONLY_MIN
    ({"a": RuleEvidence(0.99, decisive=True)}, {"a": 0.40, "b": 0.90}, "semantic", False, [("b", "medium")]),
])
def test_structured_policy(rules, sem, mode, free, want):
    got = combine_structured(IDS, rules, sem, mode, free)
    assert [(d.id, d.confidence) for d in got] == want


def test_structured_rule_beats_semantic_only_candidate():
    got = combine_structured(IDS, {"a": RuleEvidence(0.40)}, {"a": 0.0, "b": 0.99}, "hybrid", False)
    assert ids_of(got) == ["a"]


@pytest.mark.parametrize("rules, mode, free, want", [
    ({}, "hybrid", False, True),  # nothing explains the output: ask the model
    ({"a": RuleEvidence(0.9, decisive=True)}, "hybrid", False, False),
    ({"a": RuleEvidence(0.9, decisive=True)}, "hybrid", True, True),  # prose always
    ({"a": RuleEvidence(0.60), "b": RuleEvidence(0.55)}, "hybrid", False, True),  # near-tie
    ({"a": RuleEvidence(0.90), "b": RuleEvidence(0.50)}, "hybrid", False, False),
    ({}, "rules", True, False),  # the rules path never loads the model
    ({}, "semantic", False, True),
])
def test_wants_semantic(rules, mode, free, want):
    assert policy.wants_semantic(rules, mode, free) is want


# ============================================================== prose


@pytest.mark.parametrize("decisive, rule, dense, lexical, want", [
    (True, True, False, False, "high"),
    (False, True, True, True, "high"),
    (False, False, True, True, "medium"),
    (False, True, True, False, "medium"),
    (False, True, False, True, "medium"),
    (False, True, False, False, "low"),
    (False, False, True, False, "low"),
    (False, False, False, True, "low"),
    (False, False, False, False, "low"),
])
def test_prose_labels_count_agreeing_evidence(decisive, rule, dense, lexical, want):
    assert policy.prose_confidence(decisive, rule, dense, lexical) == want


def test_prose_always_offers_three():
    got = combine_prose(IDS, {}, {"a": 0.1, "b": 0.05, "c": 0.0, "d": -0.1, "e": -0.2}, {})
    assert len(got) == policy.PROSE_TOP == 3
    assert all(d.confidence == "low" for d in got)


def test_prose_decisive_rule_is_pinned_first():
    dense = {"a": 0.9, "b": 0.8, "c": 0.1, "d": 0.0, "e": 0.0}
    lexical = {"a": 20.0, "b": 10.0}
    got = combine_prose(IDS, {"e": RuleEvidence(0.95, decisive=True)}, dense, lexical)
    assert ids_of(got)[0] == "e" and got[0].confidence == "high"
    assert got[0].score >= policy.DECISIVE_FLOOR > got[1].score


def test_prose_agreeing_retrievers_give_medium_and_a_rule_makes_it_high():
    dense = {"a": 0.55, "b": 0.50, "c": 0.2, "d": 0.1, "e": 0.0}
    lexical = {"a": 12.0, "b": 3.0}
    got = combine_prose(IDS, {}, dense, lexical)
    assert (got[0].id, got[0].confidence) == ("a", "medium")
    got = combine_prose(IDS, {"a": RuleEvidence(0.6)}, dense, lexical)
    assert (got[0].id, got[0].confidence) == ("a", "high")


def test_prose_embedding_support_needs_a_real_cosine():
    # first by the embedding, but at a cosine that means nothing: no support
    got = combine_prose(IDS, {}, {"a": 0.12, "b": 0.10}, {"a": 5.0})
    assert (got[0].id, got[0].confidence) == ("a", "low")


@pytest.mark.parametrize("rules, dense, lexical, want", [
    ({}, {"a": 0.20}, {"a": 1.0}, True),  # nothing close, few shared words
    ({}, {"a": 0.45}, {"a": 1.0}, False),  # close in meaning
    ({}, {"a": 0.20}, {"a": 9.0}, False),  # shares rare words
    ({"a": RuleEvidence(0.6)}, {"a": 0.0}, {}, False),  # a rule fired
    ({"a": RuleEvidence(0.6, excluded=True)}, {"a": 0.0}, {}, True),
])
def test_off_topic(rules, dense, lexical, want):
    assert policy.off_topic(rules, dense, lexical) is want


@pytest.mark.parametrize("rules, go_words, margin, want", [
    ({}, 0, 0.12, True),  # nearer a problem we do not cover, nothing of Go
    ({}, 0, -0.05, False),  # nearer an entry
    ({}, 1, 0.12, False),  # names Go ("goroutine", "time.After"): on topic whatever it resembles
    ({"a": RuleEvidence(0.95, decisive=True)}, 0, 0.3, False),  # quotes a runtime message
    ({"a": RuleEvidence(0.6)}, 0, 0.12, True),  # an alias hit alone does not say "Go"
    ({"a": RuleEvidence(0.95, decisive=True, excluded=True)}, 0, 0.12, True),
])
def test_leads_only(rules, go_words, margin, want):
    assert policy.leads_only(rules, go_words, margin) is want


def test_as_leads_keeps_the_ranking_and_lowers_every_label():
    got = combine_prose(IDS, {"a": RuleEvidence(0.6)}, {"a": 0.55, "b": 0.5}, {"a": 12.0})
    leads = policy.as_leads(got)
    assert ids_of(leads) == ids_of(got) and [d.score for d in leads] == [d.score for d in got]
    assert got[0].confidence == "high" and {d.confidence for d in leads} == {"low"}


# --------------------------------------------------------------- properties

_scores = st.dictionaries(st.sampled_from(IDS), st.floats(-1, 1, allow_nan=False), min_size=len(IDS),
                          max_size=len(IDS))
_bm25 = st.dictionaries(st.sampled_from(IDS), st.floats(0, 40, allow_nan=False), max_size=len(IDS))
_rule = st.builds(RuleEvidence, st.floats(0, 1, allow_nan=False), st.booleans())
_rules = st.dictionaries(st.sampled_from(IDS), _rule, max_size=3)


@settings(max_examples=300, deadline=None)
@given(_rules, _scores, _bm25, st.sampled_from(IDS), _rule)
def test_a_rule_hit_never_lowers_an_entry(rules, dense, lexical, target, hit):
    """Adding (or strengthening) a rule hit for an entry never lowers its score or its place."""
    before = combine_prose(IDS, rules, dense, lexical, top=len(IDS))
    old = rules.get(target, RuleEvidence(0.0))
    stronger = RuleEvidence(max(old.score, hit.score), old.decisive or hit.decisive)
    after = combine_prose(IDS, {**rules, target: stronger}, dense, lexical, top=len(IDS))
    b = next(d for d in before if d.id == target)
    a = next(d for d in after if d.id == target)
    assert a.score >= b.score - 1e-12
    assert ids_of(after).index(target) <= ids_of(before).index(target)


@settings(max_examples=200, deadline=None)
@given(_rules, _scores, _bm25)
def test_prose_matches_are_sorted_by_score_with_valid_labels(rules, dense, lexical):
    got = combine_prose(IDS, rules, dense, lexical)
    scores = [d.score for d in got]
    assert scores == sorted(scores, reverse=True)  # the JSON contract: best first
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert {d.confidence for d in got} <= {"high", "medium", "low"}


# ============================================================== end to end


def test_rules_path_never_imports_the_model_or_bm25():
    code = (
        "import sys; from advisor.match import Advisor; "
        "r = Advisor(mode='rules').match_bytes(b'fatal error: concurrent map writes\\n\\ngoroutine 1 [running]:\\n'); "
        "assert r.matches[0].id == 'concurrent-map-writes', r.matches; "
        "bad = [m for m in ('advisor.embed', 'advisor.lexical', 'advisor.semantic', 'tokenizers', 'bm25s') "
        "if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def hybrid():
    from advisor.match import Advisor

    return Advisor()


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("text, entry", [
    ("does time.After inside a for-select loop leak memory", "timer-ticker-not-stopped"),
    ("服务跑几天后 goroutine 数量一直增长", "goroutine-leak-channel-block"),
    ("goroutine 数量一直增长", "goroutine-leak-channel-block"),
    ("latency spikes every two minutes, GC pauses", "frequent-stop-the-world-diagnostics"),
])
def test_prose_offers_three_with_the_right_one_among_them(hybrid, text, entry):
    result = hybrid.match_text(text)
    assert not result.abstained and len(result.matches) == 3
    assert entry in [m.id for m in result.matches[:3]], [(m.id, m.confidence) for m in result.matches]


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("text, reason", [
    ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory during webpack build",
     "not-go-output"),
    ("java.lang.OutOfMemoryError: GC overhead limit exceeded after the JVM ran for two days", "not-go-output"),
    ("the quarterly sales report is due on friday, please send the slides", "no-matching-entry"),
])
def test_prose_off_topic_is_turned_away(hybrid, text, reason):
    result = hybrid.match_text(text)
    assert result.abstained and result.abstain_reason == reason, [(m.id, m.confidence) for m in result.matches]


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("text", [
    "our self-hosted build runner stops picking up jobs after a few hours and every pipeline has to be restarted",
    "the machine reboots into a kernel panic right after the new initrd is installed",
])
def test_prose_nearer_an_uncovered_problem_is_offered_as_leads_only(hybrid, text):
    result = hybrid.match_text(text)
    assert all(m.confidence == "low" for m in result.matches), [(m.id, m.confidence) for m in result.matches]
    assert result.abstained or any("leads only" in n for n in result.notes)


@pytest.mark.slow
@pytest.mark.model
def test_prose_naming_go_is_not_held_back_by_the_prototypes(hybrid):
    # nearer the CI prototype than any entry, but it names Go: its labels stand
    result = hybrid.match_text("the GitHub Actions runner hangs and the job has to be rerun: go test never finishes")
    assert not any("leads only" in n for n in result.notes)
    assert result.matches[0].confidence != "low", [(m.id, m.confidence) for m in result.matches]


@pytest.mark.slow
@pytest.mark.model
def test_prose_quoting_a_runtime_message_is_high(hybrid):
    result = hybrid.match_text("our service crashes with fatal error: concurrent map writes under load")
    assert (result.matches[0].id, result.matches[0].confidence) == ("concurrent-map-writes", "high")
