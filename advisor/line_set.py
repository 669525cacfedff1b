"""Every entry's line regexes as one RE2 set, run over many distinct lines in few calls.

A call through the RE2 binding costs about a microsecond whatever the line's length, and
a dump of all-different stacks has tens of thousands of distinct lines that no rule
matches. So lines are tested in chunks first: a second set holds the same patterns in
multi-line mode with `never_nl` (no match may cross a newline), where a chunk of lines
joined by newlines matches exactly when one of its lines does. Only chunks that match are
split in eighths, then into lines, and each such line goes through the exact set. The answers are
those of testing every line alone; only the number of calls changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

# Lines joined into one test, then, in a chunk that matched, into one test per 8 lines:
# a sparse hit costs 1 + 8 + 8 calls per 64 lines, a line in every place 1 + 8 + 64.
LEVELS = (64, 8)
# These make a pattern read the text as a whole, not line by line: with any of them in a
# pattern, chunks could miss a line's match, so every line is tested alone.
_NOT_LINE_LOCAL = ("\\A", "\\z", "\\C", "(?-")


def _set(multi_line: bool) -> re2.Set:
    opts = re2.Options()
    opts.log_errors = False
    opts.max_mem = 64 << 20
    opts.never_nl = multi_line
    return re2.Set.SearchSet(opts)


class LineSet:
    """add() patterns, compile(), then scan(lines) -> (position, set indexes) of lines with a hit."""

    def __init__(self) -> None:
        self._exact, self._chunks = _set(False), _set(True)
        self._size = 0
        self._line_local = True

    def __len__(self) -> int:
        return self._size

    def add(self, pattern: str, ignore_case: bool = False) -> int:
        exact = f"(?i:{pattern})" if ignore_case else pattern
        index = self._exact.Add(exact)
        self._chunks.Add(f"(?m:{exact})")
        self._line_local = self._line_local and not any(t in pattern for t in _NOT_LINE_LOCAL)
        self._size += 1
        return index

    def compile(self) -> None:
        self._exact.Compile()
        self._chunks.Compile()

    def match(self, line: str) -> list[int] | None:
        """Set indexes of the patterns that find a match in one line (None: none does)."""
        return self._exact.Match(line)

    def scan(self, lines: list[str]) -> Iterator[tuple[int, list[int]]]:
        """(position, set indexes) of every line that some pattern matches, in order."""
        if not self._size:
            return
        # a line holding a newline (a hostile profile's function name) would join chunks wrongly
        if not self._line_local or "\n".join(lines).count("\n") != max(0, len(lines) - 1):
            yield from self._each(lines, 0, len(lines))
            return
        yield from self._narrow(lines, 0, len(lines), 0)

    def _narrow(self, lines: list[str], lo: int, hi: int, level: int) -> Iterator[tuple[int, list[int]]]:
        if level == len(LEVELS):
            yield from self._each(lines, lo, hi)
            return
        size = LEVELS[level]
        for start in range(lo, hi, size):
            end = min(start + size, hi)
            if self._chunks.Match("\n".join(lines[start:end])):
                yield from self._narrow(lines, start, end, level + 1)

    def _each(self, lines: list[str], lo: int, hi: int) -> Iterator[tuple[int, list[int]]]:
        match = self._exact.Match
        for i in range(lo, hi):
            found = match(lines[i])
            if found:
                yield i, found
