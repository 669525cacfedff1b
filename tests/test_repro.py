"""Every reproducer really fails as its entry says, with the real Go toolchain; every fix is clean."""

from __future__ import annotations

import subprocess

import pytest
import re2

from advisor.kb import load_kb
from advisor.repro import build_dir, find_go, go_env, run
from advisor.verify import shared_run

from .conftest import KB, run_advisor

pytestmark = [pytest.mark.slow, pytest.mark.go]

ENTRIES = sorted(i for i, e in load_kb(KB).entries.items() if e.repro is not None)


@pytest.mark.xdist_group("go")
@pytest.mark.parametrize("ident", ENTRIES)
def test_reproducer_produces_the_signature(kb, ident):
    entry = kb.entries[ident]
    result = shared_run(kb, ident, "repro")  # the same run is the baseline of the entry's demonstrations
    assert not result.timed_out, f"{ident}: reproducer did not end by itself"
    assert re2.search(entry.repro.expect_output, result.output), result.output[-3000:]
    if entry.repro.expect_exit is not None:
        assert result.exit_status == entry.repro.expect_exit, result.status_text


@pytest.mark.xdist_group("go")
@pytest.mark.parametrize("ident", ENTRIES)
def test_fixed_program_is_vet_clean_and_exits_cleanly(kb, ident):
    entry = kb.entries[ident]
    result = shared_run(kb, ident, "fixed")  # shared with the demonstrations that run the fixed program
    assert not result.timed_out
    assert result.exit_status == entry.repro.fixed_expect_exit, result.output[-3000:]
    assert not re2.search(entry.repro.expect_output, result.output), result.output[-3000:]
    work = build_dir() / "repro" / ident / "fixed"
    vet = subprocess.run([str(find_go()), "vet", "."], cwd=work, capture_output=True, text=True,
                         env=go_env(cgo=entry.repro.cgo))
    assert vet.returncode == 0, vet.stderr


@pytest.mark.xdist_group("go")
def test_repro_command_prints_output_and_status(tmp_path):
    proc = run_advisor("repro", "concurrent-map-writes")
    err = proc.stderr.decode()
    assert "concurrent-map-writes (repro, go1." in err
    assert b"fatal error: concurrent map" in proc.stdout or "finished without detection" in proc.stdout.decode()


def test_repro_of_unknown_id_is_usage_error():
    proc = run_advisor("repro", "no-such-thing")
    assert proc.returncode == 2
    assert proc.stderr.startswith(b"advisor: no failure mode with id 'no-such-thing'")


@pytest.mark.xdist_group("go")
def test_live_reproducer_serves_real_goroutine_dumps_and_heap_profiles(kb):
    from advisor.parse import parse
    from advisor.repro import start

    with start(kb, "http-client-no-timeout") as live:
        assert live.wait_ready().startswith("http://127.0.0.1:")
        dump = live.get("/debug/pprof/goroutine?debug=2").decode()
        heap = live.get("/debug/pprof/heap")
        result = live.stop()
    facts = parse(dump)
    assert facts.goroutines >= 2 and "goroutine-dump" in facts.kinds
    assert heap[:2] == b"\x1f\x8b"  # a gzipped profile.proto, as `curl .../heap` saves it
    assert result.timed_out  # it was still hanging when stopped: the failure it reproduces


@pytest.mark.xdist_group("go")
def test_a_live_program_that_died_is_reported_with_its_exit_not_a_connection_reset(kb):
    import os
    import signal

    from advisor.errors import ToolchainError
    from advisor.repro import start

    with start(kb, "http-client-no-timeout") as live:
        live.wait_ready()
        os.killpg(live.proc.pid, signal.SIGKILL)
        live.proc.wait()
        with pytest.raises(ToolchainError) as err:
            live.get("/debug/pprof/goroutine?debug=2", timeout=5)
    assert "GET /debug/pprof/goroutine?debug=2 failed" in str(err.value)
    assert "program exited (-9)" in str(err.value)


@pytest.mark.xdist_group("go")
def test_two_live_runs_of_one_reproducer_each_reach_their_own_program(kb):
    """Both share a build folder; each must talk to the program it started (they once shared
    the address file there, so one run could read the other's address)."""
    import os
    import signal

    from advisor.errors import ToolchainError
    from advisor.repro import start

    with start(kb, "http-client-no-timeout") as first, start(kb, "http-client-no-timeout") as second:
        first.wait_ready()
        second.wait_ready()
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
        assert second.get("/debug/pprof/cmdline", timeout=10)
        with pytest.raises(ToolchainError):
            first.get("/debug/pprof/cmdline", timeout=5)


@pytest.mark.xdist_group("go")
def test_reproducer_runs_under_an_earlier_go_release(kb):
    from advisor.toolchains import go_binary

    go = go_binary("1.21")  # installed into the user cache on first use
    result = run(kb, "integer-divide-by-zero", "repro", go=go)
    assert result.go_version.startswith("go1.21.13 ")
    assert re2.search(kb.entries["integer-divide-by-zero"].repro.expect_output, result.output)
    assert result.exit_status == 2


@pytest.mark.xdist_group("go")
def test_frame_elision_dates_from_go_1_21(kb):
    """The version note says `...N frames elided...` arrived in Go 1.21 (not 1.27): the
    reproducer run under go1.21.13 prints it, as samples/repro-go1.21.13.log recorded."""
    from advisor.toolchains import go_binary

    result = run(kb, "stack-overflow-infinite-recursion", "repro", go=go_binary("1.21"))
    assert result.go_version.startswith("go1.21.")
    assert re2.search(r"(?m)^\.\.\.[0-9]+ frames elided\.\.\.$", result.output), result.output[-2000:]
    note = next(n for n in kb.entries["stack-overflow-infinite-recursion"].go_versions.notes
                if "frames elided" in n.note)
    assert note.version == "1.21" and note.sample == "samples/repro-go1.21.13.log"
