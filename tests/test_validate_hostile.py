"""A pull request that shapes the KB's files against the tools: symlinks out of the KB or
to devices, loops, FIFOs, huge files, alias bombs, byte-order marks, owners that inject
CODEOWNERS rules, build flags and environment that run other programs. Each is reported
by `advisor validate` at its position (exit 1), promptly, and never skipped silently.
(Subprocess timeouts below are hang guards: before these fixes several never returned.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.validate import validate_tree

from .conftest import minimal_entry, run_advisor


def make_kb(tmp_path: Path, *entries: str) -> Path:
    kb = tmp_path / "kb"
    for ident in entries or ("x",):
        d = kb / "failure-modes" / ident
        d.mkdir(parents=True)
        (d / "entry.yaml").write_text(minimal_entry(ident))
    return kb


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `needle` in `text`: positions follow the fixture, not a count kept here."""
    return text[:text.index(needle)].count("\n") + 1


REPRO = "  shows: a panic\n  expect_output: panic\n"


def validate_lines(kb: Path, timeout: int = 60) -> list[str]:
    proc = run_advisor("validate", "--kb", str(kb), timeout=timeout)
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr, proc.stderr
    out = proc.stdout.decode().splitlines()
    assert proc.returncode == (1 if out else 0), proc.stderr
    return [ln.replace(str(kb.parent) + "/", "") for ln in out]


# ------------------------------------------------------------------ symlinks and special files


def test_entry_symlinked_to_dev_zero_is_refused_not_read(tmp_path):
    kb = make_kb(tmp_path, "x")
    (kb / "failure-modes" / "y").mkdir()
    os.symlink("/dev/zero", kb / "failure-modes" / "y" / "entry.yaml")
    assert validate_lines(kb) == [
        "kb/failure-modes/y/entry.yaml:1:1: this file is a symlink to /dev/zero, outside the knowledge base; "
        "copy it in instead"]


def test_broken_and_looping_symlinks_are_reported_not_skipped(tmp_path):
    kb = make_kb(tmp_path, "x")
    for name, target in (("broken", "nowhere.yaml"), ("loop", "entry.yaml")):
        (kb / "failure-modes" / name).mkdir()
        os.symlink(target, kb / "failure-modes" / name / "entry.yaml")
    assert validate_lines(kb) == [
        "kb/failure-modes/broken/entry.yaml:1:1: this file is a symlink to nowhere.yaml, which does not exist",
        "kb/failure-modes/loop/entry.yaml:1:1: this file is a symlink that loops back on itself",
    ]


def test_symlinked_entry_folder_and_postmortem_out_of_the_kb(tmp_path):
    kb = make_kb(tmp_path, "x")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, kb / "failure-modes" / "linked")
    (kb / "postmortems").mkdir()
    (tmp_path / "secret.yaml").write_text("token: hunter2\n")
    os.symlink(tmp_path / "secret.yaml", kb / "postmortems" / "2026-01-01-x.yaml")
    lines = validate_lines(kb)
    assert lines == [
        "kb/failure-modes/linked:1:1: this folder is a symlink to elsewhere, outside the knowledge base; "
        "copy it in instead",  # (validate_lines shortens the temporary folder's path)
        "kb/postmortems/2026-01-01-x.yaml:1:1: this file is a symlink to secret.yaml, "
        "outside the knowledge base; copy it in instead",
    ]


def test_fifo_and_oversized_entries_are_refused(tmp_path):
    kb = make_kb(tmp_path, "x")
    (kb / "failure-modes" / "fifo").mkdir()
    os.mkfifo(kb / "failure-modes" / "fifo" / "entry.yaml")  # reading it would never return
    (kb / "failure-modes" / "huge").mkdir()
    (kb / "failure-modes" / "huge" / "entry.yaml").write_text(minimal_entry("huge") + "#" * (2 << 20))
    assert validate_lines(kb) == [
        "kb/failure-modes/fifo/entry.yaml:1:1: this file is not a regular file (a device, pipe or socket)",
        "kb/failure-modes/huge/entry.yaml:1:1: this file is 2.0 MB; files of this kind may be at most 1 MB",
    ]


def test_samples_and_programs_may_not_lead_out_of_the_kb(tmp_path):
    kb = make_kb(tmp_path, "x", "y")
    x = kb / "failure-modes" / "x"
    (x / "samples").mkdir()
    os.symlink("/dev/zero", x / "samples" / "zero.log")
    os.symlink("/etc/passwd", x / "samples" / "passwd.log")
    # a symlink inside the KB is fine: one sample shared by two entries
    (kb / "failure-modes" / "y" / "samples").mkdir()
    (kb / "failure-modes" / "y" / "samples" / "real.log").write_text("# source: test\npanic: something\n")
    os.symlink("../../y/samples/real.log", x / "samples" / "shared.log")
    (x / "entry.yaml").write_text(minimal_entry("x", REPRO))
    for sub in ("repro", "fixed"):
        (x / sub).mkdir()
        os.symlink("/etc/hostname", x / sub / "main.go")
    assert validate_lines(kb) == [
        "kb/failure-modes/x/fixed/main.go:1:1: this file is a symlink to /etc/hostname, outside the knowledge "
        "base; copy it in instead",
        "kb/failure-modes/x/repro/main.go:1:1: this file is a symlink to /etc/hostname, outside the knowledge "
        "base; copy it in instead",
        "kb/failure-modes/x/samples/passwd.log:1:1: this sample is a symlink to /etc/passwd, outside the "
        "knowledge base; copy it in instead",
        "kb/failure-modes/x/samples/zero.log:1:1: this sample is a symlink to /dev/zero, outside the knowledge "
        "base; copy it in instead",
    ]


