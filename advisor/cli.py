"""The command line: a thin typer layer over the library.

Every command translates options into one library call and the result into output and
an exit code. Heavy imports happen inside the command that needs them so that `--help`
and the rules path stay fast. No traceback ever reaches the user: `main()` maps every
AdvisorError to one line on stderr and its exit code.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .cli_io import guard_std_streams, read_input, read_input_sized, silence_stdout
from .errors import AdvisorError, InputError, UsageError

app = typer.Typer(
    name="advisor",
    help="Go failure-mode knowledge base and advisor: match a pasted panic, goroutine dump, "
    "gctrace or symptom to known failure modes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

KbOption = Annotated[
    list[Path] | None,
    typer.Option("--kb", help="Knowledge base folder; repeat for several, in order (a later KB may "
                 "override an earlier entry with 'overrides: ID'); '@shipped' is the bundled KB. "
                 "Default: $ADVISOR_KB (paths separated by ':'), else the bundled KB.",
                 show_default=False),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Go failure-mode knowledge base and advisor."""


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


# --------------------------------------------------------------------------- match


class Mode(str, Enum):
    hybrid = "hybrid"
    rules = "rules"
    semantic = "semantic"


@app.command()
def match(
    path: Annotated[str | None, typer.Argument(metavar="[PATH|-]", help="Log file; '-' or nothing reads stdin.",
                                                  show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout (the documented contract).")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown for an incident channel or doc.")] = False,
    mode: Annotated[Mode, typer.Option("--mode", help="hybrid: rules + embeddings; rules: no model; semantic: embeddings only.")] = Mode.hybrid,
    top: Annotated[int, typer.Option("--top", min=1, max=50, help="At most this many matches.")] = 5,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model folder or name (default: the packaged all-MiniLM-L6-v2).")] = None,
    buckets: Annotated[bool, typer.Option("--buckets", help="Also list every goroutine bucket (count, state, wait range, created by, user frames first).")] = False,
    kb: KbOption = None,
) -> None:
    """Name the failure modes behind a pasted panic, dump, profile, gctrace or symptom. Exit 0 matched, 1 abstained, 2 bad input."""
    from .api import Advisor

    if json_out and markdown:
        raise UsageError("choose one of --json and --markdown")
    data, size = read_input_sized(path)
    result = Advisor.load(kb, mode=mode.value, model=model).match_bytes(data, top=top, size=size)
    if json_out:
        import json

        payload = result.as_dict()
        if buckets:
            from .diff_report import bucket_dict

            payload["buckets"] = [bucket_dict(b) for b in result.facts.buckets]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif markdown:
        from .report import render_markdown

        sys.stdout.write(render_markdown(result))
        if buckets:
            from .diff_report import buckets_markdown

            sys.stdout.write(buckets_markdown(result.facts))
    else:
        from .report import render_terminal

        console = _console()
        if buckets:
            from .diff_report import render_buckets_terminal

            render_buckets_terminal(result.facts, console)
        render_terminal(result, console)
    raise typer.Exit(1 if result.abstained else 0)


# --------------------------------------------------------------------------- leak workflow: diff / watch


def _report_diffs(results: list, json_out: bool, markdown: bool, extra: dict | None = None) -> None:
    import json

    from .diff_report import render_diff_markdown, render_diff_terminal

    if json_out:
        payload = results[0].as_dict() if len(results) == 1 and extra is None else {"diffs": [r.as_dict() for r in results]}
        payload.update(extra or {})
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif markdown:
        sys.stdout.write("\n".join(render_diff_markdown(r) for r in results))
    else:
        console = _console()
        for r in results:
            render_diff_terminal(r, console)
    raise typer.Exit(0 if any(not r.abstained for r in results) else 1)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Earlier goroutine dump or heap profile ('-': stdin).")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Later one, of the same process.")],
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown for an incident channel or doc.")] = False,
    interval: Annotated[str | None, typer.Option("--interval", help="Time between the two (e.g. 1h), for rates; profiles carry it.")] = None,
    mode: Annotated[Mode, typer.Option("--mode", help="hybrid: rules + embeddings; rules: no model.")] = Mode.hybrid,
    top: Annotated[int, typer.Option("--top", min=1, max=50, help="At most this many matches.")] = 5,
    kb: KbOption = None,
) -> None:
    """What grew between two goroutine dumps or heap profiles, and which failure mode explains it. Exit 0 matched, 1 abstained, 2 bad input."""
    from .diff import diff as run_diff
    from .inputs import load_pair
    from .match import Advisor
    from .watch import parse_seconds

    if json_out and markdown:
        raise UsageError("choose one of --json and --markdown")
    if old == "-" and new == "-":
        raise UsageError("only one of OLD and NEW can be read from stdin")
    seconds = parse_seconds(interval) if interval else None
    a, b = load_pair(read_input(old), read_input(new), (old, new))
    result = run_diff(Advisor(mode=mode.value, root=kb), a, b, interval=seconds, top=top, old_name=old, new_name=new)
    _report_diffs([result], json_out, markdown)


