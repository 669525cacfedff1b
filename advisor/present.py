"""Terminal rendering of one entry (`advisor show`), with rich."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from .config import entry_url
from .kb import KnowledgeBase
from .models import FailureMode

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}


def render_entry(console: Console, e: FailureMode, kb: KnowledgeBase | None = None) -> None:
    head = Text()
    head.append(e.title, style="bold")
    head.append(f"  [{e.id}]\n", style="dim")
    head.append(f"{e.category.value} · ")
    head.append(e.severity.value, style=_SEVERITY_STYLE[e.severity.value])
    if e.recoverable is not None:
        head.append(" · recover() " + ("can catch it" if e.recoverable else "cannot catch it"))
    head.append(f" · Go {e.go_versions.since}+\n")
    if kb is not None and len(kb.sources) > 1:
        head.append(f"from the {kb.kb_of(e.id)} knowledge base\n", style="dim")
    head.append(entry_url(e.id), style="underline cyan")
    console.print(Panel(head, expand=False))
    console.print(Markdown(e.summary))

    console.print("\n[bold]Do this now[/]")
    for i, step in enumerate(e.now, 1):
        console.print(Markdown(f"{i}. {step}"))

    console.print("\n[bold]What the runtime prints[/]")
    for sig in e.signatures:
        console.print(Text("  " + sig, style="magenta"))

    console.print("\n[bold]Confirm[/]")
    for d in e.detection:
        console.print(Text(f"• {d.title}", style="bold"))
        console.print(Syntax(d.command, d.language or "sh", word_wrap=True, background_color="default"))
        console.print(Markdown(f"Look for: {d.look_for}"))

    console.print("\n[bold]Fix[/]")
    for f in e.fixes:
        console.print(Text(f"• [{f.horizon}] {f.title}", style="bold"))
        console.print(Markdown(f.detail))
        parts = []
        if f.before:
            parts.append(Text("before:", style="red"))
            parts.append(Syntax(f.before, f.language, background_color="default"))
        if f.after:
            parts.append(Text("after:", style="green"))
            parts.append(Syntax(f.after, f.language, background_color="default"))
        if parts:
            console.print(Group(*parts))
    if kb is not None:
        pms = kb.citing_postmortems(e.id)
        if pms:
            console.print("\n[bold]Postmortems[/]")
            for p in pms:
                console.print(f"• {p.date} {p.title} ({p.id})")
    if e.related:
        console.print(f"\n[bold]Related:[/] {', '.join(e.related)}")
