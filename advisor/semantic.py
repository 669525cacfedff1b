"""The embedding side: entry vectors built once into an index, one query vector per input.

The index is keyed by the KB's content hash and the model id, stored under the build
folder, and rebuilt automatically when either changes, so a query only embeds itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .facts import Facts
from .kb import cache_dir, find_cached

if TYPE_CHECKING:  # entries are read by attribute: pydantic models or a KbView's namespaces
    from .kb import KbView, KnowledgeBase
    from .models import FailureMode

# What we embed for an entry. Variants were measured on the development corpus
# (benchmarks/eval_text.py); "symptoms" won: the words an engineer pastes or types
# are in the title, aliases, signatures and symptoms, not in the mechanism prose.
ENTRY_TEXT_VARIANT = os.environ.get("ADVISOR_ENTRY_TEXT", "symptoms")


def entry_text(e: FailureMode, variant: str = ENTRY_TEXT_VARIANT) -> str:
    """One text per entry (the single-vector variants)."""
    parts = [e.title + ".", e.summary]
    if variant in ("symptoms", "full"):
        parts += [", ".join(e.aliases)]
        parts += e.symptoms
        parts += e.signatures
    if variant == "full":
        parts += [c.title + ": " + c.detail for c in e.causes]
        parts.append(e.impact)
    if variant == "short":
        parts = [e.title + ".", ", ".join(e.aliases), *e.signatures]
    return "\n".join(p for p in parts if p)


def entry_passages(e: FailureMode, variant: str = ENTRY_TEXT_VARIANT) -> list[str]:
    """The texts embedded for an entry. The model reads at most 256 word pieces, which
    a whole entry exceeds, so "multi" embeds each symptom and cause on its own and an
    entry scores as its best passage."""
    if variant != "multi":
        return [entry_text(e, variant)]
    out = [f"{e.title}. {e.summary}"]
    out += [f"{e.title}: {s}" for s in e.symptoms]
    out += [f"{e.title}: {c.title}. {c.detail}" for c in e.causes]
    out.append(f"{e.title}: " + "; ".join(e.signatures))
    names = [a for a in e.aliases if a.isascii()]
    if names:
        out.append(f"{e.title}: " + ", ".join(names))
    return out


def query_text(text: str, facts: Facts, limit: int = 2000) -> str:
    """The part of an input worth embedding: headers and dump summaries for Go output,
    the text itself for prose. Whole dumps would drown the signal and cost time."""
    if "free-text" in facts.kinds or not facts.kinds:
        return text[:limit]
    parts: list[str] = []
    if facts.fatal:
        parts.append("fatal error: " + facts.fatal[1])
    if facts.panic:
        parts.append("panic: " + facts.panic[1])
    if facts.signal:
        parts.append(facts.signal[1])
    for b in facts.buckets[:5]:
        where = b.culprit.function if b.culprit else ""
        parts.append(f"{b.count} goroutines in {b.state} at {where}" +
                     (f" for {b.max_wait} minutes" if b.max_wait else ""))
    if facts.gc:
        forced = sum(1 for c in facts.gc if c.forced)
        parts.append(f"{len(facts.gc)} GC cycles, {forced} forced, up to {max(c.cpu_percent for c in facts.gc):g}% CPU")
    if not parts:
        parts.append(text[:limit])
    else:
        # the first lines usually carry the error text (log lines, kubectl fields)
        parts.append(text[:600])
    return "\n".join(parts)[:limit]


@dataclass
class SemanticIndex:
    ids: list[str]  # entry id of each row (an entry may have several passages)
    vectors: np.ndarray  # (n, dim), L2-normalised
    model_id: str

    def scores(self, query_vec: np.ndarray) -> dict[str, float]:
        """Cosine of the query to each entry: the best of the entry's passages."""
        sims = self.vectors @ query_vec
        out: dict[str, float] = {}
        for i, s in zip(self.ids, sims, strict=True):
            if s > out.get(i, -2.0):
                out[i] = float(s)
        return out


def _index_path(kb: KnowledgeBase | KbView, model_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)
    return cache_dir() / f"index-{kb.digest}-{safe}-{ENTRY_TEXT_VARIANT}.npz"


def build_index(kb: KnowledgeBase | KbView, embedder, path: Path | None = None) -> SemanticIndex:
    ids: list[str] = []
    texts: list[str] = []
    for ident in sorted(kb.entries):
        for passage in entry_passages(kb.entries[ident]):
            ids.append(ident)
            texts.append(passage)
    vectors = embedder.encode(texts).astype(np.float32)
    index = SemanticIndex(ids, vectors, embedder.model_id)
    path = path or _index_path(kb, embedder.model_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, ids=np.array(ids), vectors=vectors)
        tmp.replace(path)
    except OSError:
        pass
    return index


def load_index(kb: KnowledgeBase | KbView, embedder, *, rebuild: bool = False) -> tuple[SemanticIndex, bool]:
    """The index for this KB and model; built (and saved) when missing or stale."""
    path = _index_path(kb, embedder.model_id)
    # a wheel ships the bundled KB's index read-only; the writable cache comes first
    found = None if rebuild else find_cached(path.name)
    if found is not None:
        try:
            with np.load(found, allow_pickle=False) as data:
                ids = [str(x) for x in data["ids"]]
                vectors = data["vectors"]
            if sorted(set(ids)) == sorted(kb.entries):
                return SemanticIndex(ids, vectors, embedder.model_id), False
        except (OSError, ValueError, KeyError):
            pass  # corrupt index: rebuild
    return build_index(kb, embedder, path), True
