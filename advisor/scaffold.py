"""`advisor new`: scaffold an entry folder that a contributor fills in.

The generated entry.yaml is deliberately *not* valid until the author fills it: every
required field is present with an empty value (`""` or `[]`) and a comment saying what
belongs there, so `advisor validate` lists each unfilled field as file:line:col. The
reproducer stubs compile as they are (`go build`), and samples/README.md explains the
`# source:` header every sample must carry.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import UsageError
from .kb import project_root
from .models import ID_PATTERN, Category
from .regex import linear

# ID_PATTERN, possessive: the same ids, without a backtracking record per character
_ID = linear(re.compile(r"[a-z0-9]++(?:-[a-z0-9]++)*+"), use="match", reads="a new entry's id")

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_ID_LENGTH = 80

ENTRY_TEMPLATE = """\
# yaml-language-server: $schema=@SCHEMA@
#
# New failure-mode entry, scaffolded by `advisor new @ID@`.
# It does NOT validate yet, on purpose: every field left as "" or [] below is one error
# that `advisor validate kb/failure-modes/@ID@` reports as file:line:col. Fill them all,
# delete the comments you no longer need, and run the validator until it prints "valid".
# What earns an entry its place, and how to test match rules: CONTRIBUTING.md.

# Permanent id, equal to the folder name. It is the runbook URL
# (/failure-modes/@ID@/), so never change it; a renamed entry lists old ids in former_ids.
id: @ID@
# former_ids: [old-id]

# One line, as an engineer would name the problem (it is the page title).
title: ""

# crash, goroutine-leak, memory, runtime or network.
category: @CATEGORY@

# critical, high, medium or low: how bad it is for a service when it happens.
severity: ""

# What it is, in two or three sentences (the page's #meaning). Use >- for long text.
summary: ""

# Can a deferred recover() catch it? true / false; delete both lines when it is not a panic.
# recoverable: false
# recover_note: "Why (which runtime function throws, fatal vs panic)."

# First affected Go release (quoted: "1.20", since 1.20 unquoted reads as the number 1.2).
go_versions:
  since: ""
  # until: "1.22"          # last affected release, if Go fixed it
  # notes:                 # every note cites a source or a sample recorded with that release
  #   - version: "1.24"
  #     note: What changed in this release (message text, runtime behaviour).
  #     source: https://go.dev/doc/go1.24#runtime   # release notes, go.dev/cl/N or an issue
  #     # sample: samples/repro-go1.24.11.log       # or: the reproducer run under that release

# Other names: error texts, folklore names, Chinese terms (they feed search).
aliases: []
tags: []

# Lines exactly as the runtime or a tool prints them; they build the symptom index.
#   - "fatal error: concurrent map writes"
signatures: []

# What to do now, in order: the first thing on-call reads (#now). A step that turns a runtime
# knob (GOGC, GOMEMLIMIT, GOTRACEBACK, GODEBUG, debug.Set*, ulimits, pool limits) shows it:
#   - step: Raise GOMEMLIMIT so the live heap has headroom.
#     demonstration: {env: {GOMEMLIMIT: 256MiB}, expect: [{absent: "^GC thrashing"}]}
#     # or: unverified: why it cannot be run here
now: []

# What it does to a service: who notices, how fast, how it spreads.
impact: ""

# What people see: log lines, metrics, behaviour.
symptoms: []

# Commands to confirm it, and what to look for in their output (#diagnosis). Each is run
# by the tests against the reproducer (run:) or says why not (not_run:); see
# `advisor verify @ID@`. live: the reproducer runs with pprof on a loopback port that
# replaces 127.0.0.1:6060; program: it replaces ./server; output: its output replaces
# `input`; source: the command runs in a copy of its source.
#   - title: Count goroutines by stack
#     command: "curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=1' | head -50"
#     look_for: One stack with a count that grows between two profiles.
#     run: {on: live, look_for_pattern: '^goroutine profile: total [0-9]+'}
#     # or: not_run: needs a cluster / a tool this machine lacks / Go code, not a command
detection: []

# Why it happens in the runtime, with the functions involved (#cause).
mechanism: ""

# The code patterns that lead to it.
#   - title: Unbuffered result channel with a timeout
#     detail: The sender blocks forever once the receiver has returned.
causes: []

