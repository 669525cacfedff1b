"""Markdown for the docs site, rendered from the knowledge base.

Pure functions: models and plain data in, a Markdown string out. No file system, no
MkDocs, no Jinja (Go templates and alert expressions contain `{{ }}`, which must reach
the page untouched). `mkdocs_hooks.py` reads the KB and the files beside each entry and
hands them to these functions; tests can call them directly.

Page paths (relative to docs_dir; with directory URLs they become the permanent URLs):

    failure-modes/<id>.md        -> /failure-modes/<id>/      the runbook link
    failure-modes/index.md       -> /failure-modes/           by category
    severity.md                  -> /severity/                by severity
    symptoms.md                  -> /symptoms/                first lines -> entry
    postmortems/<id>.md          -> /postmortems/<id>/
    postmortems/index.md         -> /postmortems/
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from advisor.models import Category, Demonstration, Detection, FailureMode, Postmortem, Severity, VersionNote

# The fixed English anchors alerts deep-link to (design: "URLs never move").
ANCHORS = ("now", "meaning", "impact", "symptoms", "diagnosis", "fix", "cause", "reproduce",
           "prevent", "postmortems")

CATEGORY_TITLES = {
    Category.crash: "Crash",
    Category.goroutine_leak: "Goroutine leak",
    Category.memory: "Memory",
    Category.runtime: "Runtime",
    Category.network: "Network",
}
SEVERITY_ORDER = (Severity.critical, Severity.high, Severity.medium, Severity.low)
SEVERITY_ADMONITION = {
    Severity.critical: "danger",
    Severity.high: "warning",
    Severity.medium: "note",
    Severity.low: "info",
}
HORIZONS = (
    ("now", "Stop the bleeding"),
    ("soon", "Fix the code"),
    ("lasting", "Make it impossible"),
)
SAMPLE_MAX_LINES = 60


def entry_path(ident: str) -> str:
    return f"failure-modes/{ident}.md"


def postmortem_path(ident: str) -> str:
    return f"postmortems/{ident}.md"


# --------------------------------------------------------------------------- Markdown helpers


def code_span(text: str) -> str:
    """Inline code that survives backticks inside the text."""
    text = " ".join(text.split("\n"))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(code: str, lang: str = "", *, title: str | None = None) -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(m) for m in re.findall(r"^\s*(`{3,})", code, re.M)), default=0)
    ticks = "`" * max(3, longest + 1)
    opts = f' title="{title}"' if title else ""
    body = code if code.endswith("\n") else code + "\n"
    return f"{ticks}{lang or 'text'}{opts}\n{body}{ticks}\n"


def indent(text: str, n: int = 4) -> str:
    pad = " " * n
    return "\n".join(pad + line if line.strip() else "" for line in text.split("\n"))


def item(text: str, marker: str = "-") -> str:
    """A list item whose continuation lines stay inside the item."""
    lines = text.strip().split("\n")
    width = len(marker) + 1
    rest = [(" " * max(width, 4)) + ln if ln.strip() else "" for ln in lines[1:]]
    return "\n".join([f"{marker} {lines[0]}", *rest])


def cell(text: str) -> str:
    """Text for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def link_text(text: str) -> str:
    """Text safe inside [...] of a Markdown link (and a table cell)."""
    return cell(text).replace("[", "\\[").replace("]", "\\]")


def heading(level: int, title: str, anchor: str | None = None) -> str:
    return "#" * level + " " + title + (f" {{#{anchor}}}" if anchor else "") + "\n"


def admonition(kind: str, title: str, body: str, collapsible: str = "") -> str:
    marker = {"": "!!!", "closed": "???", "open": "???+"}[collapsible]
    return f'{marker} {kind} "{title}"\n\n{indent(body.strip())}\n'


def front_matter(meta: Mapping[str, object]) -> str:
    # JSON is valid YAML and never needs quoting rules.
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def join(blocks: Iterable[str]) -> str:
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks if b) .rstrip("\n") + "\n"


def _han_runs(text: str) -> list[str]:
    return re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text)


def go_versions_label(e: FailureMode) -> str:
    gv = e.go_versions
    return f"Go {gv.since}–{gv.until}" if gv.until else f"Go {gv.since}+"


def recoverable_label(e: FailureMode) -> str:
    if e.recoverable is None:
        return "not a panic"
    return "recover() catches it" if e.recoverable else "recover() cannot catch it"


