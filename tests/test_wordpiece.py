"""advisor/wordpiece.py against the `tokenizers` package it replaces, token for token.

The reference is the Rust library configured as sentence-transformers uses it (no padding,
truncation to 256). Texts: every entry, sample, near-miss and development-corpus file (whole,
head and tail), and random strings over the characters where BERT tokenisers differ
(accents and combining marks, final sigma, dotted I, CJK, control and zero-width
characters, Unicode spaces, ligatures, special tokens written in the text).
"""

from __future__ import annotations

import random

import pytest

from advisor.embed import default_model_path
from advisor.wordpiece import WordPiece

from .conftest import KB, ROOT

tokenizers = pytest.importorskip("tokenizers")
pytestmark = [pytest.mark.slow, pytest.mark.model]

ALPHABET = ("aZé\u0301ÅΣσς İ[SEP][UNK][MASK]x\x00\x0b\x1c\u00a0\u3000中文字🔥\t\n\r.,!?$+<>~-_"
            "\ufffd\u200b\u2028\x85Ⅻ𝔘ﬁß0x1f")


def _texts() -> list[str]:
    texts = []
    files = sorted(KB.glob("failure-modes/*/entry.yaml")) + sorted(KB.glob("failure-modes/*/*/*.log")) \
        + sorted((ROOT / "corpus").glob("*/*.log"))
    for p in files:
        t = p.read_bytes().decode("utf-8", "replace")
        texts += [t, t[:1500], t[-2500:]]
    rnd = random.Random(16)
    texts += ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 80))) for _ in range(1500)]
    return texts


@pytest.fixture(scope="module")
def pair():
    path = default_model_path() / "tokenizer.json"
    ref = tokenizers.Tokenizer.from_file(str(path))
    ref.no_padding()
    ref.enable_truncation(max_length=256)
    return WordPiece(path, max_length=256), ref


def test_every_text_tokenises_as_the_library_does(pair):
    ours, ref = pair
    texts = _texts()
    assert len(texts) > 1500 + 3 * 300
    differ = [t[:60] for t in texts if ours.encode(t) != ref.encode(t).ids]
    assert not differ, differ[:5]


def test_a_huge_paste_stops_at_the_budget(pair):
    ours, ref = pair
    line = "goroutine 1 [chan receive, 5 minutes]: main.worker(0xc000010000) /src/app.go:42 +0x1d\n"
    text = line * 20_000  # 1.7 MB
    assert ours.encode(text) == ref.encode(text).ids
    assert len(ours.encode(text)) == 256
