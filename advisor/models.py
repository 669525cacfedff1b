"""The pydantic models: the single source of truth for entries, postmortems and rules.

`schemas/*.json` is generated from these classes (`advisor schema --write`), so the
docstrings and field descriptions below are what contributors see in their editor.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    StringConstraints,
    Tag,
    model_validator,
)

from .buildflags import BUILD_FLAG_SCHEMA_PATTERN, check_build_flag, check_env
from .identities import OWNER_SCHEMA_PATTERN, check_owner

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
POSTMORTEM_ID_PATTERN = r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$"
GO_VERSION_PATTERN = r"^1\.\d+(?:\.\d+)?$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntryId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
GoVersion = Annotated[str, StringConstraints(pattern=GO_VERSION_PATTERN)]
CatalogueId = Annotated[str, StringConstraints(pattern=r"^(fatal|panic|print|signal|cgo)/[a-z0-9]+(?:-[a-z0-9]+)*$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Owner = Annotated[str, AfterValidator(check_owner), Field(json_schema_extra={"pattern": OWNER_SCHEMA_PATTERN})]
BuildFlag = Annotated[str, AfterValidator(check_build_flag),
                      Field(json_schema_extra={"pattern": BUILD_FLAG_SCHEMA_PATTERN})]


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt field must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Category(str, Enum):
    crash = "crash"
    goroutine_leak = "goroutine-leak"
    memory = "memory"
    runtime = "runtime"
    network = "network"


class Severity(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


# --------------------------------------------------------------------------- rules


class GoroutinePredicate(Strict):
    """Matches buckets of a goroutine dump (goroutines grouped by state and stack).

    Buckets that satisfy every given condition are grouped by their first non-runtime
    frame; the largest group must reach `min_count` goroutines and `min_share` of all
    goroutines in the dump.
    """

    state: list[Text] = Field(
        default_factory=list,
        description="Regexes; a bucket matches if its state (e.g. 'chan send', 'select', "
        "'semacquire', 'IO wait', 'syscall') matches any. Empty: any state.",
    )
    function: Text | None = Field(
        None, description="Regex that some frame's function name of the bucket must match."
    )
    created_by: Text | None = Field(
        None, description="Regex over the function in the bucket's `created by` line."
    )
    stack: Text | None = Field(
        None,
        description="Regex over the bucket's function names joined top-first with ' > ', "
        "e.g. '^runtime\\.throw > runtime\\.mapassign' (a throw from inside map code).",
    )
    min_count: int = Field(1, ge=1, description="Goroutines in the largest matching group.")
    min_share: float = Field(
        0.0, ge=0.0, le=1.0, description="Fraction of all goroutines in the largest group."
    )
    min_wait_minutes: int = Field(
        0, ge=0, description="Longest wait ('[chan send, 37 minutes]') in the group."
    )
    leaked: bool | None = Field(
        None,
        description="true: only goroutines the goroutine-leak profile marked '(leaked)' (the "
        "collector proved them unreachable, Go 1.26+); false: only goroutines not so marked.",
    )


class SanitizerPredicate(Strict):
    """Matches a report of AddressSanitizer, LeakSanitizer or MemorySanitizer (-asan, -msan)."""

    tool: list[Literal["asan", "lsan", "msan", "tsan"]] = Field(
        default_factory=list, description="Sanitizers whose reports count; empty: any."
    )
    error: Text | None = Field(
        None, description="Regex over the error kind, e.g. 'heap-use-after-free|heap-buffer-overflow'."
    )
    go_frames: bool | None = Field(
        None, description="true: the report's stack has Go frames (a Go program, not a C one)."
    )
    cgo: bool | None = Field(
        None, description="true: the stack passes through cgo glue (_cgo_, _Cfunc_): the bug is in C "
        "code called from Go; false: it does not (Go code itself, e.g. unsafe)."
    )


class GctracePredicate(Strict):
    """Matches `GODEBUG=gctrace=1` lines."""

    min_cycles: int = Field(1, ge=1, description="At least this many gc lines.")
    forced: bool | None = Field(
        None, description="true: at least one cycle is marked '(forced)'."
    )
    min_forced_share: float = Field(0.0, ge=0.0, le=1.0)
    min_cpu_percent: float | None = Field(
        None, ge=0.0, description="The cumulative GC CPU share ('@12.3s 45%') reaches this."
    )
    min_cycles_per_second: float | None = Field(
        None, ge=0.0, description="GC frequency over the span the lines cover."
    )
    heap_near_goal: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Share of cycles whose live heap after GC is at least 90 % of the goal "
        "(the collector cannot get ahead: typical near GOMEMLIMIT).",
    )
    growing_heap: bool | None = Field(
        None, description="true: the live heap after GC keeps rising across the lines."
    )


class HeapPredicate(Strict):
    """Matches a heap or allocs profile: pprof protobuf (`curl .../debug/pprof/heap`),
    `go tool pprof -top` / `-traces` text, or `?debug=1` text.

    Allocation stacks (top frame first, as the runtime records them, with leading
    `runtime.` and `internal/runtime/` frames hidden) that satisfy every given condition
    are summed in the chosen sample type; that sum must reach `min_share` of the
    profile's total (and stay at or under `max_share`). When two profiles are compared
    (`advisor diff`, `advisor watch`), the predicate reads the growth between them unless
    `on` says otherwise.
    """

    sample: Literal["inuse_space", "inuse_objects", "alloc_space", "alloc_objects"] = Field(
        "inuse_space", description="Which value of the profile to sum (in-use bytes by default)."
    )
    function: Text | None = Field(
        None, description="Regex that some function of the allocation stack must match."
    )
    top: Text | None = Field(
        None,
        description="Regex the allocating code must match: the first frame outside runtime "
        "machinery (e.g. '^time\\.NewTimer$').",
    )
    stack: Text | None = Field(
        None, description="Regex over the stack's functions joined top-first with ' > '."
    )
    exclude: Text | None = Field(
        None, description="Regex: stacks with a function matching it are not counted."
    )
    min_share: float = Field(
        0.0, ge=0.0, le=1.0, description="Fraction of the profile total under matching stacks."
    )
    max_share: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="At most this fraction (for absence: 'C.malloc is not in the Go heap').",
    )
    min_bytes: int = Field(
        0, ge=0, description="The matching sum in the sample's unit (bytes or objects)."
    )
    min_object_size: int | None = Field(
        None,
        ge=1,
        description="Average bytes per in-use object under matching stacks (a few huge "
        "buffers rather than many small objects).",
    )
    on: Literal["auto", "profile", "growth"] = Field(
        "auto",
        description="auto: the growth when two profiles are compared, else the profile; "
        "profile: always the (newest) profile; growth: only when comparing two profiles.",
    )


class MatchRule(Strict):
    """One piece of evidence. Give exactly one of regex, catalogue, goroutines, gctrace, heap,
    sanitizer, exit_code, kind."""

    id: EntryId = Field(description="Name shown as the evidence's rule (e.g. fatal-header).")
    description: Text | None = None
    regex: Text | None = Field(
        None,
        description="RE2 regular expression over each normalised line (leading whitespace "
        "kept). Linear-time engine: no backreferences or lookaround.",
    )
    ignore_case: bool = False
    catalogue: list[CatalogueId] | None = Field(
        None,
        description="Ids of runtime messages in kb/runtime-messages.yaml (e.g. "
        "'fatal/concurrent-map-writes'). The rule matches the lines the runtime prints for any "
        "of them, compiled to RE2 from the catalogue, so the runtime's wording lives in one place "
        "and every release's variant is covered. The messages must be classified as this entry.",
    )
    min_lines: int = Field(1, ge=1, description="regex: at least this many lines must match.")
    goroutines: GoroutinePredicate | None = None
    gctrace: GctracePredicate | None = None
    sanitizer: SanitizerPredicate | None = None
    heap: HeapPredicate | None = Field(
        None, description="Memory in a heap or allocs profile, or its growth between two profiles."
    )
    exit_code: list[int] | None = Field(
        None, description="The process exit status (e.g. 137) or the killing signal."
    )
    kind: list[Text] | None = Field(
        None, description="Input kinds found by the classifier, e.g. goroutine-dump."
    )
    weight: float = Field(
        0.5,
        gt=0.0,
        lt=1.0,
        description="Strength of this evidence alone, in (0, 1). Matched rules combine as "
        "noisy-OR (1 - prod(1 - w)), so more independent evidence ranks higher; use about "
        "0.95 for a proof line, 0.2-0.6 for supporting evidence.",
    )
    decisive: bool = Field(
        False, description="Proof on its own (a fatal header): the entry ranks high."
    )
    requires: list[EntryId] = Field(
        default_factory=list,
        description="Ids of other rules of this entry that must also match for this one to count.",
    )

    @model_validator(mode="after")
    def _exactly_one_matcher(self) -> MatchRule:
        given = [
            n
            for n in ("regex", "catalogue", "goroutines", "gctrace", "heap", "sanitizer", "exit_code", "kind")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a rule needs exactly one of regex, catalogue, goroutines, gctrace, heap, sanitizer, exit_code, "
                "kind "
                f"(got {', '.join(given) or 'none'})"
            )
        return self


class MatchSpec(Strict):
    """The advisor's rules for this entry. Scores of matched rules combine as noisy-OR."""

    rules: list[MatchRule] = Field(min_length=1)
    exclude: list[Text] = Field(
        default_factory=list,
        description="RE2 regexes: if any line matches, this entry's rule score is zeroed "
        "(a more specific entry owns that output).",
    )


