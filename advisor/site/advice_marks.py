"""Marks for advice that has been run, and links for entry ids named in prose.

Small pure helpers that render.py calls at a few places (issue 13):

- `verification_mark`: under a knob-turning `now` step, fix or correction, "run" with
  the setting the test suite ran, or "not run" with the entry's reason;
- `detection_mark`: under a detection command, how the tests execute it, or why not;
- `note_source`: the release note, CL, issue or recorded sample behind a version note;
- `link_entry_mentions`: "see unbounded-map-or-slice-growth" becomes a link.

Text from the KB goes through `md_text` like every other field; the badges are fixed HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from advisor.models import Demonstration, Detection, VersionNote
from advisor.regex import compile_re2, linear
from advisor.site.markdown import code_span, code_spans, md_inline, outside_spans

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
        return f"{_badge('not-run', 'not run')} {md_inline(unverified)}"
    if demo is None:
        return ""
    effect = ("which ends the same as the unchanged reproducer" if demo.baseline == "same"
              else "compared with the unchanged reproducer")
    return f"{_badge('run', 'run')} Shown by the test suite: {_setting_text(demo)}, {effect}."


def detection_mark(d: Detection) -> str:
    """The mark under a detection command: run by the tests (and how), or not run and why."""
    if d.not_run:
        return f"{_badge('not-run', 'not run')} {md_inline(d.not_run)}"
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


def with_mark(text: str, mark: str) -> str:
    """A paragraph followed by its mark (either may be empty)."""
    return "\n\n".join(p for p in (text, mark) if p) + ("\n" if not text and mark else "")


# A whole word of an id's characters: not part of a path, file name or longer word (a
# sentence's full stop may follow). Linked only when it is exactly an entry id.
_WORD = linear(re.compile(r"(?<![\w/.-])([\w-]+)(?![\w/-])"), reads="entry text")
_LINK_OR_TAG = compile_re2(r"\[[^\]]*\]\([^)]*\)|<[^>]+>")  # RE2: an unclosed `[` or `<` costs one pass


def link_entry_mentions(text: str, titles: Mapping[str, str], self_id: str = "", prefix: str = "") -> str:
    """Turn entry ids named in prose into links; code spans, links and the page's own id
    are left alone. Run before md_text: the links are ordinary Markdown."""
    ids = set(titles) - {self_id}
    if not ids:
        return text

    def link(m: re.Match[str]) -> str:
        word = m.group(1)
        return f"[{word}]({prefix}{word}.md)" if word in ids else word

    def outside_links(part: str) -> str:
        return outside_spans(part, [m.span() for m in _LINK_OR_TAG.finditer(part)], lambda s: _WORD.sub(link, s))

    return outside_spans(text, code_spans(text), outside_links)
