"""One issue type for every check that points at a place in the knowledge base.

`advisor validate` (schema, patterns, references) and `advisor review` (stale entries,
mis-ranked samples, broad rules, near-duplicates) both return `Issue`s, so both print
`file:line:col: message` for people and `--format github` annotations for pull requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
FORMATS = ("text", "github")


def _gh_escape(value: str, *, prop: bool = False) -> str:
    # GitHub workflow commands: %, CR and LF are escaped in data; ':' and ',' too in properties.
    out = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return out.replace(":", "%3A").replace(",", "%2C") if prop else out


@dataclass(frozen=True, order=True)
class Issue:
    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"
    check: str = field(default="schema", compare=False)
    entry: str = field(default="", compare=False)  # the entry it is about, when there is one
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def format(self, style: str = "text", *, with_check: bool = False) -> str:
        """`text`: path:line:col: message (with_check: `[check]` before it); `github`: an
        annotation on the pull request's diff."""
        if style == "github":
            title = f",title={_gh_escape(self.check, prop=True)}" if with_check else ""
            return (f"::{self.severity} file={_gh_escape(self.path, prop=True)},line={self.line},"
                    f"col={self.col}{title}::{_gh_escape(self.message)}")
        tag = f"[{self.check}] " if with_check else ""
        return f"{self.path}:{self.line}:{self.col}: {tag}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check}
        if self.entry:
            out["entry"] = self.entry
        out.update(severity=self.severity, path=self.path, line=self.line, col=self.col,
                   message=self.message)
        out.update(self.data)
        return out
