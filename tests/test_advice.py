"""The parts of 'advice that has been run' that need no Go toolchain: which advice counts
as turning a knob, how demonstration checks read an output, how commands are rewritten
for a live reproducer, how the site marks run and not-run advice, and that structured
`now` steps survive the KB cache."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import pytest

from advisor.kb import view_of
from advisor.knobs import knobs_turned
from advisor.models import Demonstration, Detection, OutputCheck, Step
from advisor.site.advice_marks import detection_mark, link_entry_mentions, verification_mark
from advisor.verify import check_output, failed_checks, substitute_live

from .conftest import run_advisor

GCTRACE = """gc 1 @0.102s 11%: 0.18+78+0.008 ms clock, 49->56->54 MB, 49 MB goal, 2 P
gc 2 @0.188s 21%: 0.31+123+0.094 ms clock, 54->68->68 MB, 54 MB goal, 2 P
runtime/metrics: 17 GC cycles in 2.0s (8/s), GC CPU 1.56s of 3.82s available (41%), 47% of the CPU used
"""


@pytest.mark.parametrize("text, knobs", [
    ("Restart with `GOMEMLIMIT=900MiB`.", ["GOMEMLIMIT"]),
    ("set `GOMEMLIMIT` to about 80-90 % of the limit", ["GOMEMLIMIT"]),
    ("debug.SetMemoryLimit(limit * 9 / 10) and debug.SetGCPercent(100)", ["GOGC", "GOMEMLIMIT"]),
    ("ulimit -c unlimited, then GOTRACEBACK=crash", ["GOTRACEBACK", "ulimit"]),
    ("as a stopgap, `GODEBUG=invalidptr=0` stops the GC from crashing", ["GODEBUG=invalidptr"]),
    ("t.MaxIdleConnsPerHost = 32", ["http.Transport limit"]),
    ("client := &http.Client{Transport: t, Timeout: 3 * time.Second}", ["http.Client.Timeout"]),
])
def test_advice_that_sets_a_knob_is_recognised(text, knobs):
    assert knobs_turned(text) == knobs


@pytest.mark.parametrize("text", [
    "Confirm with gctrace (`GODEBUG=gctrace=1`) and `GODEBUG=schedtrace=1000`.",
    "Check the settings: `GOMEMLIMIT`/`GOGC` in the environment.",
    "`ulimit -u` and `cat /proc/PID/limits` show the limit.",
    "`GODEBUG=netdns=2` prints the resolver's decisions.",
])
def test_reading_a_knob_is_not_turning_it(text):
    assert knobs_turned(text) == []


def test_value_check_reads_the_number_on_the_last_matching_line():
    check = OutputCheck(value=r"gc \d+ @[0-9.]+s ([0-9]+)%", at_least=20)
    assert check_output(check, GCTRACE) == (True, "value 21")
    assert not check_output(OutputCheck(value=r"gc \d+ @[0-9.]+s ([0-9]+)%", at_most=20), GCTRACE)[0]


def test_count_pattern_and_absent_checks():
    assert check_output(OutputCheck(count=r"^gc \d+ ", at_most=2), GCTRACE)[0]
    assert not check_output(OutputCheck(count=r"^gc \d+ ", at_least=3), GCTRACE)[0]
    assert check_output(OutputCheck(pattern=r"^runtime/metrics: \d+ GC cycles"), GCTRACE)[0]
    assert not check_output(OutputCheck(absent=r"GC CPU"), GCTRACE)[0]
    assert failed_checks([OutputCheck(value=r"no such (\d+)", at_most=1)], GCTRACE) == [
        "the number in /no such (\\d+)/ <= 1 (no number found)"]


def test_a_check_must_say_one_thing():
    with pytest.raises(ValueError, match="exactly one of pattern, absent, value, count"):
        OutputCheck(pattern="a", absent="b")
    with pytest.raises(ValueError, match="needs at_least or at_most"):
        OutputCheck(value="(1)")
    with pytest.raises(ValueError, match="needs 'expect' checks or 'expect_exit'"):
        Demonstration(env={"GOGC": "100"})


def test_live_commands_get_the_running_reproducers_address_and_pid():
    live = SimpleNamespace(base_url="http://127.0.0.1:41234", proc=SimpleNamespace(pid=4242))
    cmd = ("curl -s 'http://localhost:6060/debug/pprof/goroutine?debug=1'; "
           "curl -s 'localhost:6060/x'; grep Threads /proc/$(pidof server)/status")
    assert substitute_live(cmd, live) == (
        "curl -s 'http://127.0.0.1:41234/debug/pprof/goroutine?debug=1'; "
        "curl -s '127.0.0.1:41234/x'; grep Threads /proc/4242/status")


def test_steps_with_a_demonstration_stay_text_and_survive_the_cache(kb):
    entry = kb.entries["gc-thrashing-near-memory-limit"]
    demonstrated = [s for s in entry.now if s.demonstration is not None]
    assert demonstrated and all(isinstance(s, (str, Step)) for s in entry.now)
    step = demonstrated[0]
    assert step.startswith("Stop the bleeding") and step.demonstration.env == {"GOMEMLIMIT": "256MiB"}
    again = pickle.loads(pickle.dumps(entry))
    assert again.now[entry.now.index(step)].demonstration == step.demonstration
    dumped = entry.model_dump(mode="json")["now"]
    assert {"step", "demonstration"} <= set(next(d for d in dumped if isinstance(d, dict)))
    assert view_of(kb).entries[entry.id].now  # the match path's pydantic-free copy still loads


def test_the_site_marks_what_was_run_and_what_was_not():
    demo = Demonstration(env={"GOMEMLIMIT": "256MiB"}, expect=[OutputCheck(absent="^GC thrashing")])
    assert verification_mark(demo, None).startswith('<span class="fm-verify fm-verify--run">run</span>')
    assert "`GOMEMLIMIT=256MiB`" in verification_mark(demo, None)
    marked = verification_mark(None, "The hard limit is set outside the program.")
    assert marked.startswith('<span class="fm-verify fm-verify--not-run">not run</span> The hard limit')
    d = Detection(title="t", command="staticcheck ./...", look_for="x", not_run="staticcheck is not installed.")
    assert "not run</span> staticcheck is not installed." in detection_mark(d)


def test_entry_ids_in_prose_become_links_but_code_and_links_stay():
    titles = {"data-race": "Data race", "data-race-extra": "Other", "nil-map-assignment": "Nil map"}
    text = "Like data-race (see `data-race`, [data-race](x.md)); not nil-map-assignment-like or data-race-extra."
    assert link_entry_mentions(text, titles, self_id="nil-map-assignment") == (
        "Like [data-race](data-race.md) (see `data-race`, [data-race](x.md)); not nil-map-assignment-like "
        "or [data-race-extra](data-race-extra.md).")


def test_verify_command_refuses_unknown_ids_and_empty_calls():
    proc = run_advisor("verify", "no-such-entry")
    assert proc.returncode == 2 and proc.stderr.startswith(b"advisor: no failure mode with id")
    proc = run_advisor("verify")
    assert proc.returncode == 2 and b"--all" in proc.stderr
