"""Run an entry's advice: the demonstrations of knob-turning steps and the detection
commands, against its real reproducer.

`verify_entry(kb, id)` runs everything one entry declares and returns one `Outcome`
per item; the test suite and `advisor verify` call it. Runs of the reproducer are
shared: the unchanged reproducer runs once per process (`shared_run`) and serves as
the baseline of every demonstration and as the log of every `on: output` command;
all `on: live` commands of an entry share one background process.

Commands are the entry's own text, executed by bash with only the documented
substitutions (see models.DetectionRun), in the reproducer's build folder, with this
project's Go toolchain first on PATH and a time limit on the whole process group.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import containment
from .advice_checks import LIVE_ADDRESSES, PID_PLACEHOLDER, PROGRAM_PLACEHOLDER
from .kb import KnowledgeBase
from .models import Demonstration, Detection, FailureMode, OutputCheck
from .regex import compile_re2, linear
from .repro import LiveRepro, RunResult, build, build_dir, find_go, go_env, run, start

# Entry commands are reviewed KB text; these read them, so they are registered too.
_CGO_FLAG = linear(re.compile(r"-race\b|-asan\b"), reads="entry commands")
_UNSAFE_NAME = linear(re.compile(r"[^A-Za-z0-9_.=-]+"), reads="entry settings")
_GO_TOOL = linear(re.compile(r"\bgo tool ([a-z0-9]+)"), reads="entry commands")


@dataclass
class Outcome:
    """One demonstration or detection command, and what its run showed."""

    entry_id: str
    kind: str  # "demonstration" or "detection"
    where: str  # e.g. "fixes[0]", "now[2]", "detection[1]"
    title: str
    ok: bool
    detail: str  # what failed, or what the run showed
    seconds: float
    output: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.entry_id} {self.where} ({self.kind}, {self.seconds:.1f} s): {self.title}: {self.detail}"


# --------------------------------------------------------------------------- output checks


def _rx(pattern: str):
    return compile_re2("(?m)" + pattern)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def check_output(check: OutputCheck, text: str) -> tuple[bool, str]:
    """Does the output satisfy one check? (result, what was seen)."""
    if check.pattern is not None:
        m = _rx(check.pattern).search(text)
        return (m is not None, f"matched {m.group(0)[:120]!r}" if m else "no match")
    if check.absent is not None:
        m = _rx(check.absent).search(text)
        return (m is None, f"found {m.group(0)[:120]!r}" if m else "absent")
    if check.value is not None:
        rx = compile_re2(check.value)
        seen = None
        for line in text.splitlines():
            m = rx.search(line)
            if m and m.groups():
                seen = _number(m.group(1))
        if seen is None:
            return False, "no number found"
        return _within(seen, check), f"value {seen:g}"
    rx = compile_re2(check.count)
    n = sum(1 for line in text.splitlines() if rx.search(line))
    return _within(n, check), f"{n} matching lines"


def _within(n: float, check: OutputCheck) -> bool:
    return (check.at_least is None or n >= check.at_least) and (check.at_most is None or n <= check.at_most)


def failed_checks(checks: list[OutputCheck], text: str) -> list[str]:
    """The checks the output fails, each described with what was seen."""
    out = []
    for c in checks:
        ok, seen = check_output(c, text)
        if not ok:
            out.append(f"{c.describe()} ({seen})")
    return out


# --------------------------------------------------------------------------- shared runs

_RUNS: dict[tuple, RunResult] = {}


def shared_run(kb: KnowledgeBase, ident: str, variant: str = "repro", *, env: dict[str, str] | None = None,
               args: list[str] | None = None) -> RunResult:
    """One run per (program, setting) per process: the baseline of demonstrations, the log
    of `on: output` commands, and the signature test's run all read the same output."""
    key = (str(kb.root), ident, variant, tuple(sorted((env or {}).items())),
           None if args is None else tuple(args))
    if key not in _RUNS:
        _RUNS[key] = run(kb, ident, variant, env=env or None, args=args)  # type: ignore[arg-type]
    return _RUNS[key]


