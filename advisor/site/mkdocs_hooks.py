"""MkDocs hooks: the knowledge base becomes pages at build time (nothing generated is committed).

Thin on purpose: load the KB once (`load_kb()`, validated and cached), read the files
beside each entry, and hand everything to the pure renderers (`render`, `indexes`,
`symptoms`, `alerts`, `triage`); `search` adds what the search index needs.

- on_config: load the KB; fill the nav, the redirects (every `former_ids` item, and each
  alert one entry exports: /alerts/<AlertName>/ -> its #now), and the
  jieba user dictionary (under build/) that keeps each Chinese alias one search token;
  decide whether diagrams can be drawn (a vendored mermaid.min.js, loaded by
  assets/javascripts/mermaid-loader.js only on a page with a diagram, never from a CDN).
- on_files: add the generated pages (`GENERATED`, one line per kind of page) and point
  "Edit this page" at the file a person edits (entry.yaml for an entry page).
- on_env: what the 404 page lists.
- on_page_context: hand the search plugin a light view of the page, then enrich what it
  indexed (signals, first sentence) and restore the page.
- on_serve: rebuild when kb/ changes.

The KB folder is $ADVISOR_KB or the project's kb/ (benchmarks point it at a generated KB).
The site URL is mkdocs.yml's `site_url`: `!ENV [SITE_URL, ...]`, the same variable the
advisor reads for its links (advisor/config.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from advisor import kb as kb_module
from advisor.kb import KnowledgeBase, default_kb_root, load_kb
from advisor.models import Category
from advisor.site import indexes, render, search
from advisor.site.alerts import alert_pages, alert_redirects
from advisor.site.common import CATEGORY_TITLES, SEVERITY_ORDER, entry_path, postmortem_path
from advisor.site.symptoms import render_symptom_index
from advisor.site.triage import triage_pages

log = logging.getLogger("mkdocs.hooks.advisor")

MERMAID_JS = "assets/javascripts/vendor/mermaid.min.js"  # site path of the vendored script

_state: dict[str, object] = {}


def _project_dir(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def mermaid_source(project_dir: Path) -> Path:
    """Where `python -m advisor.site.vendor` puts mermaid (build/ is never committed)."""
    return project_dir / "build" / "vendor" / "mermaid.min.js"


def build_date() -> dt.date:
    """Today, or $SOURCE_DATE_EPOCH's day for a reproducible build (the stale badge uses it)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


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
    if not config.repo_url:  # no repository configured ($REPO_URL): no edit links at all
        config.edit_uri = None
        config.edit_uri_template = None

    if not config.nav:
        config.nav = indexes.nav(kb.entries.values(), kb.postmortems.values())

    redirects = config.plugins.get("redirects")
    if redirects is not None:
        maps = redirects.config.setdefault("redirect_maps", {})
        for old, new in sorted(kb.former.items()):
            maps[entry_path(old)] = entry_path(new)
        maps.update(alert_redirects(kb.entries.values()))

    search_plugin = config.plugins.get("material/search") or config.plugins.get("search")
    _state["search"] = search_plugin
    if search_plugin is not None and getattr(search_plugin.config, "jieba_dict_user", None):
        path = Path(search_plugin.config.jieba_dict_user)
        if not path.is_absolute():
            path = project / path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = indexes.jieba_user_dict(kb.entries.values())
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        search_plugin.config.jieba_dict_user = str(path)

    has_diagrams = any(e.diagram for e in kb.entries.values())
    _state["mermaid"] = has_diagrams and mermaid_source(project).is_file()
    if has_diagrams and not _state["mermaid"]:
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


def _generated_pages(kb: KnowledgeBase, config) -> dict[str, tuple[Callable[[], str], str | None]]:
    """docs path -> (renderer, file a person edits for it, relative to the KB root)."""
    site_url = config.site_url or "/"
    titles = {i: e.title for i, e in kb.entries.items()}
    entries = list(kb.entries.values())
    pms = list(kb.postmortems.values())
    stale_days = int((config.extra or {}).get("stale_after_days", render.STALE_AFTER_DAYS))
    today = build_date()
    pages: dict[str, tuple[Callable[[], str], str | None]] = {}
    for e in entries:
        pages[entry_path(e.id)] = (lambda e=e: render.render_entry(
            e, runbook_url=f"{site_url}failure-modes/{e.id}/", titles=titles,
            postmortems=kb.citing_postmortems(e.id), files=_entry_files(kb, e.id),
            mermaid=bool(_state.get("mermaid")), today=today, stale_after_days=stale_days),
            f"failure-modes/{e.id}/entry.yaml")
    for p in pms:
        pages[postmortem_path(p.id)] = (lambda p=p: render.render_postmortem(p, titles=titles),
                                        f"postmortems/{p.id}.yaml")
    pages["postmortems/index.md"] = (lambda: indexes.render_postmortem_index(pms, titles=titles), None)
    pages["failure-modes/index.md"] = (lambda: indexes.render_category_index(entries), None)
    pages["severity.md"] = (lambda: indexes.render_severity_index(entries), None)
    pages["symptoms.md"] = (lambda: render_symptom_index(entries), None)
    for path, text in {**alert_pages(entries), **triage_pages(entries, site_url=site_url)}.items():
        pages[path] = (lambda text=text: text, None)
    return pages


def _repo_path(config, path: Path) -> str | None:
    """`path` relative to the repository (the folder of mkdocs.yml), or None outside it."""
    try:
        return path.resolve().relative_to(_project_dir(config)).as_posix()
    except ValueError:
        return None


