"""`advisor eval`: labelled folders of either shape, the metrics, the baselines, the Accuracy page."""

from __future__ import annotations

import json

import pytest

from advisor.errors import UsageError
from advisor.evaluate import Item, Outcome, collect, labelled_items, metrics
from advisor.site import accuracy

from .conftest import ROOT, run_advisor

PROSE_HEADER = "id\tsplit\tlang\texpected\tacceptable\tsource\ttext\n"


def write(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.tsv").write_text(text, encoding="utf-8")
    return folder


def test_file_rows_with_acceptable_ids_and_any_folder_name(tmp_path):
    forms = write(tmp_path / "forms", "file\texpected\tacceptable\n# a comment\na.log\tdata-race\t-\n"
                                      "b.log\t-\nc.log\tnil-pointer-dereference\tnil-map-assignment\n")
    (forms / "a.log").write_text("# source: x\nWARNING: DATA RACE\n")
    items = labelled_items(forms)
    assert [(i.name, i.expected, i.acceptable, i.source) for i in items] == [
        ("a.log", ["data-race"], [], "forms"), ("b.log", [], [], "forms"),
        ("c.log", ["nil-pointer-dereference"], ["nil-map-assignment"], "forms")]
    assert items[0].data() == b"WARNING: DATA RACE\n"  # the source header is dropped


def test_prose_rows_and_split(tmp_path):
    folder = write(tmp_path / "prose", PROSE_HEADER +
                   "p1\ttune\ten\tdata-race\t-\thttps://x/1\trace detector fires in CI\n"
                   "p2\ttest\tzh\t-\t-\thttps://x/2\t与 Go 无关的句子\n")
    assert [i.name for i in labelled_items(folder)] == ["p1", "p2"]
    test = labelled_items(folder, "test")
    assert [(i.name, i.lang, i.prose, i.expected) for i in test] == [("p2", "zh", True, [])]
    assert test[0].data() == "与 Go 无关的句子".encode()


@pytest.mark.parametrize("text, where", [
    ("file\texpected\nonly-one-column\n", ":2:1:"),
    (PROSE_HEADER + "p1\ttune\ten\tdata-race\n", ":2:1:"),
    ("id\tsplit\ttext\np1\ttune\tx\n", ":1:1: missing column"),
])
def test_malformed_labels_name_the_line(tmp_path, text, where):
    folder = write(tmp_path / "bad", text)
    with pytest.raises(UsageError, match=where):
        labelled_items(folder)


def test_collect_refuses_a_missing_folder_and_an_empty_selection(kb, tmp_path):
    with pytest.raises(UsageError, match="not a folder"):
        collect(kb, [tmp_path / "nope"], samples=False)
    with pytest.raises(UsageError, match="nothing to evaluate"):
        collect(kb, [], samples=False)


def _outcome(expected, got, conf, prose=True, acceptable=(), abstained=False, forbidden=None):
    item = Item("x", list(expected), list(acceptable), forbidden_top=forbidden,
                text="t" if prose else None)
    return Outcome(item, list(got), abstained, list(conf))


def test_metrics_by_hand():
    outcomes = [
        _outcome(["a"], ["a", "b", "c"], ["high", "low", "low"]),  # right first
        _outcome(["a"], ["b", "a", "c"], ["medium", "low", "low"]),  # right second
        _outcome(["a"], ["b", "c", "d"], ["low", "low", "low"]),  # missed
        _outcome(["a"], ["z", "c"], ["medium", "low"], acceptable=["z"]),  # acceptable counts
        _outcome([], [], [], abstained=True),  # off topic, abstained
        _outcome([], ["a", "b", "c"], ["low", "low", "low"]),  # off topic, only leads
        _outcome([], ["a"], ["medium"]),  # off topic, offered as medium: not turned away
        _outcome([], ["a"], ["low"], prose=False),  # a log the advisor should abstain on
    ]
    m = metrics(outcomes)
    assert (m["positives"], m["top1"], m["top3"]) == (4, 0.5, 0.75)
    assert (m["negatives"], m["turned_away"]) == (4, 0.5)
    assert m["labels"]["high"] == {"shown": 1, "right": 1, "precision": 1.0}
    assert m["labels"]["medium"] == {"shown": 3, "right": 1, "precision": round(1 / 3, 4)}
    assert m["labels"]["low"]["shown"] == 12 and m["labels"]["low"]["right"] == 1


def test_near_misses_pass_when_the_look_alike_is_not_first():
    m = metrics([_outcome([], ["b", "a"], ["low", "low"], forbidden="a", prose=False),
                 _outcome([], ["a"], ["high"], forbidden="a", prose=False)])
    assert (m["near_misses"], m["near_miss_ok"], m["positives"], m["negatives"]) == (2, 0.5, 0, 0)


RESULTS = {
    "generated": "2026-01-01", "kb_digest": "abc", "mode": "hybrid", "splits": ["test"],
    "groups": {"prose": {
        "advisor": {"items": 10, "positives": 8, "top1": 0.875, "top3": 1.0, "negatives": 2,
                    "turned_away": 0.5, "near_misses": 0, "near_miss_ok": None,
                    "labels": {"high": {"shown": 4, "right": 4, "precision": 1.0},
                               "medium": {"shown": 2, "right": 1, "precision": 0.5},
                               "low": {"shown": 0, "right": 0, "precision": None}}},
        "bm25": {"items": 10, "positives": 8, "top1": 0.5, "top3": 0.75, "negatives": 2,
                 "turned_away": 0.0, "near_misses": 0, "near_miss_ok": None, "labels": {}},
    }, "<b>odd</b> | group": {}},
    "confusions": [],
}


def test_accuracy_page_renders_numbers_beside_baselines_and_escapes():
    page = accuracy.render(RESULTS)
    assert "| **advisor** | 10 | 88% | 100% | 50% | – |" in page
    assert "| baseline: BM25 alone | 10 | 50% | 75% | 0% | – |" in page
    assert "| prose | 100% of 4 | 50% of 2 | – |" in page
    assert "<b>" not in page and "&lt;b&gt;odd&lt;/b&gt; &#124; group" in page
    assert "No evaluation results" in accuracy.render(None)


def test_committed_results_feed_the_page():
    results = accuracy.load(ROOT)
    assert results is not None, f"{accuracy.RESULTS} is missing: run advisor eval ... --write"
    assert {"samples", "dev", "prose", "prose (zh)"} <= set(results["groups"])
    assert results["splits"] == ["test"]  # published prose numbers are the held-out half
    for systems in results["groups"].values():
        assert {"advisor", "minilm-one-line", "bm25"} <= set(systems)
    assert "## prose (zh)" in accuracy.render(results)


@pytest.mark.slow
@pytest.mark.model
def test_eval_cli_reports_groups_and_baselines(tmp_path):
    folder = write(tmp_path / "mini", PROSE_HEADER +
                   "p1\ttest\ten\ttimer-ticker-not-stopped\t-\thttps://x/1\ttime.After in a for select loop leaks memory\n"
                   "p2\ttest\tzh\tgoroutine-leak-channel-block\t-\thttps://x/2\t服务跑几天后 goroutine 数量一直增长\n"
                   "p3\ttest\ten\t-\t-\thttps://x/3\tJavaScript heap out of memory in the webpack build\n"
                   "p4\ttune\ten\tdata-race\t-\thttps://x/4\tgo test -race reports a data race\n")
    out = tmp_path / "results.json"
    proc = run_advisor("eval", str(folder), "--no-samples", "--split", "test", "--json", "--write", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    results = json.loads(proc.stdout)
    assert json.loads(out.read_text()) == results
    adv = results["groups"]["mini"]["advisor"]
    assert (adv["items"], adv["positives"], adv["negatives"]) == (3, 2, 1)
    assert (adv["top3"], adv["turned_away"]) == (1.0, 1.0)
    assert results["groups"]["mini (zh)"]["advisor"]["items"] == 1
    assert set(results["groups"]["mini"]) == {"advisor", "minilm-one-line", "bm25"}


@pytest.mark.slow
@pytest.mark.model
def test_held_out_prose_and_logs_meet_the_targets(kb):
    """The issue's targets, on items the policy was not tuned on (corpus/prose test half,
    corpus/dev). A change that loses them fails here before it reaches the Accuracy page."""
    from advisor.baselines import minilm_ranker
    from advisor.evaluate import run, run_ranker
    from advisor.match import Advisor

    advisor = Advisor(kb)
    prose = labelled_items(ROOT / "corpus" / "prose", "test")
    m = metrics(run(advisor, prose).outcomes)
    base = metrics(run_ranker(minilm_ranker(kb), prose).outcomes)
    assert m["top1"] >= 0.85 and m["top3"] >= 0.95, m
    assert m["top1"] - base["top1"] >= 0.08 and m["top3"] - base["top3"] >= 0.08, (m, base)
    zh = metrics(run(advisor, [i for i in prose if i.lang == "zh"]).outcomes)
    assert zh["top3"] >= 0.90, zh
    dev = metrics(run(advisor, labelled_items(ROOT / "corpus" / "dev")).outcomes)
    assert dev["top1"] >= 0.96 and dev["turned_away"] == 1.0, dev
