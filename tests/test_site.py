"""The docs site: the pure renderers, and real `mkdocs build --strict` runs.

The build tests run the real MkDocs (in a subprocess, as a user or CI would) into a
temporary folder and then read the HTML: every entry at its permanent URL with its fixed
anchors, every internal link and anchor resolving, redirects for former ids, the jieba
dictionary making each Chinese alias one search token, nothing fetched from the network.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest
import yaml

from advisor.site import render
from tests.conftest import ROOT

ENTRY_ANCHORS = render.ANCHORS
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}

site = [pytest.mark.slow, pytest.mark.site, pytest.mark.xdist_group("site")]


# --------------------------------------------------------------------------- helpers


def mkdocs_build(dest: Path, *, kb_root: Path | None = None, cache: Path | None = None,
                 timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, **QUIET)
    if kb_root is not None:
        env["ADVISOR_KB"] = str(kb_root)
    if cache is not None:
        env["ADVISOR_CACHE"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(dest)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )


@lru_cache(maxsize=1)
def _build_real_site() -> tuple[Path, str]:
    parent = Path(tempfile.mkdtemp(prefix="site-"))
    atexit.register(shutil.rmtree, parent, True)
    dest = parent / "site"
    proc = mkdocs_build(dest)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-4000:]}"
    return dest, log


@pytest.fixture(scope="session")
def site_kb():
    """The KB the site is built from: $ADVISOR_KB or kb/ (the hooks read the same)."""
    from advisor.kb import default_kb_root, load_kb

    return load_kb(default_kb_root())


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The real KB built with `mkdocs build --strict` into a temporary folder (once per process)."""
    return _build_real_site()[0]


def site_url() -> str:
    cfg = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"^site_url:\s*(\S+)", cfg, re.M)
    assert m, "mkdocs.yml must keep site_url as a plain top-level line"
    return m.group(1)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if a.get("name") and tag == "a":
            self.ids.add(a["name"])
        if tag == "a" and a.get("href") is not None:
            self.links.append(("a", a["href"]))
        if tag == "link" and a.get("href"):
            self.links.append(("link", a["href"]))
            if "stylesheet" in (a.get("rel") or ""):
                self.styles.append(a["href"])
        if tag in ("script", "img") and a.get("src"):
            self.links.append((tag, a["src"]))
            if tag == "script":
                self.scripts.append(a["src"])


