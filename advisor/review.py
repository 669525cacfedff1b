"""`advisor review`: what a reviewer of the knowledge base should look at.

Four checks, each a small class returning `Issue`s (advisor.issues) with a file position:

- `StaleCheck`: `last_reviewed` older than N days (Go moves; entries rot).
- `SampleRankCheck`: a sample under samples/ that no longer ranks its own entry first in
  rules mode (or a near-miss that now ranks it first): a rule was changed or another
  entry took over that output.
- `CrossMatchCheck`: an entry's rules fire on *another* entry's sample strongly enough
  to make it a candidate (Sigma's "goodlog" idea): the rule is broader than it claims.
- `NearDuplicateCheck`: two entries whose embedding texts (advisor.semantic.entry_text)
  are more similar than a threshold: probably one failure mode written twice.

The first three need no model; the last loads the embedder and the entry index once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import AdvisorError
from .evaluate import sample_items, strip_header
from .issues import Issue
from .kb import KnowledgeBase
from .match import RULE_MIN, Advisor
from .yamlio import Position, YamlLoadError, load_yaml

DEFAULT_STALE_DAYS = 180
DEFAULT_SIMILARITY = 0.90

CheckName = Literal["stale", "sample-rank", "cross-match", "near-duplicate"]


# A review finding is a validator Issue (check = the review check's name, entry = the entry
# it is about), so `review --format github` annotates pull requests as `validate` does.
Finding = Issue


@dataclass
class ReviewOptions:
    stale_days: int = DEFAULT_STALE_DAYS
    similarity: float = DEFAULT_SIMILARITY
    today: dt.date | None = None
    model: str | None = None
    embeddings: bool = True  # False: skip the near-duplicate check (no model)


@dataclass
class ReviewReport:
    findings: list[Finding]
    checks: list[str]
    options: ReviewOptions
    samples: int = 0

    def counts(self) -> dict[str, int]:
        out = {c: 0 for c in self.checks}
        for f in self.findings:
            out[f.check] = out.get(f.check, 0) + 1
        return out

    def as_dict(self) -> dict:
        o = self.options
        return {
            "today": (o.today or dt.date.today()).isoformat(),
            "stale_days": o.stale_days,
            "similarity_threshold": o.similarity,
            "checks": self.checks,
            "samples": self.samples,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
        }


class Context:
    """What the checks share: the KB, one rules-mode advisor, file positions, run results."""

    def __init__(self, kb: KnowledgeBase, options: ReviewOptions) -> None:
        self.kb = kb
        self.options = options
        self.today = options.today or dt.date.today()
        self._docs: dict[str, object] = {}
        self._runs: list[tuple] | None = None

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.kb.root.resolve().parent).as_posix()
        except ValueError:
            return str(path)

    def entry_path(self, ident: str) -> Path:
        return self.kb.entry_dir(ident) / "entry.yaml"

    def position(self, ident: str, loc: tuple, *, key: bool = False) -> Position:
        doc = self._docs.get(ident)
        if doc is None:
            try:
                doc = load_yaml(self.entry_path(ident))
            except YamlLoadError:
                return Position(1, 1)
            self._docs[ident] = doc
        return doc.position(loc, key=key)  # type: ignore[attr-defined]

    def at(self, check: CheckName, ident: str, loc: tuple, message: str, *, key: bool = False,
           severity: Literal["error", "warning"] = "warning", **data) -> Finding:
        pos = self.position(ident, loc, key=key)
        return Issue(self.rel(self.entry_path(ident)), pos.line, pos.col, message, severity,
                     check=check, entry=ident, data=data)

    def sample_runs(self) -> list[tuple]:
        """(item, MatchResult or None, {entry: RuleScore}, error) for every sample, once."""
        if self._runs is None:
            advisor = Advisor(self.kb, mode="rules")
            assert advisor.rules is not None
            runs = []
            for item in sample_items(self.kb):
                try:
                    data = strip_header(item.path.read_bytes())
                    result = advisor.match_bytes(data, top=5)
                    scores = advisor.rules.evaluate(result.facts)
                    runs.append((item, result, scores, None))
                except AdvisorError as exc:
                    runs.append((item, None, {}, str(exc)))
                except OSError as exc:
                    runs.append((item, None, {}, f"cannot read ({exc.strerror})"))
            self._runs = runs
        return self._runs


class Check:
    name: CheckName

    def run(self, ctx: Context) -> list[Finding]:  # pragma: no cover - interface
        raise NotImplementedError


class StaleCheck(Check):
    name: CheckName = "stale"

    def run(self, ctx: Context) -> list[Finding]:
        out = []
        limit = ctx.today - dt.timedelta(days=ctx.options.stale_days)
        for ident in sorted(ctx.kb.entries):
            e = ctx.kb.entries[ident]
            if e.last_reviewed < limit:
                age = (ctx.today - e.last_reviewed).days
                out.append(ctx.at(self.name, ident, ("last_reviewed",),
                                  f"last reviewed {e.last_reviewed} ({age} days ago, more than "
                                  f"{ctx.options.stale_days}); check it against the current Go "
                                  "release and update last_reviewed",
                                  last_reviewed=e.last_reviewed.isoformat(), age_days=age))
        return out


class SampleRankCheck(Check):
    name: CheckName = "sample-rank"

    def run(self, ctx: Context) -> list[Finding]:
        out = []
        for item, result, _, error in ctx.sample_runs():
            got = [m.id for m in result.matches] if result is not None else []
            owner = item.forbidden_top or item.expected[0]
            rel = ctx.rel(item.path)
            if error is not None:
                msg = f"sample of {owner} cannot be matched: {error}"
            elif item.forbidden_top:
                if not got or got[0] != owner:
                    continue
                msg = f"near-miss of {owner} now ranks {owner} first; the rules grew too broad"
            else:
                if got and got[0] == owner:
                    continue
                where = f"ranks {got[0]} first" if got else "matches nothing (rules mode)"
                pos = f"; {owner} is #{got.index(owner) + 1}" if owner in got else ""
                msg = f"sample of {owner} no longer ranks it first: {where}{pos}"
            out.append(Issue(rel, 1, 1, msg, "error", check=self.name, entry=owner,
                             data={"sample": rel, "got": got[:3]}))
        return out


class CrossMatchCheck(Check):
    """Another entry's rules make it a candidate (rule score >= RULE_MIN) on this sample."""

    name: CheckName = "cross-match"

    def run(self, ctx: Context) -> list[Finding]:
        # (other entry, rule id) -> samples it fires on
        fired: dict[tuple[str, str], list[str]] = defaultdict(list)
        decisive: dict[tuple[str, str], bool] = {}
        for item, _, scores, error in ctx.sample_runs():
            if error is not None or item.forbidden_top:
                continue
            owner = item.expected[0]
            for other, rs in scores.items():
                if other == owner or rs.excluded or rs.score < RULE_MIN:
                    continue
                for hit in rs.hits:
                    if hit.rule.id == "alias":
                        continue
                    key = (other, hit.rule.id)
                    fired[key].append(ctx.rel(item.path))
                    decisive[key] = hit.rule.decisive
        out = []
        for (other, rule_id), samples in sorted(fired.items()):
            e = ctx.kb.entries[other]
            index = next((i for i, r in enumerate(e.match.rules) if r.id == rule_id), None)
            loc = ("match", "rules", index, "id") if index is not None else ("match",)
            owners = sorted({s.split("/")[-3] for s in samples if s.count("/") >= 2})
            strength = "decisive rule" if decisive[(other, rule_id)] else "rule"
            out.append(ctx.at(
                self.name, other, loc,
                f"{strength} '{rule_id}' of {other} fires on {len(samples)} sample(s) of "
                f"{', '.join(owners)} (e.g. {samples[0]}); narrow it, add an exclude, or "
                "move the sample if it really shows this entry",
                severity="error" if decisive[(other, rule_id)] else "warning",
                rule=rule_id, samples=samples))
        return out


