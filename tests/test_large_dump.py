"""A large real goroutine dump (written by benchmarks/gendump with the real Go toolchain):
counted exactly, bucketed, and the biggest pile-up named first."""

from __future__ import annotations

import json
import subprocess

import pytest

from advisor.repro import find_go, go_env

from .conftest import ROOT, run_advisor

pytestmark = [pytest.mark.slow, pytest.mark.go]


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    out = tmp_path_factory.mktemp("dump") / "dump-20k.txt"
    with out.open("wb") as fh:
        subprocess.run([str(find_go()), "run", ".", "-n", "20000"], cwd=ROOT / "benchmarks" / "gendump",
                       stdout=fh, check=True, env=go_env(), timeout=300)
    return out


def test_twenty_thousand_goroutines_are_counted_and_bucketed(dump):
    proc = run_advisor("match", "--mode", "rules", "--json", str(dump))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # 20,000 blocked goroutines plus main, which writes the profile
    assert out["input"]["goroutines"] == 20001
    assert out["input"]["kinds"] == ["goroutine-dump"]
    top = out["matches"][0]
    assert top["id"] == "goroutine-leak-channel-block"
    assert top["evidence"][0]["text"].startswith("8,000 of 20,001 goroutines in chan send at main.sender")


def test_terminal_report_lists_the_top_buckets(dump):
    proc = run_advisor("match", "--mode", "rules", str(dump), env={"COLUMNS": "200"})
    out = proc.stdout.decode()
    assert "20,001 goroutines in" in out
    assert "8,000 goroutines in chan send at main.sender (main.go:21), created by main.main" in out
