"""Reproducers are code from the KB, run contained: no caller secrets in their environment,
bounded output, a loopback-only network where the machine allows it, no build flag that
runs another program. A hostile reproducer is built and run for real with the Go toolchain."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import containment
from advisor.containment import BoundedOutput

from .conftest import minimal_entry

SECRET = "hunter2-SECRET-TOKEN-5e1c"

HOSTILE_GO = """package main

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	fmt.Println("secret:", os.Getenv("SECRET_TOKEN"))
	fmt.Println("env:", strings.Join(os.Environ(), " "))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err == nil {
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Close()
			}
		}()
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		fmt.Println("own loopback reachable:", err == nil)
		if c != nil {
			c.Close()
		}
	}
	c, err := net.DialTimeout("tcp", os.Args[1], 2*time.Second)
	fmt.Println("host service reachable:", err == nil)
	if c != nil {
		c.Close()
	}
	line := strings.Repeat("x", 1<<20) + "\\n"
	for i := 0; i < 48; i++ {
		os.Stdout.WriteString(line)
	}
	fmt.Println("the end")
}
"""


def test_bounded_output_keeps_head_and_tail():
    out = BoundedOutput(keep=1000)
    for i in range(10_000):
        out.feed(f"{i:09d}\n".encode())
    text = out.text()
    assert out.total == 100_000 and out.omitted == 98_000
    assert text.startswith("000000000\n") and text.endswith("000009999\n")
    assert "[advisor repro: 98,000 bytes of output omitted; kept the first and last 1,000]" in text
    small = BoundedOutput(keep=1000)
    small.feed(b"short\n")
    assert small.text() == "short\n" and small.omitted == 0


def test_sandbox_leaves_only_loopback():
    prefix, why = containment.isolation()
    if not prefix:
        assert containment.isolation_notice().startswith("network not isolated: ")
        pytest.skip(f"no unprivileged network namespace here: {why}")
    proc = subprocess.run([*prefix, "/bin/cat", "/proc/net/dev"], capture_output=True, text=True, timeout=30)
    interfaces = [ln.split(":")[0].strip() for ln in proc.stdout.splitlines()[2:]]
    assert interfaces == ["lo"]


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory):
    from advisor.kb import load_kb

    root = tmp_path_factory.mktemp("hostile") / "kb"
    entry_dir = root / "failure-modes" / "hostile-repro"
    host = socket.create_server(("127.0.0.1", 0))  # a service on the host's loopback
    text = minimal_entry("hostile-repro", "  shows: what a contained run allows\n  expect_output: the end\n"
                         f"  args: [\"127.0.0.1:{host.getsockname()[1]}\"]\n  timeout_seconds: 120\n")
    for sub in ("repro", "fixed"):
        (entry_dir / sub).mkdir(parents=True)
        (entry_dir / sub / "main.go").write_text(HOSTILE_GO)
    (entry_dir / "entry.yaml").write_text(text)
    yield load_kb(root, use_cache=False)
    host.close()


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
def test_hostile_reproducer_runs_contained(hostile_kb, monkeypatch):
    from advisor.repro import run

    monkeypatch.setenv("SECRET_TOKEN", SECRET)
    result = run(hostile_kb, "hostile-repro")
    out = result.output
    assert result.exit_status == 0, out[-2000:]
    assert SECRET not in out and "SECRET_TOKEN" not in out  # the caller's environment stays out
    assert "own loopback reachable: true" in out  # reproducers may still serve and dial 127.0.0.1
    if containment.isolation()[0]:
        assert "host service reachable: false" in out and result.notes == []
    else:
        assert result.notes and result.notes[0].startswith("network not isolated")
    assert result.output_bytes > 48 << 20  # it wrote 48 MB ...
    assert len(out) < 2 * containment.OUTPUT_KEEP + 200  # ... and 2 MB of it were kept
    assert "bytes of output omitted" in out and out.rstrip().endswith("the end")


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
def test_build_flag_that_runs_a_program_is_refused_even_without_validation(hostile_kb, tmp_path):
    from advisor.errors import UsageError
    from advisor.repro import build, find_go

    marker = tmp_path / "pwned"
    entry = hostile_kb.entries["hostile-repro"]
    evil = entry.model_copy(update={"repro": entry.repro.model_copy(
        update={"build_flags": [f"-toolexec=/bin/sh -c 'touch {marker}'"]})})
    with pytest.raises(UsageError, match="it can run another program"):
        build(evil, hostile_kb.entry_dir("hostile-repro"), "repro", find_go())
    assert not marker.exists()


def test_go_env_is_an_allow_list(monkeypatch):
    from advisor.repro import go_env

    monkeypatch.setenv("SECRET_TOKEN", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    env = go_env({"GODEBUG": "gctrace=1"})
    assert SECRET not in env.values()
    assert set(env) <= {*containment.ENV_ALLOW, "GODEBUG", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GOSUMDB",
                        "GOTELEMETRY", "GOCACHE", "GOPATH", "GOMODCACHE", "CGO_ENABLED"}
    assert env["GODEBUG"] == "gctrace=1" and env["PATH"]


def test_sandbox_script_imports_only_the_standard_library():
    # it runs between fork and exec with -I -S: no site-packages, no advisor package
    src = Path(containment.SANDBOX).read_text()
    assert "import advisor" not in src and "from advisor" not in src and "from ." not in src
    proc = subprocess.run([sys.executable, "-I", "-S", str(containment.SANDBOX)], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: sandbox.py")
