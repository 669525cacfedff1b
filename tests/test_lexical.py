"""BM25 retrieval (advisor/lexical.py): the tokens engineers type, and the same scores as bm25s."""

from __future__ import annotations

import numpy as np
import pytest

from advisor import lexical
from advisor.lexical import LexicalIndex, entry_document, tokenize


@pytest.mark.parametrize("text, present, absent", [
    # identifiers stay whole and also give their parts
    ("does time.After leak", ["time.after", "time", "after", "leak"], []),
    ("a sync.Pool of http.Client", ["sync.pool", "sync", "pool", "http.client", "client"], []),
    ("stuck in [chan receive] for 5 minutes", ["[chan receive]", "chan", "receive", "minute"], ["5"]),
    ("GOMEMLIMIT=2GiB", ["gomemlimit"], []),
    # 1-2 digit numbers are noise, longer ones are exit codes and limits
    ("exit code 137 after 42 retries on line 7", ["137", "retry"], ["42", "7"]),
    # stop words go, plurals and -ing fold
    ("the goroutines are leaking", ["goroutine", "leak"], ["the", "are"]),
    # Chinese runs become character bigrams: a short alias matches inside a long sentence
    ("服务跑几天后goroutine数量一直增长", ["数量", "一直", "增长", "goroutine"], ["数量一直增长"]),
    ("死", ["死"], []),
])
def test_tokens(text, present, absent):
    toks = tokenize(text)
    for t in present:
        assert t in toks, (t, toks)
    for t in absent:
        assert t not in toks, (t, toks)


def test_leak_spellings_share_the_bigrams_around_them():
    a, b = set(tokenize("内存泄漏")), set(tokenize("内存泄露"))
    assert a & b == {"内存", "存泄"}


def test_tokenizer_is_linear_on_hostile_input():
    """RE2 scans in linear time; the Python around it must too (CPU time, best of three)."""
    import time

    def cost(n: int) -> float:
        text = ("a." * n) + ("[" + "a" * 30) * n + "泄" * n + "泄 word " * n
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            tokenize(text)
            best = min(best, time.process_time() - t)
        return best

    small, big = cost(2000), cost(16000)
    assert big < small * 8 * 3, (small, big)  # 8x the input: linear, far from quadratic (64x)


def test_scores_equal_bm25s(kb):
    bm25s = pytest.importorskip("bm25s")
    ids = sorted(kb.entries)
    docs = [tokenize(entry_document(kb.entries[i])) for i in ids]
    ours = LexicalIndex.build(ids, docs)
    ref = bm25s.BM25(k1=lexical.K1, b=lexical.B, method="lucene")
    ref.index(docs, show_progress=False)
    for query in ("does time.After inside a for-select loop leak memory",
                  "服务跑几天后 goroutine 数量一直增长", "too many open files after a few hours",
                  "GOMEMLIMIT death spiral [chan receive] sync.Pool", "nothing in common zzzz"):
        terms = [t for t in dict.fromkeys(tokenize(query)) if t in ours.vocab]
        want = ref.get_scores(terms) if terms else np.zeros(len(ids))
        np.testing.assert_allclose(ours.scores(tokenize(query)), want, rtol=1e-5, atol=1e-5)


def test_index_is_cached_per_kb_and_rebuilt_when_corrupt(kb, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_CACHE", str(tmp_path))
    first = lexical.load_index(kb)
    files = list(tmp_path.glob("lexical-*.npz"))
    assert len(files) == 1 and kb.digest in files[0].name
    again = lexical.load_index(kb)
    assert again.vocab == first.vocab and np.array_equal(again.weights, first.weights)
    files[0].write_bytes(b"not an npz")
    rebuilt = lexical.load_index(kb)
    assert rebuilt.vocab == first.vocab


def test_entry_scores_rank_the_entry_that_names_the_identifier(kb):
    index = lexical.build_index(kb)
    scores = index.entry_scores("time.After in a select loop")
    assert max(scores, key=scores.get) == "timer-ticker-not-stopped"
    assert index.entry_scores("zzzz qqqq") == dict.fromkeys(index.ids, 0.0)
