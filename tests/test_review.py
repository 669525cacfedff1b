"""`advisor review`: stale entries, samples that stopped ranking first, rules that fire on
other entries' samples, and near-duplicate entries, each reported with a position."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import KB, run_advisor

PAIR = ("nil-map-assignment", "integer-divide-by-zero")


def make_kb(tmp_path: Path, ids=PAIR) -> Path:
    root = tmp_path / "kb"
    (root / "failure-modes").mkdir(parents=True)
    for ident in ids:
        shutil.copytree(KB / "failure-modes" / ident, root / "failure-modes" / ident)
        entry = root / "failure-modes" / ident / "entry.yaml"
        # cross-references to entries left out of this small KB would make it invalid
        entry.write_text(re.sub(r"^related:.*(\n[ \t]+-.*)*", "related: []", entry.read_text(), flags=re.M))
    return root


def last_reviewed(root: Path, ident: str) -> str:
    text = (root / "failure-modes" / ident / "entry.yaml").read_text()
    return re.search(r"^last_reviewed:\s*(\S+)", text, re.M).group(1)


def review(root: Path, *args: str):
    proc = run_advisor("review", "--kb", str(root), "--no-model", "--json", *args)
    assert "Traceback" not in proc.stderr.decode()
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def test_clean_kb_exits_0(tmp_path: Path):
    root = make_kb(tmp_path)
    today = max(last_reviewed(root, i) for i in PAIR)
    proc, report = review(root, "--today", today)
    assert proc.returncode == 0, report
    assert report["findings"] == []
    assert report["checks"] == ["stale", "sample-rank", "cross-match"]
    assert report["samples"] >= 4


def test_stale_entries_are_reported_at_last_reviewed(tmp_path: Path):
    root = make_kb(tmp_path)
    proc, report = review(root, "--today", "2099-01-01", "--stale-days", "365")
    assert proc.returncode == 1
    stale = [f for f in report["findings"] if f["check"] == "stale"]
    assert sorted(f["entry"] for f in stale) == sorted(PAIR)
    for f in stale:
        lines = (root.parent / f["path"]).read_text().splitlines()
        assert lines[f["line"] - 1].startswith("last_reviewed:")
        assert f["age_days"] > 365
    # a generous limit: nothing is stale
    proc, report = review(root, "--today", "2099-01-01", "--stale-days", "100000")
    assert not [f for f in report["findings"] if f["check"] == "stale"]


def test_a_sample_that_ranks_another_entry_first_is_reported(tmp_path: Path):
    root = make_kb(tmp_path, ids=(*PAIR, "concurrent-map-writes"))
    # a reviewer's nightmare: a concurrent-map-writes crash filed as a nil-map sample
    src = sorted((root / "failure-modes/concurrent-map-writes/samples").glob("*.log"))[0]
    shutil.copyfile(src, root / "failure-modes/nil-map-assignment/samples/misfiled.log")
    today = max(last_reviewed(root, i) for i in (*PAIR, "concurrent-map-writes"))
    proc, report = review(root, "--today", today)
    assert proc.returncode == 1
    ranks = [f for f in report["findings"] if f["check"] == "sample-rank"]
    assert len(ranks) == 1
    assert ranks[0]["path"].endswith("nil-map-assignment/samples/misfiled.log")
    assert ranks[0]["got"][0] == "concurrent-map-writes"
    assert "no longer ranks it first" in ranks[0]["message"]
    # the same sample makes concurrent-map-writes' decisive rule a cross-match, at its rule
    cross = [f for f in report["findings"] if f["check"] == "cross-match"]
    assert cross and all(f["entry"] == "concurrent-map-writes" for f in cross)
    assert any(f["severity"] == "error" for f in cross)
    f = cross[0]
    line = (root.parent / f["path"]).read_text().splitlines()[f["line"] - 1]
    assert re.match(rf"^\s*-?\s*id:\s*{re.escape(f['rule'])}\s*$", line), line


def test_text_output_is_file_line_col(tmp_path: Path):
    root = make_kb(tmp_path)
    proc = run_advisor("review", "--kb", str(root), "--no-model", "--today", "2099-01-01",
                       "--stale-days", "1")
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines and all(re.match(r"^kb/failure-modes/[\w-]+/\S+:\d+:\d+: \[stale\] ", ln) for ln in lines)
    assert "reviewed" in proc.stderr.decode()


def test_bad_date_is_a_one_line_usage_error(tmp_path: Path):
    proc = run_advisor("review", "--kb", str(make_kb(tmp_path)), "--no-model", "--today", "yesterday")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: --today") and err.count("\n") == 1


def test_review_of_the_bundled_kb_runs(tmp_path: Path):
    proc = run_advisor("review", "--no-model", "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == (1 if report["findings"] else 0)
    for f in report["findings"]:
        assert (KB.parent / f["path"]).exists() and f["line"] >= 1 and f["col"] >= 1


@pytest.mark.slow
@pytest.mark.model
def test_near_duplicates_by_embedding(tmp_path: Path):
    root = make_kb(tmp_path)
    # the same failure mode written twice, under a new id and a reworded title
    dup = root / "failure-modes" / "nil-map-write"
    shutil.copytree(root / "failure-modes" / "nil-map-assignment", dup)
    entry = dup / "entry.yaml"
    text = entry.read_text().replace("id: nil-map-assignment", "id: nil-map-write", 1)
    text = re.sub(r"^title: .*$", "title: Writing to a nil map panics", text, count=1, flags=re.M)
    text = re.sub(r"^ +sample: samples/.*\n", "", text, flags=re.M)  # its samples are removed below
    entry.write_text(text)
    shutil.rmtree(dup / "samples")
    today = max(last_reviewed(root, i) for i in PAIR)
    proc = run_advisor("review", "--kb", str(root), "--json", "--today", today, timeout=300)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert "near-duplicate" in report["checks"]
    dups = [f for f in report["findings"] if f["check"] == "near-duplicate"]
    assert [(f["entry"], f["other"]) for f in dups] == [("nil-map-assignment", "nil-map-write")]
    assert dups[0]["similarity"] >= 0.9
    # the threshold is configurable: nothing is that close
    proc = run_advisor("review", "--kb", str(root), "--json", "--today", today,
                       "--similarity", "0.9999", timeout=300)
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["check"] == "near-duplicate"]
