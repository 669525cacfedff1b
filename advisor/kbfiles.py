"""The files of a knowledge base, read as a pull request may have shaped them.

A KB lives in a repository many people merge into, so its files are untrusted in form:
`entry.yaml` may be a symlink to /dev/zero (validate read 4 GB) or to a secret outside
the repository (the site would publish it), a FIFO (a read that never returns), a
symlink that loops or dangles (glob skips those without a word), or simply huge.
Everything the validator and the loaders read under kb/ goes through here: a symlink
may point only inside the KB, only regular files are read, each kind of file has a size
limit, and every refusal is a reason the validator reports at the file; nothing is
skipped silently.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_YAML_BYTES = 1 << 20  # an entry is ~20 KB
MAX_SAMPLE_BYTES = 16 << 20  # a sample is real output, sometimes a large dump
MAX_SOURCE_BYTES = 1 << 20  # repro/ and fixed/ programs


class UnsafeFile(Exception):
    """A KB file that must not be read; str() is the reason, for the contributor."""


def _target(path: Path, root: Path) -> tuple[Path | None, str | None]:
    """(where path leads, None) when that is inside root; (None, why not) otherwise."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            return None, f"is a symlink to {os.readlink(path)}, which does not exist"
        return None, "does not exist"
    except (RuntimeError, OSError) as exc:  # ELOOP: "Symlink loop" (RuntimeError before 3.13)
        if path.is_symlink():
            return None, "is a symlink that loops back on itself"
        return None, f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    base = root.resolve()
    if target != base and base not in target.parents:
        return None, f"is a symlink to {target}, outside the knowledge base; copy it in instead"
    return target, None


def problem(path: Path, root: Path, limit: int) -> str | None:
    """Why `path` must not be read, or None when it is a regular file inside `root`."""
    target, reason = _target(path, root)
    if target is None:
        return reason
    try:
        st = target.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, pipe or socket)"
        return f"is {kind}"
    if st.st_size > limit:
        return f"is {st.st_size / 2**20:.1f} MB; files of this kind may be at most {limit / 2**20:.0f} MB"
    return None


def read_bytes(path: Path, root: Path, limit: int, head: int | None = None) -> bytes:
    """The file's bytes (or its first `head` bytes); UnsafeFile with the reason otherwise."""
    reason = problem(path, root, limit)
    if reason is not None:
        raise UnsafeFile(reason)
    try:
        with path.open("rb") as fh:
            # never more than the limit, even if the file grew since it was checked
            return fh.read(min(limit, head) if head is not None else limit)
    except OSError as exc:
        raise UnsafeFile(f"cannot be read ({exc.strerror})") from None


def names(folder: Path) -> list[Path]:
    """Every entry of a folder, dangling and looping symlinks included, sorted; [] if the
    folder is missing. (Path.glob skips dangling symlinks without a word.)"""
    try:
        return sorted(folder / n for n in os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


@dataclass
class Discovery:
    entries: list[Path] = field(default_factory=list)  # failure-modes/<id>/entry.yaml, safe to read
    postmortems: list[Path] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason) to report


def discover(root: Path) -> Discovery:
    """The KB's entry and postmortem files; unreadable ones are problems, not omissions."""
    found = Discovery()
    for folder in names(root / "failure-modes"):
        if folder.name.startswith("."):
            continue
        if folder.is_symlink():
            reason = _target(folder, root)[1] or "is a symlinked folder; entry folders must be real folders"
            found.problems.append((folder, reason))
            continue
        if not folder.is_dir():
            continue
        entry = folder / "entry.yaml"
        if not os.path.lexists(entry):
            continue  # a folder without an entry (the scaffold's samples only): not ours to judge
        reason = problem(entry, root, MAX_YAML_BYTES)
        if reason is None:
            found.entries.append(entry)
        else:
            found.problems.append((entry, reason))
    for path in names(root / "postmortems"):
        if path.suffix != ".yaml":
            continue
        reason = problem(path, root, MAX_YAML_BYTES)
        if reason is None:
            found.postmortems.append(path)
        else:
            found.problems.append((path, reason))
    return found