# --------------------------------------------------------------------------- advice that has been run
# Small helpers (issue 13): the "run" / "not run" marks of knob-turning steps and detection
# commands, the source of each version note, and links for entry ids named in prose.

_RUN_PLACES = {
    "live": "against the running reproducer",
    "program": "with the reproducer as the server",
    "output": "on the reproducer's output",
    "source": "in the reproducer's source",
}


def _badge(kind: str, label: str) -> str:
    return f'<span class="fm-verify fm-verify--{kind}">{label}</span>'


def _setting_text(demo: Demonstration) -> str:
    parts = [f"{k}={v}" for k, v in demo.env.items()] + list(demo.args or [])
    program = "the fixed program" if demo.variant == "fixed" else "the reproducer"
    return program + (" with " + code_span(" ".join(parts)) if parts else "")


def verification_mark(demo: Demonstration | None, unverified: str | None) -> str:
    """The mark under a knob-turning step or fix: shown by a run, or not run and why."""
    if unverified:
        return f"{_badge('not-run', 'not run')} {unverified.strip()}"
    if demo is None:
        return ""
    effect = ("which ends the same as the unchanged reproducer" if demo.baseline == "same"
              else "compared with the unchanged reproducer")
    return f"{_badge('run', 'run')} Shown by the test suite: {_setting_text(demo)}, {effect}."


def detection_mark(d: Detection) -> str:
    """The mark under a detection command: run by the tests (and how), or not run and why."""
    if d.not_run:
        return f"{_badge('not-run', 'not run')} {d.not_run.strip()}"
    if d.run is None:
        return ""
    if d.run.recorded:
        return (f"{_badge('run', 'run')} Run by hand {_RUN_PLACES[d.run.on]}; the tests check "
                f"its recorded output ({code_span(d.run.recorded)}).")
    return f"{_badge('run', 'run')} Run by the test suite {_RUN_PLACES[d.run.on]}."


def note_source(n: VersionNote) -> str:
    """Where a version note comes from: a link, and/or the sample recorded with that release."""
    parts = [f"[source]({n.source})"] if n.source else []
    if n.sample:
        parts.append(f"run: {code_span(n.sample)}")
    return " (" + "; ".join(parts) + ")" if parts else ""


_CODE_OR_LINK = re.compile(r"(`+)(?:.|\n)*?\1|\[[^\]]*\]\([^)]*\)|<[^>]+>")


