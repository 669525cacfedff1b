"""RE2, the linear-time regex engine every contributed pattern runs on.

A pasted log is untrusted input and contributed patterns are reviewed but not trusted:
RE2 has no backtracking, so no pattern can make a line take exponential time.
"""

from __future__ import annotations

from typing import Any

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
    return out
