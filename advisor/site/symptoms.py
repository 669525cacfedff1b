"""symptoms.md -> /symptoms/: the first lines an on-call engineer sees, each linking to its entry.

Built from the entries' `signatures`, but only the lines that generalise: a line as the
runtime or a tool prints it, with what changes from one occurrence to the next masked
(addresses, goroutine ids, counts, durations, ports, host names, URLs, process names).
Stack frames, `created by` lines, dump details (`*(object+0) = ...`, `PC=...`), lone
identifiers and metric names are left to search: nobody's log starts with them.

Lines are grouped by category with a table of contents; a line printed by failure modes
of several categories (`exit status 2`, `goroutine N [select, N minutes]:`) has its own
group at the top, linking every one of them. Exit statuses the runtime itself defines
are added from the reproducers' `expect_exit`, so `exit status 2` lists every failure
that ends with it, not only the one entry that happens to quote it.

The masking reads KB text at build time, never a paste.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from advisor.models import Category, FailureMode
from advisor.regex import linear
from advisor.site.common import CATEGORY_TITLES, entry_path
from advisor.site.markdown import code_span, front_matter, heading, item, join, link_text

# `exit status N` lines printed for reasons the Go toolchain defines, whoever's program it is.
RUNTIME_EXIT_STATUSES = {
    2: "the runtime's exit status after an unrecovered panic or a fatal error (and on SIGQUIT)",
    66: "the race detector's default exit status (GORACE exitcode) when it found a race",
}
SHARED = "shared"  # anchor of the group of lines several categories print

# Masks, applied in order: (pattern, replacement). Each replaces one kind of value that
# differs between two occurrences of the same failure.
def _mask(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return linear(re.compile(pattern, flags), reads="entry signatures and sample lines")


_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_mask(r'"https?://[^"\s]*"'), '"URL"'),
    (_mask(r"\blookup [^\s:]+(?=:| on )"), "lookup HOST"),
    (_mask(r"hostLookupOrder\([^()]*\)"), "hostLookupOrder(HOST)"),
    (_mask(r"^\S+ invoked oom-killer"), "PROCESS invoked oom-killer"),
    (_mask(r"(Kill(?:ed)? process \d+) \([^()]*\)"), r"\1 (PROCESS)"),
    (_mask(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "ADDR"),
    (_mask(r"0x[0-9a-fA-F]+\??"), "0x…"),
    (_mask(r"(\.go):\d+(?::\d+)?"), r"\1:N"),
)
# Numbers a failure always prints the same way are kept: exit statuses, errno, error codes
# (the text just before the number, spaces stripped, ends with one of these).
_KEEP_NUMBER_AFTER = ("exit status", "Exit Code:", "exit code", "errno=", "Error", "SQLSTATE", "SA")
_NUMBER = _mask(r"(?<![\w.…])\d+(?:\.\d+)?(?=(?:ms|µs|us|ns|s|m|h|kB|MB|GB|B|%)?(?![\w]))")
# A frame: package path up to its last '/' (atomic), the package name, an optional
# receiver, '.', the function. Atomic and possessive parts leave the engine one way to
# split the dots, so a line of dots cannot make it try them all.
_FRAME = _mask(r"^(?:created by )?(?>[\w./-]*/)?[\w-]*+(?:\.\(\*?[\w.\[\]]+\))?\.[\w.$\[\]-]++(?:\(|$| in goroutine)")
_WORD = _mask(r"[A-Za-z]{3,}")


def mask(line: str) -> str:
    """The line with per-occurrence values masked and runs of spaces folded."""
    text = " ".join(line.split())
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)

    def number(m: re.Match[str]) -> str:
        # endswith, not a regex over text[:m.start()]: that rescans the line per number
        return m.group(0) if text[:m.start()].rstrip().endswith(_KEEP_NUMBER_AFTER) else "N"

    return _NUMBER.sub(number, text)


def generalises(masked: str) -> bool:
    """A first line as a log shows it, not a frame, a dump detail or a lone identifier."""
    first = masked.split(" ", 1)[0]
    if not masked[:1].isalnum() and not masked.startswith("["):
        return False  # *(object+0) = ..., ...N frames elided..., /gc/... metric names, {json}
    if "=" in first or _FRAME.match(masked):
        return False  # PC=0x..., object=0x..., runtime.f(...), created by ...
    return " " in masked and len(_WORD.findall(masked.replace("0x…", ""))) >= 2


def symptom_lines(entries: Iterable[FailureMode]) -> dict[str, list[FailureMode]]:
    """Masked line -> the entries that print it (in id order), for lines that generalise."""
    found: dict[str, dict[str, FailureMode]] = defaultdict(dict)
    for e in entries:
        for sig in e.signatures:
            masked = mask(sig)
            if generalises(masked):
                found[masked][e.id] = e
        code = e.repro.expect_exit if e.repro else None
        if code in RUNTIME_EXIT_STATUSES:
            found[f"exit status {code}"][e.id] = e
    return {line: [by_id[i] for i in sorted(by_id)] for line, by_id in found.items()}


def _sort_key(line: str) -> str:
    return line.lower().lstrip("[(<`'\" ")


def _links(entries: list[FailureMode]) -> str:
    """Titles for a line one or two entries print; ids (shorter) for a line many print."""
    if len(entries) > 2:
        return ", ".join(f"[{code_span(e.id)}]({entry_path(e.id)}#symptoms)" for e in entries)
    return ", ".join(f"[{link_text(e.title)}]({entry_path(e.id)}#symptoms)" for e in entries)


def render_symptom_index(entries: Iterable[FailureMode]) -> str:
    lines = symptom_lines(entries)
    groups: dict[str, list[str]] = defaultdict(list)
    for line, fms in lines.items():
        cats = {e.category for e in fms}
        groups[SHARED if len(cats) > 1 else next(iter(cats)).value].append(line)
    order = [(SHARED, "Printed by several kinds of failure")] + [
        (c.value, CATEGORY_TITLES[c]) for c in Category]
    present = [(anchor, title) for anchor, title in order if groups.get(anchor)]

    out = [front_matter({"title": "Symptom index"}), "# Symptom index\n",
           "The first lines you see, as the Go runtime or the tools print them, with what changes "
           "from one crash to the next masked (`N` for numbers, `0x…` for addresses, `ADDR`, "
           "`HOST`, `URL`). Each links to the failure mode's symptoms. Paste your line into "
           "search, or use your browser's find on its words.\n",
           "Jump to: " + " · ".join(f"[{title}](#{anchor})" for anchor, title in present) + "\n"]
    for anchor, title in present:
        group = sorted(groups[anchor], key=_sort_key)
        notes = {f"exit status {c}": f" ({why})" for c, why in RUNTIME_EXIT_STATUSES.items()}
        out.append(heading(2, title, anchor))
        out.append('<div class="fm-symptoms" markdown>\n\n' + "\n".join(
            item(f"{code_span(line)}{notes.get(line, '') if anchor == SHARED else ''} → {_links(lines[line])}")
            for line in group) + "\n\n</div>\n")
    return join(out)