# --------------------------------------------------------------------------- advice that has been run


def _check_run_env(env: dict[str, str]) -> dict[str, str]:
    """The reproducer's env rules (buildflags.check_env), plus the switch that puts the leak
    reproducers in their long-running mode (ADVISOR_REPRO_LIVE=1)."""
    check_env({k: v for k, v in env.items() if k != "ADVISOR_REPRO_LIVE"})
    return env


RunEnv = Annotated[dict[str, str], AfterValidator(_check_run_env)]


class OutputCheck(Strict):
    """One assertion on a program's output, in RE2 with `^`/`$` at line ends.

    Give exactly one of `pattern` (must match), `absent` (must not match), `value` (the
    number caught by the pattern's one group, on the last line it matches) or `count`
    (how many lines match); `value` and `count` are compared with `at_least`/`at_most`.
    """

    pattern: Text | None = Field(None, description="RE2 that must match the output.")
    absent: Text | None = Field(None, description="RE2 that must not match the output.")
    value: Text | None = Field(
        None, description="RE2 with one capture group around a number, e.g. "
        "'GC CPU .* \\((\\d+)%\\)'; the number on the last matching line is compared."
    )
    count: Text | None = Field(None, description="RE2; the number of lines it matches is compared.")
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> OutputCheck:
        given = [n for n in ("pattern", "absent", "value", "count") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a check needs exactly one of pattern, absent, value, count "
                             f"(got {', '.join(given) or 'none'})")
        bounded = self.at_least is not None or self.at_most is not None
        if given[0] in ("value", "count") and not bounded:
            raise ValueError(f"'{given[0]}' needs at_least or at_most")
        if given[0] in ("pattern", "absent") and bounded:
            raise ValueError(f"'{given[0]}' takes no at_least/at_most; use value or count")
        return self

    def describe(self) -> str:
        """One line for people: what this check asserts."""
        if self.pattern is not None:
            return f"output matches /{self.pattern}/"
        if self.absent is not None:
            return f"output does not match /{self.absent}/"
        what = f"the number in /{self.value}/" if self.value is not None else f"lines matching /{self.count}/"
        bounds = [f">= {self.at_least:g}" if self.at_least is not None else "",
                  f"<= {self.at_most:g}" if self.at_most is not None else ""]
        return f"{what} {' and '.join(b for b in bounds if b)}"


