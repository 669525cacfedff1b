"""Lexical retrieval: BM25 over the words engineers use, code identifiers and Chinese included.

The embedding model reads English sentences well but misses what a terse issue title
carries: `time.After`, `sync.Pool`, `GOMEMLIMIT`, `[chan receive]`, and every Chinese
word. BM25 over each entry's title, summary, aliases, symptoms and signatures catches
those (indexing causes, or every field, was measured to hurt: their vocabulary is shared
by every entry and dilutes the rare words that decide).

Tokens:
- identifiers stay whole and also give their parts: `time.After` -> `time.after`, `time`,
  `after`; `[chan receive]` -> `[chan receive]`, `chan`, `receive`;
- 1-2 digit numbers are dropped (line numbers, "5 minutes"), longer ones kept (137, 10000);
- Chinese runs become character bigrams, so `泄漏` and `泄露` share `泄`-bigrams with the
  text around them and a short alias matches inside a long sentence (a word segmenter cuts
  the alias and the sentence differently).

BM25 is the Lucene variant (k1 = 1.5, b = 0.75) as in `bm25s`, which it reproduces
(tests/test_lexical.py). It is written here in numpy because importing `bm25s` pulls in
scipy.sparse: about 0.3 s of a 0.5 s budget for a prose query (benchmarks/lexical_bench.py).
The index is built once per KB content hash and cached beside the embedding index.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .kb import cache_dir, find_cached
from .regex import compile_re2

if TYPE_CHECKING:
    from .kb import KbView, KnowledgeBase

TOKENIZER_VERSION = "2"  # bump when tokens or weights change: cached indexes are keyed by it
K1, B = 1.5, 0.75

# One alternation, scanned left to right in linear time (RE2): a bracketed goroutine
# state, a dotted identifier or word, or a run of Han characters.
_TOKEN = compile_re2(
    r"\[[a-z][a-z .]{1,30}\]"
    r"|[a-z0-9_]+(?:[.][a-z0-9_]+)*"
    r"|\p{Han}+",
)
_PARTS = compile_re2(r"[a-z0-9_]+")

STOPWORDS = frozenset("""
a an the and or but if then else of to in on at by for from with without into onto over under
is are was were be been being am do does did doing have has had having it its this that these
those there here i we you he she they me us my our your their them what which who whom when
where why how not no nor so too very can could should would will shall may might must just
only also than as such both each few more most other some any all again about above below
up down out off once same own s t don now get got via per use using used
""".split())


def _stem(word: str) -> str:
    """A light suffix strip: leaks/leaking/leaked -> leak, retries -> retry."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word(w: str) -> str | None:
    if w.isdigit():
        return w if len(w) > 2 else None
    if w in STOPWORDS or len(w) < 2:
        return None
    return _stem(w)


def tokenize(text: str) -> list[str]:
    """BM25 tokens of a text: see the module docstring."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        tok = m.group(0)
        first = tok[0]
        if first == "[":
            out.append(tok)
            out.extend(w for p in _PARTS.findall(tok) if (w := _word(p)))
        elif first.isascii():
            parts = tok.split(".")
            if len(parts) > 1:
                out.append(tok)
            out.extend(w for p in parts if (w := _word(p)))
        elif len(tok) == 1:
            out.append(tok)
        else:
            out.extend(tok[i: i + 2] for i in range(len(tok) - 1))
    return out


def entry_document(e: Any) -> str:
    """The text BM25 indexes for an entry (fields chosen on the tuning half of corpus/prose)."""
    return "\n".join([e.title, e.title, e.summary, *e.aliases, *e.symptoms, *e.signatures])


@dataclass
class LexicalIndex:
    """Per-term posting lists of precomputed BM25 weights (compressed sparse columns)."""

    ids: list[str]  # entry id of each document row
    vocab: dict[str, int]
    indptr: np.ndarray  # (len(vocab) + 1,) start of each term's postings
    docs: np.ndarray  # document row of each posting
    weights: np.ndarray  # BM25 weight of the term in that document

    @classmethod
    def build(cls, ids: list[str], documents: list[list[str]], k1: float = K1, b: float = B) -> LexicalIndex:
        n = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        avgdl = float(lengths.mean()) if n and lengths.sum() else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for row, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                postings.setdefault(term, []).append((row, tf))
        terms = sorted(postings)
        indptr = [0]
        docs: list[int] = []
        weights: list[float] = []
        for term in terms:
            plist = postings[term]
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            for row, tf in plist:
                norm = tf + k1 * (1 - b + b * lengths[row] / avgdl)
                docs.append(row)
                weights.append(idf * tf / norm)  # Lucene drops BM25's constant (k1 + 1)
            indptr.append(len(docs))
        return cls(ids, {t: i for i, t in enumerate(terms)}, np.array(indptr, dtype=np.int64),
                   np.array(docs, dtype=np.int32), np.array(weights, dtype=np.float32))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for a query (each distinct query term counts once)."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for term in set(tokens):
            col = self.vocab.get(term)
            if col is not None:
                s, e = self.indptr[col], self.indptr[col + 1]
                np.add.at(out, self.docs[s:e], self.weights[s:e])
        return out

    def entry_scores(self, text: str) -> dict[str, float]:
        """Entry id -> BM25 score of the text (0 for entries sharing no term with it)."""
        return {i: float(s) for i, s in zip(self.ids, self.scores(tokenize(text)), strict=True)}

    def known(self, tokens: list[str]) -> list[str]:
        """The query tokens that occur anywhere in the knowledge base."""
        return [t for t in tokens if t in self.vocab]


def _path(kb: KnowledgeBase | KbView) -> Path:
    return cache_dir() / f"lexical-{kb.digest}-t{TOKENIZER_VERSION}.npz"


def build_index(kb: KnowledgeBase | KbView) -> LexicalIndex:
    ids = sorted(kb.entries)
    return LexicalIndex.build(ids, [tokenize(entry_document(kb.entries[i])) for i in ids])


def load_index(kb: KnowledgeBase | KbView) -> LexicalIndex:
    """The BM25 index for this KB: from the cache when current, else built and saved."""
    path = _path(kb)
    found = find_cached(path.name)  # the writable cache, else a wheel's prebuilt copy
    if found is not None:
        try:
            with np.load(found, allow_pickle=False) as data:
                ids = [str(x) for x in data["ids"]]
                vocab = [str(x) for x in data["vocab"]]
                index = LexicalIndex(ids, {t: i for i, t in enumerate(vocab)}, data["indptr"],
                                     data["docs"], data["weights"])
            if sorted(ids) == sorted(kb.entries):
                return index
        except (OSError, ValueError, KeyError):
            pass  # corrupt or foreign file: rebuild
    index = build_index(kb)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        vocab = sorted(index.vocab, key=index.vocab.__getitem__)
        np.savez(tmp, ids=np.array(index.ids), vocab=np.array(vocab), indptr=index.indptr,
                 docs=index.docs, weights=index.weights)
        tmp.replace(path)
    except OSError:
        pass  # a read-only checkout still works, just rebuilds
    return index