def _demo_failures(demo: Demonstration, result: RunResult) -> list[str]:
    failures = failed_checks(demo.expect, result.output)
    if demo.expect_exit is not None and result.exit_status != demo.expect_exit:
        failures.append(f"exit status {demo.expect_exit} ({result.status_text})")
    return failures


def demonstrate(kb: KnowledgeBase, entry: FailureMode, demo: Demonstration) -> tuple[bool, str, RunResult]:
    """Run the reproducer with the setting; check the effect against the unchanged run."""
    result = shared_run(kb, entry.id, demo.variant, env=demo.env, args=demo.args)
    failures = _demo_failures(demo, result)
    if failures:
        return False, "with the setting: " + "; ".join(failures), result
    baseline = shared_run(kb, entry.id, "repro")
    base_fail = _demo_failures(demo, baseline)
    if demo.baseline == "differs" and not base_fail:
        return False, ("the unchanged reproducer passes the same checks, so they do not show "
                       "the setting's effect"), result
    if demo.baseline == "same" and base_fail:
        return False, "the unchanged reproducer fails the checks: " + "; ".join(base_fail), result
    shown = "; ".join([check_output(c, result.output)[1] for c in demo.expect]
                      + ([result.status_text] if demo.expect_exit is not None else []))
    contrast = ("unchanged reproducer: " + "; ".join(base_fail)) if base_fail else "same without the setting"
    return True, f"{shown} ({contrast})", result


# --------------------------------------------------------------------------- detection commands


