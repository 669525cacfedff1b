"""RE2, the linear-time regex engine every contributed pattern runs on.

A pasted log is untrusted input and contributed patterns are reviewed but not trusted:
RE2 has no backtracking, so no pattern can make a line take exponential time.
"""

from __future__ import annotations

import re2


def compile_re2(pattern: str, ignore_case: bool = False) -> re2._Regexp:
    opts = re2.Options()
    opts.case_sensitive = not ignore_case
    opts.max_mem = 8 << 20
    opts.log_errors = False  # errors are reported as issues, not printed by absl
    return re2.compile(pattern, options=opts)
