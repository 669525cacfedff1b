"""Naive baselines that `advisor eval` runs beside the advisor on the same items.

- `minilm-one-line`: the same MiniLM model, cosine between the raw input and one line per
  entry (its title and the first sentence of its summary); no rules, no thresholds, so it
  never abstains.
- `bm25`: BM25 alone over the same entry text the advisor indexes; it turns an input
  away only when it shares no word with the knowledge base.

They answer "what does the design add?": every advisor number is printed next to theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .evaluate import Ranker
from .lexical import load_index, tokenize

if TYPE_CHECKING:
    from .kb import KbView, KnowledgeBase

QUERY_CHARS = 2000  # the raw input is cut here, as the advisor cuts what it embeds


def one_line(e) -> str:
    first = e.summary.split(". ")[0].rstrip(".")
    return f"{e.title}: {first}."


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")[:QUERY_CHARS]


def minilm_ranker(kb: KnowledgeBase | KbView, model: str | None = None) -> Ranker:
    from .embed import load_embedder

    embedder = load_embedder(model)
    ids = sorted(kb.entries)
    vectors = embedder.encode([one_line(kb.entries[i]) for i in ids])

    def rank(data: bytes) -> tuple[list[str], list[str], bool]:
        q = embedder.encode([_text(data)])[0]
        order = np.argsort(-(vectors @ q), kind="stable")
        return [ids[i] for i in order[:5]], [], False

    return rank


def bm25_ranker(kb: KnowledgeBase | KbView) -> Ranker:
    index = load_index(kb)

    def rank(data: bytes) -> tuple[list[str], list[str], bool]:
        scores = index.scores(tokenize(_text(data)))
        if not scores.any():
            return [], [], True
        order = np.argsort(-scores, kind="stable")
        return [index.ids[i] for i in order[:5] if scores[i] > 0], [], False

    return rank


def baseline_rankers(kb: KnowledgeBase | KbView, model: str | None = None) -> dict[str, Ranker]:
    return {"minilm-one-line": minilm_ranker(kb, model), "bm25": bm25_ranker(kb)}
