"""The validator reports every problem as file:line:col with a message a contributor can act on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.validate import validate_tree

from .conftest import FIXTURES, KB, run_advisor

CASES = FIXTURES / "validator" / "cases"

# case -> the exact lines `advisor validate` must print (paths relative to the case folder)
EXPECTED = {
    "bad-enum": ["kb/failure-modes/x/entry.yaml:5:11: field 'severity': must be one of critical, high, medium, low"],
    "unknown-key": ["kb/failure-modes/x/entry.yaml:6:1: unknown field 'severty'; did you mean 'severity'?"],
    "wrong-type": ["kb/failure-modes/x/entry.yaml:14:11: field 'symptoms': must be a list, not str"],
    "empty-text": ["kb/failure-modes/x/entry.yaml:13:9: field 'impact': must not be empty"],
    "missing-field": ["kb/failure-modes/x/entry.yaml:2:1: field 'mechanism' is required; add it"],
    "wrong-folder": [
        "kb/failure-modes/wrong-folder/entry.yaml:2:5: field 'id': 'other-name' differs from its folder "
        "'wrong-folder'; ids are permanent, so rename the folder or list the old id in former_ids"
    ],
    "duplicate-key": ["kb/failure-modes/x/entry.yaml:5:1: duplicate key 'category' in this mapping; keep one of them"],
    "bad-regex": [
        "kb/failure-modes/x/entry.yaml:32:14: field 'match.rules[0].regex': regex does not compile under RE2 "
        "(invalid escape sequence: \\1); RE2 has no backreferences or lookaround"
    ],
    "missing-repro": [
        "kb/failure-modes/x/entry.yaml:33:3: field 'repro': fixed/main.go does not exist next to this entry; "
        "add the program or remove the repro section",
        "kb/failure-modes/x/entry.yaml:33:3: field 'repro': repro/main.go does not exist next to this entry; "
        "add the program or remove the repro section",
    ],
    "dangling-related": ["kb/failure-modes/x/entry.yaml:39:11: field 'related[0]': no failure mode with id 'no-such-entry'"],
    "duplicate-id": [
        "kb/failure-modes/b/entry.yaml:2:5: id 'b' is already used by kb/failure-modes/a/entry.yaml; "
        "ids (and former ids) must be unique"
    ],
    "no-modeline": [
        "kb/failure-modes/x/entry.yaml:1:1: first line must be the editor modeline "
        "'# yaml-language-server: $schema=<relative path>/schemas/failure-mode.schema.json'"
    ],
    "yaml-syntax": [
        "kb/failure-modes/x/entry.yaml:4:9: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 3, column 8)"
    ],
    "unquoted-version": [
        "kb/failure-modes/x/entry.yaml:8:10: field 'go_versions.since': must be a string, but YAML read the "
        "number 1.2; quote it (\"1.20\" unquoted reads as 1.2)"
    ],
    "removed-id": [
        "kb/published-ids.txt:3:1: published id 'old-name' has no entry and no entry lists it in former_ids; "
        "its runbook links would break. Restore it or add it to the renamed entry's former_ids"
    ],
    "knob-not-run": [
        "kb/failure-modes/x/entry.yaml:13:5: field 'now[1]': turns a runtime knob (GOMEMLIMIT) but shows no run; "
        "write the step as a mapping {step: ..., demonstration: ...} or {step: ..., unverified: <why it cannot "
        "be run here>}"
    ],
    "detection-unmarked": [
        "kb/failure-modes/x/entry.yaml:17:5: field 'detection[0]': say how the tests execute this command ('run:') "
        "or why it is not run ('not_run: <reason>'), exactly one of them"
    ],
    "unsourced-note": [
        "kb/failure-modes/x/entry.yaml:10:7: field 'go_versions.notes[0]': the note about Go 1.21 cites nothing; "
        "add 'source:' (release-note anchor, CL or issue URL) or 'sample:' (a samples/ file recorded with that release)"
    ],
    "note-sample-wrong-release": [
        "kb/failure-modes/x/entry.yaml:12:15: field 'go_versions.notes[0].sample': 'samples/repro-go1.27.3.log' "
        "was recorded with go1.27.3, not Go 1.21"
    ],
    "output-run-without-input": [
        "kb/failure-modes/x/entry.yaml:21:11: field 'detection[0].run.on': 'output' needs 'input:', the exact text "
        "of the command that reads the log (e.g. 'kubectl logs --previous POD')"
    ],
    "dangling-postmortem": [
        "kb/postmortems/2026-01-02-outage.yaml:14:20: field 'failure_modes[1]': no failure mode with id 'not-an-entry'"
    ],
}


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in CASES.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_entry_reports_exact_position_and_message(case):
    proc = run_advisor("validate", "--kb", "kb", cwd=CASES / case)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.decode().splitlines() == EXPECTED[case]
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.decode().strip().endswith(f"{len(EXPECTED[case])} error(s) found")


def test_all_errors_of_all_files_in_one_run(tmp_path):
    # Three broken entries in one KB: every problem is reported, not just the first.
    kb = tmp_path / "kb"
    for case in ("bad-enum", "unknown-key", "empty-text"):
        src = CASES / case / "kb" / "failure-modes" / "x"
        dst = kb / "failure-modes" / case
        shutil.copytree(src, dst)
        text = (dst / "entry.yaml").read_text().replace("id: x\n", f"id: {case}\n")
        (dst / "entry.yaml").write_text(text)
    _, issues = validate_tree(kb)
    assert {(Path(i.path).parent.name, i.line) for i in issues} == {
        ("bad-enum", 5), ("unknown-key", 6), ("empty-text", 13)
    }


def test_minimal_fixture_is_valid(tmp_path):
    dst = tmp_path / "kb" / "failure-modes" / "minimal-entry"
    dst.mkdir(parents=True)
    shutil.copy(FIXTURES / "validator" / "minimal-entry.yaml", dst / "entry.yaml")
    _, issues = validate_tree(tmp_path / "kb")
    assert issues == []


def test_real_knowledge_base_is_valid():
    proc = run_advisor("validate")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert proc.stdout == b""


def test_github_format_annotates_the_pull_request():
    proc = run_advisor("validate", "--kb", "kb", "--format", "github", cwd=CASES / "bad-enum")
    assert proc.stdout.decode().strip() == (
        "::error file=kb/failure-modes/x/entry.yaml,line=5,col=11::"
        "field 'severity': must be one of critical, high, medium, low"
    )


def test_validate_one_file_reports_only_that_file_but_checks_references():
    case = CASES / "dangling-postmortem"
    proc = run_advisor("validate", "kb/failure-modes/x/entry.yaml", cwd=case)
    assert proc.returncode == 0
    proc = run_advisor("validate", "kb/postmortems/2026-01-02-outage.yaml", cwd=case)
    assert proc.returncode == 1
    assert b"not-an-entry" in proc.stdout


def test_validate_usage_errors_exit_2(tmp_path):
    proc = run_advisor("validate", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("advisor: ")
    assert b"no such file" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = run_advisor("validate", str(tmp_path / "empty"))
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


def test_invalid_utf8_and_binary_entry_files_are_errors_with_positions(tmp_path):
    kb = tmp_path / "kb"
    (kb / "failure-modes" / "bin").mkdir(parents=True)
    (kb / "failure-modes" / "bin" / "entry.yaml").write_bytes(b"# yaml\nid: bin\ntitle: \xff\xfe\x00\n")
    _, issues = validate_tree(kb)
    assert [i.format() for i in issues][0] == (
        "kb/failure-modes/bin/entry.yaml:3:1: file is not valid UTF-8; save it as UTF-8"
    )


def test_kb_cache_is_never_stale(tmp_path, monkeypatch):
    from advisor import kb as kbmod

    monkeypatch.setenv("ADVISOR_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    first = kbmod.load_kb(root)
    assert "concurrent-map-writes" in first.entries
    path = root / "failure-modes" / "concurrent-map-writes" / "entry.yaml"
    path.write_text(path.read_text().replace("title: Concurrent map writes (fatal error)", "title: Changed title"))
    kbmod._load_cached.cache_clear()
    second = kbmod.load_kb(root)
    assert second.entries["concurrent-map-writes"].title == "Changed title"
    assert second.digest != first.digest