class NearDuplicateCheck(Check):
    name: CheckName = "near-duplicate"

    def run(self, ctx: Context) -> list[Finding]:
        import numpy as np

        from .embed import load_embedder
        from .semantic import load_index

        embedder = load_embedder(ctx.options.model)
        index, _ = load_index(ctx.kb, embedder)
        vecs = np.asarray(index.vectors, dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1, norms)
        sims = vecs @ vecs.T
        out = []
        n = len(index.ids)
        for i in range(n):
            for j in range(i + 1, n):
                s = float(sims[i, j])
                if s >= ctx.options.similarity:
                    a, b = index.ids[i], index.ids[j]
                    out.append(ctx.at(
                        self.name, a, ("title",),
                        f"{a} and {b} read as the same failure mode (embedding similarity "
                        f"{s:.3f} >= {ctx.options.similarity}); merge them, or make titles, "
                        "summaries and signatures say how they differ",
                        other=b, similarity=round(s, 4)))
        return out


def review(kb: KnowledgeBase, options: ReviewOptions | None = None) -> ReviewReport:
    options = options or ReviewOptions()
    ctx = Context(kb, options)
    checks: list[Check] = [StaleCheck(), SampleRankCheck(), CrossMatchCheck()]
    if options.embeddings:
        checks.append(NearDuplicateCheck())
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check.run(ctx))
    return ReviewReport(findings, [c.name for c in checks], options, samples=len(ctx.sample_runs()))
