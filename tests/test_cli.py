"""The documented commands, run as a user runs them: exit codes and messages, never a traceback."""

from __future__ import annotations

from advisor import __version__

from .conftest import run_advisor


def test_version_and_help():
    proc = run_advisor("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"advisor {__version__}"
    for cmd in ("validate", "show", "list", "repro", "schema"):
        proc = run_advisor(cmd, "--help")
        assert proc.returncode == 0, cmd
        assert b"Usage: " in proc.stdout


def test_show_prints_the_entry_and_its_runbook_link():
    proc = run_advisor("show", "concurrent-map-writes", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "fatal error: concurrent map writes" in out
    assert "/failure-modes/concurrent-map-writes/" in out
    assert "Do this now" in out


def test_show_unknown_id_suggests_the_closest():
    proc = run_advisor("show", "concurrent-map-write")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == (
        "advisor: no failure mode with id 'concurrent-map-write'; did you mean 'concurrent-map-writes'?"
    )


def test_list_filters_by_category():
    proc = run_advisor("list", "--category", "crash", env={"COLUMNS": "200"})
    assert proc.returncode == 0
    assert "concurrent-map-writes" in proc.stdout.decode()
    proc = run_advisor("list", "--category", "nonsense")
    assert proc.returncode == 2
    assert b"unknown category 'nonsense'" in proc.stderr


def test_unknown_command_is_a_usage_error():
    proc = run_advisor("frobnicate")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
