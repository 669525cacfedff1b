"""`advisor new`: the scaffold refuses bad or taken ids, and every unfilled field is reported
by `advisor validate` at its own file:line:col; the Go stubs compile and are gofmt-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from advisor.errors import UsageError
from advisor.scaffold import render_entry, scaffold

from .conftest import KB, run_advisor

REQUIRED_UNFILLED = {
    "title", "severity", "summary", "go_versions.since", "signatures", "now", "impact",
    "symptoms", "detection", "mechanism", "causes", "fixes", "repro.shows",
    "repro.expect_output", "match.rules", "references", "owners",
}


@pytest.fixture
def empty_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "failure-modes").mkdir(parents=True)
    return root


def test_new_creates_the_folder(empty_kb: Path):
    proc = run_advisor("new", "widget-leak", "--category", "goroutine-leak", "--kb", str(empty_kb))
    assert proc.returncode == 0, proc.stderr.decode()
    folder = empty_kb / "failure-modes" / "widget-leak"
    for rel in ("entry.yaml", "repro/main.go", "fixed/main.go", "samples/README.md"):
        assert (folder / rel).is_file(), rel
    text = (folder / "entry.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "id: widget-leak\n" in text and "category: goroutine-leak\n" in text
    assert "does NOT validate yet" in text
    assert "# source: <URL or command>" in (folder / "samples" / "README.md").read_text()
    assert "created" in proc.stderr.decode() and "advisor validate" in proc.stderr.decode()


def test_validate_reports_every_unfilled_field_with_its_position(empty_kb: Path):
    assert run_advisor("new", "widget-leak", "-c", "memory", "--kb", str(empty_kb)).returncode == 0
    entry = empty_kb / "failure-modes" / "widget-leak" / "entry.yaml"
    lines = entry.read_text().splitlines()
    proc = run_advisor("validate", "--kb", str(empty_kb))
    assert proc.returncode == 1
    out = proc.stdout.decode().splitlines()
    assert "Traceback" not in proc.stderr.decode()
    reported = set()
    for line in out:
        m = re.match(r"^(kb/failure-modes/widget-leak/entry\.yaml):(\d+):(\d+): field '([\w.\[\]]+)'", line)
        assert m, line
        field, lineno, col = m.group(4), int(m.group(2)), int(m.group(3))
        # the position points at the unfilled value of that very key
        key = field.rsplit(".", 1)[-1]
        assert re.match(rf"^\s*{re.escape(key)}:", lines[lineno - 1]), (line, lines[lineno - 1])
        assert col > len(key)
        reported.add(field)
    assert reported == REQUIRED_UNFILLED


def test_owner_option_fills_owners(empty_kb: Path):
    proc = run_advisor("new", "widget-leak", "-c", "crash", "--owner", "@team-a", "--owner", "bob",
                       "--kb", str(empty_kb))
    assert proc.returncode == 0
    assert 'owners: ["@team-a", "bob"]' in (empty_kb / "failure-modes/widget-leak/entry.yaml").read_text()
    out = run_advisor("validate", "--kb", str(empty_kb)).stdout.decode()
    assert "'owners'" not in out


@pytest.mark.parametrize("bad", ["Nil-Map", "nil_map", "-nil", "nil--map", "nil-", "ünïcode", "a" * 81, ""])
def test_new_refuses_ids_outside_the_pattern(empty_kb: Path, bad: str):
    proc = run_advisor("new", "-c", "crash", "--kb", str(empty_kb), "--", bad)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: ") and err.count("\n") == 1, err
    assert not any((empty_kb / "failure-modes").iterdir())


def test_new_refuses_an_existing_id_in_the_real_kb():
    before = sorted(p.name for p in (KB / "failure-modes").iterdir())
    proc = run_advisor("new", "concurrent-map-writes", "-c", "crash")
    assert proc.returncode == 2
    assert "already used" in proc.stderr.decode()
    assert sorted(p.name for p in (KB / "failure-modes").iterdir()) == before


def test_new_refuses_a_former_id(empty_kb: Path):
    d = empty_kb / "failure-modes" / "renamed-entry"
    d.mkdir()
    (d / "entry.yaml").write_text("id: renamed-entry\nformer_ids: [old-name]\n")
    with pytest.raises(UsageError, match="already used.*former_ids"):
        scaffold(empty_kb, "old-name", "crash")


def test_new_refuses_unknown_category_and_missing_kb(tmp_path: Path, empty_kb: Path):
    proc = run_advisor("new", "fine-id", "-c", "explosions", "--kb", str(empty_kb))
    assert proc.returncode == 2 and "unknown category" in proc.stderr.decode()
    proc = run_advisor("new", "fine-id", "-c", "crash", "--kb", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no knowledge base" in proc.stderr.decode()


def test_modeline_points_at_the_schema_from_the_bundled_kb():
    text = render_entry("x-y", "crash", [], KB / "failure-modes" / "x-y")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../../schemas/failure-mode.schema.json"


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
def test_go_stubs_build_and_are_gofmt_clean(empty_kb: Path, tmp_path: Path):
    from advisor.repro import find_go, go_env

    made = scaffold(empty_kb, "widget-leak", "crash")
    go = str(find_go())
    env = go_env()
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env).stdout.strip()
    gofmt = Path(goroot) / "bin" / "gofmt"
    for variant in ("repro", "fixed"):
        work = tmp_path / variant
        shutil.copytree(made.folder / variant, work)
        (work / "go.mod").write_text("module stub\n\ngo 1.21\n")
        proc = subprocess.run([go, "build", "-o", str(work / "prog"), "."], cwd=work,
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        run = subprocess.run([str(work / "prog")], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0 and "stub" in run.stdout
        fmt = subprocess.run([str(gofmt), "-l", str(work / "main.go")], capture_output=True, text=True)
        assert fmt.returncode == 0 and fmt.stdout == "", fmt.stdout + fmt.stderr
