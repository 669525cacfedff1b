"""Regular expressions on untrusted text: RE2 for contributed patterns, a register for ours.

A pasted log is untrusted input and contributed patterns are reviewed but not trusted:
RE2 has no backtracking, so no pattern can make a line take exponential time.

The advisor's own hot-path patterns (the parser's and the normaliser's) stay on Python's
`re`, which is several times faster than the RE2 binding on the whole-text scans a 100 MB
dump needs, but only if they are written so that they cannot backtrack: every one of them
is passed through `linear()` where it is defined, and tests/test_linear_time.py imports
every module of the package, finds every compiled `re` pattern (and every inline
`re.search(r"...")` call) and fails for any that is not registered here; the registered
ones are run on worst cases generated from their own syntax tree (nested and repeated
delimiters, long runs of one character, near-misses repeated) at two sizes, and must
grow linearly. CONTRIBUTING.md says how to register one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import re2


def compile_re2(pattern: str, ignore_case: bool = False) -> re2._Regexp:
    opts = re2.Options()
    opts.case_sensitive = not ignore_case
    opts.max_mem = 8 << 20
    opts.log_errors = False  # errors are reported as issues, not printed by absl
    return re2.compile(pattern, options=opts)


def rule_patterns(rule: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Every regex of one match rule, with its location inside the rule (for errors)."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if rule.regex is not None:
        out.append((("regex",), rule.regex))
    if rule.goroutines is not None:
        g = rule.goroutines
        for i, s in enumerate(g.state):
            out.append((("goroutines", "state", i), s))
        for name in ("function", "created_by", "stack"):
            if getattr(g, name):
                out.append((("goroutines", name), getattr(g, name)))
    heap = getattr(rule, "heap", None)  # a KbView cached before heap rules existed has none
    if heap is not None:
        for name in ("function", "top", "stack", "exclude"):
            if getattr(heap, name):
                out.append((("heap", name), getattr(heap, name)))
    if getattr(rule, "sanitizer", None) is not None and rule.sanitizer.error:
        out.append((("sanitizer", "error"), rule.sanitizer.error))
    return out


# --------------------------------------------------------------------------- the register

Use = Literal["search", "match"]


@dataclass(frozen=True)
class LinearPattern:
    """A Python `re` pattern the linear-time test checks on generated worst cases."""

    pattern: re.Pattern[str]
    use: Use  # "search": scans a text (search, findall, finditer, sub, split); "match": at a line start
    seeds: tuple[str, ...]  # extra fragments the worst-case generator repeats, besides its own
    reads: str  # what text it reads, for the next engineer


LINEAR_PATTERNS: dict[tuple[str, int], LinearPattern] = {}


def pattern_key(pattern: re.Pattern[str]) -> tuple[str, int]:
    return pattern.pattern, pattern.flags


def linear(pattern: re.Pattern[str] | str, flags: int = 0, *, use: Use = "search",
           seeds: tuple[str, ...] = (), reads: str = "pasted text") -> re.Pattern[str]:
    """Register a Python `re` pattern with the linear-time test and return it compiled.

        _FRAME = linear(re.compile(r"^\\t(\\S+):(\\d+)"), use="match")

    `use="match"` when the code only ever calls `.match()` on single lines (the test then
    times `.match`, not a scan of the whole text). `seeds` are fragments that the
    generator should repeat besides those it derives from the pattern itself (say
    "{a}" for a pattern about argument lists). Prefer RE2 (`compile_re2`) for anything
    off the hot path: it needs no registration because it cannot backtrack.
    """
    compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
    LINEAR_PATTERNS[pattern_key(compiled)] = LinearPattern(compiled, use, tuple(seeds), reads)
    return compiled
