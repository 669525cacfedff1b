"""The CLI under odd plumbing and odd bytes: closed or full streams, a reader that goes
away, other encodings, deep JSON, inputs over the cap, a missing model. One line on
stderr and a meaningful exit code each time, never 'internal error'."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from advisor.normalise import MAX_BYTES, normalise_bytes

from .conftest import ADVISOR, KB, ROOT, run_advisor

SAMPLE = KB / "failure-modes" / "concurrent-map-writes" / "samples" / "public-scottkiss-grtm-4.log"
PANIC = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1d\nexit status 2\n"


def _one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    err = proc.stderr.decode()
    assert err.startswith("advisor: ") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err
    for w in words:
        assert w in err, err
    return err


@pytest.mark.parametrize("args", [["match", "--mode", "rules", str(SAMPLE)],
                                  ["match", "--mode", "rules", "--json", str(SAMPLE)],
                                  ["list"]])
def test_a_reader_that_goes_away_is_not_a_failure(args):
    """`advisor match crash.log | head -1`: the exit code still says 'matched' (0), not 1."""
    proc = subprocess.Popen([*ADVISOR, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""


def test_a_full_disk_is_one_line_and_exit_2():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([*ADVISOR, "match", "--mode", "rules", str(SAMPLE)], cwd=ROOT,
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 2
    _one_line_error(proc, "cannot write the output", "No space left on device")


def test_closed_stdin_is_a_usage_error():
    proc = subprocess.run([*ADVISOR, "match", "--mode", "rules", "-"], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=120, pass_fds=(), close_fds=True,
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2
    _one_line_error(proc, "stdin is closed")


def test_closed_stdout_still_gives_the_exit_code():
    proc = subprocess.run([*ADVISOR, "match", "--mode", "rules", str(SAMPLE)], cwd=ROOT,
                          stderr=subprocess.PIPE, timeout=120, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0 and proc.stderr == b""


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le", "utf-32-be"])
def test_wide_encodings_are_decoded(encoding):
    """PowerShell's `>` writes UTF-16LE without a mark; UTF-32 must not decode as garbage."""
    text = "fatal error: concurrent map writes\n\n" + PANIC
    proc = run_advisor("match", "--mode", "rules", "--json", "-", input=text.encode(encoding))
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["matches"][0]["id"] == "concurrent-map-writes"
    assert any(n.startswith("input was UTF-") for n in got["input"]["notes"])


def test_nul_bytes_that_are_not_a_wide_encoding_are_binary():
    proc = run_advisor("match", "-", input=b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)
    assert proc.returncode == 2
    _one_line_error(proc, "binary")


def test_json_nested_100000_deep_is_plain_text():
    proc = run_advisor("match", "--mode", "rules", "--json", "-", input=b"[" * 100_000 + b"]" * 100_000)
    assert proc.returncode == 1, proc.stderr  # abstains: it is not Go output
    assert json.loads(proc.stdout)["abstained"] is True


def test_a_cut_input_says_how_large_it_was():
    note = normalise_bytes(PANIC.encode(), size=2**30).notes[-1]
    assert note == f"input is 1.0 GB; only the first {len(PANIC)} bytes were read"
    data = b"x\n" * (MAX_BYTES // 2 + 8)  # over the cap, size unknown (a pipe)
    note = [n for n in normalise_bytes(data).notes if "were read" in n][0]
    assert note == "input is larger than 128 MB; only the first 128 MB were read"


def test_a_file_reports_its_real_size(tmp_path):
    from advisor.cli import read_input_sized

    big = tmp_path / "huge.log"
    with big.open("wb") as fh:
        fh.write(PANIC.encode())
        fh.truncate(2**30)  # 1 GB, sparse: cheap to make, costly only to read in full
    data, size = read_input_sized(str(big))
    assert size == 2**30 and len(data) == MAX_BYTES + 1


def test_missing_model_is_its_own_error_not_an_input_error(tmp_path):
    env = {"ADVISOR_MODEL": str(tmp_path / "no-model")}
    proc = run_advisor("match", "-", input=b"memory keeps climbing until the pod is OOMKilled", env=env)
    assert proc.returncode == 3
    _one_line_error(proc, "does not exist")
    # the rules path does not need the model
    proc = run_advisor("match", "--mode", "rules", str(SAMPLE), env=env)
    assert proc.returncode == 0


def test_eval_without_the_model_stops_instead_of_scoring(tmp_path):
    env = {"ADVISOR_MODEL": str(tmp_path / "no-model")}
    proc = run_advisor("eval", "--no-samples", "corpus/dev", env=env, timeout=300)
    assert proc.returncode == 3
    _one_line_error(proc, "does not exist")
    assert b"top-1" not in proc.stdout  # no table of misses that were never answers