class Demonstration(Strict):
    """The reproducer run with the setting a step turns, and the output that shows its effect.

    The test suite runs it (`advisor verify ID` does the same by hand) and also runs the
    unchanged reproducer: with `baseline: differs` (the default) the unchanged run must
    fail at least one check, so the checks prove the setting changed something; with
    `baseline: same` both runs must pass them (a setting shown to change nothing).
    """

    variant: Literal["repro", "fixed"] = Field(
        "repro", description="Which program runs: repro/main.go, or fixed/main.go when the "
        "setting is made in code there.")
    env: RunEnv = Field(
        default_factory=dict, description="Environment set over the reproducer's own "
        "repro.env, e.g. {GOMEMLIMIT: 256MiB}.")
    args: list[str] | None = Field(None, description="Arguments instead of repro.args.")
    expect: list[OutputCheck] = Field(
        default_factory=list, description="Checks on the output of the run with the setting.")
    expect_exit: int | None = Field(
        None, description="Exit status of the run with the setting (134 = killed by SIGABRT).")
    baseline: Literal["differs", "same"] = Field(
        "differs", description="differs: the unchanged reproducer fails a check; same: it "
        "passes them too (the setting does not help).")

    @model_validator(mode="after")
    def _something_to_check(self) -> Demonstration:
        if not self.expect and self.expect_exit is None:
            raise ValueError("a demonstration needs 'expect' checks or 'expect_exit'")
        return self