@app.command()
def watch(
    url: Annotated[str, typer.Argument(metavar="URL", help="The service's pprof base, e.g. http://127.0.0.1:6060 (/debug/pprof is added).")],
    interval: Annotated[str, typer.Option("--interval", help="Time between samples (one request per endpoint each).")] = "10s",
    duration: Annotated[str, typer.Option("--duration", help="How long to watch (bounded; Ctrl-C ends early and still reports).")] = "2m",
    heap: Annotated[bool, typer.Option("--heap", help="Also sample the heap profile.")] = False,
    full_stacks: Annotated[bool, typer.Option("--full-stacks", help="Ask ?debug=2 (states, wait times, created by); stops the world while written.")] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="Per-request timeout.")] = "10s",
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout at the end.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown at the end.")] = False,
    mode: Annotated[Mode, typer.Option("--mode", help="hybrid: rules + embeddings; rules: no model.")] = Mode.hybrid,
    kb: KbOption = None,
) -> None:
    """Poll a live service's goroutines (and heap), show what grows, then diagnose the growth. Exit 0 matched, 1 abstained, 2 unusable endpoint."""
    from .match import Advisor
    from .watch import Watch, parse_seconds, pprof_base

    if json_out and markdown:
        raise UsageError("choose one of --json and --markdown")
    every, total = parse_seconds(interval), parse_seconds(duration)
    if total > 24 * 3600:
        raise UsageError("--duration is at most 24h")
    w = Watch(pprof_base(url), every, total, parse_seconds(timeout), heap=heap, full_stacks=full_stacks)
    err = _console(stderr=True)
    if json_out or markdown or not err.is_terminal:
        w.run(lambda w: err.print(f"sample {len(w.samples)}: {w.samples[-1].goroutines.facts.goroutines:,} goroutines")
              if err.is_terminal else None)
    else:
        from rich.live import Live

        from .diff_report import trend_table

        with Live(console=err, auto_refresh=False) as live:
            w.run(lambda w: live.update(trend_table(w.trend(), f"{w.base} · sample {len(w.samples)} · "
                                                    f"every {every:g} s"), refresh=True))
    if w.interrupted:
        err.print("interrupted: reporting on the samples taken so far")
    _report_diffs(w.results(Advisor(mode=mode.value, root=kb)), json_out, markdown,
                  {"watch": {"url": w.base, "samples": len(w.samples), "requests": w.requests,
                             "interval_seconds": every, "interrupted": w.interrupted}})


# --------------------------------------------------------------------------- index


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild even if the index is current.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model folder or name.")] = None,
    kb: KbOption = None,
) -> None:
    """Build the entry-embedding and BM25 indexes (done automatically by match when stale)."""
    import time

    from .embed import load_embedder
    from .kb import load_kb
    from .lexical import build_index as build_lexical
    from .lexical import load_index as load_lexical
    from .semantic import ENTRY_TEXT_VARIANT, PROSE_TEXT_VARIANT, load_index

    base = load_kb(kb)
    started = time.perf_counter()
    embedder = load_embedder(model)
    for variant in dict.fromkeys((ENTRY_TEXT_VARIANT, PROSE_TEXT_VARIANT)):
        idx, built = load_index(base, embedder, rebuild=rebuild, variant=variant)
        state = "built" if built else "already current"
        typer.echo(f"index {state}: {len(set(idx.ids))} entries ({variant}), model {idx.model_id}, "
                   f"{time.perf_counter() - started:.1f} s", err=True)
    lexical = build_lexical(base) if rebuild else load_lexical(base)
    typer.echo(f"BM25 index: {len(lexical.vocab)} terms", err=True)


