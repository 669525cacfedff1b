"""`advisor site build|serve`: the docs site of several knowledge bases, from any folder.

A team's repository holds only its kb/ and a mkdocs.yml with its own settings (site_name,
site_url, repo_url, extra...). This module writes build/advisor-mkdocs.yml there: it
INHERITs this package's mkdocs.yml and points at the package's pages, theme overrides and
hooks (in a checkout, the repository's; in a wheel, its bundle), with the team's settings on
top; then runs MkDocs with $ADVISOR_KB naming the knowledge bases, so the hooks build one
site from all of them. Needs the docs extra: pip install 'go-failure-advisor[docs]'.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .errors import UsageError
from .kb import SHIPPED, package_dir, project_root, resolve_kb_roots, shipped_kb_root

# What a team's mkdocs.yml may set; the rest (theme, plugins, hooks, markdown) is the package's.
TEAM_KEYS = ("site_name", "site_url", "site_description", "site_author", "repo_url", "repo_name",
             "edit_uri", "copyright", "extra", "nav")


def default_kbs(folder: Path) -> list[Path]:
    """$ADVISOR_KB if set; else the shipped KB plus ./kb when the folder has its own."""
    if os.environ.get("ADVISOR_KB"):
        return resolve_kb_roots(None)
    own = folder / "kb"
    if (own / "failure-modes").is_dir() and own.resolve() != shipped_kb_root().resolve():
        return resolve_kb_roots([SHIPPED, own])
    return resolve_kb_roots(None)


def write_config(folder: Path, site_dir: Path | None = None) -> Path:
    """build/advisor-mkdocs.yml for the team repository at folder."""
    import yaml

    base = project_root()
    team: dict = {}
    team_file = folder / "mkdocs.yml"
    if team_file.is_file() and team_file.resolve() != (base / "mkdocs.yml").resolve():
        loaded = yaml.safe_load(team_file.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise UsageError(f"{team_file}: expected a mapping of MkDocs settings")
        unknown = sorted(set(loaded) - set(TEAM_KEYS))
        if unknown:
            raise UsageError(f"{team_file}: {', '.join(unknown)} cannot be set here (the package "
                             f"provides theme, plugins and hooks); allowed: {', '.join(TEAM_KEYS)}")
        team = loaded
    config = {
        "INHERIT": str(base / "mkdocs.yml"),
        "docs_dir": str(base / "docs"),
        "site_dir": str((site_dir or folder / "site").resolve()),
        "theme": {"custom_dir": str(base / "site-overrides")},
        "hooks": [str(package_dir() / "site" / "mkdocs_hooks.py")],
        **team,
    }
    out = folder / "build" / "advisor-mkdocs.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("# written by `advisor site`; edit mkdocs.yml instead\n"
                   + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def run(action: str, folder: Path, kbs: list[Path], site_dir: Path | None = None,
        extra: list[str] | None = None) -> int:
    """Run `mkdocs build --strict` or `mkdocs serve` on the written config; its exit code."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        raise UsageError("building the site needs MkDocs: pip install 'go-failure-advisor[docs]'") from None
    config = write_config(folder, site_dir)
    env = dict(os.environ, ADVISOR_KB=os.pathsep.join(str(k) for k in kbs))
    cmd = [sys.executable, "-m", "mkdocs", action, "-f", str(config)]
    if action == "build":
        cmd.append("--strict")
    return subprocess.run([*cmd, *(extra or [])], cwd=folder, env=env).returncode
