"""A Python-Markdown extension that removes what a reviewed-but-untrusted entry could smuggle in.

Registered in mkdocs.yml (`markdown_extensions: - advisor.site.safe_markdown`), so it runs
on every page. It walks the parsed tree after `attr_list` has applied `{...}` attributes
and removes:

- event-handler attributes (`on*`) and `style`, `srcdoc`, `formaction`: `attr_list` copies
  any `{onclick="..."}` written in an entry onto the element;
- URLs whose scheme is not http, https or mailto (relative links and `#anchors` stay),
  decoded as a browser would: `&#106;avascript:` and `java\\tscript:` are `javascript:`.
  Such a link or image is left as its text.

Raw HTML never reaches this tree from an entry: `advisor.site.markdown.md_text` escapes
it before Markdown sees the text. Python-Markdown has no safe mode of its own (it was
removed in 3.0), hence this extension.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from advisor.regex import linear

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "cite", "poster",
                            "data", "background", "xlink:href", "ping"})
DROPPED_ATTRIBUTES = frozenset({"style", "srcdoc", "formaction"})
_SCHEME = linear(re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):"), use="match", reads="URLs in entry text")
# Browsers ignore ASCII tab/newline anywhere in a URL and leading C0 controls and spaces.
_IGNORED = linear(re.compile(r"[\x00-\x20\x7f]+"), reads="URLs in entry text")


def url_allowed(url: str) -> bool:
    """True for http(s), mailto and scheme-less (relative, fragment) URLs."""
    decoded = _IGNORED.sub("", html.unescape(html.unescape(url)))
    m = _SCHEME.match(decoded)
    return m is None or m.group(1).lower() in ALLOWED_SCHEMES


def clean_element(el: etree.Element) -> None:
    for name in list(el.attrib):
        low = name.lower()
        if low.startswith("on") or low in DROPPED_ATTRIBUTES:
            del el.attrib[name]
        elif low in URL_ATTRIBUTES and not url_allowed(el.attrib[name]):
            del el.attrib[name]
            if el.tag in ("a", "img"):
                _to_text(el)


def _to_text(el: etree.Element) -> None:
    """A link or image whose URL was refused becomes its text (MkDocs expects every a/img to have one)."""
    if el.tag == "img":
        el.text = el.attrib.pop("alt", "")
    el.tag = "span"
    el.attrib.pop("href", None)
    el.attrib.pop("src", None)


class SanitiseTree(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            clean_element(el)


class SafeMarkdownExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API)
        # attr_list runs at priority 8, toc at 5: run after both, before serialisation.
        md.treeprocessors.register(SanitiseTree(md), "advisor-sanitise", 1)


def makeExtension(**kwargs) -> SafeMarkdownExtension:  # noqa: N802 (entry point name)
    return SafeMarkdownExtension(**kwargs)