# Fixes; horizon is now (stop the bleeding), soon (the code fix) or lasting (make it impossible).
#   - title: Buffer the channel
#     horizon: soon
#     detail: A buffer of one lets the sender finish when nobody receives.
#     before: |
#       ch := make(chan int)
#     after: |
#       ch := make(chan int, 1)
fixes: []

# prevention: [Linters, tests and review rules that keep it from coming back.]
# corrections:            # claims of common folklore that the Go source contradicts
#   - claim: ...
#     truth: ...
#     references: [https://github.com/golang/go/blob/master/src/runtime/...]
# diagram: |              # optional Mermaid source

# How `advisor repro @ID@` runs repro/main.go (and fixed/main.go). Delete this section and
# both folders if the failure cannot be shown by a small program.
repro:
  shows: ""               # what the reproducer demonstrates, and what it cannot
  expect_output: ""       # RE2 regex its output must contain, e.g. "fatal error: all goroutines are asleep"
  # expect_exit: 2
  # build_flags: [-race]
  # env: {GOTRACEBACK: all}

# The advisor's rules. RE2 regexes over normalised lines (no backreferences or lookaround),
# or predicates over parsed facts (goroutines, gctrace, exit_code, kind). Matched rules
# combine as noisy-OR; a decisive rule (a fatal header) is proof on its own.
# Test them: `advisor match kb/failure-modes/@ID@/samples/<file>.log --mode rules`
# and `advisor eval` (every sample must rank its entry first).
#   - id: fatal-header
#     regex: "^fatal error: concurrent map writes"
#     weight: 0.95
#     decisive: true
#   - id: many-blocked-senders
#     goroutines: {state: ["chan send"], min_count: 500, min_share: 0.6}
#     weight: 0.6
match:
  rules: []
  # exclude: ["a line that means a more specific entry owns this output"]

# Prometheus alerts (exported with runbook_url by `advisor export prometheus-rules`),
# PromQL over the standard Go client metrics (go_goroutines, go_memstats_*, process_*).
# alerts:
#   - name: GoGoroutinesGrowing
#     expr: deriv(go_goroutines[30m]) > 0.5 and go_goroutines > 1000
#     for: 1h
#     severity: ticket      # page or ticket
#     summary: The goroutine count keeps rising; take a goroutine profile.

# Primary sources; kind is go-source, release-notes, spec, issue, doc, design or article.
#   - title: "runtime/map.go: fatal on concurrent writes"
#     url: https://github.com/golang/go/blob/master/src/runtime/map.go
#     kind: go-source
references: []

# Ids of related entries (they must exist).
related: []

# Who reviews changes to this entry (GitHub users or teams; .github/CODEOWNERS is built from this).
owners: @OWNERS@

# The day someone last checked the entry against the current Go release.
last_reviewed: @TODAY@
"""

GO_STUB = """\
// @WHAT@ for @ID@.
//
// @TODO@
// `advisor repro @ID@@FLAG@` builds it with the bundled Go toolchain and runs it; keep it to
// the standard library and make it finish on its own (the runner kills it after
// repro.timeout_seconds).
package main

import "fmt"

func main() {
	fmt.Println("@ID@: @VARIANT@ stub; replace with a real program")
}
"""

SAMPLES_README = """\
# Samples of @ID@

Every `*.log` file here is **real output** that must make `advisor match` rank this
entry first (`advisor eval` checks it; near-misses that must *not* rank it first go in
`../near-misses/`). No invented logs: a sample is evidence.

## The `# source:` header

The first lines of every sample are comment lines starting with `# `; one of them
(within the first 15 lines) must be

    # source: <URL or command>

naming where the output came from, so a reviewer can check it:

- a public report: `# source: https://github.com/owner/repo/issues/123 (Go 1.21, comment 4)`
- a reproducer run: `# source: advisor repro @ID@` — `advisor repro @ID@ --save`
  writes such a file for you, with the Go version and exit status;
- a command you ran: `# source: GODEBUG=gctrace=1 ./server (go1.23.4, linux/amd64)`.

Other `# ` lines may follow (`# go:`, `# exit:`, a note on what was redacted). The
advisor strips the header before matching, so the rest of the file is exactly what
was printed.

## Capturing a sample