def test_the_match_path_refuses_such_a_kb_instead_of_hanging(tmp_path):
    kb = make_kb(tmp_path, "x")
    os.symlink("/dev/zero", kb / "failure-modes" / "x" / "zero.yaml")
    (kb / "failure-modes" / "x" / "entry.yaml").unlink()
    os.symlink("zero.yaml", kb / "failure-modes" / "x" / "entry.yaml")
    proc = run_advisor("match", "--mode", "rules", "--kb", str(kb), "-", input=b"panic: something",
                       env={"ADVISOR_CACHE": str(tmp_path / "cache")}, timeout=60)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: the knowledge base has 1 error(s)") and "/dev/zero" in err


# ------------------------------------------------------------------ YAML


def test_alias_bomb_is_refused_at_its_position(tmp_path):
    kb = make_kb(tmp_path, "x")
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = "\n".join(lines) + "\n"
    assert len(bomb) < 700  # 10^9 values once expanded
    entry = kb / "failure-modes" / "x" / "entry.yaml"
    entry.write_text(entry.read_text() + bomb)
    # a5 expands to 10^6 strings plus the lists that hold them: the first value past the limit
    at = line_of(entry.read_text(), "a5: &a5")
    assert validate_lines(kb) == [
        f"kb/failure-modes/x/entry.yaml:{at}:5: invalid YAML: aliases expand this value to more than "
        "1,000,000 values (an alias bomb?); write the values out"]


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    kb = make_kb(tmp_path, "x")
    entry = kb / "failure-modes" / "x" / "entry.yaml"
    entry.write_bytes(b"\xef\xbb\xbf" + entry.read_bytes())
    assert validate_lines(kb) == []


# ------------------------------------------------------------------ owners and CODEOWNERS


def test_owner_that_would_inject_a_codeowners_rule_is_reported_at_its_position(tmp_path):
    kb = make_kb(tmp_path, "x")
    entry = kb / "failure-modes" / "x" / "entry.yaml"
    entry.write_text(entry.read_text().replace('owners: ["@team"]',
                                               'owners: ["@team", "runtime-team\\n* @mallory", "team"]'))
    at = line_of(entry.read_text(), "owners:")
    assert validate_lines(kb) == [
        f"kb/failure-modes/x/entry.yaml:{at}:19: field 'owners[1]': 'runtime-team\\n* @mallory' is not a GitHub "
        "handle (@user or @org/team) or an e-mail address",
        f"kb/failure-modes/x/entry.yaml:{at}:47: field 'owners[2]': 'team' is not a GitHub handle "
        "(@user or @org/team) or an e-mail address",
    ]


def test_codeowners_export_refuses_an_owner_that_bypassed_validation(kb):
    from advisor.errors import KnowledgeBaseError
    from advisor.export import codeowners
    from advisor.kb import KnowledgeBase

    ident = "concurrent-map-writes"
    bad = kb.entries[ident].model_copy(update={"owners": ["runtime-team\n* @mallory"]})
    hostile = KnowledgeBase(kb.root, "x", {**kb.entries, ident: bad}, kb.postmortems)
    with pytest.raises(KnowledgeBaseError, match="owner 'runtime-team\\\\n\\* @mallory' is not"):
        codeowners(hostile)
    assert "@mallory" not in codeowners(kb)


# ------------------------------------------------------------------ what repro may ask for


@pytest.mark.parametrize("flag, why", [
    ("-toolexec=/bin/sh -c 'touch /tmp/pwned'", "run another program"),
    ("-exec=/bin/sh", "run another program"),
    ("-ldflags=-extld=/bin/sh", "run another program"),
    ("-overlay=/tmp/o.json", "reads or writes files"),
    ("-modfile=/tmp/go.mod", "reads or writes files"),
    ("-gcflags=-cpuprofile=/root/.bashrc", "reads or writes files"),
])
def test_build_flags_that_run_programs_or_touch_files_are_refused(tmp_path, flag, why):
    kb = _entry_with_repro(tmp_path, f'  build_flags: ["-race", "{flag}"]\n')
    at = line_of((kb / "failure-modes" / "x" / "entry.yaml").read_text(), "build_flags:")
    lines = validate_lines(kb)
    assert len(lines) == 1 and lines[0].startswith(f"kb/failure-modes/x/entry.yaml:{at}:26: field "
                                                   "'repro.build_flags[1]': build flag ")
    assert why in lines[0]


def test_repro_env_may_not_load_code_or_override_the_runner(tmp_path):
    _, issues = validate_tree(_entry_with_repro(tmp_path, "  env:\n    LD_PRELOAD: /tmp/evil.so\n"))
    assert [i.message for i in issues] == [
        "field 'repro.env': environment variable 'LD_PRELOAD' is refused: the runner sets it, or it loads "
        "code into the program; runtime settings such as GODEBUG, GOGC, GOMEMLIMIT, GOMAXPROCS and "
        "GOTRACEBACK are fine"]
    _, issues = validate_tree(_entry_with_repro(tmp_path / "ok", "  env:\n    GODEBUG: gctrace=1\n"))
    assert issues == []


def _entry_with_repro(tmp_path: Path, extra: str) -> Path:
    """A KB whose entry has a repro section with `extra` YAML lines, and both programs."""
    kb = make_kb(tmp_path, "x")
    entry = kb / "failure-modes" / "x" / "entry.yaml"
    entry.write_text(minimal_entry("x", REPRO + extra))
    for sub in ("repro", "fixed"):
        (entry.parent / sub).mkdir()
        (entry.parent / sub / "main.go").write_text("package main\n\nfunc main() {}\n")
    return kb