def _shell(command: str, cwd: Path, env: dict[str, str], seconds: int,
           prefix: tuple[str, ...] = ()) -> tuple[str, bool]:
    """Run one command line with bash (under `prefix`, e.g. the sandbox); (output, timed out)."""
    bash = shutil.which("bash") or "/bin/bash"  # the sandbox execs a path, it does not search PATH
    proc = subprocess.Popen([*prefix, bash, "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    return out.decode("utf-8", "replace"), timed_out


def _command_env(entry: FailureMode, program_env: dict[str, str], go: Path, command: str = "") -> dict[str, str]:
    """The shell's environment: the project's Go settings, the toolchain first on PATH and,
    for `on: program`, the program's own environment (the command's assignments go on
    top, as they would on the service). Tools such as `go` never get repro.env: a
    GOMEMLIMIT meant for the reproducer would make the compiler thrash."""
    cgo = entry.repro.cgo or "-race" in entry.repro.build_flags or _CGO_FLAG.search(command)
    env = go_env(program_env, cgo=bool(cgo))
    env["PATH"] = f"{go.parent}{os.pathsep}{env.get('PATH', '')}"
    env["PPROF_TMPDIR"] = str(build_dir() / "verify" / "pprof")  # not ~/pprof
    # -trimpath as in the reproducer builds: `go vet`, `go build -race` and the like reuse
    # the packages those builds compiled instead of compiling the standard library again.
    env["GOFLAGS"] = (env.get("GOFLAGS", "") + " -trimpath").strip()
    return env


def substitute_live(command: str, live: LiveRepro) -> str:
    host = live.base_url.removeprefix("http://")
    for placeholder in LIVE_ADDRESSES:  # longest first: the URL forms before the bare ones
        command = command.replace(placeholder, live.base_url if placeholder.startswith("http") else host)
    return command.replace(PID_PLACEHOLDER, str(live.proc.pid))


def _wait_for(live: LiveRepro, pattern: str | None, seconds: float) -> dict[str, str] | None:
    """Wait until the program prints `pattern`; return its named groups (None: never)."""
    if pattern is None:
        return {}
    rx, deadline = _rx(pattern), time.monotonic() + seconds
    while time.monotonic() < deadline:
        m = rx.search(live.output_path.read_text(encoding="utf-8", errors="replace"))
        if m:
            return {k: v for k, v in m.groupdict().items() if v is not None}
        if live.proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def _judge(entry: FailureMode, where: str, d: Detection, out: str, timed_out: bool, started: float) -> Outcome:
    m = _rx(d.run.look_for_pattern).search(out)
    if m:
        detail = f"output matches look_for_pattern: {m.group(0).strip()[:120]!r}"
    else:
        tail = " | ".join(out.strip().splitlines()[-3:])[:300]
        detail = ("command timed out; " if timed_out else "") + f"look_for_pattern not found; output ends: {tail!r}"
    return Outcome(entry.id, "detection", where, d.title, m is not None, detail,
                   time.monotonic() - started, out)


def _run_program_or_source(kb: KnowledgeBase, entry: FailureMode, d: Detection, go: Path) -> tuple[str, bool]:
    """Run a command that builds or runs the reproducer: inside the same loopback-only
    sandbox as every reproducer run (containment.isolation), where this machine has one."""
    r = d.run
    sandbox, _ = containment.isolation()
    binary, _ = build(entry, kb.entry_dir(entry.id), r.variant, go)
    command = d.command
    if r.on == "source":  # `go version -m ./server` and the like name the built program
        link = binary.parent / "server"
        link.unlink(missing_ok=True)
        link.symlink_to(binary.name)
    if r.on == "program":
        argv = [str(binary), *(entry.repro.args if r.args is None else r.args)]
        command = command.replace(PROGRAM_PLACEHOLDER,
                                  f"timeout -s KILL {r.seconds} {' '.join(map(shlex.quote, argv))}")
    program_env = {**entry.repro.env, **r.env} if r.on == "program" else r.env
    return _shell(command, binary.parent, _command_env(entry, program_env, go, command), r.seconds + 10,
                  prefix=sandbox)


def _run_on_output(kb: KnowledgeBase, entry: FailureMode, d: Detection, go: Path) -> tuple[str, bool]:
    r = d.run
    result = shared_run(kb, entry.id, r.variant, env=r.env or None, args=r.args)
    folder = build_dir() / "verify" / entry.id
    folder.mkdir(parents=True, exist_ok=True)
    setting = [f"{k}={v}" for k, v in sorted(r.env.items())] + list(r.args or [])
    name = _UNSAFE_NAME.sub("_", "-".join([r.variant, *setting]))
    log = folder / f"{name}.log"
    log.write_text(result.output, encoding="utf-8")
    stands_for = shlex.quote(str(log))
    replacement = f"cat {stands_for}" if any(c.isspace() for c in r.input.strip()) else stands_for
    command = d.command.replace(r.input, replacement)
    return _shell(command, folder, _command_env(entry, {}, go), r.seconds)


def _detections(entry: FailureMode) -> Iterator[tuple[str, Detection]]:
    for i, d in enumerate(entry.detection):
        if d.run is not None:
            yield f"detection[{i}]", d


def _check_recorded(kb: KnowledgeBase, entry: FailureMode, where: str, d: Detection) -> Outcome:
    started = time.monotonic()
    text = (kb.entry_dir(entry.id) / d.run.recorded).read_text(encoding="utf-8", errors="replace")
    out = "\n".join(ln for ln in text.splitlines() if not ln.startswith("# "))
    outcome = _judge(entry, where, d, out, False, started)
    outcome.detail = f"recorded in {d.run.recorded}: {outcome.detail}"
    return outcome


def run_detections(kb: KnowledgeBase, entry: FailureMode, go: Path | None = None, *,
                   rerun_recorded: bool = False) -> list[Outcome]:
    """Execute every detection command with `run:`; live ones share one background process
    per (variant, env, args). A command with `recorded:` output is checked on that file
    unless `rerun_recorded`."""
    go = go or find_go()
    outcomes: list[Outcome] = []
    live_groups: dict[tuple, list[tuple[str, Detection]]] = {}
    for where, d in _detections(entry):
        if d.run.recorded and not rerun_recorded:
            outcomes.append(_check_recorded(kb, entry, where, d))
            continue
        if d.run.on == "live":
            key = (d.run.variant, tuple(sorted(d.run.env.items())), tuple(d.run.args or ()) if d.run.args
                   is not None else None)
            live_groups.setdefault(key, []).append((where, d))
            continue
        started = time.monotonic()
        runner = _run_on_output if d.run.on == "output" else _run_program_or_source
        out, timed_out = runner(kb, entry, d, go)
        outcomes.append(_judge(entry, where, d, out, timed_out, started))
    for (variant, env, args), group in live_groups.items():
        outcomes.extend(_run_live_group(kb, entry, variant, dict(env), args, group, go))
    order = {where: i for i, (where, _) in enumerate(_detections(entry))}
    return sorted(outcomes, key=lambda o: order[o.where])


def _warm_go_tools(commands: list[str], env: dict[str, str], cwd: Path) -> None:
    """Build the `go tool X` programs a command needs before the reproducer starts: since
    Go 1.24 tools such as pprof are built on first use (a minute here), which a
    reproducer that runs for seconds would not outlive."""
    for tool in sorted({m.group(1) for c in commands for m in _GO_TOOL.finditer(c)}):
        _shell(f"go tool {tool} -h", cwd, env, 600)


def _run_live_group(kb: KnowledgeBase, entry: FailureMode, variant: str, env: dict[str, str],
                    args: tuple[str, ...] | None, group: list[tuple[str, Detection]], go: Path) -> list[Outcome]:
    outcomes = []
    shell_env = _command_env(entry, {}, go)
    _warm_go_tools([d.command for _, d in group], shell_env, build_dir())
    started = time.monotonic()
    with start(kb, entry.id, variant, env=env, go=go,  # type: ignore[arg-type]
               args=None if args is None else list(args)) as live:
        live.wait_ready()
        for where, d in group:
            t0 = time.monotonic()
            captured = _wait_for(live, d.run.wait_for, d.run.seconds)
            if captured is None:
                outcomes.append(Outcome(entry.id, "detection", where, d.title, False,
                                        f"the program never printed /{d.run.wait_for}/",
                                        time.monotonic() - started))
                continue
            time.sleep(d.run.after_seconds)
            command = substitute_live(d.command, live)
            for name, value in captured.items():  # e.g. HOST from the program's own output
                command = command.replace(name, value)
            if d.run.in_netns and not live.notes:  # the program runs in its own network namespace
                command = (f"nsenter --target {live.proc.pid} --user --net --preserve-credentials "
                           f"bash -c {shlex.quote(command)}")
            for attempt in range(d.run.attempts):
                if attempt:
                    time.sleep(1.0)
                out, timed_out = _shell(command, live.output_path.parent, shell_env, d.run.seconds)
                if _rx(d.run.look_for_pattern).search(out):
                    break
            outcomes.append(_judge(entry, where, d, out, timed_out, t0))
    return outcomes


# --------------------------------------------------------------------------- everything of one entry


def demonstrations(entry: FailureMode) -> Iterator[tuple[str, str, Demonstration]]:
    """(where, title, demonstration) of every step, fix and correction that has one."""
    for i, step in enumerate(entry.now):
        if step.demonstration is not None:
            yield f"now[{i}]", str(step).split(". ")[0][:80], step.demonstration
    for i, fix in enumerate(entry.fixes):
        if fix.demonstration is not None:
            yield f"fixes[{i}]", fix.title, fix.demonstration
    for i, corr in enumerate(entry.corrections):
        if corr.demonstration is not None:
            yield f"corrections[{i}]", corr.claim[:80], corr.demonstration


def run_demonstrations(kb: KnowledgeBase, entry: FailureMode) -> list[Outcome]:
    outcomes = []
    for where, title, demo in demonstrations(entry):
        started = time.monotonic()
        ok, detail, result = demonstrate(kb, entry, demo)
        outcomes.append(Outcome(entry.id, "demonstration", where, title, ok, detail,
                                time.monotonic() - started, result.output))
    return outcomes


def verify_entry(kb: KnowledgeBase, ident: str, go: Path | None = None, *,
                 rerun_recorded: bool = False) -> list[Outcome]:
    """Every demonstration and every executed detection command of one entry."""
    entry = kb.entries[ident]
    if entry.repro is None:
        return []
    return run_demonstrations(kb, entry) + run_detections(kb, entry, go, rerun_recorded=rerun_recorded)
