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

# What we embed for an entry. The words an engineer pastes or types are in the title,
# aliases, signatures and symptoms, not in the mechanism prose ("symptoms", measured on the
# development corpus; the structured path's thresholds are calibrated on it). That text is
# 300-850 word pieces and MiniLM reads 256, so for prose "chunks" cuts it into pieces that
# fit and stores their mean vector (one row per entry); "multi" scores an entry by its best
# passage. Measured on the tuning half of corpus/prose (benchmarks/dense_chunks.py):
# chunks 0.81 / 0.96 top-1 / top-3 against 0.80 / 0.95 for the truncated single vector.
ENTRY_TEXT_VARIANT = os.environ.get("ADVISOR_ENTRY_TEXT", "symptoms")
PROSE_TEXT_VARIANT = "chunks"
CHUNK_TOKENS = 200  # word pieces per chunk: under the 256 window, with room for the title


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


def entry_chunks(e: FailureMode, count_tokens, limit: int = CHUNK_TOKENS) -> list[str]:
    """The "symptoms" text in pieces of at most `limit` word pieces, each led by the title,
    cut at line boundaries (a line longer than the limit is a chunk of its own)."""
    head = e.title + "."
    chunks: list[str] = []
    cur: list[str] = []
    size = count_tokens(head)
    for line in entry_text(e, "symptoms").split("\n")[1:]:
        n = count_tokens(line)
        if cur and size + n > limit:
            chunks.append("\n".join([head, *cur]))
            cur, size = [], count_tokens(head)
        cur.append(line)
        size += n
    if cur or not chunks:
        chunks.append("\n".join([head, *cur]))
    return chunks


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


def _index_path(kb: KnowledgeBase | KbView, model_id: str, variant: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)
    variant = variant + (str(CHUNK_TOKENS) if variant == "chunks" else "")
    return cache_dir() / f"index-{kb.digest}-{safe}-{variant}.npz"


def _token_counter(embedder):
    tokenize = getattr(embedder, "tokenize", None)
    if tokenize is None:  # the reference backend: about 1.3 word pieces per word
        return lambda text: int(len(text.split()) * 1.3) + 2
    return lambda text: len(tokenize([text])[0][0])


def build_index(kb: KnowledgeBase | KbView, embedder, path: Path | None = None,
                variant: str | None = None) -> SemanticIndex:
    variant = variant or ENTRY_TEXT_VARIANT
    path = path or _index_path(kb, embedder.model_id, variant)
    ids: list[str] = []
    texts: list[str] = []
    if variant == "chunks":
        counter = _token_counter(embedder)
        groups = [(ident, entry_chunks(kb.entries[ident], counter)) for ident in sorted(kb.entries)]
        flat = embedder.encode([c for _, chunks in groups for c in chunks]).astype(np.float32)
        rows, at = [], 0
        for ident, chunks in groups:
            mean = flat[at: at + len(chunks)].mean(axis=0)
            rows.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
            ids.append(ident)
            at += len(chunks)
        vectors = np.stack(rows).astype(np.float32)
        return _save(SemanticIndex(ids, vectors, embedder.model_id), path)
    for ident in sorted(kb.entries):
        for passage in entry_passages(kb.entries[ident], variant):
            ids.append(ident)
            texts.append(passage)
    vectors = embedder.encode(texts).astype(np.float32)
    return _save(SemanticIndex(ids, vectors, embedder.model_id), path)


def _save(index: SemanticIndex, path: Path) -> SemanticIndex:
    ids, vectors = index.ids, index.vectors
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, ids=np.array(ids), vectors=vectors)
        tmp.replace(path)
    except OSError:
        pass
    return index


def load_index(kb: KnowledgeBase | KbView, embedder, *, rebuild: bool = False,
               variant: str | None = None) -> tuple[SemanticIndex, bool]:
    """The index for this KB, model and entry text; built (and saved) when missing or stale."""
    variant = variant or ENTRY_TEXT_VARIANT
    path = _index_path(kb, embedder.model_id, variant)
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
    return build_index(kb, embedder, path, variant), True
