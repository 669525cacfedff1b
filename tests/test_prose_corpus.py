"""corpus/prose is real, labelled, split once, kept apart from the KB, and never copied into it."""

from __future__ import annotations

import re
from collections import Counter

from advisor.evaluate import labelled_items

from .conftest import KB, ROOT

PROSE = ROOT / "corpus" / "prose"
ITEMS = labelled_items(PROSE)


def test_size_languages_negatives_and_split():
    assert len(ITEMS) >= 150
    assert sum(1 for i in ITEMS if i.lang == "zh") >= 30
    assert sum(1 for i in ITEMS if not i.expected) >= 25
    assert {i.split for i in ITEMS} == {"tune", "test"}
    # the split is recorded per item and balanced inside every (language, on/off topic) group
    groups = Counter((i.lang, bool(i.expected), i.split) for i in ITEMS)
    for (lang, topical, split), n in groups.items():
        other = groups[(lang, topical, "test" if split == "tune" else "tune")]
        assert abs(n - other) <= 1, (lang, topical, groups)


def test_ids_unique_labels_known_and_sources_cited():
    assert len({i.name for i in ITEMS}) == len(ITEMS)
    kb_ids = {p.parent.name for p in KB.glob("failure-modes/*/entry.yaml")}
    for i in ITEMS:
        assert set(i.expected) | set(i.acceptable) <= kb_ids, i.name
        assert not set(i.expected) & set(i.acceptable), i.name
        assert i.text and len(i.text) >= 10 and "\t" not in i.text
    covered = {x for i in ITEMS for x in i.expected}
    assert covered == kb_ids, f"entries without a statement: {sorted(kb_ids - covered)}"


def _sources() -> dict[str, str]:
    rows = (PROSE / "labels.tsv").read_text(encoding="utf-8").splitlines()
    header = next(r for r in rows if r.startswith("id\t")).split("\t")
    out = {}
    for r in rows:
        if r and not r.startswith(("#", "id\t")):
            cols = r.split("\t")
            out[cols[0]] = cols[header.index("source")]
    return out


def test_sources_are_urls_kept_apart_from_the_kb_and_the_log_corpus():
    sources = _sources()
    assert all(re.match(r"https?://\S+$", u) for u in sources.values())
    assert len(set(sources.values())) == len(sources)
    elsewhere = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                          for pattern in ("failure-modes/*/entry.yaml", "failure-modes/*/samples/*.log",
                                          "failure-modes/*/near-misses/*.log", "postmortems/*.yaml")
                          for p in KB.glob(pattern))
    elsewhere += "\n".join(p.read_text(encoding="utf-8", errors="replace")
                           for p in (ROOT / "corpus" / "dev").glob("*.log"))
    shared = [u for u in sources.values() if u in elsewhere]
    assert not shared, f"threads used by the KB or corpus/dev as well: {shared}"


# A title that is nothing but the runtime's own message ("fatal error: found bad pointer in
# Go heap ...") may be an entry's alias already: the runtime wrote it, not the reporter.
RUNTIME_MESSAGE = re.compile(r"^(?:fatal error|panic|runtime): ")


def _pieces(text: str) -> list[str]:
    """The statement and each of its sentences of 25 characters or more."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?。！？])\s*", text) if len(p.strip()) >= 25]
    return [p for p in [text.strip(), *parts] if not RUNTIME_MESSAGE.match(p)]


def test_no_statement_is_copied_into_an_entry(kb):
    """Entries carry the phrasings engineers use, not our test items."""
    fields = [(e.id, f) for e in kb.entries.values() for f in [*e.aliases, *e.symptoms]]
    for item in ITEMS:
        for piece in _pieces(item.text):
            low = piece.lower()
            copied = [(ident, f) for ident, f in fields if low in f.lower()]
            assert not copied, f"{item.name}: {piece!r} appears in {copied}"