class DetectionRun(Strict):
    """How the test suite executes a detection command, and what its output must show.

    `on` says what the command runs against; the runner then substitutes, and nothing else:

    - `live`: the reproducer runs in the background with net/http/pprof on a loopback
      port; `http://127.0.0.1:6060`, `http://localhost:6060` (and the same without the
      scheme) become its address, `$(pidof server)` its process id.
    - `program`: `./server` becomes the built reproducer (killed after `seconds`), run
      with the entry's repro.env plus `env`; the command runs in the reproducers' sandbox.
    - `output`: the reproducer runs once to the end; `input`, the part of the command
      that reads the log (`kubectl logs --previous POD`, `crash.log`), becomes its saved
      output: a command is replaced by `cat FILE`, a file name by the file.
    - `source`: the command runs in a copy of the program's source with its go.mod, with
      this project's Go toolchain first on PATH (`go vet ./...`, `go build -race`), in the
      reproducers' sandbox; the built program is there as `./server` (`go version -m ./server`).
    """

    on: Literal["live", "program", "output", "source"]
    variant: Literal["repro", "fixed"] = "repro"
    env: RunEnv = Field(
        default_factory=dict, description="Environment for the program over repro.env "
        "(ADVISOR_REPRO_LIVE=1 starts a leak reproducer's long-running mode).")
    args: list[str] | None = Field(
        None, description="Arguments instead of repro.args (on: program, they follow the "
        "substituted ./server).")
    input: Text | None = Field(
        None, description="on: output — the text of the command that stands for the log.")
    wait_for: Text | None = Field(
        None, description="on: live — RE2 the program's output must show before the command "
        "runs. A named group, e.g. (?P<HOST>127\\.0\\.0\\.1:[0-9]+), replaces the same word "
        "in the command with what it matched (an address the program chose).")
    after_seconds: float = Field(
        0.0, ge=0.0, le=60.0, description="on: live — pause before the command runs (after wait_for).")
    in_netns: bool = Field(
        False, description="on: live — run the command in the reproducer's own network "
        "namespace (the tests run reproducers in one), where its sockets and servers are: "
        "`ss`, a client of a server the program started.")
    attempts: int = Field(
        1, ge=1, le=10, description="on: live — run the command up to this many times, a second "
        "apart, until its output matches: a dump or profile is a snapshot of a moving program.")
    look_for_pattern: Text = Field(
        description="RE2 (^/$ at line ends) that the command's output must match: the "
        "machine-checked form of look_for.")
    seconds: int = Field(30, ge=1, le=300, description="Limit for the command (and the program).")
    recorded: Text | None = Field(
        None, description="A file under samples/ or recorded/ (output that is not a paste for "
        "the advisor) holding this command's output from a run by hand, for "
        "commands too slow for every test run (an -asan build): the tests check "
        "look_for_pattern on it; `advisor verify --rerun-recorded` executes the command again.")


class Detection(Strict):
    """A command to run and what to look for in its output.

    Every command is either executed by the test suite (`run`) or marked `not_run` with
    the reason (a tool this machine lacks, a cluster, code rather than a command); the
    site shows the mark.
    """

    title: Text
    command: Text
    look_for: Text
    language: str = Field("sh", description="Code-block language of the command.")
    run: DetectionRun | None = Field(None, description="How the tests execute the command.")
    not_run: Text | None = Field(
        None, description="Why the command is not executed here (shown as 'not run' on the page).")


class NowStep(Strict):
    """A `now` step written as a mapping, to carry the demonstration of the knob it turns."""

    step: Text
    demonstration: Demonstration | None = None
    unverified: Text | None = Field(
        None, description="Why the setting cannot be demonstrated here (shown as 'not run').")


class Step(str):
    """A `now` step after validation: its text, plus `demonstration` / `unverified`.

    A str subclass, so every reader of `entry.now` (site, terminal, embeddings) keeps
    treating steps as text; code that shows the verification reads the two attributes.
    """

    demonstration: Demonstration | None
    unverified: str | None

    def __new__(cls, text: str, demonstration: Demonstration | None = None,
                unverified: str | None = None) -> Step:
        obj = super().__new__(cls, text)
        obj.demonstration = demonstration
        obj.unverified = unverified
        return obj

    def __reduce__(self):  # pickled in the KB cache
        return (Step, (str(self), self.demonstration, self.unverified))


