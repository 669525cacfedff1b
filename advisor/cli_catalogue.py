"""`advisor catalogue ...`: regenerate and check the runtime message catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

catalogue_app = typer.Typer(
    help="The catalogue of the Go runtime's fatal messages (kb/runtime-messages.yaml).",
    no_args_is_help=True,
)

KbOption = Annotated[
    Path | None,
    typer.Option("--kb", help="Knowledge base folder (default: $ADVISOR_KB or the bundled kb/).", show_default=False),
]


def _path(kb: Path | None) -> Path:
    from .catalogue import CATALOGUE_FILE
    from .kb import default_kb_root

    return (kb or default_kb_root()) / CATALOGUE_FILE


@catalogue_app.command("regenerate")
def regenerate_cmd(
    release: Annotated[list[str] | None, typer.Option(
        "--release", help="Releases to extract (repeatable); default: every supported release "
        "(earlier ones are installed into the user cache on first use, ~220 MB each).")] = None,
    kb: KbOption = None,
) -> None:
    """Extract every fatal message from each release's runtime source and rewrite the catalogue.

    Classifications (failure_mode, meaning) are kept; new messages are written unclassified
    and the command exits 1 until each has one."""
    from .catalogue_build import regenerate
    from .toolchains import RELEASES

    path = _path(kb)
    cat, counts = regenerate(path, list(release or RELEASES))
    typer.echo(f"{path}: {counts['messages']} messages from {', '.join(cat.releases)} "
               f"({counts['added']} new, {counts['dropped']} no longer printed by any of them)")
    _print_stats(cat)
    if counts["unclassified"]:
        typer.echo(f"{counts['unclassified']} message(s) need a failure_mode (an entry id, or none with a meaning); "
                   "'advisor validate' lists them with their lines", err=True)
        raise typer.Exit(1)


@catalogue_app.command("check")
def check_cmd(
    goroot: Annotated[Path | None, typer.Option(
        "--goroot", help="A Go tree to check against (default: the project's own toolchain).")] = None,
    kb: KbOption = None,
) -> None:
    """Exit 1 when a release prints messages the catalogue lacks or has not classified."""
    from .catalogue import load_catalogue
    from .catalogue_build import bundled_goroot, check_release, release_of
    from .catalogue_extract import extract_tree

    root = goroot or bundled_goroot()
    release = release_of(root)
    st = check_release(load_catalogue(kb), release, extract_tree(root / "src"))
    for kind, text in st.missing:
        typer.echo(f"go{release}: not in the catalogue: {kind}: {text}")
    for m in st.unclassified:
        typer.echo(f"go{release}: not classified: {m.id}")
    for m in st.wrong_release:
        typer.echo(f"go{release}: catalogued for {release.rsplit('.', 1)[0]} but not printed by it: {m.id}")
    if not st.ok:
        typer.echo("run 'advisor catalogue regenerate' and classify the new messages", err=True)
        raise typer.Exit(1)
    typer.echo(f"go{release}: every message is catalogued and classified")


@catalogue_app.command("stats")
def stats_cmd(kb: KbOption = None) -> None:
    """Messages per release, and how many belong to no entry."""
    from .catalogue import load_catalogue

    _print_stats(load_catalogue(kb))


def _print_stats(cat) -> None:
    from .catalogue import NONE, minor

    typer.echo("release  messages  classified  none  unclassified")
    for r in cat.releases:
        mine = [m for m in cat.messages if minor(r) in m.releases]
        none = sum(1 for m in mine if m.failure_mode == NONE)
        todo = sum(1 for m in mine if not m.failure_mode)
        typer.echo(f"{r:<8} {len(mine):>8} {len(mine) - none - todo:>11} {none:>5} {todo:>13}")
