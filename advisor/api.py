"""The Python API: everything the `advisor` command does, callable from a program.

    >>> from advisor import Advisor
    >>> adv = Advisor.load()                         # the shipped KB; or kb=["@shipped", "team/kb"]
    >>> result = adv.match("fatal error: concurrent map writes")
    >>> result.matches[0].id, result.matches[0].confidence
    ('concurrent-map-writes', 'high')
    >>> result.as_dict()                             # the JSON of `advisor match --json`

`Advisor` is the matcher of `advisor.match` with the rest of the command line added: the
entries (`entries`, `entry`), the reviewer's report (`review`), generated files
(`prometheus_rules`, `codeowners`); `validate()` checks knowledge bases without loading
them. Each CLI command is one call into this module plus printing. An Advisor is meant to
be kept: the KB, the compiled rules and (on first need) the model are loaded once, so a
pipeline matching stored logs pays them once (see benchmarks/batch_bench.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
from .issues import Issue
from .kb import KbSpec, KbView, KnowledgeBase, load_kb, load_view, resolve_kb_roots
from .match import MODES, MatchResult, Mode
from .match import Advisor as _Matcher

if TYPE_CHECKING:
    from .models import FailureMode
    from .review import ReviewOptions, ReviewReport


class Advisor(_Matcher):
    """A loaded advisor: knowledge bases, rules and (lazily) the embedding model."""

    @classmethod
    def load(cls, kb: KbSpec = None, *, mode: Mode = "hybrid", model: str | None = None) -> Advisor:
        """Load one knowledge base or several (paths in order; "@shipped" is the bundled
        KB; None: $ADVISOR_KB, else the bundled KB). Raises KnowledgeBaseError if they are
        invalid together, UsageError for an unknown mode."""
        if mode not in MODES:
            raise UsageError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        roots = resolve_kb_roots(kb)
        adv = cls(load_view(roots), mode=mode, model=model)
        adv.roots = roots
        return adv

    roots: list[Path] = []  # set by load(); else taken from the KB given

    # ------------------------------------------------------------------ matching
    def match(self, text: str | bytes, *, top: int = 5) -> MatchResult:
        """Name the failure modes behind one pasted log or sentence (design.md's contract:
        `result.as_dict()` is the JSON of `advisor match --json`)."""
        if isinstance(text, str):
            return self.match_text(text, top)
        return self.match_bytes(bytes(text), top)

    def match_many(self, texts: Iterable[str | bytes], *, top: int = 5) -> Iterator[MatchResult]:
        """Match stored logs one after another with the same loaded KB and model."""
        for text in texts:
            yield self.match(text, top=top)

    # ------------------------------------------------------------------ the entries
    @property
    def knowledge_base(self) -> KnowledgeBase:
        """The full, validated models (pydantic); loaded on first use, cached on disk."""
        if isinstance(self.kb, KnowledgeBase):
            return self.kb
        roots = self.roots or [s.root for s in self.kb.sources] or [self.kb.root]
        return load_kb(roots)

    def entries(self, category: str | None = None) -> list[FailureMode]:
        """Entries sorted by category and id, optionally of one category."""
        from .models import Category

        if category is not None and category not in {c.value for c in Category}:
            raise UsageError(
                f"unknown category '{category}'; use one of {', '.join(c.value for c in Category)}"
            )
        kb = self.knowledge_base
        return sorted((e for e in kb.entries.values() if category is None or e.category.value == category),
                      key=lambda e: (e.category.value, e.id))

    def entry(self, ident: str) -> FailureMode:
        """One entry by id or former id; UsageError naming the closest id otherwise."""
        found = self.knowledge_base.get(ident)
        if found is None:
            raise UsageError(unknown_id_message(ident, self.knowledge_base.entries))
        return found

    def kb_of(self, ident: str) -> str:
        """Name of the knowledge base an entry comes from ("shipped" for the bundled one)."""
        return self.knowledge_base.kb_of(ident)

    # ------------------------------------------------------------------ reviews and exports
    def review(self, options: ReviewOptions | None = None) -> ReviewReport:
        """What a reviewer should look at (stale entries, mis-ranked samples, ...)."""
        from .review import review

        return review(self.knowledge_base, options)

    def prometheus_rules(self) -> str:
        from .export import prometheus_rules

        return prometheus_rules(self.knowledge_base)

    def codeowners(self) -> str:
        from .export import codeowners

        return codeowners(self.knowledge_base)


def validate(kb: KbSpec = None, paths: Sequence[Path] = ()) -> tuple[list[Path], list[Issue]]:
    """Validate knowledge bases together (or only report on `paths` within them): every
    problem as an Issue with file, line and column. Returns (the KB roots checked, issues)."""
    from .validate import resolve_paths, validate_tree

    roots, only = resolve_paths(list(paths), resolve_kb_roots(kb))
    _, issues = validate_tree(roots, only)
    return roots, issues


def unknown_id_message(ident: str, ids: Iterable[str]) -> str:
    close = difflib.get_close_matches(ident, list(ids), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else "; see 'advisor list'"
    return f"no failure mode with id '{ident}'{hint}"


__all__ = ["Advisor", "KbView", "KnowledgeBase", "MatchResult", "unknown_id_message", "validate"]
