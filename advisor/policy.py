"""The decision policy: from the evidence about each entry to a ranked, labelled answer.

Pure functions over plain numbers, so the product's promises can be read and tested
table by table (tests/test_match.py) without a model, a KB or a paste:

- Go output (panics, dumps, gctrace, race reports): rules decide; the embedding only
  breaks near-ties and carries output no rule explains (`combine_structured`, unchanged
  from the first release).
- Prose: three kinds of evidence, fused by weighted reciprocal rank (`combine_prose`):
  the embedding's ranking, the BM25 ranking and rule hits (an alias or a quoted runtime
  message). A decisive rule is pinned first; a rule hit only ever adds. Three candidates
  are offered, each labelled by how many kinds of evidence agree on it; the advisor
  abstains only on text that is off topic.

Every constant below was set on the tuning half of corpus/prose (and, for the structured
path, on the entries' samples); `advisor eval` reports the held-out half.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Confidence = Literal["high", "medium", "low"]

# ---------------------------------------------------------------- structured (Go output)
RULE_MIN = 0.30  # a rule score below this is noise (one weak supporting line)
SEM_FLOOR = 0.25  # cosine at which semantic evidence starts to count
SEM_SPAN = 0.40  # cosine above the floor that counts as full semantic evidence
SEM_ONLY_MIN = 0.45  # cosine a candidate needs with no rule support (semantic mode)
SEM_STRUCT_MIN = 0.55  # the same for Go output that no rule explains
SEM_ONLY_CAP = 0.70  # a semantic-only match never scores above this
HIGH, MEDIUM = 0.80, 0.55  # score thresholds of the structured labels
TIE_GAP = 0.10  # rule scores closer than this are a tie the embedding may break
RULE_WEIGHT = 0.85  # a rule-backed structured score: 0.85 rule + 0.15 semantic

# ---------------------------------------------------------------- prose
PROSE_TOP = 3  # candidates offered for free text
RRF_K = 4  # reciprocal-rank constant: small, so the first places dominate
W_DENSE = 1.0  # weight of the embedding's ranking
W_LEXICAL = 1.0  # weight of the BM25 ranking
W_RULE = 0.30  # weight of a non-decisive rule hit (times its rule score); never negative
AGREE_RANK = 1  # "a retriever supports this entry" = it ranks it this high or higher
DENSE_SUPPORT_MIN = 0.30  # ... and, for the embedding, with at least this cosine
DECISIVE_FLOOR = 0.80  # pinned (decisive) prose candidates score in [0.8, 1]
# Off topic: no rule fires, the embedding finds nothing close and the text shares almost
# no vocabulary with the knowledge base.
OFFTOPIC_DENSE_MAX = 0.30
OFFTOPIC_LEXICAL_MAX = 1.6  # BM25 (Lucene variant) summed over the text's words
# Leads only: the text is closer to a problem the KB does not cover (advisor/offtopic.py)
# than to any entry, and nothing in it says Go. Two retrievers agreeing then says "this is
# about caches" or "about a crash", not "about this Go failure", so no label above `low`.
# Zero is the natural point (nearer to what we do not cover); on the tuning half the
# off-topic texts that pass it sit at +0.05..+0.39 and every on-topic one but one below -0.05.
LEADS_ONLY_MARGIN = 0.0


@dataclass(frozen=True)
class RuleEvidence:
    """What the rule engine found for one entry."""

    score: float
    decisive: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class Decision:
    id: str
    score: float
    confidence: Confidence
    rule_score: float = 0.0  # the rule score that counted (0: none)
    decisive: bool = False


# ================================================================ structured input


def sem01(cos: float) -> float:
    """A cosine as semantic evidence in [0, 1]."""
    return max(0.0, min(1.0, (cos - SEM_FLOOR) / SEM_SPAN))


def structured_confidence(score: float, decisive: bool) -> Confidence:
    if decisive or score >= HIGH:
        return "high"
    return "medium" if score >= MEDIUM else "low"


def wants_semantic(rules: Mapping[str, RuleEvidence], mode: str, free: bool) -> bool:
    """Whether the embedding can change the answer (the model costs ~0.3 s a process):
    prose, Go output no rule explains, or a near-tie between non-decisive rules."""
    if mode == "semantic":
        return True
    if mode != "hybrid":
        return False
    strong = sorted((r.score for r in rules.values() if not r.excluded and r.score >= RULE_MIN), reverse=True)
    decisive = any(r.decisive for r in rules.values() if not r.excluded and r.score >= RULE_MIN)
    close = len(strong) > 1 and strong[0] - strong[1] < TIE_GAP
    return free or not strong or (close and not decisive)


def combine_structured(ids: list[str], rules: Mapping[str, RuleEvidence], sem: Mapping[str, float],
                       mode: str, free: bool) -> list[Decision]:
    """Today's rule-first policy, for Go output (and for `--mode rules|semantic`)."""
    strong = {i: r for i, r in rules.items() if not r.excluded and r.score >= RULE_MIN}
    decisive = any(r.decisive for r in strong.values())
    has_rules = bool(strong)
    out: list[Decision] = []
    for ident in ids:
        r = rules.get(ident)
        if r is not None and r.excluded:
            continue
        rs = r.score if r is not None and r.score >= RULE_MIN else 0.0
        s = sem.get(ident)
        if mode == "rules":
            score = rs
        elif mode == "semantic":
            score = SEM_ONLY_CAP * sem01(s) if s is not None and s >= SEM_ONLY_MIN else 0.0
        elif rs > 0:
            # rules decide; the embedding moves a candidate by at most 0.15
            score = RULE_WEIGHT * rs + (1 - RULE_WEIGHT) * (sem01(s) if s is not None else rs)
        elif s is not None and (free or not has_rules) and s >= (SEM_ONLY_MIN if free else SEM_STRUCT_MIN):
            # never next to a decisive rule, never above a rule-backed candidate
            score = 0.0 if decisive else SEM_ONLY_CAP * sem01(s)
        else:
            score = 0.0
        if score <= 0.0 or score < RULE_MIN * (RULE_WEIGHT if mode == "hybrid" else 1.0):
            continue
        is_decisive = bool(r and r.decisive and rs > 0 and mode != "semantic")
        out.append(Decision(ident, score, structured_confidence(score, is_decisive), rs, is_decisive))
    out.sort(key=lambda d: (-d.score, d.id))
    return out


