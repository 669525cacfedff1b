"""Render a MatchResult: terminal (rich), JSON (the design.md contract) or Markdown."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from .facts import Bucket
from .match import MatchResult

_CONF_STYLE = {"high": "bold green", "medium": "yellow", "low": "dim"}


def bucket_line(b: Bucket) -> str:
    where = ""
    if b.culprit:
        where = f" at {b.culprit.function}"
        if b.culprit.location:
            where += f" ({b.culprit.short_location})"
    wait = f", waiting {b.max_wait} minutes" if b.max_wait else ""
    created = f", created by {b.created_by.function}" if b.created_by else ""
    noun = "goroutine" if b.count == 1 else "goroutines"
    return f"{b.count:,} {noun} in {b.state}{where}{wait}{created}"


def to_json(result: MatchResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=2)


def _abstain_text(result: MatchResult) -> str:
    if result.abstain_reason == "not-go-output":
        if not result.facts.foreign and "free-text" in result.kinds:
            return "This text is about another ecosystem (its words name another language or tool), not Go. No match."
        langs = ", ".join(sorted(result.facts.foreign)) or "unknown"
        return f"This does not look like output of a Go program (looks like: {langs}). No match."
    if result.runtime.explanation():
        return "The Go runtime says what failed, and no failure mode in the knowledge base covers it."
    return ("This looks like Go output or a Go symptom, but no failure mode in the knowledge base "
            "matches it with enough confidence.")


def _versions_text(result: MatchResult) -> str | None:
    """'Go >=1.24,<1.26 (wait reason [sync.WaitGroup.Wait], line 12; ...)' or None."""
    v = result.runtime.versions
    if v.range is None:
        return None
    lo = next((e for e in v.evidence if e.lo is not None and e.lo == v.lo), None)
    hi = next((e for e in v.evidence if e.hi is not None and e.hi == v.hi), None)
    why = "; ".join(f"{e.why}, line {e.line}" for e in (lo, hi) if e is not None)
    return f"Printed by Go {v.range}" + (f" ({why})" if why else "")


def _explanation_lines(result: MatchResult) -> list[str]:
    ex = result.runtime.explanation()
    if not ex:
        return []
    out = [f"Runtime message (line {ex['line']}): {ex['message']}",
           f"  means: {ex['meaning']}",
           f"  printed by Go {ex['releases']} from {', '.join(ex['source'][:2])}"]
    out += [f"  also line {a['line']}: {a['message']} ({a['meaning']})" for a in ex["also"][:2]]
    if result.abstained:
        out.append(ex["suggestion"])
    return out


def _first_note(m) -> str | None:
    notes = [n for n in m.version_notes if n.get("applies")]
    return f"Go {notes[0]['version']}: {notes[0]['note']}" if notes else None


def render_terminal(result: MatchResult, console: Console) -> None:
    f = result.facts
    summary = Text()
    summary.append(f"{result.bytes:,} bytes, {result.lines:,} lines", style="dim")
    if result.kinds:
        summary.append(" · " + ", ".join(result.kinds), style="dim")
    if f.goroutines:
        g, b = f.goroutines, len(f.buckets)
        summary.append(f" · {g:,} goroutine{'s' if g != 1 else ''} in {b:,} bucket{'s' if b != 1 else ''}",
                       style="dim")
    console.print(summary)
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim italic"))
    versions = _versions_text(result)
    if versions:
        console.print(Text(versions, style="dim"))
    if f.buckets and f.goroutines > 1:
        console.print(Text("Top goroutine buckets:", style="bold"))
        for b in f.buckets[:3]:
            console.print(Text(f"  {bucket_line(b)}  (line {b.first_line})"))
    if result.abstained:
        console.print(Text(_abstain_text(result), style="yellow"))
    for line in _explanation_lines(result):
        console.print(Text(line, style="cyan" if line.startswith("Runtime") else ""), overflow="fold")
    if result.abstained:
        return
    render_match_list(result, console)


def render_match_list(result: MatchResult, console: Console) -> None:
    """The ranked matches with evidence, first fix and link (shared with `advisor diff`)."""
    for rank, m in enumerate(result.matches, 1):
        head = Text()
        head.append(f"\n{rank}. {m.title}", style="bold")
        head.append(f"  [{m.id}]  ", style="cyan")
        head.append(f"{m.confidence} confidence", style=_CONF_STYLE[m.confidence])
        head.append(f" (score {m.score:.2f})", style="dim")
        console.print(head)
        for ev in m.evidence[:6]:
            loc = f"line {ev.line:>5}" if ev.line else "         "
            console.print(Text(f"   {loc}  {ev.text}", style="magenta"), overflow="fold")
        if not m.evidence and m.semantic is not None:
            console.print(Text(f"   described like this entry (similarity {m.semantic:.2f}); no runtime line proves it",
                               style="dim"))
        if m.first_fix:
            console.print(Text(f"   first fix: {m.first_fix}"))
        note = _first_note(m)
        if note:
            console.print(Text(f"   for this release: {note}", style="dim"), overflow="fold")
        console.print(Text(f"   {m.url}", style="underline blue"))


def render_markdown(result: MatchResult) -> str:
    out = ["### Go failure advisor", ""]
    kinds = ", ".join(result.kinds) or "text"
    out.append(f"Input: {result.bytes:,} bytes, {result.lines:,} lines ({kinds}).")
    versions = _versions_text(result)
    if versions:
        out.append(f"{versions}.")
    f = result.facts
    if f.buckets and f.goroutines > 1:
        out += ["", "Top goroutine buckets:", ""]
        out += [f"- {bucket_line(b)} (line {b.first_line})" for b in f.buckets[:3]]
    if result.abstained:
        out += ["", f"**No match.** {_abstain_text(result)}"]
    ex = _explanation_lines(result)
    if ex:
        out += ["", "```text", *ex, "```"]
    if result.abstained:
        return "\n".join(out) + "\n"
    return "\n".join(out + markdown_match_list(result)) + "\n"


def markdown_match_list(result: MatchResult) -> list[str]:
    """Markdown lines of the ranked matches (shared with `advisor diff`)."""
    out = ["", "| # | failure mode | confidence | score |", "|---|---|---|---|"]
    for i, m in enumerate(result.matches, 1):
        out.append(f"| {i} | [{m.title}]({m.url}) (`{m.id}`) | {m.confidence} | {m.score:.2f} |")
    for m in result.matches:
        out += ["", f"**{m.title}** — evidence:", ""]
        if m.evidence:
            out.append("```text")
            out += [f"{ev.line:>5}: {ev.text}" if ev.line else f"       {ev.text}" for ev in m.evidence[:6]]
            out.append("```")
        else:
            out.append("_semantic similarity only; no runtime line proves it._")
        if m.first_fix:
            out.append(f"First fix: {m.first_fix}. Runbook: {m.url}")
        note = _first_note(m)
        if note:
            out.append(f"For this release: {note}")
    return out
