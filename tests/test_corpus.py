"""The development corpus stays apart from the entries' samples, and is well formed."""

from __future__ import annotations

import re

from advisor.evaluate import labelled_items

from .conftest import KB, ROOT

CORPUS = ROOT / "corpus" / "dev"
URL = re.compile(r"^# source: (https?://\S+)", re.M)


def _sources(paths):
    out = {}
    for p in paths:
        m = URL.search(p.read_text(encoding="utf-8", errors="replace")[:2000])
        if m:
            out.setdefault(m.group(1).rstrip(".,)"), []).append(p)
    return out


def test_corpus_and_samples_share_no_source_thread():
    corpus = _sources(CORPUS.glob("*.log"))
    samples = _sources(list(KB.glob("failure-modes/*/samples/*.log")) + list(KB.glob("failure-modes/*/near-misses/*.log")))
    shared = sorted(set(corpus) & set(samples))
    assert not shared, f"threads used both as samples and as dev corpus: {shared}"


def test_every_corpus_file_is_labelled_and_cites_its_source():
    items = labelled_items(CORPUS)
    labelled = {i.path.name for i in items}
    on_disk = {p.name for p in CORPUS.glob("*.log")}
    assert labelled == on_disk
    kb_ids = {p.parent.name for p in KB.glob("failure-modes/*/entry.yaml")}
    for item in items:
        assert set(item.expected) <= kb_ids, f"{item.path.name}: unknown id in {item.expected}"
    assert len(_sources(CORPUS.glob("*.log"))) >= len(on_disk) * 0.95
