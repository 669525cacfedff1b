"""Markdown building blocks for the generated pages, and the escaping of text from the KB.

Entries are contributed through pull requests: their text is reviewed, not trusted. It
reaches the site by three roads, and each is closed here or next door:

- **Markdown** (summary, steps, details...): `md_text()` keeps Markdown (emphasis, code
  spans, links, fenced code) but turns every `<` outside code into `&lt;` and every `{`
  into `&#123;`, so no raw HTML and no attr_list attributes from an entry reach the page;
  fence openers keep only their language word (fence attributes would land in the HTML
  unchecked). Link schemes and event-handler attributes
  are removed from the parsed tree by `advisor.site.safe_markdown` (registered in mkdocs.yml).
- **Inline code and code blocks**: `code_span()` and `fence()`; Markdown escapes them.
- **Front matter** that the theme prints without escaping (title, description, tags):
  `html_text()` escapes it once, here. Everything else the templates print goes through
  Jinja's `| e` (site-overrides/partials/entry-header.html).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Mapping

from advisor.regex import linear

_FENCE_OPEN = linear(re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$"), use="match",
                     reads="entry text")
_TICKS = linear(re.compile(r"`+"), reads="entry text")
# An autolink the entry may keep: <https://...> or <mailto:...>; scheme is checked later too.
_AUTOLINK = linear(re.compile(r"<(?:https?://|mailto:)[^\s<>]+>", re.I), reads="entry text")
_INFO_LANG = linear(re.compile(r"\s*([\w+-]*)"), use="match", reads="entry text")
_FILE_UNSAFE = linear(re.compile(r"[\"'<>`\\\[\]{}]"), reads="sample file names")
# "[ \t]*", not "\s*": "\s*" would span blank lines and rescan them for every line start.
_FENCE_TICKS = linear(re.compile(r"^[ \t]*(`{3,})", re.M), reads="entry text")
_NOT_LANG = linear(re.compile(r"[^\w+-]"), reads="entry text")
_HAN_RUN = linear(re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"), reads="entry text")


# --------------------------------------------------------------------------- escaping


def html_text(text: str) -> str:
    """Text escaped for HTML text and quoted attributes, whitespace folded to single spaces."""
    return html.escape(" ".join(str(text).split()), quote=True)


def _escape_plain(text: str) -> str:
    """Neutralise markup in Markdown text that holds no code.

    `<` becomes `&lt;` (no raw HTML) and `{` becomes `&#123;` (no attr_list `{.class #id
    key=value}`: an entry must not set ids, which would shadow the fixed anchors, or
    attributes). Both still display as the character.
    """
    def plain(s: str) -> str:
        return s.replace("<", "&lt;").replace("{", "&#123;")

    return outside_spans(text, [m.span() for m in _AUTOLINK.finditer(text)], plain)


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each code span: a backtick run closed by the next run of the same
    length (CommonMark); a run that is never closed is literal backticks. One pass from the
    end finds each run's closer, so text full of unmatched runs stays linear."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    closer: list[int | None] = [None] * len(runs)
    seen: dict[int, int] = {}  # run length -> index of the nearest later run of that length
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        closer[i] = seen.get(length)
        seen[length] = i
    spans, i = [], 0
    while i < len(runs):
        j = closer[i]
        if j is None:
            i += 1
            continue
        spans.append((runs[i][0], runs[j][1]))
        i = j + 1
    return spans


def outside_spans(text: str, spans: list[tuple[int, int]], plain: Callable[[str], str]) -> str:
    """`plain` applied to the text between the spans; the spans themselves kept as they are."""
    out, pos = [], 0
    for start, end in spans:
        out.append(plain(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(plain(text[pos:]))
    return "".join(out)


def _escape_inline(text: str) -> str:
    """Escape outside code spans."""
    return outside_spans(text, code_spans(text), _escape_plain)


def md_text(text: str) -> str:
    """Markdown from the KB, made safe to hand to Python-Markdown: no raw HTML survives.

    Code spans and fenced blocks are left alone (Markdown escapes them); a fence opener
    keeps only its language word, because superfences copies `{...}` attributes into the
    HTML without the checks the parsed tree gets; a fence left open is closed, so one
    field cannot swallow the sections after it.
    """
    lines = str(text).split("\n")
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(_escape_inline("\n".join(prose)))
            prose.clear()

    for line in lines:
        if fence is None:
            m = _FENCE_OPEN.match(line)
            if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
                flush()
                fence = m.group("fence")
                lang = _INFO_LANG.match(m.group("info")).group(1)  # type: ignore[union-attr]
                out.append(f"{m.group('indent')}{fence}{lang}")
                continue
            prose.append(line)
        else:
            out.append(line)
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
    flush()
    if fence is not None:
        out.append(fence)
    return "\n".join(out)


def md_inline(text: str) -> str:
    """KB text for one line of Markdown (a heading, a run-in title, a list of names)."""
    return md_text(" ".join(str(text).split()))


def file_label(name: str) -> str:
    """A file name for a fence title or admonition title: no quotes, no markup, one line."""
    return _FILE_UNSAFE.sub("_", " ".join(name.split()))


# --------------------------------------------------------------------------- Markdown helpers


def code_span(text: str) -> str:
    """Inline code that survives backticks inside the text."""
    text = " ".join(str(text).split("\n"))
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(code: str, lang: str = "", *, title: str | None = None, classes: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside.

    `classes` (e.g. ".fm-command") uses superfences' attribute form; the language and
    classes come from this module's callers, never from an entry.
    """
    longest = max((len(m) for m in _FENCE_TICKS.findall(code)), default=0)
    ticks = "`" * max(3, longest + 1)
    lang = _NOT_LANG.sub("", lang or "") or "text"
    opts = f' title="{file_label(title)}"' if title else ""
    body = code if code.endswith("\n") else code + "\n"
    if classes:
        return f"{ticks}{{ .{lang} {classes}{opts} }}\n{body}{ticks}\n"
    return f"{ticks}{lang}{opts}\n{body}{ticks}\n"


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
    """Text for one Markdown table cell (already escaped Markdown or plain text)."""
    return " ".join(text.split()).replace("|", "\\|")


def link_text(text: str) -> str:
    """KB text safe inside [...] of a Markdown link (and a table cell)."""
    return cell(md_inline(text)).replace("[", "\\[").replace("]", "\\]")


def heading(level: int, title: str, anchor: str | None = None) -> str:
    return "#" * level + " " + title + (f" {{#{anchor}}}" if anchor else "") + "\n"


def admonition(kind: str, title: str, body: str, collapsible: str = "") -> str:
    marker = {"": "!!!", "closed": "???", "open": "???+"}[collapsible]
    title = title.replace('"', "'")
    return f'{marker} {kind} "{title}"\n\n{indent(body.strip())}\n'


def front_matter(meta: Mapping[str, object]) -> str:
    # JSON is valid YAML and never needs quoting rules.
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def join(blocks: Iterable[str]) -> str:
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks if b).rstrip("\n") + "\n"


def han_runs(text: str) -> list[str]:
    return _HAN_RUN.findall(text)