def _step_kind(value: Any) -> str:
    step = isinstance(value, (dict, NowStep)) or getattr(value, "demonstration", None) is not None
    return "tag:step" if step else "tag:text"


def _as_step(value: str | NowStep) -> Step:
    if isinstance(value, NowStep):
        return Step(value.step, value.demonstration, value.unverified)
    if isinstance(value, Step):
        return value
    return Step(value)


def _step_data(value: Step) -> str | dict[str, Any]:
    if getattr(value, "demonstration", None) is None and getattr(value, "unverified", None) is None:
        return str(value)
    data: dict[str, Any] = {"step": str(value)}
    if value.demonstration is not None:
        data["demonstration"] = value.demonstration.model_dump(mode="json", exclude_defaults=True)
    if value.unverified is not None:
        data["unverified"] = value.unverified
    return data


# Text, or {step, demonstration | unverified}. The tags never show in error locations
# (the validator drops them), so errors point at now[2].demonstration.env as written.
NowItem = Annotated[
    Annotated[Text, Tag("tag:text")] | Annotated[NowStep, Tag("tag:step")],
    Discriminator(_step_kind),
    AfterValidator(_as_step),
    PlainSerializer(_step_data),
]


# --------------------------------------------------------------------------- entry parts


class VersionNote(Strict):
    """What changed in one Go release. Every note is sourced: a release-note anchor, CL
    or issue (`source`), or a committed sample of the reproducer run under that release
    (`sample`, e.g. samples/repro-go1.21.13.log)."""

    version: GoVersion = Field(description="Go release the note is about, e.g. '1.23'.")
    note: Text
    source: Url | None = Field(
        None, description="Release notes (with anchor), a CL (go.dev/cl/N) or an issue.")
    sample: Text | None = Field(
        None, description="A file under samples/ recorded with that Go release (its "
        "'# go:' header names the release).")


class GoVersions(Strict):
    since: GoVersion = Field(description="First Go release where this failure mode exists.")
    until: GoVersion | None = Field(None, description="Last affected release, if fixed.")
    notes: list[VersionNote] = Field(default_factory=list)


class Cause(Strict):
    title: Text
    detail: Text


class Fix(Strict):
    title: Text
    horizon: Literal["now", "soon", "lasting"] = Field(
        description="now: stop the bleeding; soon: the code fix; lasting: make it impossible."
    )
    detail: Text
    before: Text | None = Field(None, description="Code before the fix.")
    after: Text | None = Field(None, description="Code after the fix.")
    language: str = "go"
    demonstration: Demonstration | None = Field(
        None, description="For a fix that turns a runtime knob: the run that shows it working.")
    unverified: Text | None = Field(
        None, description="Why a knob-turning fix cannot be demonstrated here (shown as 'not run').")


class Correction(Strict):
    """A claim of the seed article (or common folklore) that the Go source contradicts."""

    claim: Text
    truth: Text
    references: list[Url] = Field(min_length=1)
    demonstration: Demonstration | None = Field(
        None, description="A run of the reproducer that shows the truth (optional).")


class Reference(Strict):
    title: Text
    url: Url
    kind: Literal["go-source", "release-notes", "spec", "issue", "doc", "design", "article"]


class Alert(Strict):
    """A Prometheus alert for this failure mode (exported with its runbook_url)."""

    name: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]+$")]
    expr: Text
    for_: str | None = Field(None, alias="for", pattern=r"^\d+[smh]$")
    severity: Literal["page", "ticket"]
    summary: Text

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Repro(Strict):
    """How `advisor repro` builds and runs repro/main.go (and fixed/main.go)."""

    shows: Text = Field(description="What the reproducer demonstrates, and what it cannot.")
    expect_output: Text = Field(
        description="RE2 regex that the reproducer's output must contain (the signature)."
    )
    expect_exit: int | None = Field(
        None, description="Exit status of the reproducer; null when it varies."
    )
    build_flags: list[BuildFlag] = Field(
        default_factory=list, description="e.g. ['-race']. An allow-list: no flag that runs another "
        "program or touches files outside the build (-toolexec, -exec, -overlay, -modfile, ...).")
    env: Annotated[dict[str, str], AfterValidator(check_env)] = Field(
        default_factory=dict, description="e.g. GOTRACEBACK: all. Not PATH, HOME, LD_* or the Go "
        "toolchain's own variables.")
    args: list[str] = Field(default_factory=list)
    cgo: bool = Field(False, description="Needs CGO_ENABLED=1 and a C compiler.")
    language_version: GoVersion | None = Field(
        None,
        description="The go.mod 'go' line to build with (e.g. '1.21' for pre-1.22 loop "
        "variables); default: the toolchain's own version.",
    )
    timeout_seconds: int = Field(60, ge=1, le=600)
    fixed_expect_exit: int = 0