# --------------------------------------------------------------------------- eval


class Split(str, Enum):
    all = "all"
    tune = "tune"
    test = "test"


@app.command("eval")
def eval_(
    folders: Annotated[list[Path] | None, typer.Argument(
        help="Folders with a labels.tsv, e.g. corpus/dev corpus/prose.", show_default=False)] = None,
    mode: Annotated[Mode, typer.Option("--mode")] = Mode.hybrid,
    no_samples: Annotated[bool, typer.Option("--no-samples", help="Skip the entries' own samples.")] = False,
    split: Annotated[Split, typer.Option("--split", help="Prose items of this half only (tune: for tuning; "
                                                          "test: held out).")] = Split.all,
    baselines: Annotated[bool, typer.Option("--baselines/--no-baselines",
                                            help="Also run MiniLM-one-line and BM25 on the same items.")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="The results as JSON on stdout.")] = False,
    write: Annotated[Path | None, typer.Option("--write", help="Also write the results JSON here "
                                                "(corpus/eval-results.json feeds the site's Accuracy page).",
                                                show_default=False)] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List every item the advisor got wrong.")] = False,
    kb: KbOption = None,
) -> None:
    """Top-1, top-3, off-topic turned away and precision per confidence label, beside naive
    baselines. Exit 1 when one of the entries' own samples is mis-ranked."""
    import json

    from .evaluate import collect, evaluate, label_table, miss_lines, samples_failed, table
    from .kb import load_view

    base = load_view(kb)
    items = collect(base, folders or [], samples=not no_samples, split=split.value)
    results = evaluate(base, items, mode=mode.value, baselines=baselines)
    if write is not None:
        _write_output(json.dumps(results, indent=2, ensure_ascii=False) + "\n", write)
    if json_out:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        console = _console()
        console.print(table(results))
        console.print(label_table(results))
        for line in miss_lines(results) if misses else []:
            typer.echo(line)
    if samples_failed(results):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- validate


class ErrorFormat(str, Enum):
    text = "text"
    github = "github"


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Entry files, entry folders or a KB folder; default: the whole KB.",
                       show_default=False),
    ] = None,
    kb: KbOption = None,
    format: Annotated[
        ErrorFormat, typer.Option("--format", help="github: annotations for a pull request.")
    ] = ErrorFormat.text,
) -> None:
    """Check every entry and postmortem of the KBs (together): schema, patterns, references, ids. Exit 1 if invalid."""
    from .api import validate as run_validate

    roots, issues = run_validate(kb, paths or [])
    for issue in issues:
        typer.echo(issue.format(format.value))
    errors = sum(1 for i in issues if i.severity == "error")
    if errors:
        typer.echo(f"{errors} error(s) found", err=True)
        raise typer.Exit(1)
    typer.echo(f"{', '.join(str(r) for r in roots)}: valid", err=True)


# --------------------------------------------------------------------------- list / show


@app.command("list")
def list_(
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="crash, goroutine-leak, memory, runtime, network")
    ] = None,
    kb: KbOption = None,
) -> None:
    """List the failure modes, optionally of one category (with their KB when several are used)."""
    from rich.table import Table

    from .api import Advisor

    advisor = Advisor.load(kb)
    rows = advisor.entries(category)
    several = len(advisor.roots) > 1
    table = Table(box=None, pad_edge=False)
    for col in ("id", "category", "severity", "title") + (("kb",) if several else ()):
        table.add_column(col)
    for e in rows:
        table.add_row(e.id, e.category.value, e.severity.value, e.title,
                      *((advisor.kb_of(e.id),) if several else ()))
    _console().print(table)


@app.command()
def show(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Failure-mode id (or a former id).")],
    kb: KbOption = None,
) -> None:
    """Show one entry in the terminal: what to do now, signatures, detection, fixes, link."""
    from .api import Advisor
    from .present import render_entry

    advisor = Advisor.load(kb)
    entry = advisor.entry(ident)
    render_entry(_console(), entry, advisor.knowledge_base)


