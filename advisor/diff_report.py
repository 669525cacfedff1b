"""Render `advisor diff` results (terminal, Markdown) and the condensed bucket view of
`advisor match --buckets` (panicparse's listing: count, state, wait range, created by,
user frames first)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .diff import DiffResult
from .facts import MACHINERY_PREFIXES, Bucket, Facts
from .heap import human_value
from .report import markdown_match_list, render_match_list

_STATUS_STYLE = {"new": "bold red", "grown": "red", "gone": "green", "shrunk": "green", "same": "dim"}


def _cell(text: str) -> str:
    """Text from a paste inside a Markdown table cell: no pipes, no backticks, no newlines."""
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def headline(r: DiffResult) -> str:
    span = f" in {_duration(r.interval)}" if r.interval else ""
    if r.kind == "goroutine-diff":
        a, b = r.old.facts.goroutines, r.new.facts.goroutines
        return f"goroutines {a:,} → {b:,} ({_signed(b - a)}){span}"
    a, b = r.old.facts.heap.profile.total(r.sample), r.new.facts.heap.profile.total(r.sample)
    return f"{r.sample} {human_value(r.sample, a)} → {human_value(r.sample, b)} ({'+' if b >= a else '-'}" \
           f"{human_value(r.sample, abs(b - a))}){span}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _rate(delta: float, r: DiffResult, sample: str = "") -> str:
    m = r.minutes
    if not m:
        return ""
    return f"{human_value(sample, delta / m)}/min" if sample else f"{delta / m:+,.1f}/min"


def _abstain_text(r: DiffResult) -> str:
    if r.abstain_reason == "no-growth":
        return ("Nothing grew beyond noise between the two snapshots: no leak shows here. "
                "Take the second one later, or under the load that grows memory.")
    return ("Something grew, but no failure mode in the knowledge base explains the growth with enough "
            "confidence. The buckets above are where to look.")


def render_diff_terminal(r: DiffResult, console: Console, limit: int = 12) -> None:
    console.print(Text(f"{r.kind}: {headline(r)}", style="bold"))
    console.print(Text(f"OLD: {r.old.form} · NEW: {r.new.form}", style="dim"))
    for n in r.notes:
        console.print(Text(f"note: {n}", style="dim italic"))
    table = Table(box=None, pad_edge=False, show_edge=False)
    if r.kind == "goroutine-diff":
        for col in ("", "state", "where", "created by", "old", "new", "delta", "rate"):
            table.add_column(col, justify="right" if col in ("old", "new", "delta", "rate") else "left")
        shown = [b for b in r.buckets if b.delta != 0][:limit]
        for b in shown:
            style = _STATUS_STYLE[b.status] if (b.grown or b.status in ("gone", "shrunk")) else "dim"
            where = b.function + (f" ({b.location})" if b.location else "")
            table.add_row(Text(b.status, style=style), b.state, where, b.created_by or "-", f"{b.old:,}",
                          f"{b.new:,}", Text(_signed(b.delta), style=style), _rate(b.delta, r))
        if not shown:
            console.print(Text("No bucket changed.", style="dim"))
    else:
        for col in ("allocated by", "old", "new", "delta", "rate"):
            table.add_column(col, justify="left" if col == "allocated by" else "right")
        for s in [s for s in r.sites if s.delta != 0][:limit]:
            style = "red" if s.delta > 0 else "green"
            table.add_row(s.function + (f" ({s.location})" if s.location else ""), human_value(r.sample, s.old),
                          human_value(r.sample, s.new), Text(("+" if s.delta > 0 else "-")
                                                             + human_value(r.sample, abs(s.delta)), style=style),
                          _rate(s.delta, r, r.sample))
    if table.rows:
        console.print(table)
    if r.abstained:
        console.print(Text(_abstain_text(r), style="yellow"))
        return
    console.print(Text("\nWhat explains the growth:", style="bold"))
    render_match_list(r.match, console)


def render_diff_markdown(r: DiffResult, limit: int = 12) -> str:
    out = ["### Go leak diff", "", f"{_cell(headline(r))} — OLD: {r.old.form}, NEW: {r.new.form}."]
    out += [f"_{_cell(n)}_" for n in r.notes]
    if r.kind == "goroutine-diff":
        out += ["", "| status | state | where | created by | old | new | delta |", "|---|---|---|---|---:|---:|---:|"]
        for b in [b for b in r.buckets if b.delta != 0][:limit]:
            where = b.function + (f" ({b.location})" if b.location else "")
            out.append(f"| {b.status} | {_cell(b.state)} | `{_cell(where)}` | {_cell(b.created_by) or '-'} | "
                       f"{b.old:,} | {b.new:,} | {_signed(b.delta)} |")
    else:
        out += ["", f"| allocated by | old | new | delta ({r.sample}) |", "|---|---:|---:|---:|"]
        for s in [s for s in r.sites if s.delta != 0][:limit]:
            out.append(f"| `{_cell(s.function)}` | {human_value(r.sample, s.old)} | {human_value(r.sample, s.new)} | "
                       f"{'+' if s.delta > 0 else '-'}{human_value(r.sample, abs(s.delta))} |")
    if r.abstained:
        out += ["", f"**No diagnosis.** {_abstain_text(r)}"]
        return "\n".join(out) + "\n"
    return "\n".join(out + markdown_match_list(r.match)) + "\n"


# --------------------------------------------------------------------------- match --buckets


def wait_range(b: Bucket) -> str:
    """'[5~12 minutes]', '[37 minutes]', or '' when no goroutine printed a wait."""
    lo, hi = (b.min_wait or 0), b.max_wait
    if not hi:
        return ""
    return f"[{hi} minutes]" if lo == hi else f"[{lo}~{hi} minutes]"


def _is_user(function: str) -> bool:
    return function != "panic" and not function.startswith(MACHINERY_PREFIXES)


def bucket_dict(b: Bucket) -> dict:
    frames = [{"function": f.function, "location": f.location, "user": _is_user(f.function)} for f in b.frames]
    frames.sort(key=lambda f: not f["user"])  # stable: user frames first, each group in stack order
    return {
        "count": b.count, "state": b.state,
        "wait_minutes": [b.min_wait or 0, b.max_wait] if b.max_wait else None,
        "created_by": b.created_by.function if b.created_by else None,
        "created_at": b.created_by.location if b.created_by else None,
        "first_line": b.first_line, "frames": frames, "elided": b.elided,
    }


def render_buckets_terminal(facts: Facts, console: Console) -> None:
    g, n = facts.goroutines, len(facts.buckets)
    console.print(Text(f"{g:,} goroutine{'s' if g != 1 else ''} in {n:,} bucket{'s' if n != 1 else ''}", style="bold"))
    for b in facts.buckets:
        head = Text()
        head.append(f"{b.count:>7,}: ", style="bold")
        head.append(b.state, style="yellow")
        w = wait_range(b)
        if w:
            head.append(f" {w}", style="magenta")
        head.append(f"  (line {b.first_line})", style="dim")
        console.print(head)
        d = bucket_dict(b)
        hidden = 0
        for f in d["frames"]:
            if f["user"]:
                console.print(Text(f"      {f['function']}  {f['location'].rsplit('/', 1)[-1]}"))
            else:
                hidden += 1
        if hidden:
            console.print(Text(f"      … {hidden} runtime/std frame{'s' if hidden != 1 else ''}", style="dim"))
        if b.created_by:
            console.print(Text(f"      created by {b.created_by.function}  {b.created_by.short_location}", style="cyan"))


def buckets_markdown(facts: Facts) -> str:
    out = ["", "| goroutines | state | wait | top user frame | created by |", "|---:|---|---|---|---|"]
    for b in facts.buckets:
        c = b.culprit
        where = f"{c.function} ({c.short_location})" if c else "?"
        out.append(f"| {b.count:,} | {_cell(b.state)} | {wait_range(b) or '-'} | `{_cell(where)}` | "
                   f"{_cell(b.created_by.function) if b.created_by else '-'} |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- watch

_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    if hi == lo:
        return _SPARK[0] * len(values)
    return "".join(_SPARK[int((v - lo) / (hi - lo) * (len(_SPARK) - 1))] for v in values)


def trend_table(rows: list[tuple[tuple[str, str, str], list[int]]], title: str) -> Table:
    """The biggest buckets of a watch with their counts over the samples."""
    table = Table(title=title, box=None, pad_edge=False, title_justify="left")
    for col in ("state", "where", "created by", "first", "now", "trend"):
        table.add_column(col, justify="right" if col in ("first", "now") else "left")
    for (state, fn, created), counts in rows:
        style = "red" if counts[-1] - counts[0] >= 3 else ""
        table.add_row(state, fn, created or "-", f"{counts[0]:,}", Text(f"{counts[-1]:,}", style=style),
                      sparkline(counts[-24:]))
    return table
