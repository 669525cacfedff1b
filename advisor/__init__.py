"""Go failure-mode knowledge base and advisor.

    from advisor import Advisor
    result = Advisor.load(kb=["@shipped", "team/kb"]).match(pasted_text)

Names are imported on first use, so `import advisor` (and `advisor --help`) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Advisor": "advisor.api",
    "validate": "advisor.api",
    "MatchResult": "advisor.match",
    "Candidate": "advisor.match",
    "Issue": "advisor.issues",
    "AdvisorError": "advisor.errors",
    "KnowledgeBaseError": "advisor.errors",
    "InputError": "advisor.errors",
    "UsageError": "advisor.errors",
}

if TYPE_CHECKING:
    from .api import Advisor, validate
    from .errors import AdvisorError, InputError, KnowledgeBaseError, UsageError
    from .issues import Issue
    from .match import Candidate, MatchResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["__version__", "Advisor", "validate", "MatchResult", "Candidate", "Issue", "AdvisorError",
           "KnowledgeBaseError", "InputError", "UsageError"]