- Copy the output unchanged: keep timestamps, prefixes and line breaks; the advisor's
  normaliser strips Kubernetes, journald and ANSI noise itself.
- Redact secrets and hostnames by replacing them with same-shaped placeholders.
- Cut a huge goroutine dump only at goroutine boundaries, and say so in the header.
- Name files after their origin: `public-<project>-<issue>.log`, `repro-go1.23.log`.
"""


@dataclass
class Scaffold:
    folder: Path
    files: list[Path]


def check_new_id(ident: str) -> None:
    if len(ident) > MAX_ID_LENGTH:
        raise UsageError(f"id '{ident}' is longer than {MAX_ID_LENGTH} characters")
    if not _ID.fullmatch(ident):
        raise UsageError(
            f"id '{ident}' does not match {ID_PATTERN}: lowercase ASCII words joined by "
            "single hyphens, e.g. nil-map-assignment"
        )


def taken_ids(kb_root: Path) -> dict[str, str]:
    """Ids already in use, folder names and former_ids alike: id -> what uses it."""
    taken: dict[str, str] = {}
    fm = kb_root / "failure-modes"
    for d in sorted(fm.iterdir()) if fm.is_dir() else []:
        if not d.is_dir():
            continue
        taken.setdefault(d.name, f"{d}")
        entry = d / "entry.yaml"
        if not entry.is_file():
            continue
        try:
            data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # an invalid neighbour is the validator's business, not ours
        if isinstance(data, dict):
            for old in data.get("former_ids") or []:
                if isinstance(old, str):
                    taken.setdefault(old, f"{entry} (former_ids)")
    return taken


def _schema_ref(folder: Path) -> str:
    schema = project_root() / "schemas" / "failure-mode.schema.json"
    return Path(os.path.relpath(schema, folder)).as_posix()


def render_entry(ident: str, category: str, owners: list[str], folder: Path,
                 today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    owners_yaml = "[" + ", ".join(_quote(o) for o in owners) + "]"
    text = ENTRY_TEMPLATE
    for key, value in (("@SCHEMA@", _schema_ref(folder)), ("@ID@", ident),
                       ("@CATEGORY@", category), ("@OWNERS@", owners_yaml),
                       ("@TODAY@", today.isoformat())):
        text = text.replace(key, value)
    return text


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_go(ident: str, variant: str) -> str:
    if variant == "repro":
        what, todo, flag = ("Reproducer", "TODO: replace with the smallest program that really "
                            "produces the failure.", "")
    else:
        what, todo, flag = ("The reproducer, fixed", "TODO: the same program as ../repro/main.go "
                            "with only the fix applied.", " --fixed")
    text = GO_STUB
    for key, value in (("@WHAT@", what), ("@TODO@", todo), ("@FLAG@", flag),
                       ("@VARIANT@", variant), ("@ID@", ident)):
        text = text.replace(key, value)
    return text


def scaffold(kb_root: Path, ident: str, category: str, owners: list[str] | None = None,
             today: dt.date | None = None) -> Scaffold:
    """Create kb_root/failure-modes/<ident>/ with entry.yaml, repro/, fixed/, samples/."""
    check_new_id(ident)
    categories = [c.value for c in Category]
    if category not in categories:
        raise UsageError(f"unknown category '{category}'; use one of {', '.join(categories)}")
    if not (kb_root / "failure-modes").is_dir():
        raise UsageError(f"{kb_root}: no knowledge base here (expected failure-modes/)")
    used = taken_ids(kb_root)
    if ident in used:
        raise UsageError(f"id '{ident}' is already used by {used[ident]}; pick another id")
    folder = kb_root / "failure-modes" / ident
    owners = owners or []
    files = {
        folder / "entry.yaml": render_entry(ident, category, owners, folder, today),
        folder / "repro" / "main.go": render_go(ident, "repro"),
        folder / "fixed" / "main.go": render_go(ident, "fixed"),
        folder / "samples" / "README.md": SAMPLES_README.replace("@ID@", ident),
    }
    try:
        folder.mkdir()  # not exist_ok: a race with another `advisor new` must not merge
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except FileExistsError:
        raise UsageError(f"{folder} already exists; pick another id") from None
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write ({exc.strerror})") from None
    return Scaffold(folder, list(files))