@lru_cache(maxsize=4096)
def parse_page(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def page_file(site: Path, url_path: str) -> Path:
    rel = unquote(url_path).lstrip("/")
    target = site / rel
    if rel == "" or rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


# --------------------------------------------------------------------------- pure renderers (fast)


def test_code_span_and_fence_survive_backticks():
    assert render.code_span("a `b` c") == "`` a `b` c ``"
    assert render.code_span("plain") == "`plain`"
    block = render.fence("```\ninner\n```", "md")
    assert block.startswith("````md\n") and block.rstrip().endswith("````")


def test_render_entry_has_fixed_anchors_and_keeps_go_templates(site_kb):
    e = site_kb.entries["concurrent-map-writes"].model_copy(deep=True)
    e.fixes[0].after = "tmpl := `{{ .Name }} {% raw %}`\n"
    md = render.render_entry(e, runbook_url="https://x.test/failure-modes/concurrent-map-writes/",
                             titles={}, files=render.EntryFiles(repro="package main\n"))
    for anchor in ENTRY_ANCHORS:
        assert f"{{#{anchor}}}" in md, anchor
    # "What to do now" is the first section.
    assert md.index("{#now}") < min(md.index(f"{{#{a}}}") for a in ENTRY_ANCHORS if a != "now")
    assert "{{ .Name }} {% raw %}" in md
    meta = yaml.safe_load(md.split("---\n")[1])
    assert meta["entry"]["severity"] == e.severity.value
    assert meta["entry"]["runbook_url"].endswith("/failure-modes/concurrent-map-writes/")


def test_diagram_is_source_without_mermaid(site_kb):
    e = site_kb.entries["concurrent-map-writes"].model_copy(update={"diagram": "graph LR\n  A-->B"})
    assert "```mermaid" in render.render_entry(e, runbook_url="u", mermaid=True)
    plain = render.render_entry(e, runbook_url="u", mermaid=False)
    assert "```mermaid" not in plain and "A-->B" in plain


def test_jieba_user_dict_holds_each_chinese_alias(site_kb):
    text = render.jieba_user_dict(site_kb.entries.values())
    words = set(text.split())
    for e in site_kb.entries.values():
        for alias in e.aliases:
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", alias):
                assert run in words


def test_symptom_index_lists_every_signature(site_kb):
    md = render.render_symptom_index(site_kb.entries.values())
    for e in site_kb.entries.values():
        for sig in e.signatures:
            assert render.code_span(sig) + f" → [{render.link_text(e.title)}](failure-modes/{e.id}.md)" in md


def test_no_generated_markdown_in_docs():
    assert not (ROOT / "docs" / "failure-modes").exists()
    assert not (ROOT / "docs" / "postmortems").exists()
    assert "hooks:\n  - advisor/site/mkdocs_hooks.py" in (ROOT / "mkdocs.yml").read_text()


def test_advisor_links_use_site_url():
    from advisor.config import site_url as advisor_site_url

    if "ADVISOR_SITE_URL" in os.environ:
        pytest.skip("ADVISOR_SITE_URL overrides mkdocs.yml")
    assert advisor_site_url() == site_url()


# --------------------------------------------------------------------------- real builds


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_strict_build_has_no_warnings(built_site):
    log = _build_real_site()[1]
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.M), log[-3000:]
    assert (built_site / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_every_entry_has_its_page_at_its_url(built_site, site_kb):
    url = site_url()
    for ident, e in site_kb.entries.items():
        page = built_site / "failure-modes" / ident / "index.html"
        assert page.is_file(), f"/failure-modes/{ident}/ missing"
        parsed = parse_page(page)
        missing = [a for a in ENTRY_ANCHORS if a not in parsed.ids]
        assert not missing, f"{ident}: anchors {missing} missing"
        html = page.read_text(encoding="utf-8")
        assert f'data-runbook-url="{url}failure-modes/{ident}/"' in html
        assert f'<link rel="canonical" href="{url}failure-modes/{ident}/"' in html
        text = "".join(parsed.text)
        for sig in e.signatures:
            assert sig in text, (ident, sig)
        for p in site_kb.citing_postmortems(ident):
            assert f'href="../../postmortems/{p.id}/"' in html, (ident, p.id)
    for ident in site_kb.postmortems:
        page = built_site / "postmortems" / ident / "index.html"
        assert page.is_file(), ident
        html = page.read_text(encoding="utf-8")
        for fm in site_kb.postmortems[ident].failure_modes:
            assert f'href="../../failure-modes/{fm}/"' in html


def _html_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_every_internal_link_resolves(built_site):
    broken: list[str] = []
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 5
    base = "http://site.test/"
    for page in pages:
        rel = page.relative_to(built_site).as_posix()
        page_url = urljoin(base, rel)
        for tag, href in parse_page(page).links:
            if href.startswith(("mailto:", "javascript:", "data:")):
                continue
            absolute = urljoin(page_url, href)
            if not absolute.startswith(base):
                continue  # external
            path, frag = urldefrag(absolute)
            target = page_file(built_site, urlparse(path).path)
            if not target.is_file():
                broken.append(f"{rel}: {tag} {href} -> {target.relative_to(built_site)}")
                continue
            if frag and target.suffix == ".html" and unquote(frag) not in parse_page(target).ids:
                broken.append(f"{rel}: {href} (no #{frag})")
    assert not broken, "\n".join(broken[:30])


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_indexes_link_every_entry(built_site, site_kb):
    by_cat = (built_site / "failure-modes" / "index.html").read_text(encoding="utf-8")
    by_sev = (built_site / "severity" / "index.html").read_text(encoding="utf-8")
    symptoms_page = built_site / "symptoms" / "index.html"
    symptoms = symptoms_page.read_text(encoding="utf-8")
    symptoms_text = "".join(parse_page(symptoms_page).text)
    for ident, e in site_kb.entries.items():
        assert f'href="{ident}/"' in by_cat
        assert f'href="../failure-modes/{ident}/"' in by_sev
        assert f'href="../failure-modes/{ident}/"' in symptoms
        for sig in e.signatures:
            assert sig in symptoms_text, (ident, sig)
    tags = (built_site / "tags" / "index.html").read_text(encoding="utf-8")
    for e in site_kb.entries.values():
        for t in e.tags:
            assert _html_text(t) in tags


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_search_index_keeps_chinese_aliases_whole(built_site, site_kb):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "zh" in index["config"]["lang"]
    docs = {}
    for d in index["docs"]:
        docs.setdefault(d["location"].split("#")[0], []).append(d["title"] + " " + d["text"])
    checked = 0
    for ident, e in site_kb.entries.items():
        text = "\u200b".join(docs[f"failure-modes/{ident}/"])
        for alias in e.aliases:
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", alias):
                # jieba may split a longer run around a shorter dictionary word; the
                # token must stand whole between separators.
                assert re.search(rf"(^|[\s\u200b,]){re.escape(run)}($|[\s\u200b,])", text), (ident, run)
                checked += 1
    assert checked, "no Chinese alias in the KB"


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_site_is_offline(built_site):
    for page in built_site.rglob("*.html"):
        parsed = parse_page(page)
        for src in parsed.scripts + parsed.styles:
            assert not src.startswith(("http:", "https:", "//")), (page, src)
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_former_ids_redirect_and_diagram_builds(tmp_path, site_kb):
    """A renamed entry: the old URL (and its anchors) lands on the new page."""
    root = tmp_path / "kb"
    shutil.copytree(site_kb.root, root)
    ident = "concurrent-map-writes"
    path = root / "failure-modes" / ident / "entry.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^id: .*$", "id: concurrent-map-writes\nformer_ids: [map-race-fatal, cmw]",
                  text, count=1, flags=re.M)
    text = text.replace("\nmatch:\n", "\ndiagram: |\n  graph LR\n    W1[writer 1] --> M((map))\n"
                        "    W2[writer 2] --> M\n    M --> F[fatal error]\nmatch:\n", 1)
    path.write_text(text, encoding="utf-8")
    dest = tmp_path / "site"
    proc = mkdocs_build(dest, kb_root=root, cache=tmp_path / "cache")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    for old in ("map-race-fatal", "cmw"):
        page = dest / "failure-modes" / old / "index.html"
        assert page.is_file()
        html = page.read_text(encoding="utf-8")
        assert '"../concurrent-map-writes/"' in html and "location.hash" in html
    new = (dest / "failure-modes" / ident / "index.html").read_text(encoding="utf-8")
    assert "map-race-fatal" in new
    vendored = (ROOT / "build" / "vendor" / "mermaid.min.js").is_file()
    if vendored:
        assert 'class="mermaid"' in new and "vendor/mermaid.min.js" in new
    else:
        assert 'class="mermaid"' not in new and "writer 1" in new


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_pages_say_when_reviewed(built_site, site_kb):
    for ident, e in site_kb.entries.items():
        html = (built_site / "failure-modes" / ident / "index.html").read_text(encoding="utf-8")
        assert f'<time datetime="{e.last_reviewed.isoformat()}">' in html
        assert isinstance(e.last_reviewed, dt.date)
