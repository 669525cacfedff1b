"""Index pages and the navigation: failure modes by category and by severity, postmortems.

    failure-modes/index.md  -> /failure-modes/    by category (the "Failure modes" tab)
    severity.md             -> /severity/         by severity
    postmortems/index.md    -> /postmortems/
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from advisor.models import Category, FailureMode, Postmortem
from advisor.site.common import (
    CATEGORY_TITLES,
    SEVERITY_ORDER,
    entry_path,
    go_versions_label,
    postmortem_path,
    recoverable_label,
    triage_path,
)
from advisor.site.markdown import (
    cell,
    code_span,
    front_matter,
    han_runs,
    heading,
    join,
    link_text,
    md_inline,
)


def first_sentence(text: str) -> str:
    return " ".join(text.split()).split(". ")[0].rstrip(".") + "."


def category_terms(entries: Iterable[FailureMode]) -> dict[Category, list[str]]:
    """Aliases that name a whole category rather than one entry.

    An alias listed by at least half of a category's entries (and by two or more), such as
    协程泄漏 on every goroutine-leak entry, is the category's name in other words: search
    lands it on the category's list, not on whichever entry sorts first.
    """
    entries = list(entries)
    out: dict[Category, list[str]] = {}
    for cat in Category:
        group = [e for e in entries if e.category == cat]
        counts = Counter(a.strip() for e in group for a in dict.fromkeys(e.aliases))
        terms = [a for a, n in counts.items() if n >= 2 and n * 2 >= len(group)]
        if terms:
            out[cat] = sorted(terms)
    return out


def _entry_row(e: FailureMode) -> str:
    return (f"| [{link_text(e.title)}]({e.id}.md) | {e.severity.value} | "
            f"{cell(md_inline(first_sentence(e.summary)))} |\n")


def render_category_index(entries: Iterable[FailureMode]) -> str:
    """failure-modes/index.md: every entry, grouped by category, most severe first."""
    entries = sorted(entries, key=lambda e: (SEVERITY_ORDER.index(e.severity), e.title.lower()))
    out = [front_matter({"title": "Failure modes by category"}), "# Failure modes\n",
           f"{len(entries)} failure modes, by category, most severe first. "
           "See also [by severity](../severity.md), the [symptom index](../symptoms.md), "
           "[alerts](../alerts/index.md) and [tags](../tags.md).\n"]
    for cat in Category:
        group = [e for e in entries if e.category == cat]
        out.append(heading(2, f"{CATEGORY_TITLES[cat]} ({len(group)})", cat.value))
        if not group:
            out.append("No entries yet.\n")
            continue
        out.append(f"[Triage card]({'../' + triage_path(cat)}): the first line and first steps of each, printable.\n")
        out.append('<div class="fm-index" markdown>\n\n| Failure mode | Severity | What it is |\n|---|---|---|\n'
                   + "".join(_entry_row(e) for e in group) + "\n</div>\n")
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
        out.append('<div class="fm-index" markdown>\n\n| Failure mode | Category | Go | Recoverable |\n|---|---|---|---|\n'
                   + "".join(
                       f"| [{link_text(e.title)}]({entry_path(e.id)}) | {CATEGORY_TITLES[e.category]} | "
                       f"{go_versions_label(e)} | {recoverable_label(e)} |\n" for e in group)
                   + "\n</div>\n")
    return join(out)


def render_postmortem_index(postmortems: Sequence[Postmortem], *, titles: dict[str, str]) -> str:
    out = [front_matter({"title": "Postmortems"}), "# Postmortems\n",
           "Blameless incident records. Each links the failure modes involved, and each "
           "failure-mode page lists the postmortems that cite it.\n"]
    if not postmortems:
        out.append("No postmortems yet.\n")
        return join(out)
    rows = []
    for p in sorted(postmortems, key=lambda p: (p.date, p.id), reverse=True):
        fms = ", ".join(f"[{link_text(titles[i])}](../{entry_path(i)})" if i in titles else code_span(i)
                        for i in p.failure_modes)
        label = " *(illustrative)*" if p.illustrative else ""
        rows.append(f"| {p.date.isoformat()} | [{link_text(p.title)}]({p.id}.md){label} | {p.severity.value} | "
                    f"{p.duration_minutes} min | {fms} |\n")
    out.append("| Date | Incident | Severity | Duration | Failure modes |\n|---|---|---|---|---|\n"
               + "".join(rows))
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
            words.update(w for w in han_runs(alias) if len(w) > 1)
    return "".join(f"{w}\n" for w in sorted(words))


def nav(entries: Iterable[FailureMode], postmortems: Iterable[Postmortem]) -> list:
    """The site navigation: hand-written pages, indexes, postmortems and triage cards.

    Entries are reached through the indexes (and search), not listed one by one: a
    sidebar of hundreds of entries is not navigable, and repeating it on every page made
    the build quadratic in the size of the KB. Titles in the nav are printed unescaped by
    the theme, so postmortem titles are escaped here.
    """
    from advisor.site.markdown import html_text

    cats = sorted({e.category for e in entries}, key=list(Category).index)
    fm_section: list = [
        "failure-modes/index.md",
        {"By severity": "severity.md"},
        {"Symptom index": "symptoms.md"},
        {"Alerts": "alerts/index.md"},
        {"Triage cards": [{CATEGORY_TITLES[c]: triage_path(c)} for c in cats]},
        {"Tags": "tags.md"},
    ]
    pm_section: list = ["postmortems/index.md"] + [
        {html_text(p.title): postmortem_path(p.id)}
        for p in sorted(postmortems, key=lambda p: (p.date, p.id), reverse=True)
    ]
    return [
        {"Home": "index.md"},
        {"Diagnose a paste": "diagnose.md"},
        {"Failure modes": fm_section},
        {"Postmortems": pm_section},
        {"Using the advisor": "advisor.md"},
        {"Contributing an entry": "contributing.md"},
    ]
