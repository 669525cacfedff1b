"""Rank failure modes for one input: rules decide, embeddings carry prose and break ties.

This is the library entry point behind `advisor match`:

    >>> from advisor.match import Advisor
    >>> result = Advisor(mode="rules").match_bytes(b"fatal error: concurrent map writes")
    >>> result.matches[0].id
    'concurrent-map-writes'

The rules path never imports the embedding code; hybrid mode loads the model only when
the input needs it (prose, or Go output whose rules are not decisive).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config import entry_url
from .errors import UsageError
from .facts import Bucket, Facts
from .kb import KbView, KnowledgeBase, load_view
from .normalise import Normalised, normalise_bytes
from .parse import parse
from .rules import Evidence, RuleEngine, RuleScore

Mode = Literal["hybrid", "rules", "semantic"]
MODES = ("hybrid", "rules", "semantic")

# Calibrated on the entries' samples and the development corpus (advisor eval; see
# benchmarks/README.md). Scores are in [0, 1].
RULE_MIN = 0.30  # a rule score below this is noise (one weak supporting line)
SEM_FLOOR = 0.25  # cosine at which semantic evidence starts to count
SEM_SPAN = 0.40  # cosine above the floor that counts as full semantic evidence
SEM_ONLY_MIN = 0.45  # cosine a prose query needs with no rule support at all
SEM_STRUCT_MIN = 0.55  # the same for Go output that no rule explains
SEM_ONLY_CAP = 0.70  # a semantic-only match never scores above this
HIGH, MEDIUM = 0.80, 0.55
TIE_GAP = 0.10  # rule scores closer than this are a tie the embedding may break


@dataclass
class Candidate:
    id: str
    title: str
    score: float
    confidence: Literal["high", "medium", "low"]
    url: str
    evidence: list[Evidence]
    rule_score: float = 0.0
    semantic: float | None = None
    buckets: list[Bucket] = field(default_factory=list)
    first_fix: str = ""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 4),
            "confidence": self.confidence,
            "url": self.url,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass
class MatchResult:
    matches: list[Candidate]
    abstain_reason: Literal["not-go-output", "no-matching-entry"] | None
    bytes: int
    lines: int
    kinds: list[str]
    notes: list[str]
    facts: Facts
    mode: str

    @property
    def abstained(self) -> bool:
        return not self.matches

    def as_dict(self) -> dict:
        """The JSON contract of design.md, plus compatible extras."""
        return {
            "abstained": self.abstained,
            "abstain_reason": self.abstain_reason,
            "input": {"bytes": self.bytes, "lines": self.lines, "kinds": self.kinds,
                      "goroutines": self.facts.goroutines, "notes": self.notes},
            "mode": self.mode,
            "matches": [m.as_dict() for m in self.matches],
        }


def _sem01(cos: float) -> float:
    return max(0.0, min(1.0, (cos - SEM_FLOOR) / SEM_SPAN))


def _confidence(score: float, decisive: bool) -> Literal["high", "medium", "low"]:
    if decisive or score >= HIGH:
        return "high"
    return "medium" if score >= MEDIUM else "low"


class Advisor:
    """Holds the KB, the compiled rules and (lazily) the embedding model for many queries."""

    def __init__(self, kb: KnowledgeBase | KbView | None = None, mode: Mode = "hybrid",
                 model: str | None = None, *, root: Path | None = None) -> None:
        if mode not in MODES:
            raise UsageError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        # Without a KB given, read the pydantic-free view: the rules path stays fast.
        self.kb = kb if kb is not None else load_view(root)
        self.mode = mode
        self.model = model or os.environ.get("ADVISOR_MODEL")
        self.rules = RuleEngine(self.kb) if mode != "semantic" else None
        self._embedder = None
        self._index = None

    # -------------------------------------------------------------- semantic, lazily
    def _semantic_scores(self, text: str, facts: Facts) -> dict[str, float]:
        from .embed import load_embedder
        from .semantic import load_index, query_text

        if self._embedder is None:
            self._embedder = load_embedder(self.model)
            self._index, _ = load_index(self.kb, self._embedder)
        vec = self._embedder.encode([query_text(text, facts)])[0]
        return self._index.scores(vec)

    # -------------------------------------------------------------- matching
    def match_bytes(self, data: bytes, top: int = 5, *, size: int | None = None) -> MatchResult:
        """size: the whole input's size when data is only its first part (see normalise_bytes)."""
        from .inputs import load_profile  # pprof profiles (protobuf, -top/-traces text); None for logs

        prof = load_profile(data)
        if prof is not None:
            return self.match_normalised(prof.norm, top, facts=prof.facts)
        norm = normalise_bytes(data, size)
        return self.match_normalised(norm, top)

    def match_text(self, text: str, top: int = 5) -> MatchResult:
        return self.match_bytes(text.encode("utf-8"), top)

    def match_normalised(self, norm: Normalised, top: int = 5, *, facts: Facts | None = None) -> MatchResult:
        """`facts` (from a profile, or the growth between two dumps) replaces parsing `norm`."""
        facts = parse(norm.text) if facts is None else facts
        rule_scores: dict[str, RuleScore] = self.rules.evaluate(facts) if self.rules else {}
        kinds = sorted(facts.kinds)
        notes = list(norm.notes) + facts.notes
        base = dict(bytes=norm.original_bytes, lines=facts.total_lines, kinds=kinds, notes=notes,
                    facts=facts, mode=self.mode)

        if "not-go" in facts.kinds and not any(r.decisive for r in rule_scores.values()):
            return MatchResult([], "not-go-output", **base)

        strong = {i: r for i, r in rule_scores.items() if not r.excluded and r.score >= RULE_MIN}
        decisive = any(r.decisive for r in strong.values())
        sem: dict[str, float] = {}
        free = "free-text" in facts.kinds
        ranked = sorted((r.score for r in strong.values()), reverse=True)
        close = len(ranked) > 1 and ranked[0] - ranked[1] < TIE_GAP
        # The model costs ~0.3 s per process: ask it only when it can change the answer
        # (prose, Go output no rule explains, or a near-tie between non-decisive rules).
        want_semantic = self.mode == "semantic" or (
            self.mode == "hybrid" and (free or not strong or (close and not decisive))
        )
        if want_semantic:
            sem = self._semantic_scores(norm.text, facts)

        has_rules = bool(strong)
        cands: list[Candidate] = []
        for e in self.kb.entries.values():
            r = rule_scores.get(e.id)
            if r is not None and r.excluded:
                continue
            rs = r.score if r is not None and r.score >= RULE_MIN else 0.0
            s = sem.get(e.id)
            if self.mode == "rules":
                score = rs
            elif self.mode == "semantic":
                score = SEM_ONLY_CAP * _sem01(s) if s is not None and s >= SEM_ONLY_MIN else 0.0
            elif rs > 0:
                # rules decide; the embedding moves a candidate by at most 0.15
                score = 0.85 * rs + 0.15 * (_sem01(s) if s is not None else rs)
            elif s is not None and (free or not has_rules) and s >= (SEM_ONLY_MIN if free else SEM_STRUCT_MIN):
                # Semantic-only candidates: for prose, or for Go output no rule explains.
                # Never next to a decisive rule, and never above a rule-backed candidate
                # in structured output.
                score = 0.0 if decisive else SEM_ONLY_CAP * _sem01(s)
            else:
                score = 0.0
            if score <= 0.0 or score < RULE_MIN * (0.85 if self.mode == "hybrid" else 1.0):
                continue
            is_decisive = bool(r and r.decisive and rs > 0 and self.mode != "semantic")
            evidence, seen = [], set()
            for h in (r.hits if r and rs > 0 else []):
                for ev in h.evidence:
                    if (ev.line, ev.text) not in seen:
                        seen.add((ev.line, ev.text))
                        evidence.append(ev)
            evidence.sort(key=lambda ev: (ev.line == 0, ev.line))
            cands.append(Candidate(
                id=e.id, title=e.title, score=score, confidence=_confidence(score, is_decisive),
                url=entry_url(e.id), evidence=evidence, rule_score=rs, semantic=s,
                buckets=(r.buckets if r and rs > 0 else []), first_fix=_first_fix(e),
            ))
        cands.sort(key=lambda c: (-c.score, c.id))
        cands = cands[: max(1, top)]
        if not cands:
            reason = "not-go-output" if ("not-go" in facts.kinds or (
                "free-text" in facts.kinds and facts.foreign)) else "no-matching-entry"
            return MatchResult([], reason, **base)
        return MatchResult(cands, None, **base)


def _first_fix(e) -> str:
    order = {"now": 0, "soon": 1, "lasting": 2}
    fix = sorted(e.fixes, key=lambda f: order[f.horizon])[0]
    return fix.title
