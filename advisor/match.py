"""Rank failure modes for one input: gather the evidence, let advisor/policy.py decide.

Go output: rules decide, the embedding breaks near-ties. Typed prose: rules, the
embedding and BM25 (advisor/lexical.py) are fused into three labelled candidates.

This is the library entry point behind `advisor match`:

    >>> from advisor.match import Advisor
    >>> result = Advisor(mode="rules").match_bytes(b"fatal error: concurrent map writes")
    >>> result.matches[0].id
    'concurrent-map-writes'

The rules path never imports the embedding code or BM25; hybrid mode loads the model only
when the input needs it (prose, or Go output whose rules are not decisive).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from . import policy
from .config import entry_url
from .errors import UsageError
from .explain import RuntimeContext, analyse, keep_candidate, ordered_notes
from .facts import Bucket, Facts
from .gcpause import cyclic_gc_paused
from .kb import KbView, KnowledgeBase, load_view
from .normalise import Normalised, normalise_bytes
from .parse import parse
from .rules import Evidence, RuleEngine, RuleScore
from .topic import looks_typed

Mode = Literal["hybrid", "rules", "semantic"]
MODES = ("hybrid", "rules", "semantic")

# The policy's constants live in advisor/policy.py; these names stay importable from here.
RULE_MIN, SEM_ONLY_MIN, HIGH, MEDIUM = policy.RULE_MIN, policy.SEM_ONLY_MIN, policy.HIGH, policy.MEDIUM


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
    version_notes: list[dict] = field(default_factory=list)  # the paste's releases first (explain.py)
    kb: str = "shipped"  # the knowledge base the entry comes from

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 4),
            "confidence": self.confidence,
            "url": self.url,
            "evidence": [e.as_dict() for e in self.evidence],
            "version_notes": self.version_notes,
            "kb": self.kb,
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
    runtime: RuntimeContext = field(default_factory=RuntimeContext)

    @property
    def abstained(self) -> bool:
        return not self.matches

    def as_dict(self) -> dict:
        """The JSON contract of design.md, plus compatible extras."""
        v = self.runtime.versions
        return {
            "abstained": self.abstained,
            "abstain_reason": self.abstain_reason,
            "input": {"bytes": self.bytes, "lines": self.lines, "kinds": self.kinds,
                      "goroutines": self.facts.goroutines, "notes": self.notes,
                      "go_versions": v.range, "go_version_evidence": [e.as_dict() for e in v.evidence[:8]]},
            "mode": self.mode,
            "matches": [m.as_dict() for m in self.matches],
            "explanation": self.runtime.explanation(),
        }


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
        self._indexes: dict[str | None, object] = {}
        self._lexical = None
        self._prototypes = None  # off-topic prototype vectors (advisor/offtopic.py), lazily

    # -------------------------------------------------------------- semantic, lazily
    def _semantic_scores(self, text: str, facts: Facts, variant: str | None = None) -> dict[str, float]:
        return self._semantic(text, facts, variant)[0]

    def _semantic(self, text: str, facts: Facts, variant: str | None = None):
        """(cosine per entry, the query vector)."""
        from .embed import load_embedder
        from .semantic import load_index, query_text

        if self._embedder is None:
            self._embedder = load_embedder(self.model)
        index = self._indexes.get(variant)
        if index is None:
            index = self._indexes[variant] = load_index(self.kb, self._embedder, variant=variant)[0]
        vec = self._embedder.encode([query_text(text, facts)])[0]
        return index.scores(vec), vec

    def _offtopic_margin(self, vec, dense: dict[str, float]) -> tuple[float, int]:
        from .offtopic import margin, prototype_vectors

        if self._prototypes is None:
            self._prototypes = prototype_vectors(self._embedder)
        return margin(vec, self._prototypes, max(dense.values(), default=0.0))

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
        with cyclic_gc_paused():  # the parse's many small objects hold no cycles (gcpause.py)
            facts = parse(norm.text) if facts is None else facts
            rule_scores: dict[str, RuleScore] = self.rules.evaluate(facts) if self.rules else {}
        ctx = analyse(facts, norm.text, getattr(self.kb, "root", None))  # catalogue, Go releases
        notes = list(norm.notes) + facts.notes + ([ctx.versions.note] if ctx.versions.note else [])
        base = dict(bytes=norm.original_bytes, lines=facts.total_lines, kinds=sorted(facts.kinds),
                    notes=notes, facts=facts, mode=self.mode, runtime=ctx)
        if "not-go" in facts.kinds and not any(r.decisive for r in rule_scores.values()):
            return MatchResult([], "not-go-output", **base)
        evidence = {i: policy.RuleEvidence(r.score, r.decisive, r.excluded) for i, r in rule_scores.items()}
        free = "free-text" in facts.kinds
        if free and self.mode == "hybrid" and looks_typed(norm.text):
            return self._match_prose(norm.text, facts, rule_scores, evidence, top, base)

        # when the runtime named a failure no entry covers, only decisive evidence may answer,
        # and the model cannot change that (explain.py)
        ask = policy.wants_semantic(evidence, self.mode, free) and not ctx.unexplained
        sem = self._semantic_scores(norm.text, facts) if ask else {}
        decisions = policy.combine_structured(sorted(self.kb.entries), evidence, sem, self.mode, free)
        decisions = [d for d in decisions if keep_candidate(ctx, d.decisive)]
        cands = [self._candidate(d, rule_scores.get(d.id), sem.get(d.id), ctx) for d in decisions[: max(1, top)]]
        if not cands:
            reason = "not-go-output" if ("not-go" in facts.kinds or (free and facts.foreign)) else "no-matching-entry"
            return MatchResult([], reason, **base)
        return MatchResult(cands, None, **base)

    def _match_prose(self, text: str, facts: Facts, rule_scores: dict[str, RuleScore],
                     evidence: dict[str, policy.RuleEvidence], top: int, base: dict) -> MatchResult:
        """Free text: rules, the embedding and BM25 fused; three labelled candidates or an
        abstention when the text is off topic."""
        from .lexical import tokenize
        from .topic import ecosystem_votes

        tokens = tokenize(text)
        decisive = any(e.decisive and not e.excluded and e.score >= policy.RULE_MIN for e in evidence.values())
        go_words, foreign_words = ecosystem_votes(text, tokens)
        if not decisive and (facts.foreign or foreign_words > go_words):
            base["notes"].append("the text is about another ecosystem, not a Go program")
            return MatchResult([], "not-go-output", **base)
        from .semantic import PROSE_TEXT_VARIANT

        dense, vec = self._semantic(text, facts, PROSE_TEXT_VARIANT)
        index = self._lexical_index()
        lexical = {i: float(s) for i, s in zip(index.ids, index.scores(tokens), strict=True)}
        if policy.off_topic(evidence, dense, lexical):
            return MatchResult([], "no-matching-entry", **base)
        decisions = policy.combine_prose(sorted(self.kb.entries), evidence, dense, lexical,
                                         top=min(max(1, top), policy.PROSE_TOP))
        from .offtopic import NAMES

        away, nearest = self._offtopic_margin(vec, dense)
        if policy.leads_only(evidence, go_words, away):
            decisions = policy.as_leads(decisions)
            base["notes"].append(f"the text reads more like another kind of problem ({NAMES[nearest]}) "
                                 "than any entry and names nothing of Go: candidates are leads only")
        shared = index.known(tokens)
        cands = []
        for d in decisions:
            c = self._candidate(d, rule_scores.get(d.id), dense.get(d.id), base["runtime"])
            words = _shared_words(shared, index, d.id)
            if words:
                c.evidence.append(Evidence(0, "words in common: " + ", ".join(words), "bm25"))
            cands.append(c)
        return MatchResult(cands, None, **base)

    def _lexical_index(self):
        from .lexical import load_index

        if self._lexical is None:
            self._lexical = load_index(self.kb)
        return self._lexical

    def _candidate(self, d: policy.Decision, r: RuleScore | None, semantic: float | None,
                   ctx: RuntimeContext | None = None) -> Candidate:
        e = self.kb.entries[d.id]
        hits = r.hits if r is not None and d.rule_score > 0 else []
        evidence, seen = [], set()
        for h in hits:
            for ev in h.evidence:
                if (ev.line, ev.text) not in seen:
                    seen.add((ev.line, ev.text))
                    evidence.append(ev)
        evidence.sort(key=lambda ev: (ev.line == 0, ev.line))
        return Candidate(
            id=e.id, title=e.title, score=d.score, confidence=d.confidence, url=entry_url(e.id),
            evidence=evidence, rule_score=d.rule_score, semantic=semantic,
            buckets=(r.buckets if r is not None and d.rule_score > 0 else []), first_fix=_first_fix(e),
            version_notes=ordered_notes(e, ctx.versions) if ctx is not None else [],
            kb=self.kb.kb_of(e.id) if hasattr(self.kb, "kb_of") else "shipped",
        )


def _shared_words(tokens: list[str], index, ident: str, limit: int = 6) -> list[str]:
    """The query's words that occur in this entry's indexed text, rarest first. Chinese
    character bigrams that follow each other in the query are shown as one run."""
    row = index.ids.index(ident)
    weight: dict[str, float] = {}
    for t in dict.fromkeys(tokens):
        col = index.vocab[t]
        s, e = index.indptr[col], index.indptr[col + 1]
        hit = index.docs[s:e] == row
        if hit.any():
            weight[t] = float(index.weights[s:e][hit][0])
    words: dict[str, float] = {}
    run, run_weight = "", 0.0
    for t in tokens + [""]:
        if t in weight and len(t) == 2 and not t.isascii():
            if run and run[-1] == t[0]:
                run, run_weight = run + t[1], run_weight + weight[t]
                continue
            if run:
                words[run] = max(words.get(run, 0.0), run_weight)
            run, run_weight = t, weight[t]
            continue
        if run:
            words[run] = max(words.get(run, 0.0), run_weight)
            run, run_weight = "", 0.0
        if t in weight and t.isascii():
            words[t] = weight[t]
    return sorted(words, key=lambda w: -words[w])[:limit]


def _first_fix(e) -> str:
    order = {"now": 0, "soon": 1, "lasting": 2}
    fix = sorted(e.fixes, key=lambda f: order[f.horizon])[0]
    return fix.title