def _unknown_id(ident: str, ids) -> str:
    from .api import unknown_id_message

    return unknown_id_message(ident, ids)


# --------------------------------------------------------------------------- schema


@app.command()
def schema(
    write: Annotated[bool, typer.Option("--write", help="Write schemas/*.json from the models.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if schemas/*.json are stale.")] = False,
) -> None:
    """Print, write or check the JSON Schemas generated from the pydantic models."""
    from .schema_export import render_schemas, stale_schemas, write_schemas

    if write:
        for p in write_schemas():
            typer.echo(f"wrote {p}", err=True)
        return
    if check:
        stale = stale_schemas()
        if stale:
            typer.echo(f"stale: {', '.join(stale)}; run 'advisor schema --write'", err=True)
            raise typer.Exit(1)
        typer.echo("schemas are up to date", err=True)
        return
    for name, text in render_schemas().items():
        typer.echo(f"# {name}\n{text}")


# --------------------------------------------------------------------------- repro


@app.command()
def repro(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Failure-mode id.")],
    fixed: Annotated[bool, typer.Option("--fixed", help="Run fixed/main.go instead.")] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Write the output to samples/repro-go<version>.log.")
    ] = False,
    timeout: Annotated[int | None, typer.Option(help="Seconds before the run is killed.")] = None,
    kb: KbOption = None,
) -> None:
    """Build and run the entry's reproducer with the bundled Go toolchain; print its output."""
    from .kb import load_kb
    from .repro import run, save_sample

    base = load_kb(kb)
    if base.get(ident) is None:
        raise UsageError(_unknown_id(ident, base.entries))
    result = run(base, ident, "fixed" if fixed else "repro", timeout)
    sys.stdout.write(result.output)
    if result.output and not result.output.endswith("\n"):
        sys.stdout.write("\n")
    err = _console(stderr=True)
    err.print(f"[bold]{result.entry_id}[/] ({result.variant}, {result.go_version}): "
              f"{result.status_text}, {result.seconds:.1f} s")
    for note in result.notes:  # e.g. that this machine could not isolate the network
        err.print(f"[yellow]note:[/] {note}", markup=True)
    if save:
        if fixed:
            raise UsageError("--save records the failure; it is not used with --fixed")
        path = save_sample(base, result)
        err.print(f"saved {path}")
    if result.timed_out:
        raise typer.Exit(1)


@app.command("verify")
def verify(
    idents: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Failure-mode ids.",
                                                       show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every entry with a reproducer.")] = False,
    rerun_recorded: Annotated[bool, typer.Option(
        "--rerun-recorded", help="Execute commands whose output is recorded in a sample, too.")] = False,
    kb: KbOption = None,
) -> None:
    """Run entries' advice: each knob demonstration and each detection command with `run:`.

    Exit 1 when any of them does not show what the entry says.
    """
    from .kb import load_kb
    from .verify import verify_entry

    base = load_kb(kb)
    if all_:
        idents = sorted(i for i, e in base.entries.items() if e.repro is not None)
    if not idents:
        raise UsageError("name at least one entry id, or --all")
    for ident in idents:
        if base.get(ident) is None:
            raise UsageError(_unknown_id(ident, base.entries))
    failed = 0
    for ident in idents:
        for outcome in verify_entry(base, base.get(ident).id, rerun_recorded=rerun_recorded):
            typer.echo(outcome.line())
            failed += not outcome.ok
    if failed:
        typer.echo(f"{failed} item(s) did not show what the entry says", err=True)
        raise typer.Exit(1)


# =========================================================================== contributors and on-call
# `advisor new`, `advisor review`, `advisor export`, `advisor serve`: the pull-request
# workflow and the on-call integrations. Logic lives in advisor/scaffold.py, review.py,
# export.py and serve.py; these functions only translate options and results.


