"""Markdown for the runbook page of one failure mode, and for a postmortem.

Pure functions: models and plain data in, a Markdown string out. No file system, no
MkDocs, no Jinja (Go templates and alert expressions contain `{{ }}`, which must reach
the page untouched). `mkdocs_hooks.py` reads the KB and the files beside each entry and
hands them to these functions; tests call them directly. Indexes are in `indexes.py`,
the symptom index in `symptoms.py`, alert pages in `alerts.py`, triage cards in `triage.py`.

An entry page is `SECTIONS`, in order: each row is (anchor, heading, renderer). The
anchors are permanent (alerts deep-link to them), so `ANCHORS` is derived from the table
and a section is added by adding a row. Every renderer takes a `Page` and returns
Markdown blocks; KB text goes through `md_text` (raw HTML escaped) or `code_span`/`fence`.

Page paths are in `common.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from advisor.models import FailureMode, Postmortem
from advisor.site.advice_marks import (
    detection_mark,
    link_entry_mentions,
    note_source,
    verification_mark,
    with_mark,
)
from advisor.site.common import (
    CATEGORY_TITLES,
    entry_path,
    go_versions_label,
    postmortem_path,
    recoverable_label,
)
from advisor.site.markdown import (
    admonition,
    cell,
    code_span,
    fence,
    file_label,
    front_matter,
    han_runs,
    heading,
    html_text,
    indent,
    item,
    join,
    link_text,
    md_inline,
    md_text,
)

HORIZONS = (
    ("now", "Stop the bleeding"),
    ("soon", "Fix the code"),
    ("lasting", "Make it impossible"),
)
SAMPLE_MAX_LINES = 60
STALE_AFTER_DAYS = 365  # mkdocs.yml extra.stale_after_days overrides it


# --------------------------------------------------------------------------- entry page


@dataclass
class EntryFiles:
    """What lies beside entry.yaml: the reproducer sources and the sample outputs."""

    repro: str | None = None  # repro/main.go
    fixed: str | None = None  # fixed/main.go
    samples: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)


@dataclass
class Page:
    """Everything one entry page is rendered from."""

    e: FailureMode
    runbook_url: str
    titles: Mapping[str, str] = field(default_factory=dict)
    postmortems: Sequence[Postmortem] = ()
    files: EntryFiles = field(default_factory=EntryFiles)
    mermaid: bool = True


Renderer = Callable[[Page], list[str]]


def _sample_block(name: str, text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    note = ""
    if len(lines) > SAMPLE_MAX_LINES:
        note = (f"\n*First {SAMPLE_MAX_LINES} of {len(lines)} lines; the whole file is "
                f"{code_span('samples/' + name)}.*\n")
        lines = lines[:SAMPLE_MAX_LINES]
    return fence("\n".join(lines), "text", title=f"samples/{name}") + note


def _steps(steps: Sequence[str], marker: str = "-") -> str:
    if marker == "1.":
        return "\n".join(item(md_text(s), f"{i}.") for i, s in enumerate(steps, 1)) + "\n"
    return "\n".join(item(md_text(s), marker) for s in steps) + "\n"


def _lk(p: Page, text: str) -> str:
    """Entry ids named in the text become links to their pages."""
    return link_entry_mentions(text.strip(), p.titles, p.e.id)


def _now(p: Page) -> list[str]:
    out = ["\n".join(item(with_mark(md_text(_lk(p, s)), verification_mark(s.demonstration, s.unverified)),
                          f"{i}.") for i, s in enumerate(p.e.now, 1)) + "\n"]
    now_fixes = [f for f in p.e.fixes if f.horizon == "now"]
    if now_fixes:
        out.append("Stop the bleeding: " + ", ".join(f"**{md_inline(f.title)}**" for f in now_fixes)
                   + " ([below](#fix)).\n")
    return out


def _meaning(p: Page) -> list[str]:
    e = p.e
    note = e.recover_note or {
        None: "This failure is not a panic: there is nothing to recover, only a cause to remove.",
        True: "A deferred `recover()` in the failing goroutine stops the unwinding.",
        False: "A deferred `recover()` never gets control.",
    }[e.recoverable]
    out = [md_text(_lk(p, e.summary)) + "\n", f"**{recoverable_label(e).capitalize()}.** {md_text(note)}\n"]
    if e.aliases:
        out.append("**Also known as:** " + ", ".join(
            md_inline(a) if han_runs(a) or ":" not in a else code_span(a) for a in e.aliases) + "\n")
    return out


def _impact(p: Page) -> list[str]:
    return [md_text(_lk(p, p.e.impact)) + "\n"]


def _symptoms(p: Page) -> list[str]:
    out = ["What the runtime or the tools print:\n", fence("\n".join(p.e.signatures), "text"),
           _steps(p.e.symptoms)]
    samples = p.files.samples
    real = [s for s in samples if not s[0].startswith("repro-")] or samples[:1]
    if real:
        name, text = real[0]
        out.append(admonition("example", f"A real log: samples/{file_label(name)}",
                              _sample_block(name, text), collapsible="closed"))
    return out


def _diagnosis(p: Page) -> list[str]:
    out: list[str] = []
    for d in p.e.detection:
        out.append(heading(3, md_inline(d.title)))
        out.append(fence(d.command, d.language, classes=".fm-command"))
        out.append(f"**Look for:** {md_text(_lk(p, d.look_for))}\n")
        out.append(with_mark("", detection_mark(d)))
    return out


def _fix(p: Page) -> list[str]:
    out: list[str] = []
    for horizon, label in HORIZONS:
        for f in (f for f in p.e.fixes if f.horizon == horizon):
            out.append(heading(3, md_inline(f.title)))
            out.append(f'<span class="fm-horizon fm-horizon--{horizon}">{label} · {horizon}</span>\n')
            out.append(md_text(_lk(p, f.detail)) + "\n")
            out.append(with_mark("", verification_mark(f.demonstration, f.unverified)))
            out.append(_before_after(f.before, f.after, f.language))
    return out


def _cause(p: Page) -> list[str]:
    e = p.e
    out = [md_text(_lk(p, e.mechanism)) + "\n"]
    if e.diagram:
        out.append(fence(e.diagram.strip(), "mermaid" if p.mermaid else "text"))
    out.append(heading(3, "Causes"))
    out.append("\n".join(item(f"**{md_inline(c.title)}.** {md_text(_lk(p, c.detail))}") for c in e.causes) + "\n")
    if e.corrections:
        out.append(heading(3, "Corrections", "corrections"))
        for c in e.corrections:
            refs = ", ".join(f"[{i}]({u})" for i, u in enumerate(c.references, 1))
            shown = verification_mark(c.demonstration, None)
            out.append(admonition("quote", "Claim", f"{md_text(c.claim.strip())}\n\n**What the source says:** "
                                  f"{md_text(_lk(p, c.truth))} ({refs})" + (f"\n\n{shown}" if shown else "")))
    return out


def _reproduce(p: Page) -> list[str]:
    e, r = p.e, p.e.repro
    if r is None:
        return ["This entry has no reproducer program yet.\n"]
    out = [md_text(r.shows.strip()) + "\n",
           fence("\n".join(["advisor repro " + e.id, "advisor repro --fixed " + e.id]), "sh")]
    facts = [f"Expected output matches {code_span(r.expect_output)}"]
    if r.expect_exit is not None:
        facts.append(f"exit status {r.expect_exit}")
    if r.build_flags:
        facts.append("build flags " + code_span(" ".join(r.build_flags)))
    if r.env:
        facts.append("environment " + code_span(" ".join(f"{k}={v}" for k, v in r.env.items())))
    if r.language_version:
        facts.append(f"go.mod language version {r.language_version}")
    if r.cgo:
        facts.append("needs cgo and a C compiler")
    out.append("; ".join(facts) + ".\n")
    for label, src in (("repro/main.go", p.files.repro), ("fixed/main.go", p.files.fixed)):
        if src:
            out.append(f'=== "{label}"\n\n{indent(fence(src, "go"))}\n')
    rep = [s for s in p.files.samples if s[0].startswith("repro-")]
    if rep:
        name, text = rep[0]
        out.append(admonition("example", f"Output of the reproducer: samples/{file_label(name)}",
                              _sample_block(name, text), collapsible="closed"))
    return out


def _prevent(p: Page) -> list[str]:
    e = p.e
    out = [_steps([_lk(p, x) for x in e.prevention]) if e.prevention else "No prevention notes yet; see the lasting fixes [above](#fix).\n"]
    if e.alerts:
        out.append(heading(3, "Alerts", "alerts"))
        names = ", ".join(code_span(a.name) for a in e.alerts)
        out.append(f"Prometheus alerting rules for this failure mode ({names}; `/alerts/<name>/` leads "
                   "here), as `advisor export prometheus-rules` writes them, with this page as `runbook_url`:\n")
        out.append(fence(_alerts_yaml(e, p.runbook_url), "yaml"))
    return out


def _go_versions(p: Page) -> list[str]:
    gv = p.e.go_versions
    out = [f"Affects Go {gv.since}" + (f" to {gv.until}." if gv.until else " and later.") + "\n"]
    if gv.notes:
        out.append("| Go | Note |\n|---|---|\n" + "".join(
            f"| {n.version} | {cell(md_inline(_lk(p, n.note)) + note_source(n))} |\n" for n in gv.notes))
    return out


def _references(p: Page) -> list[str]:
    return ["\n".join(item(f"[{link_text(r.title)}]({r.url}) · *{r.kind}*") for r in p.e.references) + "\n"]


def _related(p: Page) -> list[str]:
    if not p.e.related:
        return ["No related entries listed.\n"]
    return ["\n".join(item(f"[{link_text(p.titles[r])}]({r}.md)" if r in p.titles else code_span(r))
                      for r in p.e.related) + "\n"]


def _postmortems(p: Page) -> list[str]:
    if not p.postmortems:
        return ["No postmortem cites this failure mode yet.\n"]
    return ["\n".join(
        item(f"[{pm.date.isoformat()} · {link_text(pm.title)}](../{postmortem_path(pm.id)}) · "
             f"{pm.severity.value}, {pm.duration_minutes} min" + (" · *illustrative*" if pm.illustrative else ""))
        for pm in p.postmortems) + "\n"]


def _owners(p: Page) -> list[str]:
    e = p.e
    out = [f"Owned by {', '.join(md_inline(o) for o in e.owners)}; last reviewed {e.last_reviewed.isoformat()}. "
           f"Permanent link: <{p.runbook_url}>\n"]
    if e.former_ids:
        out.append("Former ids (old links redirect here): " + ", ".join(code_span(f) for f in e.former_ids) + ".\n")
    return out


# The page, in order. Anchors are permanent: append rows, never rename one.
SECTIONS: tuple[tuple[str, str, Renderer], ...] = (
    ("now", "What to do now", _now),
    ("meaning", "What it means", _meaning),
    ("impact", "Impact", _impact),
    ("symptoms", "Symptoms", _symptoms),
    ("diagnosis", "Diagnosis", _diagnosis),
    ("fix", "Fix", _fix),
    ("cause", "Why it happens", _cause),
    ("reproduce", "Reproduce", _reproduce),
    ("prevent", "Prevent", _prevent),
    ("go-versions", "Go versions", _go_versions),
    ("references", "References", _references),
    ("related", "Related", _related),
    ("postmortems", "Postmortems", _postmortems),
    ("owners", "Owners and review", _owners),
)
ANCHORS: tuple[str, ...] = tuple(anchor for anchor, _, _ in SECTIONS)


def is_stale(e: FailureMode, today: dt.date, stale_after_days: int = STALE_AFTER_DAYS) -> bool:
    return (today - e.last_reviewed).days > stale_after_days


def entry_meta(e: FailureMode, runbook_url: str, *, today: dt.date | None = None,
               stale_after_days: int = STALE_AFTER_DAYS,
               source: Mapping[str, str | None] | None = None) -> dict[str, object]:
    """Front matter: page title, tags, and the `entry` mapping the header template shows.

    title, description and tags are printed unescaped by Material's templates (and the
    search index renders them as HTML), so they are escaped here; the `entry` values are
    escaped by entry-header.html. `source` (several KBs built into one site) names the
    entry's knowledge base and the entry it replaces.
    """
    today = today or dt.date.today()
    return {
        "title": html_text(e.title),
        "description": html_text(" ".join(e.summary.split())[:300]),
        "tags": [html_text(t) for t in e.tags],
        "entry": {
            "id": e.id,
            "severity": e.severity.value,
            "category": e.category.value,
            "category_title": CATEGORY_TITLES[e.category],
            "go_versions": go_versions_label(e),
            "recoverable": recoverable_label(e),
            "owners": list(e.owners),
            "last_reviewed": e.last_reviewed.isoformat(),
            "review_age_days": (today - e.last_reviewed).days,
            "stale": is_stale(e, today, stale_after_days),
            "stale_after_days": stale_after_days,
            "runbook_url": runbook_url,
            "alerts": [a.name for a in e.alerts],
            "anchors": list(ANCHORS),
            "source": dict(source) if source else None,
        },
    }


def render_entry(
    e: FailureMode,
    *,
    runbook_url: str,
    titles: Mapping[str, str] | None = None,
    postmortems: Sequence[Postmortem] = (),
    files: EntryFiles | None = None,
    mermaid: bool = True,
    today: dt.date | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
    source: Mapping[str, str | None] | None = None,
) -> str:
    """The page of one failure mode, opening on what to do now.

    `titles` maps entry ids to titles (for related links), `postmortems` are the records
    citing this entry, `files` the reproducer and samples, `runbook_url` this page's
    permanent absolute URL. `mermaid=False` shows a diagram as source (no script on the
    site to draw it, and never a CDN). The title, severity and the rest of the header
    come from the front matter (site-overrides/partials/entry-header.html).
    """
    page = Page(e, runbook_url, titles or {}, postmortems, files or EntryFiles(), mermaid)
    out = [front_matter(entry_meta(e, runbook_url, today=today, stale_after_days=stale_after_days,
                                   source=source))]
    for anchor, title, render in SECTIONS:
        out.append(heading(2, title, anchor))
        out.extend(render(page))
    return join(out)


def _before_after(before: str | None, after: str | None, lang: str) -> str:
    if not before and not after:
        return ""
    panes = [(label, code) for label, code in (("Before", before), ("After", after)) if code]
    inner = "\n".join(
        f'<div class="fm-pane fm-pane--{label.lower()}" markdown>\n\n**{label}**\n\n{fence(code, lang)}\n</div>\n'
        for label, code in panes)
    return f'<div class="fm-compare" markdown>\n\n{inner}\n</div>\n'


def _alerts_yaml(e: FailureMode, runbook_url: str) -> str:
    """The entry's alerts as a rules group (the same fields `advisor export` writes)."""
    import json

    q = lambda s: json.dumps(" ".join(s.split()), ensure_ascii=False)  # noqa: E731
    lines = ["groups:", f"  - name: {e.id}", "    rules:"]
    for a in e.alerts:
        lines.append(f"      - alert: {a.name}")
        lines.append(f"        expr: {q(a.expr)}")
        if a.for_:
            lines.append(f"        for: {a.for_}")
        lines.append("        labels:")
        lines.append(f"          severity: {a.severity}")
        lines.append(f"          failure_mode: {e.id}")
        lines.append("        annotations:")
        lines.append(f"          summary: {q(a.summary)}")
        lines.append(f"          runbook_url: {runbook_url}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- postmortems


def render_postmortem(p: Postmortem, *, titles: Mapping[str, str]) -> str:
    """One incident record; links to the failure modes it cites (which link back)."""

    def fm(ident: str) -> str:
        return f"[{link_text(titles[ident])}](../{entry_path(ident)})" if ident in titles else code_span(ident)

    meta = {"title": html_text(p.title), "description": html_text(" ".join(p.summary.split())[:300]),
            "tags": ["postmortem", *(html_text(t) for t in p.tags)]}
    out = [front_matter(meta), f"# {md_inline(p.title)}\n"]
    facts = f"**{p.date.isoformat()}** · severity **{p.severity.value}** · {p.duration_minutes} minutes"
    out.append(facts + " · owners " + ", ".join(md_inline(o) for o in p.owners) + "\n")
    # The summary comes before the "illustrative" note: search shows a page's first text.
    out.append(heading(2, "Summary", "summary"))
    out.append(md_text(p.summary.strip()) + "\n")
    if p.illustrative:
        out.append(admonition("info", "Illustrative record",
                              md_text(p.illustrative_note or "Details are reconstructed, not recorded.")))
    out.append(heading(2, "Failure modes", "failure-modes"))
    out.append("\n".join(item(fm(i)) for i in p.failure_modes) + "\n")
    out.append(heading(2, "Impact", "impact"))
    out.append(md_text(p.impact.strip()) + "\n")
    out.append(heading(2, "Detection", "detection"))
    out.append(md_text(p.detection.strip()) + "\n")
    out.append(heading(2, "Timeline", "timeline"))
    out.append("| Time | Event |\n|---|---|\n" + "".join(
        f"| {cell(md_inline(t.time))} | {cell(md_inline(t.event))} |\n" for t in p.timeline))
    out.append(heading(2, "Root cause", "root-cause"))
    out.append(md_text(p.root_cause.strip()) + "\n")
    if p.trigger:
        out.append(f"**Trigger:** {md_text(p.trigger.strip())}\n")
    out.append(heading(2, "What went well", "went-well"))
    out.append(_steps(p.went_well))
    out.append(heading(2, "What went badly", "went-badly"))
    out.append(_steps(p.went_badly))
    out.append(heading(2, "Action items", "action-items"))
    out.append("| Action | Owner | Status | Failure mode |\n|---|---|---|---|\n" + "".join(
        f"| {cell(md_inline(a.action))} | {cell(md_inline(a.owner))} | {a.status} | "
        f"{fm(a.failure_mode) if a.failure_mode else ''} |\n" for a in p.action_items))
    if p.lessons:
        out.append(heading(2, "Lessons", "lessons"))
        out.append(_steps(p.lessons))
    return join(out)
