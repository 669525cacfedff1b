"""Validator rules for advice that has been run (registered in validate.FILE_CHECKS).

- A `now` step or fix that turns a runtime knob (see knobs.py) carries a
  `demonstration` or an `unverified` reason; a demonstration needs a reproducer.
- Every detection command is either executed by the tests (`run`) or marked `not_run`
  with the reason; an entry with a reproducer executes at least one. A run's
  placeholders must be in the command, or the runner would execute something else.
- Every `go_versions` note cites a `source` or names a committed `sample` recorded
  with that Go release.
- Every pattern in these fields compiles under RE2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import re2

from .knobs import knobs_turned
from .models import Demonstration, Detection, FailureMode
from .regex import compile_re2
from .validate import FileCheck, Issue, LoadedFile, _at, _field_name

# Stand-ins a command uses for the running service (see models.DetectionRun).
LIVE_ADDRESSES = ("http://127.0.0.1:6060", "http://localhost:6060", "127.0.0.1:6060", "localhost:6060")
PID_PLACEHOLDER = "$(pidof server)"
PROGRAM_PLACEHOLDER = "./server"


def _pattern_issues(f: LoadedFile, loc: tuple[Any, ...], pattern: str | None, check: str) -> Iterable[Issue]:
    if pattern is None:
        return
    try:
        compile_re2(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        yield _at(f, loc, f"field '{_field_name(loc)}': regex does not compile under RE2 ({reason}); "
                  "RE2 has no backreferences or lookaround", check)


def _demo_issues(f: LoadedFile, loc: tuple[Any, ...], demo: Demonstration, check: str) -> Iterable[Issue]:
    m = f.model
    if isinstance(m, FailureMode) and m.repro is None:
        yield _at(f, loc, f"field '{_field_name(loc)}': a demonstration runs the reproducer, but this "
                  "entry has no repro section; add one or use 'unverified: <reason>'", check)
    for i, c in enumerate(demo.expect):
        for name in ("pattern", "absent", "value", "count"):
            yield from _pattern_issues(f, loc + ("expect", i, name), getattr(c, name), check)


def _is_sample(f: LoadedFile, sample: str, folders: tuple[str, ...] = ("samples/",)) -> bool:
    folder = f.path.parent.resolve()
    path = (folder / sample).resolve()
    return sample.startswith(folders) and folder in path.parents and path.is_file()


class KnobAdviceCheck(FileCheck):
    """Advice that turns a runtime knob has been run, or says why not."""

    name = "verified-advice"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if not isinstance(m, FailureMode):
            return
        for i, step in enumerate(m.now):
            yield from self._one(f, ("now", i), str(step), step.demonstration, step.unverified,
                                 "write the step as a mapping {step: ..., demonstration: ...} "
                                 "or {step: ..., unverified: <why it cannot be run here>}")
        for i, fix in enumerate(m.fixes):
            text = " ".join(t for t in (fix.title, fix.detail, fix.after) if t)
            yield from self._one(f, ("fixes", i), text, fix.demonstration, fix.unverified,
                                 "add 'demonstration:' (the reproducer run with the setting and a "
                                 "check on its output) or 'unverified: <why it cannot be run here>'")
        for i, corr in enumerate(m.corrections):
            if corr.demonstration is not None:
                yield from _demo_issues(f, ("corrections", i, "demonstration"), corr.demonstration, self.name)

    def _one(self, f: LoadedFile, loc: tuple[Any, ...], text: str, demo: Demonstration | None,
             unverified: str | None, how: str) -> Iterable[Issue]:
        if demo is not None and unverified is not None:
            yield _at(f, loc, f"field '{_field_name(loc)}': give a demonstration or an unverified "
                      "reason, not both", self.name)
        if demo is not None:
            yield from _demo_issues(f, loc + ("demonstration",), demo, self.name)
            return
        if unverified is not None:
            return
        knobs = knobs_turned(text)
        if knobs:
            yield _at(f, loc, f"field '{_field_name(loc)}': turns a runtime knob ({', '.join(knobs)}) "
                      f"but shows no run; {how}", self.name)


class DetectionRunCheck(FileCheck):
    """Every detection command is executed by the tests or visibly not run."""

    name = "executed-detection"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if not isinstance(m, FailureMode):
            return
        for i, d in enumerate(m.detection):
            yield from self._one(f, ("detection", i), d)
        if m.repro is not None and m.detection and not any(d.run for d in m.detection):
            yield _at(f, ("detection",), "field 'detection': no command is executed against the "
                      "reproducer; give at least one a 'run:' (on: live, program, output or source) "
                      "with a look_for_pattern", self.name)

    def _one(self, f: LoadedFile, loc: tuple[Any, ...], d: Detection) -> Iterable[Issue]:
        name = _field_name(loc)
        if (d.run is None) == (d.not_run is None):
            yield _at(f, loc, f"field '{name}': say how the tests execute this command ('run:') or "
                      "why it is not run ('not_run: <reason>'), exactly one of them", self.name)
        r = d.run
        if r is None:
            return
        if f.model.repro is None:  # type: ignore[union-attr]
            yield _at(f, loc + ("run",), f"field '{name}.run': commands run against the reproducer, "
                      "and this entry has none; use not_run", self.name)
        rloc = loc + ("run",)
        yield from _pattern_issues(f, rloc + ("look_for_pattern",), r.look_for_pattern, self.name)
        yield from _pattern_issues(f, rloc + ("wait_for",), r.wait_for, self.name)
        problem = self._placeholder_problem(d)
        if problem:
            yield _at(f, rloc + ("on",), f"field '{name}.run.on': {problem}", self.name)
        if r.recorded is not None and not _is_sample(f, r.recorded, ("samples/", "recorded/")):
            yield _at(f, rloc + ("recorded",), f"field '{name}.run.recorded': '{r.recorded}' is not a "
                      "file under this entry's samples/ or recorded/", self.name)

    @staticmethod
    def _placeholder_problem(d: Detection) -> str | None:
        # A live command may also read host state while the program runs (`ss`), so it
        # needs no placeholder; program and output commands would run something else.
        r, cmd = d.run, d.command
        if r.on == "program" and PROGRAM_PLACEHOLDER not in cmd:
            return f"'program' runs the reproducer in place of '{PROGRAM_PLACEHOLDER}', which the command lacks"
        if r.on == "output" and (r.input is None or r.input not in cmd):
            return ("'output' needs 'input:', the exact text of the command that reads the log "
                    "(e.g. 'kubectl logs --previous POD')")
        if r.on != "output" and r.input is not None:
            return "'input' is used only with on: output"
        if r.on == "source" and r.args is not None:
            return "'args' has no program to go to with on: source; write the arguments into the command"
        if r.on != "live" and (r.wait_for is not None or r.after_seconds or r.attempts > 1 or r.in_netns):
            return "'wait_for', 'after_seconds', 'attempts' and 'in_netns' are used only with on: live"
        return None


class VersionNoteSourceCheck(FileCheck):
    """A version note cites a source or a sample recorded with that Go release."""

    name = "sourced-notes"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if not isinstance(m, FailureMode):
            return
        for i, n in enumerate(m.go_versions.notes):
            loc = ("go_versions", "notes", i)
            if n.source is None and n.sample is None:
                yield _at(f, loc, f"field '{_field_name(loc)}': the note about Go {n.version} cites "
                          "nothing; add 'source:' (release-note anchor, CL or issue URL) or 'sample:' "
                          "(a samples/ file recorded with that release)", self.name)
            if n.sample is not None:
                problem = self._sample_problem(f, n.sample, n.version)
                if problem:
                    yield _at(f, loc + ("sample",), f"field '{_field_name(loc + ('sample',))}': {problem}",
                              self.name)

    @staticmethod
    def _sample_problem(f: LoadedFile, sample: str, version: str) -> str | None:
        if not _is_sample(f, sample):
            return f"'{sample}' is not a file under this entry's samples/"
        path = (f.path.parent / sample).resolve()
        head = path.read_bytes()[:4096].decode("utf-8", "replace").splitlines()[:15]
        go = next((ln.split(":", 1)[1].strip() for ln in head if ln.lower().startswith("# go:")), None)
        if go is None:
            return f"'{sample}' has no '# go: go1.N.M' header line naming the release it was recorded with"
        minor = ".".join(version.split(".")[:2])
        if not (go.startswith(f"go{minor}.") or go.startswith(f"go{minor} ")):
            return f"'{sample}' was recorded with {go.split()[0]}, not Go {version}"
        return None


CHECKS: list[FileCheck] = [KnobAdviceCheck(), DetectionRunCheck(), VersionNoteSourceCheck()]
