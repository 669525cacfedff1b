"""The command line: a thin typer layer over the library.

Every command translates options into one library call and the result into output and
an exit code. Heavy imports happen inside the command that needs them so that `--help`
and the rules path stay fast. No traceback ever reaches the user: `main()` maps every
AdvisorError to one line on stderr and its exit code.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import AdvisorError, InputError, UsageError

app = typer.Typer(
    name="advisor",
    help="Go failure-mode knowledge base and advisor: match a pasted panic, goroutine dump, "
    "gctrace or symptom to known failure modes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

KbOption = Annotated[
    Optional[Path],
    typer.Option("--kb", help="Knowledge base folder (default: $ADVISOR_KB or the bundled kb/).",
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


# --------------------------------------------------------------------------- validate


class ErrorFormat(str, Enum):
    text = "text"
    github = "github"


@app.command()
def validate(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Entry files, entry folders or a KB folder; default: the whole KB.",
                       show_default=False),
    ] = None,
    kb: KbOption = None,
    format: Annotated[
        ErrorFormat, typer.Option("--format", help="github: annotations for a pull request.")
    ] = ErrorFormat.text,
) -> None:
    """Check every entry and postmortem: schema, patterns, references, ids. Exit 1 if invalid."""
    from .kb import default_kb_root
    from .validate import validate_tree

    root, only = _resolve_validate_paths(paths or [], kb or default_kb_root())
    _, issues = validate_tree(root, only)
    for issue in issues:
        typer.echo(issue.format(format.value))
    errors = sum(1 for i in issues if i.severity == "error")
    if errors:
        typer.echo(f"{errors} error(s) found", err=True)
        raise typer.Exit(1)
    typer.echo(f"{root}: valid", err=True)


def _resolve_validate_paths(paths: list[Path], default_root: Path) -> tuple[Path, list[Path] | None]:
    """Turn the user's paths into (KB root, files to report on)."""
    if not paths:
        return default_root, None
    files: list[Path] = []
    root: Path | None = None
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
        p = p.resolve()
        if p.is_dir() and (p / "failure-modes").is_dir():
            root = p
            continue
        if p.is_dir() and (p / "entry.yaml").is_file():
            p = p / "entry.yaml"
        if p.is_dir():
            raise UsageError(f"{p}: not an entry folder or a knowledge base (no entry.yaml, no failure-modes/)")
        files.append(p)
        # kb/failure-modes/<id>/entry.yaml or kb/postmortems/<x>.yaml
        guess = p.parent.parent.parent if p.name == "entry.yaml" else p.parent.parent
        if (guess / "failure-modes").is_dir():
            root = root or guess
    if root is None:
        raise UsageError("cannot tell which knowledge base these files belong to; pass --kb")
    return root, files or None


# --------------------------------------------------------------------------- list / show


@app.command("list")
def list_(
    category: Annotated[
        Optional[str], typer.Option("--category", "-c", help="crash, goroutine-leak, memory, runtime, network")
    ] = None,
    kb: KbOption = None,
) -> None:
    """List the failure modes, optionally of one category."""
    from rich.table import Table

    from .kb import load_kb
    from .models import Category

    base = load_kb(kb)
    if category is not None and category not in {c.value for c in Category}:
        raise UsageError(
            f"unknown category '{category}'; use one of {', '.join(c.value for c in Category)}"
        )
    rows = sorted(
        (e for e in base.entries.values() if category is None or e.category.value == category),
        key=lambda e: (e.category.value, e.id),
    )
    table = Table(box=None, pad_edge=False)
    for col in ("id", "category", "severity", "title"):
        table.add_column(col)
    for e in rows:
        table.add_row(e.id, e.category.value, e.severity.value, e.title)
    _console().print(table)


@app.command()
def show(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Failure-mode id (or a former id).")],
    kb: KbOption = None,
) -> None:
    """Show one entry in the terminal: what to do now, signatures, detection, fixes, link."""
    from .kb import load_kb
    from .present import render_entry

    base = load_kb(kb)
    entry = base.get(ident)
    if entry is None:
        raise UsageError(_unknown_id(ident, base.entries))
    render_entry(_console(), entry, base)


def _unknown_id(ident: str, ids) -> str:
    import difflib

    close = difflib.get_close_matches(ident, list(ids), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else "; see 'advisor list'"
    return f"no failure mode with id '{ident}'{hint}"


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
    timeout: Annotated[Optional[int], typer.Option(help="Seconds before the run is killed.")] = None,
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
    if save:
        if fixed:
            raise UsageError("--save records the failure; it is not used with --fixed")
        path = save_sample(base, result)
        err.print(f"saved {path}")
    if result.timed_out:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- entry point


def main() -> None:
    try:
        app(standalone_mode=True)
    except AdvisorError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except SystemExit:
        raise
    except Exception as exc:  # never a traceback: pasted logs may hold secrets
        _fail(f"internal error ({type(exc).__name__}); please report it with the command you ran", 2)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"advisor: {message}\n")
    sys.exit(code)


__all__ = ["app", "main", "InputError"]
