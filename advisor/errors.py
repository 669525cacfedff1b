"""One exception hierarchy; the CLI maps each class to a one-line message and an exit code.

Messages never include locals or input excerpts beyond what the user gave as a path:
a pasted log may hold secrets.
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base of every error the advisor reports to a person."""

    exit_code = 2


class UsageError(AdvisorError):
    """The command was called wrongly (bad option, unknown id)."""


class InputError(AdvisorError):
    """The input cannot be used: missing, empty, binary, too large."""


class KnowledgeBaseError(AdvisorError):
    """The knowledge base could not be loaded because it is invalid."""

    def __init__(self, message: str, issues: list | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


class ModelUnavailableError(AdvisorError):
    """The embedding model cannot be loaded: a fault of this installation, not of the input.

    Not an InputError, so nothing counts it as an answer about one input (`advisor eval`
    stops instead of scoring every item as missed); the CLI exits 3 and `advisor serve`
    answers 503.
    """

    exit_code = 3


class ToolchainError(AdvisorError):
    """The Go toolchain is missing or failed in a way that is not the program's fault."""
