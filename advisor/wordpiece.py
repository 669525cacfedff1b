"""BERT WordPiece tokenisation, as HuggingFace `tokenizers` does it from a tokenizer.json.

The advisor used the Rust `tokenizers` package; it requires `huggingface_hub`, which brings
hf-xet, fsspec, httpx and more: 38 MB of a runtime install whose budget is 150 MB, none of it
ever imported. The algorithm MiniLM needs is small and fixed, so it is written out here and
held to the library's output token for token (tests/test_wordpiece.py compares every text the
advisor embeds: entries, samples, the development corpus and the awkward cases).

The steps, in the library's order (tokenizers/src/normalizers/bert.rs, pre_tokenizers/bert.rs,
models/wordpiece):
1. added (special) tokens such as "[SEP]" are cut out of the raw text first (normalized: false);
2. BertNormalizer: drop NUL, U+FFFD and every "C*" character except tab/CR/LF; whitespace
   becomes a space; spaces around CJK ideographs; NFD and drop non-spacing marks (when
   lowercasing and strip_accents is null); lowercase character by character;
3. BertPreTokenizer: split on whitespace, and every punctuation character (ASCII punctuation
   or Unicode P*) is a word of its own;
4. WordPiece: greedy longest match, "##" on continuations; a word longer than 100 characters,
   or one that cannot be covered, is [UNK];
5. [CLS] ... [SEP], truncated on the right to max_length.

Pasted text is untrusted: every step is a single pass, and tokenising stops once max_length
tokens are out (the rest would be truncated anyway), so a 1 MB paste costs what 256 tokens do.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
# Unicode White_Space (Rust's char::is_whitespace), not Python's str.isspace (which adds
# U+001C..U+001F; those are control characters, removed before this applies).
_WHITESPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                        + "".join(chr(c) for c in range(0x2000, 0x200B)))
# What becomes a word boundary after clean_text: tab, LF, CR and the non-control White_Space
# characters (the control ones, such as VT, FF, NEL, are removed, joining their neighbours).
_SPACES = frozenset(c for c in _WHITESPACE if c in "\t\n\r" or not unicodedata.category(c).startswith("C"))
_ASCII_PUNCT = frozenset('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')


def _parsed(text: bytes) -> dict:
    """tokenizer.json parsed. json.loads of its 30,522-entry vocabulary takes ~60 ms (a
    tenth of a query's budget), unpickling that dict 30 ms; so the advisor's cache keeps the
    vocabulary as one string of tokens in id order (~5 ms to rebuild), keyed by content."""
    import hashlib
    import pickle

    from .kb import cache_dir, find_cached

    name = f"tokenizer-{hashlib.sha256(text).hexdigest()[:16]}.pickle"
    found = find_cached(name)
    if found is not None:
        try:
            with found.open("rb") as fh:
                cfg, tokens = pickle.load(fh)
            if tokens is not None:
                cfg["model"]["vocab"] = _restore(tokens)
            return cfg
        except Exception:
            pass  # corrupt or from another version: parse again
    cfg = json.loads(text)
    _store(cache_dir() / name, cfg)
    return cfg


def _restore(tokens: str) -> dict[str, int]:
    return {t: i for i, t in enumerate(tokens.split("\n"))}


def _store(target: Path, cfg: dict) -> None:
    import pickle

    vocab = (cfg.get("model") or {}).get("vocab") or {}
    ordered = sorted(vocab, key=vocab.__getitem__)
    compact = all("\n" not in t for t in ordered) and [vocab[t] for t in ordered] == list(range(len(ordered)))
    slim = {**cfg, "model": {**cfg.get("model", {}), "vocab": {} if compact else vocab}}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump((slim, "\n".join(ordered) if compact else None), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(target)
    except OSError:
        pass


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK)


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


class WordPiece:
    """Encode texts to BERT input ids with the settings of a tokenizer.json."""

    def __init__(self, path: str | Path, *, max_length: int, lowercase_input: bool = False) -> None:
        text = Path(path).read_bytes()
        cfg = _parsed(text)
        model = cfg.get("model") or {}
        norm = cfg.get("normalizer") or {}
        if model.get("type") != "WordPiece" or norm.get("type") != "BertNormalizer" or \
                (cfg.get("pre_tokenizer") or {}).get("type") != "BertPreTokenizer":
            raise ValueError(f"{path}: not a BERT WordPiece tokenizer")
        self.vocab: dict[str, int] = model["vocab"]
        self.unk = self.vocab[model.get("unk_token", "[UNK]")]
        self.prefix = model.get("continuing_subword_prefix", "##")
        self.max_chars = int(model.get("max_input_chars_per_word", 100))
        self.clean_text = norm.get("clean_text", True)
        self.chinese = norm.get("handle_chinese_chars", True)
        self.lowercase = norm.get("lowercase", True)
        strip = norm.get("strip_accents")
        self.strip_accents = self.lowercase if strip is None else bool(strip)
        self.lowercase_input = lowercase_input  # sentence-transformers' do_lower_case
        self.added = {t["content"]: t["id"] for t in cfg.get("added_tokens", [])
                      if not t.get("normalized", False)}
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.max_length = max_length

    # ---------------------------------------------------------------- steps
    def _split_added(self, text: str) -> Iterator[tuple[str, int | None]]:
        """(text, None) pieces and (token, id) for added tokens, in order."""
        if not self.added or "[" not in text:
            yield text, None
            return
        start = i = 0
        n = len(text)
        while i < n:
            j = text.find("[", i)
            if j < 0:
                break
            hit = next((t for t in self.added if text.startswith(t, j)), None)
            if hit is None:
                i = j + 1
                continue
            if j > start:
                yield text[start:j], None
            yield hit, self.added[hit]
            start = i = j + len(hit)
        if start < n:
            yield text[start:], None

    def normalize(self, text: str) -> str:
        out: list[str] = []
        for ch in text:
            if self.clean_text:
                if ch in ("\0", "\ufffd") or (ch not in "\t\n\r" and unicodedata.category(ch)[0] == "C"):
                    continue
                if ch in _WHITESPACE:
                    out.append(" ")
                    continue
            if self.chinese and _is_cjk(ord(ch)):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        s = "".join(out)
        if self.strip_accents:
            s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            s = "".join(c.lower() for c in s)  # per character, as Rust's char::to_lowercase
        return s

    @staticmethod
    def words(text: str) -> Iterator[str]:
        word: list[str] = []
        for ch in text:
            if ch in _WHITESPACE:
                if word:
                    yield "".join(word)
                    word = []
            elif _is_punct(ch):
                if word:
                    yield "".join(word)
                    word = []
                yield ch
            else:
                word.append(ch)
        if word:
            yield "".join(word)

    def wordpiece(self, word: str) -> list[int]:
        if len(word) > self.max_chars:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    # ---------------------------------------------------------------- encoding
    def encode(self, text: str) -> list[int]:
        """[CLS] ids... [SEP], at most max_length ids."""
        if self.lowercase_input:
            text = text.lower()
        room = self.max_length - 2
        ids: list[int] = []
        for piece, special in self._split_added(text):
            if special is not None:
                ids.append(special)
            else:
                # Normalise and split a bounded window at a time: work stops with the budget.
                for chunk in _chunks(piece):
                    for word in self.words(self.normalize(chunk)):
                        ids.extend(self.wordpiece(word))
                        if len(ids) >= room:
                            break
                    if len(ids) >= room:
                        break
            if len(ids) >= room:
                break
        return [self.cls, *ids[:room], self.sep]


def _chunks(text: str, size: int = 4096) -> Iterator[str]:
    """Cut text into pieces at whitespace, so no word is split between two pieces.
    Every character stays in exactly one piece (a long run without whitespace is one piece)."""
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = end
            while cut > start and text[cut - 1] not in _SPACES:
                cut -= 1
            end = cut if cut > start else _next_space(text, end)
        yield text[start:end]
        start = end


def _next_space(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] not in _SPACES:
        i += 1
    return i
