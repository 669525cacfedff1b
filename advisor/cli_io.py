"""The command line's standard streams and input: what `advisor` reads and where it writes,
under the plumbing people actually use (`| head -1`, `>/dev/full`, `<&-`, a 1 GB file).

Kept apart from cli.py, which is about commands: reading at most MAX_BYTES + 1 of an
input and knowing its real size; a stdout whose reader may go away.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from .errors import InputError, UsageError


def read_input(path: str | None) -> bytes:
    """Bytes of the input: a file, or stdin for '-' / no path. At most MAX_BYTES + 1 are read."""
    return read_input_sized(path)[0]


def read_input_sized(path: str | None) -> tuple[bytes, int | None]:
    """(at most MAX_BYTES + 1 bytes of the input, its whole size when known: a file, or a
    file redirected to stdin; a pipe's size is not known and is never drained to find out)."""
    from .normalise import MAX_BYTES

    limit = MAX_BYTES + 1
    if path is None or path == "-":
        if sys.stdin is None:
            raise UsageError("no input: stdin is closed; give a file, or pipe the log in")
        if path is None and sys.stdin.isatty():
            raise UsageError("no input: give a file, or pipe the log in (advisor match - < crash.log)")
        try:
            return sys.stdin.buffer.read(limit), _regular_size(sys.stdin.buffer.fileno())
        except OSError as exc:
            raise InputError(f"cannot read stdin ({exc.strerror or exc})") from None
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a folder; give a log file")
    try:
        with p.open("rb") as fh:
            return fh.read(limit), _regular_size(fh.fileno())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _regular_size(fd: int) -> int | None:
    try:
        st = os.fstat(fd)
    except (OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


class _PipeGuard:
    """sys.stdout, except that a reader that went away (`advisor match x | head -1`) is not
    an error: the rest of the output goes to /dev/null and the command's exit code still
    says what it found. (Click turns a broken pipe into exit 1, which scripts read as
    'abstained', before the project's own handler could run.)"""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def _reader_gone(self) -> None:
        silence_stdout()
        try:
            self._stream.flush()  # what was buffered now goes to /dev/null
        except OSError:
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def silence_stdout() -> None:
    # Python flushes stdout again at exit: point fd 1 at /dev/null so that flush succeeds
    # (the recipe in the documentation of the signal module).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def guard_std_streams() -> None:
    """A closed stdout or stderr (`>&-`) becomes /dev/null (the exit code still tells);
    stdout gets the broken-pipe guard."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    sys.stdout = _PipeGuard(sys.stdout)