class Sample(Strict):
    """Metadata of one file in samples/ (optional: the file's header comment may say it)."""

    file: Text


# --------------------------------------------------------------------------- entry


class FailureMode(Strict):
    """One failure mode of Go services: kb/failure-modes/<id>/entry.yaml."""

    id: EntryId = Field(description="Permanent id; equal to the folder name.")
    former_ids: list[EntryId] = Field(
        default_factory=list, description="Ids this entry had before; kept as redirects."
    )
    overrides: EntryId | None = Field(
        None,
        description="In a team's knowledge base: the id of an entry of an earlier KB (the "
        "shipped one) that this entry replaces on purpose. Usually its own id; a different "
        "id keeps the replaced id as a redirect to this entry.",
    )
    title: Text
    category: Category
    severity: Severity
    summary: Text = Field(description="What it is, in two or three sentences (#meaning).")
    recoverable: bool | None = Field(
        None, description="Can a deferred recover() catch it? null when not a panic at all."
    )
    recover_note: Text | None = None
    go_versions: GoVersions
    aliases: list[Text] = Field(
        default_factory=list, description="Other names, error texts, Chinese terms."
    )
    tags: list[Text] = Field(default_factory=list)
    signatures: list[Text] = Field(
        min_length=1,
        description="Lines exactly as the runtime or tools print them; the symptom index.",
    )
    now: list[NowItem] = Field(
        min_length=1, description="What to do now, in order (#now). A step that turns a "
        "runtime knob is a mapping {step, demonstration} or {step, unverified}.")
    impact: Text
    symptoms: list[Text] = Field(min_length=1)
    detection: list[Detection] = Field(min_length=1)
    mechanism: Text = Field(description="Why it happens in the runtime (#cause).")
    causes: list[Cause] = Field(min_length=1)
    fixes: list[Fix] = Field(min_length=1)
    prevention: list[Text] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    diagram: Text | None = Field(None, description="Mermaid source, shown on the page.")
    repro: Repro | None = None
    match: MatchSpec
    alerts: list[Alert] = Field(default_factory=list)
    references: list[Reference] = Field(min_length=1)
    related: list[EntryId] = Field(default_factory=list)
    owners: list[Owner] = Field(
        min_length=1, description="GitHub handles (@user, @org/team) or e-mail addresses; they "
        "review changes to this entry (.github/CODEOWNERS).")
    last_reviewed: dt.date


# --------------------------------------------------------------------------- postmortem


class TimelineEvent(Strict):
    time: Text = Field(description="Clock time or offset, e.g. '14:02' or 'T+12m'.")
    event: Text


class ActionItem(Strict):
    action: Text
    owner: Text
    status: Literal["open", "in-progress", "done", "wont-do"]
    failure_mode: EntryId | None = None


class Postmortem(Strict):
    """A blameless incident record: kb/postmortems/<yyyy-mm-dd>-<slug>.yaml."""

    id: Annotated[str, StringConstraints(pattern=POSTMORTEM_ID_PATTERN)] = Field(
        description="Equal to the file name without .yaml."
    )
    date: dt.date
    title: Text
    severity: Severity
    duration_minutes: int = Field(ge=0)
    illustrative: bool = Field(
        False, description="true when details are reconstructed, not recorded."
    )
    illustrative_note: Text | None = None
    summary: Text
    impact: Text
    detection: Text
    timeline: list[TimelineEvent] = Field(min_length=1)
    root_cause: Text
    trigger: Text | None = None
    failure_modes: list[EntryId] = Field(min_length=1)
    went_well: list[Text] = Field(min_length=1)
    went_badly: list[Text] = Field(min_length=1)
    action_items: list[ActionItem] = Field(min_length=1)
    lessons: list[Text] = Field(default_factory=list)
    owners: list[Owner] = Field(min_length=1, description="GitHub handles (@user, @org/team) or e-mail addresses.")
    tags: list[Text] = Field(default_factory=list)
