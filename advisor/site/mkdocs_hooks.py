"""MkDocs hooks: the knowledge base becomes pages at build time (nothing generated is committed).

Thin on purpose: load the KB once (`load_kb()`, validated and cached), read the files
beside each entry, and hand everything to the pure functions in `advisor.site.render`.

- on_config: load the KB; fill the nav, the redirects for every `former_ids` item, and the
  jieba user dictionary (under build/) that keeps each Chinese alias one search token;
  decide whether diagrams can be drawn (a vendored mermaid.min.js, never a CDN).
- on_files: add the generated pages with `File.generated(...)`.
- on_serve: rebuild when kb/ changes.

The KB folder is $ADVISOR_KB or the project's kb/ (benchmarks point it at a generated KB).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from advisor import kb as kb_module
from advisor.kb import KnowledgeBase, default_kb_root, load_kb
from advisor.regex import linear
from advisor.site import render

log = logging.getLogger("mkdocs.hooks.advisor")

MERMAID_JS = "assets/javascripts/vendor/mermaid.min.js"  # site path of the vendored script

_state: dict[str, object] = {}


def _project_dir(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def mermaid_source(project_dir: Path) -> Path:
    """Where `python -m advisor.site.vendor` puts mermaid (build/ is never committed)."""
    return project_dir / "build" / "vendor" / "mermaid.min.js"


@event_priority(100)  # before the search plugin loads the jieba dictionary
def on_config(config):
    # A fresh read on every (re)build: `mkdocs serve` must see edited entries. The disk
    # cache keyed by content hash keeps this cheap when nothing changed.
    kb_module._load_cached.cache_clear()
    kb = load_kb(default_kb_root())
    for ident in kb.entries:
        if ident in ("index",):
            raise ValueError(f"entry id '{ident}' would collide with the failure-modes index page")
    _state["kb"] = kb
    project = _project_dir(config)

    if not config.nav:
        config.nav = render.nav(kb.entries.values(), kb.postmortems.values())

    redirects = config.plugins.get("redirects")
    if redirects is not None:
        maps = redirects.config.setdefault("redirect_maps", {})
        for old, new in sorted(kb.former.items()):
            maps[render.entry_path(old)] = render.entry_path(new)

    search = config.plugins.get("material/search") or config.plugins.get("search")
    if search is not None and getattr(search.config, "jieba_dict_user", None):
        path = Path(search.config.jieba_dict_user)
        if not path.is_absolute():
            path = project / path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = render.jieba_user_dict(kb.entries.values())
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        search.config.jieba_dict_user = str(path)

    has_diagrams = any(e.diagram for e in kb.entries.values())
    mermaid = mermaid_source(project)
    _state["mermaid"] = has_diagrams and mermaid.is_file()
    if _state["mermaid"] and MERMAID_JS not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(MERMAID_JS)
    elif has_diagrams and not mermaid.is_file():
        log.info("diagrams are shown as source: run 'python -m advisor.site.vendor' to draw them")
    return config


def _entry_files(kb: KnowledgeBase, ident: str) -> render.EntryFiles:
    folder = kb.entry_dir(ident)

    def read(p: Path) -> str | None:
        try:
            return p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    samples = sorted((folder / "samples").glob("*.log")) if (folder / "samples").is_dir() else []
    return render.EntryFiles(
        repro=read(folder / "repro" / "main.go"),
        fixed=read(folder / "fixed" / "main.go"),
        samples=[(p.name, t) for p in samples if (t := read(p)) is not None],
    )


@event_priority(100)  # before mkdocs-redirects records the pages it may redirect to
def on_files(files: Files, config) -> Files:
    kb: KnowledgeBase = _state["kb"]  # type: ignore[assignment]
    site_url = config.site_url or "/"
    titles = {i: e.title for i, e in kb.entries.items()}
    entries = list(kb.entries.values())
    pms = list(kb.postmortems.values())

    def add(path: str, content: str, inclusion=InclusionLevel.UNDEFINED) -> None:
        existing = files.get_file_from_path(path)
        if existing is not None:
            raise ValueError(f"docs/{path} is generated from kb/ and must not exist in docs/")
        files.append(File.generated(config, path, content=content, inclusion=inclusion))

    # Entry pages are not listed one by one in the sidebar: every page would carry its
    # whole category (150 KB of nav per page, quadratic in the KB size); the indexes list
    # them, and on_nav puts each entry under the "Failure modes" section.
    for e in entries:
        add(render.entry_path(e.id), inclusion=InclusionLevel.NOT_IN_NAV, content=render.render_entry(
            e,
            runbook_url=f"{site_url}failure-modes/{e.id}/",
            titles=titles,
            postmortems=kb.citing_postmortems(e.id),
            files=_entry_files(kb, e.id),
            mermaid=bool(_state.get("mermaid")),
        ))
    for p in pms:
        add(render.postmortem_path(p.id), render.render_postmortem(p, titles=titles))
    add("postmortems/index.md", render.render_postmortem_index(pms, titles=titles))
    add("failure-modes/index.md", render.render_category_index(entries))
    add("severity.md", render.render_severity_index(entries))
    add("symptoms.md", render.render_symptom_index(entries))
    if _state.get("mermaid"):
        files.append(File.generated(config, MERMAID_JS,
                                    abs_src_path=str(mermaid_source(_project_dir(config)))))
    return files


def on_nav(nav, config, files):
    """Entry pages belong to the "Failure modes" section: its tab and sidebar stay active."""
    index = files.get_file_from_path("failure-modes/index.md")
    section = index.page.parent if index is not None and index.page is not None else None
    if section is None:
        return nav
    kb: KnowledgeBase = _state["kb"]  # type: ignore[assignment]
    for ident in kb.entries:
        f = files.get_file_from_path(render.entry_path(ident))
        if f is not None and f.page is not None and f.page.parent is None:
            f.page.parent = section
    return nav


# The search plugin re-parses every page's HTML with Python's HTMLParser, which was a
# third of the build time at 1,000 entries. It reads only the text, the ids of headings
# and two markers (data-search-exclude, linenodiv); so it is handed the page without
# Pygments' per-token <span>s and without the other tags' attributes (same text, same
# sections), and the page gets its real HTML back right after.
# A tag ends at '>' and never holds '<' (Markdown escapes both in attribute values): "[^<>]"
# keeps a stray "<span " from rescanning the rest of the page (linear time, advisor/regex.py).
_SPAN = linear(re.compile(r"</?span\b[^<>]*>"), reads="generated page HTML")
_SEARCH_ATTR = linear(re.compile(r'\s?data-search-\w+="[^"]+"'), reads="generated page HTML")
_ATTRS = linear(re.compile(r"<(?!h[1-6]\b)([a-zA-Z][a-zA-Z0-9-]*)\s[^<>]*>"), reads="generated page HTML")


def _bare_tag(m: re.Match) -> str:
    tag = m.group(0)
    if "data-search-exclude" in tag or "linenodiv" in tag:
        return tag
    return f"<{m.group(1)}>"


def search_view(html: str) -> str:
    """The HTML the search plugin needs: no token spans, no attributes but headings'."""
    return _ATTRS.sub(_bare_tag, _SPAN.sub("", html))


@event_priority(100)  # before the search plugin indexes the page
def _strip_spans(context, page, config, nav):
    if page.content:
        view = search_view(page.content)
        _state["content"] = (page, page.content, _SEARCH_ATTR.sub("", view))
        page.content = view
    return context


@event_priority(-100)  # after the search plugin
def _restore_content(context, page, config, nav):
    saved = _state.pop("content", None)
    if saved is None or saved[0] is not page:
        return context
    if page.content not in (saved[2], search_view(saved[1])):
        log.warning("%s: a plugin changed the page between the search hooks; "
                    "advisor/site/mkdocs_hooks.py must learn about it", page.file.src_uri)
    page.content = saved[1]
    return context


on_page_context = CombinedEvent(_strip_spans, _restore_content)


def on_serve(server, config, builder):
    server.watch(str(default_kb_root()))
    return server
