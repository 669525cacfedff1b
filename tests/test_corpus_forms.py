"""corpus/forms: output of our own failing programs in the runtime's less common forms,
including Go failures no entry covers. Kept apart from the fixtures and the samples; the
issue's targets are checked here in rules mode (the hybrid numbers are in the report)."""

from __future__ import annotations

from advisor.evaluate import labelled_items, run
from advisor.kb import load_kb
from advisor.match import Advisor

from .conftest import KB, ROOT

CORPUS = ROOT / "corpus" / "forms"


def test_every_item_is_labelled_and_names_the_program_that_printed_it():
    items = labelled_items(CORPUS)
    assert {i.path.name for i in items} == {p.name for p in CORPUS.glob("*.log")}
    kb_ids = {p.parent.name for p in KB.glob("failure-modes/*/entry.yaml")}
    for item in items:
        assert set(item.expected) <= kb_ids, item.path.name
        head = item.path.read_text(encoding="utf-8").split("\n", 2)
        assert head[0].startswith("# source: corpus/forms/gen/"), item.path.name
    assert sum(1 for i in items if not i.expected) >= 8, "failures outside the taxonomy are part of it"


def test_corpus_programs_are_not_the_fixture_programs():
    fixtures = {p.name for p in (ROOT / "tests/fixtures/forms/gen").iterdir() if p.is_dir()}
    corpus = {p.name for p in (CORPUS / "gen").iterdir() if p.is_dir()}
    assert corpus and not fixtures & corpus


def test_targets_on_the_generalisation_corpus():
    report = run(Advisor(load_kb(KB), mode="rules"), labelled_items(CORPUS))
    s = report.summary()["forms"]
    misses = [(o.item.path.name, o.got[:2]) for o in report.confusions()]
    assert s["top1"] >= 0.95, misses
    assert s["abstain_or_low"] >= 0.90, misses
