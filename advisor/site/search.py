"""What the site's search index holds beyond the page text, so pasted lines land on their entry.

Material's search (lunr) scores each field of a document times the field's boost
(mkdocs.yml `plugins: search: fields`). Out of the box tags weigh 1e6 and titles 1e3, so
one word of a pasted line hitting a generic tag beat a title matching the whole line. The
site therefore gives tags a small boost and adds a `signals` field, weighted like a title,
to the page-level document of each entry:

- its signatures (the lines the runtime prints) with what differs between two crashes
  masked away (addresses, counts, ports, PIDs: `symptoms.mask`), its alert names and its
  aliases (English error texts and Chinese terms), HTML-escaped as the index expects and
  with Chinese segmented by jieba like the rest of the index;
- minus the aliases that name a whole category (`indexes.category_terms`): those go to
  the category's triage card (/triage/<category>/), which lists every failure mode of the
  category, so 协程泄漏 lands on the list of goroutine leaks rather than on whichever
  leak sorts first.

The page-level document's text becomes the entry's first sentence: the page itself opens
on "What to do now", but a search result should say what the failure is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, MutableMapping, Sequence

from advisor.models import FailureMode
from advisor.regex import linear
from advisor.site.indexes import first_sentence
from advisor.site.markdown import html_text
from advisor.site.symptoms import mask

SIGNALS_FIELD = "signals"
_HAN = linear(re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"), reads="page text")
# What symptoms.mask puts where a crash-specific value was: not worth a search token.
_PLACEHOLDER = linear(re.compile(r"(?<![\w.])(?:N|0x…|ADDR|HOST|URL|PROCESS)(?![\w])"), reads="masked lines")

SearchDoc = MutableMapping[str, object]


def jieba_segmenter() -> Callable[[str], str]:
    """Segment Chinese runs as Material's search plugin does (zero-width spaces between words).

    The plugin has loaded the user dictionary into jieba's global state by the time pages
    are indexed, so the aliases stay whole here too.
    """
    try:
        import jieba
    except ImportError:  # the plugin does not segment either
        return lambda text: text

    def segment(text: str) -> str:
        return _HAN.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group(0))) + "\u200b", text).strip("\u200b")

    return segment


def signature_words(line: str) -> str:
    """A signature as search should see it: the words that recur, not this crash's numbers."""
    return " ".join(_PLACEHOLDER.sub(" ", mask(line)).split())


def entry_signals(e: FailureMode, category_terms: Iterable[str] = ()) -> list[str]:
    """The lines and names a person pastes or types for this entry."""
    shared = {t.strip().lower() for t in category_terms}
    aliases = [a for a in e.aliases if a.strip().lower() not in shared]
    lines = [signature_words(s) for s in e.signatures]
    return list(dict.fromkeys(x for x in [*lines, *(a.name for a in e.alerts), *aliases] if x))


def _field(values: Sequence[str], segment: Callable[[str], str]) -> str:
    return "\n".join(segment(html_text(v)) for v in values)


def enrich_entry(docs: Sequence[SearchDoc], page_url: str, e: FailureMode, *,
                 category_terms: Iterable[str] = (),
                 segment: Callable[[str], str] = lambda s: s) -> None:
    """Add the entry's signals to its page-level document (in place)."""
    for doc in docs:
        if doc.get("location") == page_url:
            doc[SIGNALS_FIELD] = _field(entry_signals(e, category_terms), segment)
            doc["text"] = segment(html_text(first_sentence(e.summary)))


def enrich_triage_card(docs: Sequence[SearchDoc], page_url: str, names: Sequence[str], *,
                       segment: Callable[[str], str] = lambda s: s) -> None:
    """Add a category's shared names to its triage card's page-level document (in place)."""
    for doc in docs:
        if doc.get("location") == page_url and names:
            doc[SIGNALS_FIELD] = _field(names, segment)
