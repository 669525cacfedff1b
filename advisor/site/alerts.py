"""Pages by alert name: /alerts/<AlertName>/ for every alert an entry exports, and /alerts/.

An on-call engineer paged by an alert can open `/alerts/<AlertName>/`, as with
prometheus-operator's runbooks. An alert exported by one entry redirects to that entry's
"What to do now" (`alert_redirects`: a few bytes of HTML, nothing to keep in sync); an
alert name several entries export (`GoThreadsHigh`) gets a page that summarises each of
them, its expression and first steps, linking to every runbook. The entry page stays
the `runbook_url` (its URL never moves). Summary pages are left out of search, so an
alert name searched lands on the entry itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from advisor.models import Alert, FailureMode
from advisor.site.common import CATEGORY_TITLES, alert_path, entry_path
from advisor.site.markdown import (
    code_span,
    fence,
    front_matter,
    heading,
    item,
    join,
    link_text,
    md_text,
)


def alerts_by_name(entries: Iterable[FailureMode]) -> dict[str, list[tuple[FailureMode, Alert]]]:
    """Alert name -> every (entry, alert) that defines it, entries in id order."""
    found: dict[str, list[tuple[FailureMode, Alert]]] = defaultdict(list)
    for e in sorted(entries, key=lambda e: e.id):
        for a in e.alerts:
            found[a.name].append((e, a))
    return dict(sorted(found.items()))


def render_alert_page(name: str, defined: list[tuple[FailureMode, Alert]]) -> str:
    meta = {"title": f"Alert {name}", "search": {"exclude": True}}
    out = [front_matter(meta), f"# Alert {code_span(name)}\n"]
    if len(defined) > 1:
        out.append(f"{len(defined)} failure modes export an alert of this name; "
                   "each section below is one of them.\n")
    for e, a in defined:
        if len(defined) > 1:
            out.append(heading(2, link_text(e.title), e.id))
        out.append(md_text(a.summary.strip()) + "\n")
        facts = [f"severity **{a.severity}**", f"category {CATEGORY_TITLES[e.category]}"]
        if a.for_:
            facts.append(f"fires after {a.for_}")
        out.append(" · ".join(facts) + "\n")
        out.append(fence(" ".join(a.expr.split()), "text"))
        out.append(f"**What to do now** ([full runbook](../{entry_path(e.id)}#now)):\n")
        out.append("\n".join(item(md_text(s), f"{i}.") for i, s in enumerate(e.now, 1)) + "\n")
    return join(out)


def render_alert_index(entries: Iterable[FailureMode]) -> str:
    alerts = alerts_by_name(entries)
    out = [front_matter({"title": "Alerts"}), "# Alerts\n",
           "Every Prometheus alert the failure modes export (`advisor export prometheus-rules`), "
           "with the page it leads to. The rules carry the failure mode's page as `runbook_url`; "
           "`/alerts/<AlertName>/` works too.\n"]
    if not alerts:
        out.append("No entry defines an alert yet.\n")
        return join(out)
    rows = []
    for name, defined in alerts.items():
        fms = ", ".join(f"[{link_text(e.title)}](../{entry_path(e.id)}#now)" for e, _ in defined)
        sev = "/".join(sorted({a.severity for _, a in defined}))
        label = f"[{code_span(name)}]({name}.md)" if len(defined) > 1 else code_span(name)
        rows.append(f"| {label} | {sev} | {fms} |\n")
    out.append('<div class="fm-index" markdown>\n\n| Alert | Severity | Failure mode |\n|---|---|---|\n'
               + "".join(rows) + "\n</div>\n")
    return join(out)


def alert_pages(entries: Iterable[FailureMode]) -> dict[str, str]:
    """docs path -> Markdown for /alerts/ and /alerts/<AlertName>/ of each alert several entries export."""
    entries = list(entries)
    pages = {"alerts/index.md": render_alert_index(entries)}
    for name, defined in alerts_by_name(entries).items():
        if len(defined) > 1:
            pages[alert_path(name)] = render_alert_page(name, defined)
    return pages


def alert_redirects(entries: Iterable[FailureMode]) -> dict[str, str]:
    """docs path of /alerts/<AlertName>/ -> the entry's #now, for each alert one entry exports."""
    return {alert_path(name): f"{entry_path(defined[0][0].id)}#now"
            for name, defined in alerts_by_name(entries).items() if len(defined) == 1}
