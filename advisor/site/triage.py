"""Printable quick-triage cards: /triage/<category>/, one per category.

A card fits what a person pins next to the screen: for each failure mode of the category,
most severe first, the first line it prints (masked as in the symptom index), its first
two steps, and its permanent URL written out (links do not work on paper). Print styles
in site.css drop the site's chrome and keep each entry on one page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from advisor.models import Category, FailureMode
from advisor.site.common import CATEGORY_TITLES, SEVERITY_ORDER, entry_path, triage_path
from advisor.site.indexes import category_terms
from advisor.site.markdown import code_span, front_matter, html_text, join, link_text, md_inline
from advisor.site.symptoms import generalises, mask

STEPS_ON_CARD = 2


def first_line(e: FailureMode) -> str | None:
    for sig in e.signatures:
        masked = mask(sig)
        if generalises(masked):
            return masked
    return None


def render_triage_card(category: Category, entries: Iterable[FailureMode], *, site_url: str,
                       also_called: Sequence[str] = ()) -> str:
    group = sorted((e for e in entries if e.category == category),
                   key=lambda e: (SEVERITY_ORDER.index(e.severity), e.title.lower()))
    # A category's other names (协程泄漏) belong in its title: search should land on the card.
    title = " · ".join([f"Triage card: {CATEGORY_TITLES[category]}", *(" ".join(t.split()) for t in also_called)])
    out = [front_matter({"title": html_text(title)}), f"# {md_inline(title)}\n",
           f"{len(group)} failure modes, most severe first: the line you see, the first "
           f"{STEPS_ON_CARD} steps, where the runbook is. Print it with your browser (Ctrl-P).\n"]
    for e in group:
        block = [f"**[{link_text(e.title)}](../{entry_path(e.id)}#now)** · {e.severity.value}\n"]
        line = first_line(e)
        if line:
            block.append(f"Prints {code_span(line)}\n")
        block.append("\n".join(f"{i}. {md_inline(s)}"
                               for i, s in enumerate(e.now[:STEPS_ON_CARD], 1)) + "\n")
        block.append(f'<span class="fm-card__url">{html_text(site_url)}failure-modes/{e.id}/</span>\n')
        out.append('<div class="fm-card" markdown>\n\n' + "\n".join(block) + "\n</div>\n")
    return join(out)


def triage_pages(entries: Iterable[FailureMode], *, site_url: str) -> dict[str, str]:
    entries = list(entries)
    cats = [c for c in Category if any(e.category == c for e in entries)]
    terms = category_terms(entries)
    return {triage_path(c): render_triage_card(c, entries, site_url=site_url, also_called=terms.get(c, ()))
            for c in cats}