@app.command("new")
def new(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The new entry's permanent id, e.g. nil-map-assignment.")],
    category: Annotated[str, typer.Option("--category", "-c", help="crash, goroutine-leak, memory, runtime, network",
                                          show_default=False)],
    owner: Annotated[list[str] | None, typer.Option("--owner", help="Owner (GitHub user or team); repeatable.",
                                                     show_default=False)] = None,
    kb: KbOption = None,
) -> None:
    """Scaffold kb/failure-modes/ID/: entry.yaml to fill in, repro/ and fixed/ stubs, samples/README.md."""
    from .kb import resolve_kb_roots
    from .scaffold import scaffold

    roots = resolve_kb_roots(kb)
    if len(roots) > 1:
        raise UsageError("several knowledge bases are in use; pass one --kb to say which gets the new entry")
    made = scaffold(roots[0], ident, category, owner or [])
    for p in made.files:
        typer.echo(f"created {p}", err=True)
    typer.echo(f"next: fill in {made.folder / 'entry.yaml'} until "
               f"'advisor validate {made.folder}' passes; see CONTRIBUTING.md", err=True)


@app.command("review")
def review(
    stale_days: Annotated[int, typer.Option("--stale-days", min=0, help="Entries last reviewed longer ago than this are stale.")] = 180,
    similarity: Annotated[float, typer.Option("--similarity", min=0.0, max=1.0, help="Embedding similarity at which two entries are near-duplicates.")] = 0.9,
    no_model: Annotated[bool, typer.Option("--no-model", help="Skip the near-duplicate check (no embedding model).")] = False,
    today: Annotated[str | None, typer.Option("--today", help="Review as of this date (YYYY-MM-DD); default: today.",
                                              show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    format: Annotated[
        ErrorFormat, typer.Option("--format", help="github: annotations for a pull request.")
    ] = ErrorFormat.text,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model folder or name.")] = None,
    kb: KbOption = None,
) -> None:
    """For reviewers: stale entries, samples that no longer rank first, rules firing on other entries' samples, near-duplicates. Exit 1 if any."""
    import datetime as dt
    import json

    from .api import Advisor
    from .review import ReviewOptions

    as_of = None
    if today is not None:
        try:
            as_of = dt.date.fromisoformat(today)
        except ValueError:
            raise UsageError(f"--today: '{today}' is not a date (YYYY-MM-DD)") from None
    report = Advisor.load(kb).review(ReviewOptions(stale_days=stale_days, similarity=similarity,
                                                   today=as_of, model=model, embeddings=not no_model))
    if json_out:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for f in report.findings:
            typer.echo(f.format(format.value, with_check=True))
        counts = ", ".join(f"{n} {c}" for c, n in report.counts().items())
        typer.echo(f"reviewed {report.samples} samples: {counts}", err=True)
    raise typer.Exit(1 if report.findings else 0)


export_app = typer.Typer(help="Write files generated from the knowledge base (alert rules, CODEOWNERS).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")

from .cli_catalogue import catalogue_app  # noqa: E402 - a sub-app, registered like export

app.add_typer(catalogue_app, name="catalogue")


def _write_output(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror})") from None
    typer.echo(f"wrote {output}", err=True)


OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="File to write; default: stdout.",
                                                   show_default=False)]


@export_app.command("prometheus-rules")
def export_prometheus_rules(output: OutputOption = None, kb: KbOption = None) -> None:
    """Prometheus alerting rules from every entry's alerts, each with runbook_url = the entry's page."""
    from .api import Advisor
    from .export import duplicate_alert_names

    advisor = Advisor.load(kb)
    for name, ids in duplicate_alert_names(advisor.knowledge_base).items():
        typer.echo(f"warning: alert {name} is defined by several entries: {', '.join(ids)}", err=True)
    _write_output(advisor.prometheus_rules(), output)