def link_entry_mentions(text: str, titles: Mapping[str, str], self_id: str = "", prefix: str = "") -> str:
    """Turn entry ids named in prose ("see unbounded-map-or-slice-growth") into links.

    Code spans, existing links and HTML are left alone, and so is the page's own id.
    """
    ids = sorted((i for i in titles if i != self_id), key=len, reverse=True)
    if not ids:
        return text
    mention = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, ids)) + r")(?![\w/-])")
    out, last = [], 0
    for m in _CODE_OR_LINK.finditer(text):
        out.append(mention.sub(lambda x: f"[{x.group(1)}]({prefix}{x.group(1)}.md)", text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(mention.sub(lambda x: f"[{x.group(1)}]({prefix}{x.group(1)}.md)", text[last:]))
    return "".join(out)


# --------------------------------------------------------------------------- entry page


@dataclass
class EntryFiles:
    """What lies beside entry.yaml: the reproducer sources and the sample outputs."""

    repro: str | None = None  # repro/main.go
    fixed: str | None = None  # fixed/main.go
    samples: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)


def _sample_block(name: str, text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    note = ""
    if len(lines) > SAMPLE_MAX_LINES:
        note = f"\n*First {SAMPLE_MAX_LINES} of {len(lines)} lines; the whole file is `samples/{name}`.*\n"
        lines = lines[:SAMPLE_MAX_LINES]
    return fence("\n".join(lines), "text", title=f"samples/{name}") + note


def entry_meta(e: FailureMode, runbook_url: str) -> dict[str, object]:
    """Front matter: page title, tags, and the `entry` mapping the header template shows."""
    return {
        "title": e.title,
        "description": " ".join(e.summary.split())[:300],
        "tags": [CATEGORY_TITLES[e.category], *e.tags],
        "entry": {
            "id": e.id,
            "severity": e.severity.value,
            "category": e.category.value,
            "category_title": CATEGORY_TITLES[e.category],
            "go_versions": go_versions_label(e),
            "recoverable": recoverable_label(e),
            "owners": list(e.owners),
            "last_reviewed": e.last_reviewed.isoformat(),
            "runbook_url": runbook_url,
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
) -> str:
    """The page of one failure mode, opening on what to do now.

    `titles` maps entry ids to titles (for related links), `postmortems` are the records
    citing this entry, `files` the reproducer and samples, `runbook_url` this page's
    permanent absolute URL. `mermaid=False` shows a diagram as source (no script on the
    site to draw it, and never a CDN).
    """
    titles = titles or {}
    files = files or EntryFiles()
    lk = lambda text: link_entry_mentions(text.strip(), titles, e.id)  # noqa: E731
    out: list[str] = [front_matter(entry_meta(e, runbook_url))]

    sev = e.severity.value
    rec = recoverable_label(e)
    status = f"Severity: {sev} · {rec}"
    body = e.recover_note or {
        None: "This failure is not a panic: there is nothing to recover, only a cause to remove.",
        True: "A deferred `recover()` in the failing goroutine stops the unwinding.",
        False: "A deferred `recover()` never gets control.",
    }[e.recoverable]
    out.append(admonition(SEVERITY_ADMONITION[e.severity], status, body))

    # ---- now
    out.append(heading(2, "What to do now", "now"))
    out.append("\n".join(item(_with_mark(lk(step), verification_mark(step.demonstration, step.unverified)),
                                f"{i}.") for i, step in enumerate(e.now, 1)) + "\n")
    now_fixes = [f for f in e.fixes if f.horizon == "now"]
    if now_fixes:
        out.append("Stop the bleeding: " + ", ".join(f"**{f.title}**" for f in now_fixes)
                   + " ([below](#fix)).\n")

    # ---- meaning
    out.append(heading(2, "What it means", "meaning"))
    out.append(lk(e.summary) + "\n")
    if e.aliases:
        out.append("**Also known as:** " + ", ".join(
            a if _han_runs(a) else code_span(a) if ":" in a else a for a in e.aliases) + "\n")

    # ---- impact
    out.append(heading(2, "Impact", "impact"))
    out.append(lk(e.impact) + "\n")

    # ---- symptoms
    out.append(heading(2, "Symptoms", "symptoms"))
    out.append("What the runtime or the tools print:\n")
    out.append(fence("\n".join(e.signatures), "text"))
    out.append("\n".join(item(s) for s in e.symptoms) + "\n")
    real = [s for s in files.samples if not s[0].startswith("repro-")] or files.samples[:1]
    if real:
        name, text = real[0]
        out.append(admonition("example", f"A real log: samples/{name}", _sample_block(name, text),
                              collapsible="closed"))

    # ---- diagnosis
    out.append(heading(2, "Diagnosis", "diagnosis"))
    for d in e.detection:
        out.append(heading(3, d.title))
        out.append(fence(d.command, d.language))
        out.append(f"**Look for:** {lk(d.look_for)}\n")
        out.append(_with_mark("", detection_mark(d)))

    # ---- fix
    out.append(heading(2, "Fix", "fix"))
    for horizon, label in HORIZONS:
        fixes = [f for f in e.fixes if f.horizon == horizon]
        if not fixes:
            continue
        for f in fixes:
            out.append(heading(3, f"{f.title}"))
            out.append(f'<span class="fm-horizon fm-horizon--{horizon}">{label} · {horizon}</span>\n')
            out.append(lk(f.detail) + "\n")
            out.append(_with_mark("", verification_mark(f.demonstration, f.unverified)))
            out.append(_before_after(f.before, f.after, f.language))

    # ---- cause
    out.append(heading(2, "Why it happens", "cause"))
    out.append(lk(e.mechanism) + "\n")
    if e.diagram:
        out.append(fence(e.diagram.strip(), "mermaid" if mermaid else "text"))
    out.append(heading(3, "Causes"))
    for c in e.causes:
        out.append(item(f"**{c.title}.** {lk(c.detail)}"))
    out.append("")
    if e.corrections:
        out.append(heading(3, "Corrections", "corrections"))
        for c in e.corrections:
            refs = ", ".join(f"[{i}]({u})" for i, u in enumerate(c.references, 1))
            shown = verification_mark(c.demonstration, None) if c.demonstration else ""
            out.append(admonition("quote", "Claim", f"{c.claim.strip()}\n\n**What the source says:** "
                                  f"{lk(c.truth)} ({refs})" + (f"\n\n{shown}" if shown else "")))

    # ---- reproduce
    out.append(heading(2, "Reproduce", "reproduce"))
    if e.repro:
        r = e.repro
        out.append(r.shows.strip() + "\n")
        run = ["advisor repro " + e.id, "advisor repro --fixed " + e.id]
        out.append(fence("\n".join(run), "sh"))
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
        tabs = [("repro/main.go", files.repro), ("fixed/main.go", files.fixed)]
        for label, src in tabs:
            if src:
                out.append(f'=== "{label}"\n\n{indent(fence(src, "go"))}\n')
        rep = [s for s in files.samples if s[0].startswith("repro-")]
        if rep:
            name, text = rep[0]
            out.append(admonition("example", f"Output of the reproducer: samples/{name}",
                                  _sample_block(name, text), collapsible="closed"))
    else:
        out.append("This entry has no reproducer program yet.\n")

    # ---- prevent
    out.append(heading(2, "Prevent", "prevent"))
    if e.prevention:
        out.append("\n".join(item(lk(p)) for p in e.prevention) + "\n")
    else:
        out.append("No prevention notes yet; see the lasting fixes [above](#fix).\n")
    if e.alerts:
        out.append(heading(3, "Alerts", "alerts"))
        out.append("Prometheus alerting rules for this failure mode, with this page as `runbook_url`:\n")
        out.append(fence(_alerts_yaml(e, runbook_url), "yaml"))

    # ---- go versions
    out.append(heading(2, "Go versions", "go-versions"))
    gv = e.go_versions
    span = f"Affects Go {gv.since}" + (f" to {gv.until}." if gv.until else " and later.")
    out.append(span + "\n")
    if gv.notes:
        out.append("| Go | Note |\n|---|---|\n" + "".join(
            f"| {n.version} | {cell(lk(n.note) + note_source(n))} |\n" for n in gv.notes))

    # ---- references, related
    out.append(heading(2, "References", "references"))
    out.append("\n".join(item(f"[{r.title}]({r.url}) · *{r.kind}*") for r in e.references) + "\n")
    out.append(heading(2, "Related", "related"))
    if e.related:
        out.append("\n".join(
            item(f"[{link_text(titles[r])}]({r}.md)" if r in titles else code_span(r)) for r in e.related) + "\n")
    else:
        out.append("No related entries listed.\n")

    # ---- postmortems
    out.append(heading(2, "Postmortems", "postmortems"))
    if postmortems:
        out.append("\n".join(
            item(f"[{p.date.isoformat()} · {link_text(p.title)}](../{postmortem_path(p.id)}) · "
                 f"{p.severity.value}, {p.duration_minutes} min"
                 + (" · *illustrative*" if p.illustrative else ""))
            for p in postmortems) + "\n")
    else:
        out.append("No postmortem cites this failure mode yet.\n")

    # ---- owners
    out.append(heading(2, "Owners and review", "owners"))
    out.append(f"Owned by {', '.join(e.owners)}; last reviewed {e.last_reviewed.isoformat()}. "
               f"Permanent link: <{runbook_url}>\n")
    if e.former_ids:
        out.append("Former ids (old links redirect here): "
                   + ", ".join(code_span(f) for f in e.former_ids) + ".\n")
    return join(out)


def _with_mark(text: str, mark: str) -> str:
    """A paragraph followed by its run / not-run mark (either may be empty)."""
    return "\n\n".join(p for p in (text, mark) if p) + ("\n" if not text and mark else "")


def _before_after(before: str | None, after: str | None, lang: str) -> str:
    if not before and not after:
        return ""
    panes = [(label, code) for label, code in (("Before", before), ("After", after)) if code]
    inner = "\n".join(
        f'<div class="fm-pane fm-pane--{label.lower()}" markdown>\n\n**{label}**\n\n{fence(code, lang)}\n</div>\n'
        for label, code in panes)
    return f'<div class="fm-compare" markdown>\n\n{inner}\n</div>\n'


def _alerts_yaml(e: FailureMode, runbook_url: str) -> str:
    q = lambda s: json.dumps(" ".join(s.split()), ensure_ascii=False)  # noqa: E731
    lines = ["groups:", f"  - name: {e.id}", "    rules:"]
    for a in e.alerts:
        lines.append(f"      - alert: {a.name}")
        lines.append(f"        expr: {q(a.expr)}")
        if a.for_:
            lines.append(f"        for: {a.for_}")
        lines.append("        labels:")
        lines.append(f"          severity: {a.severity}")
        lines.append("        annotations:")
        lines.append(f"          summary: {q(a.summary)}")
        lines.append(f"          runbook_url: {runbook_url}#now")
    return "\n".join(lines)


# --------------------------------------------------------------------------- postmortems


def render_postmortem(p: Postmortem, *, titles: Mapping[str, str]) -> str:
    """One incident record; links to the failure modes it cites (which link back)."""

    def fm(ident: str) -> str:
        return f"[{link_text(titles[ident])}](../{entry_path(ident)})" if ident in titles else code_span(ident)

    meta = {"title": p.title, "description": " ".join(p.summary.split())[:300],
            "tags": ["Postmortem", *p.tags]}
    out = [front_matter(meta), f"# {p.title}\n"]
    facts = f"**{p.date.isoformat()}** · severity **{p.severity.value}** · {p.duration_minutes} minutes"
    out.append(facts + " · owners " + ", ".join(p.owners) + "\n")
    if p.illustrative:
        out.append(admonition("info", "Illustrative record",
                              p.illustrative_note or "Details are reconstructed, not recorded."))
    out.append(heading(2, "Failure modes", "failure-modes"))
    out.append("\n".join(item(fm(i)) for i in p.failure_modes) + "\n")
    out.append(heading(2, "Summary", "summary"))
    out.append(p.summary.strip() + "\n")
    out.append(heading(2, "Impact", "impact"))
    out.append(p.impact.strip() + "\n")
    out.append(heading(2, "Detection", "detection"))
    out.append(p.detection.strip() + "\n")
    out.append(heading(2, "Timeline", "timeline"))
    out.append("| Time | Event |\n|---|---|\n" + "".join(
        f"| {cell(t.time)} | {cell(t.event)} |\n" for t in p.timeline))
    out.append(heading(2, "Root cause", "root-cause"))
    out.append(p.root_cause.strip() + "\n")
    if p.trigger:
        out.append(f"**Trigger:** {p.trigger.strip()}\n")
    out.append(heading(2, "What went well", "went-well"))
    out.append("\n".join(item(x) for x in p.went_well) + "\n")
    out.append(heading(2, "What went badly", "went-badly"))
    out.append("\n".join(item(x) for x in p.went_badly) + "\n")
    out.append(heading(2, "Action items", "action-items"))
    out.append("| Action | Owner | Status | Failure mode |\n|---|---|---|---|\n" + "".join(
        f"| {cell(a.action)} | {cell(a.owner)} | {a.status} | "
        f"{fm(a.failure_mode) if a.failure_mode else ''} |\n" for a in p.action_items))
    if p.lessons:
        out.append(heading(2, "Lessons", "lessons"))
        out.append("\n".join(item(x) for x in p.lessons) + "\n")
    return join(out)


def render_postmortem_index(postmortems: Sequence[Postmortem], *, titles: Mapping[str, str]) -> str:
    out = [front_matter({"title": "Postmortems"}), "# Postmortems\n",
           "Blameless incident records. Each links the failure modes involved, and each "
           "failure-mode page lists the postmortems that cite it.\n"]
    if not postmortems:
        out.append("No postmortems yet.\n")
        return join(out)
    rows = []
    for p in sorted(postmortems, key=lambda p: (p.date, p.id), reverse=True):
        fms = ", ".join(f"[{link_text(titles.get(i, i))}](../{entry_path(i)})" if i in titles else code_span(i)
                        for i in p.failure_modes)
        label = " *(illustrative)*" if p.illustrative else ""
        rows.append(f"| {p.date.isoformat()} | [{link_text(p.title)}]({p.id}.md){label} | {p.severity.value} | "
                    f"{p.duration_minutes} min | {fms} |\n")
    out.append("| Date | Incident | Severity | Duration | Failure modes |\n|---|---|---|---|---|\n"
               + "".join(rows))
    return join(out)


# --------------------------------------------------------------------------- indexes


def _entry_row(e: FailureMode, prefix: str, pm_count: int = 0) -> str:
    link = f"[{link_text(e.title)}]({prefix}{e.id}.md)"
    return (f"| {link} | {e.severity.value} | {go_versions_label(e)} | "
            f"{cell(e.summary.split('. ')[0].rstrip('.'))}. |\n")


def render_category_index(entries: Iterable[FailureMode]) -> str:
    """failure-modes/index.md: every entry, grouped by category."""
    entries = sorted(entries, key=lambda e: (SEVERITY_ORDER.index(e.severity), e.title.lower()))
    out = [front_matter({"title": "Failure modes by category"}), "# Failure modes\n",
           f"{len(entries)} failure modes, by category, most severe first. "
           "See also [by severity](../severity.md), the [symptom index](../symptoms.md) and "
           "[tags](../tags.md).\n"]
    for cat in Category:
        group = [e for e in entries if e.category == cat]
        out.append(heading(2, f"{CATEGORY_TITLES[cat]} ({len(group)})", cat.value))
        if not group:
            out.append("No entries yet.\n")
            continue
        out.append("| Failure mode | Severity | Go | What it is |\n|---|---|---|---|\n"
                   + "".join(_entry_row(e, "") for e in group))
    return join(out)


def render_severity_index(entries: Iterable[FailureMode]) -> str:
    """severity.md: every entry, grouped by severity."""
    entries = sorted(entries, key=lambda e: (e.category.value, e.title.lower()))
    out = [front_matter({"title": "Failure modes by severity"}), "# By severity\n",
           "Every failure mode, most severe first. Within a severity, by category.\n"]
    for sev in SEVERITY_ORDER:
        group = [e for e in entries if e.severity == sev]
        out.append(heading(2, f"{sev.value.capitalize()} ({len(group)})", sev.value))
        if not group:
            out.append("No entries.\n")
            continue
        out.append("| Failure mode | Category | Go | Recoverable |\n|---|---|---|---|\n" + "".join(
            f"| [{link_text(e.title)}](failure-modes/{e.id}.md) | {CATEGORY_TITLES[e.category]} | "
            f"{go_versions_label(e)} | {recoverable_label(e)} |\n" for e in group))
    return join(out)


def render_symptom_index(entries: Iterable[FailureMode]) -> str:
    """symptoms.md: the first lines an engineer sees, each linking to its entry.

    One list item per signature, in plain text order, so that both the site's search and a
    browser's find (Ctrl-F on the pasted line) land on the right page.
    """
    pairs = sorted(
        ((sig, e) for e in entries for sig in e.signatures),
        key=lambda p: (p[0].lower().lstrip("[(<`'\" "), p[1].id),
    )
    out = [front_matter({"title": "Symptom index", "search": {"boost": 2}}), "# Symptom index\n",
           "The first lines you see, exactly as the Go runtime or the tools print them, each "
           "linking to its failure mode. Paste a line into search, or use your browser's find.\n"]
    out.append("\n".join(
        item(f"{code_span(sig)} → [{link_text(e.title)}](failure-modes/{e.id}.md)") for sig, e in pairs) + "\n")
    return join(out)


def jieba_user_dict(entries: Iterable[FailureMode]) -> str:
    """A jieba user dictionary: every run of Chinese characters in the aliases, one word each.

    Without it jieba cuts 并发写 into 并发 / 写 and a search for the alias finds nothing;
    with it the alias is a single token in the index. Frequencies are left out so jieba
    computes one high enough for the word to be kept whole.
    """
    words: set[str] = set()
    for e in entries:
        for alias in [*e.aliases, *e.tags]:
            words.update(w for w in _han_runs(alias) if len(w) > 1)
    return "".join(f"{w}\n" for w in sorted(words))


def nav(entries: Iterable[FailureMode], postmortems: Iterable[Postmortem]) -> list:
    """The site navigation: hand-written pages, indexes and postmortems.

    Entries are reached through the indexes (and search), not listed one by one: a
    sidebar of hundreds of entries is not navigable, and repeating it on every page made
    the build quadratic in the size of the KB.
    """
    del entries  # listed by the indexes, not the nav
    fm_section: list = [
        "failure-modes/index.md",
        {"By severity": "severity.md"},
        {"Symptom index": "symptoms.md"},
        {"Tags": "tags.md"},
    ]
    pm_section: list = ["postmortems/index.md"] + [
        {p.title: postmortem_path(p.id)}
        for p in sorted(postmortems, key=lambda p: (p.date, p.id), reverse=True)
    ]
    return [
        {"Home": "index.md"},
        {"Failure modes": fm_section},
        {"Postmortems": pm_section},
        {"Using the advisor": "advisor.md"},
        {"Contributing an entry": "contributing.md"},
    ]
