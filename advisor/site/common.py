"""Names, labels and page paths shared by the site's renderers (no Markdown, no MkDocs).

Page paths are relative to docs_dir; with directory URLs they become the permanent URLs:

    failure-modes/<id>.md     -> /failure-modes/<id>/     the runbook link
    alerts/<AlertName>.md     -> /alerts/<AlertName>/     what an alert's name leads to
    postmortems/<id>.md       -> /postmortems/<id>/
"""

from __future__ import annotations

from advisor.models import Category, FailureMode, Severity

CATEGORY_TITLES = {
    Category.crash: "Crash",
    Category.goroutine_leak: "Goroutine leak",
    Category.memory: "Memory",
    Category.runtime: "Runtime",
    Category.network: "Network",
}
SEVERITY_ORDER = (Severity.critical, Severity.high, Severity.medium, Severity.low)


def entry_path(ident: str) -> str:
    return f"failure-modes/{ident}.md"


def postmortem_path(ident: str) -> str:
    return f"postmortems/{ident}.md"


def alert_path(name: str) -> str:
    return f"alerts/{name}.md"


def triage_path(category: Category) -> str:
    return f"triage/{category.value}.md"


def go_versions_label(e: FailureMode) -> str:
    gv = e.go_versions
    return f"Go {gv.since}–{gv.until}" if gv.until else f"Go {gv.since}+"


def recoverable_label(e: FailureMode) -> str:
    if e.recoverable is None:
        return "not a panic"
    return "recover() catches it" if e.recoverable else "recover() cannot catch it"