@event_priority(100)  # before mkdocs-redirects records the pages it may redirect to
def on_files(files: Files, config) -> Files:
    kb: KnowledgeBase = _state["kb"]  # type: ignore[assignment]
    docs_rel = _repo_path(config, Path(config.docs_dir)) if config.repo_url else None
    for f in files.documentation_pages():  # hand-written pages: edit docs/<page>.md
        f.edit_uri = f"{docs_rel}/{f.src_uri}" if docs_rel else None
    kb_rel = _repo_path(config, kb.root) if config.repo_url else None

    for path, (make, source) in _generated_pages(kb, config).items():
        if files.get_file_from_path(path) is not None:
            raise ValueError(f"docs/{path} is generated from kb/ and must not exist in docs/")
        # Entry pages are not listed one by one in the sidebar: every page would carry its
        # whole category (150 KB of nav per page, quadratic in the KB size); the indexes
        # list them, and on_nav puts each entry under the "Failure modes" section.
        inclusion = (InclusionLevel.NOT_IN_NAV if path.startswith(("failure-modes/", "alerts/"))
                     and path not in ("failure-modes/index.md", "alerts/index.md") else InclusionLevel.UNDEFINED)
        f = File.generated(config, path, content=make(), inclusion=inclusion)
        f.edit_uri = f"{kb_rel}/{source}" if kb_rel and source else None
        files.append(f)
    if _state.get("mermaid"):
        files.append(File.generated(config, MERMAID_JS, abs_src_path=str(mermaid_source(_project_dir(config)))))
    return files


def on_nav(nav, config, files):
    """Entry and alert pages belong to the "Failure modes" section: its tab and sidebar stay active."""
    index = files.get_file_from_path("failure-modes/index.md")
    section = index.page.parent if index is not None and index.page is not None else None
    if section is None:
        return nav
    for f in files.documentation_pages():
        if f.src_uri.startswith(("failure-modes/", "alerts/")) and f.page is not None and f.page.parent is None:
            f.page.parent = section
    return nav


def on_env(env, config, files):
    """The 404 page (a theme template, not a page) lists the failure modes by category."""
    kb: KnowledgeBase = _state["kb"]  # type: ignore[assignment]
    catalogue = []
    for cat in Category:
        group = sorted((e for e in kb.entries.values() if e.category == cat),
                       key=lambda e: (SEVERITY_ORDER.index(e.severity), e.title.lower()))
        if group:
            catalogue.append({"title": CATEGORY_TITLES[cat], "anchor": cat.value,
                              "entries": [{"id": e.id, "title": e.title} for e in group]})
    env.globals["fm_catalogue"] = catalogue
    env.globals["fm_mermaid_js"] = MERMAID_JS if _state.get("mermaid") else ""
    return env


# The search plugin re-parses every page's HTML with Python's HTMLParser, which was a
# third of the build time at 1,000 entries. It reads only the text, the ids of headings
# and two markers (data-search-exclude, linenodiv); so it is handed the page without
# Pygments' per-token <span>s, without heading permalinks (their "¶" would end every
# result title) and without the other tags' attributes (same text, same sections), and
# the page gets its real HTML back right after.
_SPAN = re.compile(r"</?span\b[^>]*>")
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>')
_SEARCH_ATTR = re.compile(r'\s?data-search-\w+="[^"]+"')  # what the search plugin removes
_ATTRS = re.compile(r"<(?!h[1-6]\b)([a-zA-Z][a-zA-Z0-9-]*)\s[^>]*>")


def _bare_tag(m: re.Match) -> str:
    tag = m.group(0)
    if "data-search-exclude" in tag or "linenodiv" in tag:
        return tag
    return f"<{m.group(1)}>"


def search_view(html: str) -> str:
    """The HTML the search plugin needs: no token spans, no permalinks, no attributes but headings'."""
    return _ATTRS.sub(_bare_tag, _SPAN.sub("", _PERMALINK.sub("", html)))


def _search_docs() -> list:
    plugin = _state.get("search")
    index = getattr(plugin, "search_index", None)
    return getattr(index, "entries", None) if index is not None else None  # type: ignore[return-value]


@event_priority(100)  # before the search plugin indexes the page
def _strip_spans(context, page, config, nav):
    docs = _search_docs()
    _state["indexed"] = len(docs) if docs is not None else None
    if page.content:
        view = search_view(page.content)
        _state["content"] = (page, page.content, _SEARCH_ATTR.sub("", view))
        page.content = view
    return context


def _enrich_search(page) -> None:
    docs, start = _search_docs(), _state.pop("indexed", None)
    if docs is None or start is None or len(docs) == start:
        return
    kb: KnowledgeBase = _state["kb"]  # type: ignore[assignment]
    if "segment" not in _state:
        _state["segment"] = search.jieba_segmenter()
        _state["terms"] = indexes.category_terms(kb.entries.values())
    segment, terms = _state["segment"], _state["terms"]
    new = docs[start:]
    src = page.file.src_uri
    if src.startswith("triage/"):
        cat = Category(src.split("/")[1][:-3])
        search.enrich_triage_card(new, page.url, terms.get(cat, ()), segment=segment)  # type: ignore[union-attr]
    elif src.startswith("failure-modes/") and (e := kb.entries.get(src.split("/")[1][:-3])) is not None:
        search.enrich_entry(new, page.url, e, category_terms=terms.get(e.category, ()),  # type: ignore[union-attr]
                            segment=segment)  # type: ignore[arg-type]


@event_priority(-100)  # after the search plugin
def _restore_content(context, page, config, nav):
    _enrich_search(page)
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
