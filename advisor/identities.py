"""Who owns an entry: a GitHub handle or an e-mail address, and nothing else.

Owners become lines of .github/CODEOWNERS (`advisor export codeowners`), where a space
separates owners and a newline starts a new rule: an owner "runtime-team\\n* @mallory"
once validated and handed the whole repository to @mallory. So owners are checked by
the schema (reported at their position in the entry) and again when exported.
"""

from __future__ import annotations

import re

from .regex import linear

# @user (1-39 letters, digits or single inner hyphens, GitHub's rule) or @org/team-slug
_HANDLE = linear(re.compile(r"@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?"),
                 use="match", reads="an entry's owners")
# a plain address: no quoting, comments or '#' (a comment in CODEOWNERS)
_EMAIL = linear(re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){1,8}"),
                use="match", reads="an entry's owners")
OWNER_HINT = "a GitHub handle (@user or @org/team) or an e-mail address"
# For the JSON Schema (editors): the same shapes, loosely.
OWNER_SCHEMA_PATTERN = r"^(@[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)$"


def is_owner(value: str) -> bool:
    return len(value) <= 254 and (_HANDLE.fullmatch(value) is not None or _EMAIL.fullmatch(value) is not None)


def check_owner(value: str) -> str:
    """The owner unchanged, or ValueError saying what an owner must be (for the validator)."""
    if not is_owner(value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise ValueError(f"{shown!r} is not {OWNER_HINT}")
    return value
