"""`advisor match`: the documented exit codes, JSON contract and error messages."""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES, KB, run_advisor

SAMPLE = KB / "failure-modes" / "concurrent-map-writes" / "samples" / "public-scottkiss-grtm-4.log"
PYTHON_TRACEBACK = b"""Traceback (most recent call last):
  File "/srv/app/worker.py", line 41, in <module>
    main()
  File "/srv/app/worker.py", line 37, in main
    handle(queue.get())
KeyError: 'payload'
"""


def test_json_contract_on_a_real_crash():
    proc = run_advisor("match", "--mode", "rules", "--json", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {"abstained", "abstain_reason", "input", "matches"}
    assert out["abstained"] is False and out["abstain_reason"] is None
    assert out["input"]["bytes"] == SAMPLE.stat().st_size
    assert "fatal-error" in out["input"]["kinds"]
    top = out["matches"][0]
    assert top["id"] == "concurrent-map-writes"
    assert top["confidence"] == "high"
    assert top["url"].endswith("/failure-modes/concurrent-map-writes/")
    assert {"line": 2, "text": "fatal error: concurrent map read and map write", "rule": "fatal-header"} in top["evidence"]
    scores = [m["score"] for m in out["matches"]]
    assert scores == sorted(scores, reverse=True)
    for m in out["matches"]:
        # design.md's fields, plus "kb" (the knowledge base the entry comes from) and
        # "version_notes" (the entry's notes for the paste's releases first)
        assert set(m) == {"id", "title", "score", "confidence", "url", "evidence", "kb", "version_notes"}


def test_stdin_and_dash_read_the_paste():
    data = SAMPLE.read_bytes()
    for args in (("match", "--mode", "rules", "--json", "-"), ("match", "--mode", "rules", "--json")):
        proc = run_advisor(*args, input=data)
        assert proc.returncode == 0
        assert json.loads(proc.stdout)["matches"][0]["id"] == "concurrent-map-writes"


def test_python_traceback_abstains_as_not_go():
    proc = run_advisor("match", "--mode", "rules", "--json", "-", input=PYTHON_TRACEBACK)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out == {**out, "abstained": True, "abstain_reason": "not-go-output", "matches": []}


def test_markdown_report_for_an_incident_channel():
    proc = run_advisor("match", "--mode", "rules", "--markdown", str(SAMPLE))
    assert proc.returncode == 0
    md = proc.stdout.decode()
    assert "| 1 | [Concurrent map writes" in md
    assert "fatal error: concurrent map read and map write" in md


def test_terminal_report_names_entry_evidence_and_link():
    proc = run_advisor("match", "--mode", "rules", str(SAMPLE), env={"COLUMNS": "200"})
    out = proc.stdout.decode()
    assert "[concurrent-map-writes]" in out and "high confidence" in out
    assert "line     2  fatal error: concurrent map read and map write" in out
    assert "/failure-modes/concurrent-map-writes/" in out


@pytest.mark.parametrize("content, message", [
    (b"", "input is empty"),
    (b" \n \n", "input is empty"),
    (b"\x00\x01\x02binary\x00" * 100, "input looks binary"),
    (bytes(range(160, 256)) * 40, "not UTF-8 text"),
])
def test_unusable_input_exits_2_with_one_line(tmp_path, content, message):
    f = tmp_path / "in.log"
    f.write_bytes(content)
    proc = run_advisor("match", "--mode", "rules", str(f))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_folder_and_bad_options(tmp_path):
    assert run_advisor("match", str(tmp_path / "nope.log")).stderr.decode().strip() == \
        f"advisor: {tmp_path / 'nope.log'}: no such file"
    proc = run_advisor("match", str(tmp_path))
    assert proc.returncode == 2 and b"is a folder" in proc.stderr
    proc = run_advisor("match", "--mode", "magic", str(SAMPLE))
    assert proc.returncode == 2
    proc = run_advisor("match", "--json", "--markdown", str(SAMPLE))
    assert proc.returncode == 2 and b"choose one of --json and --markdown" in proc.stderr


def test_top_limits_the_number_of_matches():
    proc = run_advisor("match", "--mode", "rules", "--json", "--top", "1", str(SAMPLE))
    assert len(json.loads(proc.stdout)["matches"]) == 1


def test_hostile_lines_do_not_hang_any_rule(tmp_path):
    # One 10 MB line, and lines built to make backtracking engines explode, against every
    # rule of the KB: RE2 runs in linear time, so this returns (the timeout is a hang guard).
    f = tmp_path / "hostile.log"
    lines = [
        "a" * 10_000_000,
        "(" * 50_000 + "x",
        "goroutine " + "1" * 100_000 + " [" + "chan send, " * 5000,
        "fatal error: " + "concurrent map " * 20_000,
        "\t" + "/x" * 100_000 + ".go:1 +0x" + "f" * 10_000,
    ]
    f.write_text("\n".join(lines))
    proc = run_advisor("match", "--mode", "rules", "--json", str(f), timeout=60)
    assert proc.returncode in (0, 1)
    json.loads(proc.stdout)


def test_truncated_dump_still_yields_the_crash(tmp_path):
    data = (FIXTURES / "formats" / "go1.27-tb-all.log").read_bytes()
    f = tmp_path / "cut.log"
    f.write_bytes(data[: len(data) // 3])
    proc = run_advisor("match", "--mode", "rules", "--json", str(f))
    assert proc.returncode in (0, 1)
    out = json.loads(proc.stdout)
    assert "panic" in out["input"]["kinds"]


def test_rules_path_imports_neither_the_models_nor_the_model(tmp_path):
    # The rules path reads the pydantic-free KB view and never loads the embedding code:
    # this is what keeps `advisor match --mode rules` within its 0.3 s budget.
    script = (
        "import sys; from advisor.match import Advisor; "
        f"r = Advisor(mode='rules').match_bytes(open({str(SAMPLE)!r}, 'rb').read()); "
        "assert r.matches[0].id == 'concurrent-map-writes'; "
        "bad = [m for m in ('advisor.models', 'advisor.embed', 'torch', 'sentence_transformers', 'yaml') "
        "if m in sys.modules]; print(bad)"
    )
    import subprocess
    import sys

    run_advisor("match", "--mode", "rules", str(SAMPLE))  # warm the caches, as any earlier query would
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