@export_app.command("codeowners")
def export_codeowners(output: OutputOption = None, kb: KbOption = None) -> None:
    """.github/CODEOWNERS from every entry's owners (so reviews go to the people who know it)."""
    from .api import Advisor

    _write_output(Advisor.load(kb).codeowners(), output)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; 0.0.0.0 exposes it to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8080,
    mode: Annotated[Mode, typer.Option("--mode", help="hybrid: rules + embeddings; rules: no model.")] = Mode.hybrid,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model folder or name.")] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", min=0.001, max=128, help="Largest request body, MB (413 beyond).")] = 8,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Matcher processes for ordinary pastes (large ones get one more).")] = 2,
    max_pending: Annotated[int, typer.Option("--max-pending", min=1, max=10_000, help="Complete requests queued at most (503 beyond).")] = 64,
    match_timeout: Annotated[float, typer.Option("--match-timeout", min=0.1, max=3600, help="Seconds of matching per request; the matcher is stopped beyond (503).")] = 20.0,
    body_timeout: Annotated[float, typer.Option("--body-timeout", min=0.1, max=3600, help="Seconds for a request body to arrive (408 beyond).")] = 15.0,
    header_timeout: Annotated[float, typer.Option("--header-timeout", min=0.1, max=3600, help="Seconds for a connection's request headers; closed beyond.")] = 10.0,
    max_receiving: Annotated[int, typer.Option("--max-receiving", min=1, max=10_000, help="Requests still sending their body at most (503 beyond).")] = 256,
    isolation: Annotated[str, typer.Option("--isolation", help="process: matching in worker processes with --match-timeout; thread: in this process, no time limit (for comparison).")] = "process",
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    site: Annotated[Path | None, typer.Option("--site", help="Also serve this built docs site (mkdocs build) at /; its Diagnose page posts to /match.")] = None,
    kb: KbOption = None,
) -> None:
    """HTTP advisor: POST /match (the pasted text) returns the JSON of 'match --json'; GET / is a paste page, or the docs site with --site."""
    import socket

    from .serve import ServeConfig, run

    try:  # a busy port is a one-line error before the model is loaded
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    if site is not None:
        from .site.serving import check_site

        check_site(site)  # a wrong folder is a one-line error before the model is loaded
    config = ServeConfig(mode=mode.value, model=model, kb_root=[str(k) for k in kb] if kb else None,
                         max_bytes=int(max_mb * 1024 * 1024), concurrency=concurrency,
                         max_pending=max_pending, site_dir=str(site) if site else None,
                         match_timeout=match_timeout, body_timeout=body_timeout,
                         header_timeout=header_timeout, max_receiving=max_receiving,
                         isolation=isolation)  # type: ignore[arg-type]
    if isolation not in ("process", "thread"):
        raise UsageError("--isolation: use process or thread")
    run(host, port, config, log_level=log_level)


class SiteAction(str, Enum):
    build = "build"
    serve = "serve"


@app.command("site")
def site(
    action: Annotated[SiteAction, typer.Argument(help="build: mkdocs build --strict; serve: a local preview.")],
    site_dir: Annotated[Path | None, typer.Option("--site-dir", "-d", help="Where to build (default: ./site).",
                                                  show_default=False)] = None,
    kb: KbOption = None,
) -> None:
    """The docs site of the KBs in use, from a team repository holding only kb/ and mkdocs.yml (needs the docs extra)."""
    from .kb import resolve_kb_roots
    from .teamsite import default_kbs, run

    folder = Path.cwd()
    kbs = resolve_kb_roots(kb) if kb else default_kbs(folder)
    raise typer.Exit(run(action.value, folder, kbs, site_dir))


# --------------------------------------------------------------------------- entry point


def main() -> None:
    guard_std_streams()
    try:
        try:
            app(standalone_mode=True)
        finally:
            sys.stdout.flush()  # a write error surfaces here, not in the interpreter's exit
    except AdvisorError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except OSError as exc:  # stdout on a full disk (> /dev/full), a revoked terminal
        silence_stdout()
        _fail(f"cannot write the output ({exc.strerror or exc})", 2)
    except SystemExit:
        raise
    except Exception as exc:  # never a traceback: pasted logs may hold secrets
        if os.environ.get("ADVISOR_DEBUG"):
            raise  # for developers: ADVISOR_DEBUG=1 shows the traceback
        _fail(f"internal error ({type(exc).__name__}); please report it with the command you ran", 2)


def _fail(message: str, code: int) -> None:
    try:
        sys.stderr.write(f"advisor: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass  # stderr is gone too; the exit code is all that is left
    sys.exit(code)


__all__ = ["app", "main", "InputError"]