# ================================================================ prose


def ranks(scores: Mapping[str, float], minimum: float | None = None) -> dict[str, int]:
    """1-based rank of each id by score, best first (ties by id); ids below `minimum` get none."""
    order = sorted((i for i, s in scores.items() if minimum is None or s > minimum),
                   key=lambda i: (-scores[i], i))
    return {i: n for n, i in enumerate(order, 1)}


def _rrf(rank: int | None, weight: float) -> float:
    return weight / (RRF_K + rank) if rank is not None else 0.0


def prose_confidence(decisive: bool, rule_hit: bool, dense_supports: bool, lexical_supports: bool) -> Confidence:
    """`high`: a decisive rule, or a rule both retrievers agree with. `medium`: the two
    retrievers agree, or a rule and one retriever. `low`: one kind of evidence."""
    votes = int(rule_hit) + int(dense_supports) + int(lexical_supports)
    if decisive or votes == 3:
        return "high"
    return "medium" if votes == 2 else "low"


def off_topic(rules: Mapping[str, RuleEvidence], dense: Mapping[str, float],
              lexical: Mapping[str, float]) -> bool:
    """Nothing to go on: no rule fires, nothing is close in meaning, few shared words."""
    if any(not r.excluded and r.score >= RULE_MIN for r in rules.values()):
        return False
    return max(dense.values(), default=0.0) < OFFTOPIC_DENSE_MAX and \
        max(lexical.values(), default=0.0) < OFFTOPIC_LEXICAL_MAX


def leads_only(rules: Mapping[str, RuleEvidence], go_words: int, prototype_margin: float) -> bool:
    """True when prose candidates may be offered only as leads (`low`): the text is nearer
    an off-topic prototype than any entry, names nothing of Go and quotes no runtime
    message (a decisive rule)."""
    if go_words > 0 or any(r.decisive and not r.excluded and r.score >= RULE_MIN for r in rules.values()):
        return False
    return prototype_margin > LEADS_ONLY_MARGIN


def as_leads(decisions: list[Decision]) -> list[Decision]:
    return [Decision(d.id, d.score, "low", d.rule_score, d.decisive) for d in decisions]


def combine_prose(ids: list[str], rules: Mapping[str, RuleEvidence], dense: Mapping[str, float],
                  lexical: Mapping[str, float], top: int = PROSE_TOP) -> list[Decision]:
    """Fuse the three rankings; return the best `top` entries, decisive ones pinned first."""
    dense_rank = ranks(dense)
    lexical_rank = ranks(lexical, minimum=0.0)
    full = _rrf(1, W_DENSE) + _rrf(1, W_LEXICAL) + W_RULE
    scored: list[tuple[bool, float, Decision]] = []
    for ident in ids:
        r = rules.get(ident)
        if r is not None and r.excluded:
            continue
        rs = r.score if r is not None and r.score >= RULE_MIN else 0.0
        decisive = bool(r and r.decisive and rs > 0)
        fused = _rrf(dense_rank.get(ident), W_DENSE) + _rrf(lexical_rank.get(ident), W_LEXICAL) + W_RULE * rs
        norm = min(1.0, fused / full)
        score = DECISIVE_FLOOR + (1 - DECISIVE_FLOOR) * norm if decisive else DECISIVE_FLOOR * norm
        dense_ok = dense_rank.get(ident, 10**9) <= AGREE_RANK and dense.get(ident, 0.0) >= DENSE_SUPPORT_MIN
        lexical_ok = lexical_rank.get(ident, 10**9) <= AGREE_RANK
        conf = prose_confidence(decisive, rs > 0, dense_ok, lexical_ok)
        scored.append((decisive, score, Decision(ident, score, conf, rs, decisive)))
    scored.sort(key=lambda t: (not t[0], -t[1], t[2].id))
    return [d for _, _, d in scored[: max(1, top)]]
