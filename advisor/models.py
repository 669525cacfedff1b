"""The pydantic models: the single source of truth for entries, postmortems and rules.

`schemas/*.json` is generated from these classes (`advisor schema --write`), so the
docstrings and field descriptions below are what contributors see in their editor.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

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


# --------------------------------------------------------------------------- entry parts


class VersionNote(Strict):
    version: GoVersion = Field(description="Go release the note is about, e.g. '1.23'.")
    note: Text


class GoVersions(Strict):
    since: GoVersion = Field(description="First Go release where this failure mode exists.")
    until: GoVersion | None = Field(None, description="Last affected release, if fixed.")
    notes: list[VersionNote] = Field(default_factory=list)


class Detection(Strict):
    """A command to run and what to look for in its output."""

    title: Text
    command: Text
    look_for: Text
    language: str = Field("sh", description="Code-block language of the command.")


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


class Correction(Strict):
    """A claim of the seed article (or common folklore) that the Go source contradicts."""

    claim: Text
    truth: Text
    references: list[Url] = Field(min_length=1)


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
    now: list[Text] = Field(min_length=1, description="What to do now, in order (#now).")
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
