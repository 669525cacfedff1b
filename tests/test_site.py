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

from advisor.site import markdown, render, search, symptoms
from advisor.site.indexes import category_terms, jieba_user_dict
from advisor.site.safe_markdown import url_allowed
from tests.conftest import ROOT
from tests.hostile_kb import write_hostile_kb

ENTRY_ANCHORS = render.ANCHORS
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}

site = [pytest.mark.slow, pytest.mark.site, pytest.mark.xdist_group("site")]


# --------------------------------------------------------------------------- helpers


def mkdocs_build(dest: Path, *, kb_root: Path | None = None, cache: Path | None = None,
                 env_extra: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "REPO_URL")}
    env.update(QUIET, **(env_extra or {}))
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
    proc = mkdocs_build(dest, env_extra={"REPO_URL": REPO})
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
    """mkdocs.yml's default site URL (the builds here run without $SITE_URL)."""
    cfg = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"""^site_url: !ENV \[SITE_URL, "([^"]+)"\]$""", cfg, re.M)
    assert m, "mkdocs.yml must keep site_url as one line: site_url: !ENV [SITE_URL, \"<default>\"]"
    return m.group(1)


HOSTILE_URL = "https://runbooks.test.example/team/"
REPO = "https://github.com/example-org/go-kb"  # the real build's REPO_URL (edit links)


@lru_cache(maxsize=1)
def _build_hostile_site() -> Path:
    """The hostile KB (tests/hostile_kb.py) built with the team's own SITE_URL and no REPO_URL."""
    parent = Path(tempfile.mkdtemp(prefix="hostile-site-"))
    atexit.register(shutil.rmtree, parent, True)
    kb_root = write_hostile_kb(parent / "kb", ROOT / "kb")
    dest = parent / "site"
    proc = mkdocs_build(dest, kb_root=kb_root, cache=parent / "cache",
                        env_extra={"SITE_URL": HOSTILE_URL})
    assert proc.returncode == 0, f"hostile KB build failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
    return dest


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
    assert markdown.code_span("a `b` c") == "`` a `b` c ``"
    assert markdown.code_span("plain") == "`plain`"
    block = markdown.fence("```\ninner\n```", "md")
    assert block.startswith("````md\n") and block.rstrip().endswith("````")


def test_render_entry_has_fixed_anchors_and_keeps_go_templates(site_kb):
    e = site_kb.entries["concurrent-map-writes"].model_copy(deep=True)
    e.fixes[0].after = "tmpl := `{{ .Name }} {% raw %}`\n"
    md = render.render_entry(e, runbook_url="https://x.test/failure-modes/concurrent-map-writes/",
                             titles={}, files=render.EntryFiles(repro="package main\n"))
    for anchor in ENTRY_ANCHORS:
        assert f"{{#{anchor}}}" in md, anchor
    # The sections come in the table's order, "What to do now" first.
    positions = [md.index(f"{{#{a}}}") for a in ENTRY_ANCHORS]
    assert positions == sorted(positions) and ENTRY_ANCHORS[0] == "now"
    assert "{{ .Name }} {% raw %}" in md
    meta = yaml.safe_load(md.split("---\n")[1])
    assert meta["entry"]["severity"] == e.severity.value
    assert meta["entry"]["runbook_url"].endswith("/failure-modes/concurrent-map-writes/")
    assert meta["entry"]["anchors"] == list(ENTRY_ANCHORS)
    assert meta["entry"]["alerts"] == [a.name for a in e.alerts]


def test_every_fixed_anchor_is_documented():
    """The home page tells alert authors which anchors exist; it must list every one."""
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `#([a-z-]+)` \|", home, re.M)
    assert documented == list(ENTRY_ANCHORS)


def test_stale_badge_follows_last_reviewed(site_kb):
    e = site_kb.entries["concurrent-map-writes"]
    fresh = render.entry_meta(e, "u", today=e.last_reviewed + dt.timedelta(days=30))["entry"]
    old = render.entry_meta(e, "u", today=e.last_reviewed + dt.timedelta(days=400), stale_after_days=365)["entry"]
    assert fresh["stale"] is False and old["stale"] is True and old["review_age_days"] == 400


def test_diagram_is_source_without_mermaid(site_kb):
    e = site_kb.entries["concurrent-map-writes"].model_copy(update={"diagram": "graph LR\n  A-->B"})
    assert "```mermaid" in render.render_entry(e, runbook_url="u", mermaid=True)
    plain = render.render_entry(e, runbook_url="u", mermaid=False)
    assert "```mermaid" not in plain and "A-->B" in plain


def test_jieba_user_dict_holds_each_chinese_alias(site_kb):
    words = set(jieba_user_dict(site_kb.entries.values()).split())
    for e in site_kb.entries.values():
        for alias in e.aliases:
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", alias):
                assert run in words


# --------------------------------------------------------------------------- escaping (issue 12)


@pytest.mark.parametrize(("text", "kept", "gone"), [
    ("a <img src=x onerror=alert(1)> b", "a &lt;img src=x onerror=alert(1)> b", "<img"),
    ("keep `<b>` and ``x `<i>` y``", "`<b>`", "&lt;b"),
    ("**b**{onclick=alert(1) .x}", "**b**&#123;onclick", "{onclick"),
    ("see <https://go.dev/doc/> now", "<https://go.dev/doc/>", "&lt;https"),
    ("```{.text onclick=\"x\"}\n<b>code</b>\n```", "```\n<b>code</b>\n```", "onclick"),
    ("```go\nif a < b {\n```\nafter <b>", "if a < b {", "after <b>"),
    ("text ```x\n```\nopen fence", "open fence\n```", "open fence\n```\n```"),
])
def test_md_text_escapes_markup_outside_code(text, kept, gone):
    out = markdown.md_text(text)
    assert kept in out and gone not in out


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "java\tscript:alert(1)",
    " javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "&amp;#106;avascript:x",
])
def test_url_schemes_refused(url):
    assert not url_allowed(url)


@pytest.mark.parametrize("url", ["https://go.dev/", "http://x", "mailto:a@b.c", "../x/", "#now", "page.md#a", "/abs"])
def test_url_schemes_allowed(url):
    assert url_allowed(url)


def test_markdown_extension_strips_handlers_and_bad_links():
    import markdown as md_lib

    md = md_lib.Markdown(extensions=["attr_list", "advisor.site.safe_markdown"])
    html = md.convert('[x](javascript:alert(1)) [y](https://go.dev/) ![i](javascript:alert(2)) '
                      '**b**{onclick="alert(3)"}\n\n[r][ref]\n\n[ref]: &#106;avascript:alert(4)')
    assert "javascript" not in html.replace("&#106;avascript", "javascript").lower().replace("&amp;", "&") \
        or "href=" not in html.split("javascript")[0][-20:]
    assert "onclick" not in html and 'href="https://go.dev/"' in html
    assert "alert(1)" not in html and "<span>x</span>" in html and "<span>i</span>" in html


def test_front_matter_escapes_what_the_theme_prints_raw(site_kb):
    e = site_kb.entries["concurrent-map-writes"].model_copy(
        update={"title": 'X </title><img src=x onerror=alert(1)>', "tags": ['t"><b>'],
                "summary": 'a " onmouseover="alert(1)'})
    meta = render.entry_meta(e, "u")
    assert "<" not in meta["title"] and '"' not in meta["description"] and "<" not in meta["tags"][0]


# --------------------------------------------------------------------------- indexes, search


def test_symptom_index_masks_and_groups(site_kb):
    lines = symptoms.symptom_lines(site_kb.entries.values())
    assert {e.id for fms in lines.values() for e in fms} == set(site_kb.entries), "an entry has no line"
    for line in lines:
        assert not re.search(r"0x[0-9a-f]{3,}|\bgoroutine \d|(?<!Error )(?<!SQLSTATE )\b\d{4,}", line), line
        assert symptoms.generalises(line)
    assert "*(object+N) = 0x… <==" not in lines and "runtime.mapassign_faststr(0x…, 0x…, {0x…, 0x…})" not in lines
    # exit status 2 lists every failure whose reproducer exits with it, not one entry
    status2 = {e.id for e in lines["exit status 2"]}
    expected = {i for i, e in site_kb.entries.items() if e.repro and e.repro.expect_exit == 2}
    assert status2 >= expected and len(status2) > 3
    md = symptoms.render_symptom_index(site_kb.entries.values())
    assert "{#shared}" in md and "{#crash}" in md and "Jump to:" in md
    assert md.count("\n- `") == len(lines)


@pytest.mark.parametrize(("raw", "masked"), [
    ("goroutine 4711 [chan send, 37 minutes]:", "goroutine N [chan send, N minutes]:"),
    ("Read at 0x00c000018158 by goroutine 8:", "Read at 0x… by goroutine N:"),
    ("dial tcp 10.0.3.17:8080: connect: cannot assign requested address",
     "dial tcp ADDR: connect: cannot assign requested address"),
    ("Exit Code:    137", "Exit Code: 137"),
    ("Error 1040: Too many connections", "Error 1040: Too many connections"),
    ('Get "http://orders:8080/reserve": context deadline exceeded', 'Get "URL": context deadline exceeded'),
])
def test_symptom_masking(raw, masked):
    assert symptoms.mask(raw) == masked


def test_tags_are_curated(site_kb):
    """Few, lowercase tags, each shared: a tag on one page is noise on a 19,000 px tags page."""
    from collections import Counter

    used = Counter(t for e in site_kb.entries.values() for t in e.tags)
    used.update(t for p in site_kb.postmortems.values() for t in p.tags)
    assert len(used) <= 30, sorted(used)
    assert all(t == t.lower() for t in used), sorted(t for t in used if t != t.lower())
    assert not [t for t, n in used.items() if n < 2], sorted(t for t, n in used.items() if n < 2)


def test_search_signals_hold_lines_alerts_and_names(site_kb):
    e = site_kb.entries["concurrent-map-writes"]
    signals = search.entry_signals(e)
    alert = next(a.name for e in site_kb.entries.values() for a in e.alerts)
    owner = next(e for e in site_kb.entries.values() if any(a.name == alert for a in e.alerts))
    assert "fatal error: concurrent map writes" in signals and alert in search.entry_signals(owner)
    oom = search.entry_signals(site_kb.entries["container-oom-killed"])
    assert all(not re.search(r"\d{5,}", s) for s in oom), "a PID or size from one sample reached search"


def test_a_name_shared_by_a_category_goes_to_its_card(site_kb):
    """An alias most entries of a category carry names the category: its triage card gets it."""
    leaks = [e for e in site_kb.entries.values() if e.category.value == "goroutine-leak"]
    shared = [e.model_copy(update={"aliases": [*e.aliases, "协程泄露总称"]}) for e in leaks[: len(leaks) // 2 + 1]]
    terms = category_terms([*shared, *leaks[len(shared):]])
    assert terms[leaks[0].category] == ["协程泄露总称"]
    assert "协程泄露总称" not in search.entry_signals(shared[0], terms[leaks[0].category])
    from advisor.site.triage import triage_pages

    card = triage_pages([*shared, *leaks[len(shared):]], site_url="https://x/")["triage/goroutine-leak.md"]
    assert "# Triage card: Goroutine leak · 协程泄露总称\n" in card  # its title, where search weighs it


def test_no_generated_markdown_in_docs():
    assert not (ROOT / "docs" / "failure-modes").exists()
    assert not (ROOT / "docs" / "postmortems").exists()
    assert "hooks:\n  - advisor/site/mkdocs_hooks.py" in (ROOT / "mkdocs.yml").read_text()


def test_one_site_url_rule_for_site_and_advisor(tmp_path):
    """SITE_URL is the team's URL for the advisor's links and exported runbook_urls too."""
    from tests.conftest import run_advisor

    env = {"SITE_URL": HOSTILE_URL, "ADVISOR_SITE_URL": ""}
    out = run_advisor("export", "prometheus-rules", env=env)
    assert out.returncode == 0, out.stderr
    urls = re.findall(r"runbook_url: (\S+)", out.stdout.decode())
    # an entry's alert leads to its page; a generic one (evidence many entries share) to the advisor
    assert urls and all(u.startswith(HOSTILE_URL + "failure-modes/") or u == HOSTILE_URL + "advisor/"
                        for u in urls)
    assert any(u.startswith(HOSTILE_URL + "failure-modes/") for u in urls)
    out = run_advisor("export", "prometheus-rules", env={"SITE_URL": "", "ADVISOR_SITE_URL": ""})
    assert f"runbook_url: {site_url()}failure-modes/" in out.stdout.decode()


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
        # "Edit this page" opens the file a person edits; no GitHub API call for the repository widget
        assert f'href="{REPO}/edit/main/kb/failure-modes/{ident}/entry.yaml"' in html
        assert 'data-md-component="source"' not in html
        assert f'<link rel="canonical" href="{url}failure-modes/{ident}/"' in html
        text = "".join(parsed.text)
        for sig in e.signatures:
            assert sig in text, (ident, sig)
        for p in site_kb.citing_postmortems(ident):
            assert f'href="../../postmortems/{p.id}/"' in html, (ident, p.id)
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{REPO}/edit/main/docs/index.md"' in home
    for ident in site_kb.postmortems:
        page = built_site / "postmortems" / ident / "index.html"
        assert page.is_file(), ident
        html = page.read_text(encoding="utf-8")
        assert f'href="{REPO}/edit/main/kb/postmortems/{ident}.yaml"' in html
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
    symptoms_page = (built_site / "symptoms" / "index.html").read_text(encoding="utf-8")
    for ident in site_kb.entries:
        assert f'href="{ident}/"' in by_cat
        assert f'href="../failure-modes/{ident}/"' in by_sev
        assert f'href="../failure-modes/{ident}/#symptoms"' in symptoms_page
    tags = (built_site / "tags" / "index.html").read_text(encoding="utf-8")
    for e in site_kb.entries.values():
        for t in e.tags:
            assert _html_text(t) in tags


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_alert_pages_and_triage_cards(built_site, site_kb):
    """/alerts/<AlertName>/ for every exported alert; a triage card per category."""
    from advisor.export import rule_groups

    exported: dict[str, set[str]] = {}
    generic = []
    for g in rule_groups(site_kb):
        for r in g["rules"]:
            if "failure_mode" in r["labels"]:
                exported.setdefault(r["alert"], set()).add(r["labels"]["failure_mode"])
            else:  # evidence many entries share: its runbook is the advisor, which must exist
                generic.append(r["annotations"]["runbook_url"])
    assert exported and generic and set(generic) == {f"{site_url()}advisor/"}
    assert (built_site / "advisor" / "index.html").is_file()
    for name, idents in exported.items():
        page = built_site / "alerts" / name / "index.html"
        assert page.is_file(), f"/alerts/{name}/ missing"
        html = page.read_text(encoding="utf-8")
        for ident in idents:  # one entry: a redirect to its #now; several: a page linking each
            assert f'../../failure-modes/{ident}/#now"' in html, (name, ident)
            entry = (built_site / "failure-modes" / ident / "index.html").read_text(encoding="utf-8")
            assert f"<code>{name}</code>" in entry  # the entry page names its alerts
    for cat in {e.category for e in site_kb.entries.values()}:
        card = (built_site / "triage" / cat.value / "index.html").read_text(encoding="utf-8")
        for e in site_kb.entries.values():
            if e.category == cat:
                assert f"{site_url()}failure-modes/{e.id}/" in card  # printed, for paper
    not_found = (built_site / "404.html").read_text(encoding="utf-8")
    assert 'for="__search"' in not_found and all(f"failure-modes/{i}/" in not_found for i in site_kb.entries)


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_search_index_weighs_lines_over_tags(built_site, site_kb):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    fields = index["config"]["fields"]
    assert fields["tags"]["boost"] <= fields["text"]["boost"] * 10 < fields["title"]["boost"]
    assert fields[search.SIGNALS_FIELD]["boost"] >= fields["title"]["boost"]
    by_location = {d["location"]: d for d in index["docs"]}
    for ident, e in site_kb.entries.items():
        doc = by_location[f"failure-modes/{ident}/"]
        assert search.SIGNALS_FIELD in doc, ident
        for a in e.alerts:
            assert a.name in doc[search.SIGNALS_FIELD]
    assert not [d["title"] for d in index["docs"] if d["title"].endswith("¶")]
    for ident in site_kb.postmortems:  # a postmortem's snippet is its summary, not a note
        first = next(d for d in index["docs"] if d["location"].startswith(f"postmortems/{ident}/#"))
        assert first["location"].endswith("#summary"), first["location"]
    # an alert name searched lands on its entry, not on the alert's summary page
    assert not [d for d in index["docs"] if re.match(r"alerts/[^#/]+/", d["location"])]


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


class _Hostile(HTMLParser):
    """What must not exist in a page built from hostile entries."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "srcdoc") and value is not None \
                    and (name == "srcdoc" or not url_allowed(value)):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")
            if name in ("class", "id") and value and "fm-pwned" in value.split():
                self.found.append(f"<{tag} {name}=fm-pwned>")
        if tag in ("iframe", "object", "embed", "style"):
            self.found.append(f"<{tag}>")
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and ("alert(" in data or "__fm_pwned" in data):
            self.found.append(f"<script>{data[:40]}")


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_hostile_entries_are_text_on_every_page():
    """Issue 12: every text field of the hostile KB reaches the pages as text, nothing runs."""
    site = _build_hostile_site()
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    problems = []
    for page in pages:
        parser = _Hostile()
        parser.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(site)}: {f}" for f in parser.found]
    assert not problems, "\n".join(problems[:40])
    entry = (site / "failure-modes" / "concurrent-map-writes" / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", entry, re.S).group(1)  # type: ignore[union-attr]
    assert "onerror" in title and "<img" not in title  # shown, as text
    description = re.search(r'<meta name="description" content="([^"]*)"', entry).group(1)  # type: ignore[union-attr]
    assert "onmouseover" not in description or "&" in description
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for d in index["docs"]:  # Material renders these fields as HTML
        for field in ("title", "text", "tags", search.SIGNALS_FIELD):
            value = d.get(field) or ""
            for v in (value if isinstance(value, list) else [value]):
                assert not re.search(r"<(?!/?(code|pre|p|li|ol|ul|sub|sup)>)", v), (d["location"], field, v[:80])


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_team_url_reaches_every_link():
    """SITE_URL at build time: copy button, canonical links, sitemap, the alerts on the page."""
    site = _build_hostile_site()
    entry = (site / "failure-modes" / "concurrent-map-writes" / "index.html").read_text(encoding="utf-8")
    assert f'data-runbook-url="{HOSTILE_URL}failure-modes/concurrent-map-writes/"' in entry
    assert f'<link rel="canonical" href="{HOSTILE_URL}failure-modes/concurrent-map-writes/"' in entry
    text = "".join(parse_page(site / "failure-modes" / "container-oom-killed" / "index.html").text)
    assert f"runbook_url: {HOSTILE_URL}failure-modes/container-oom-killed/" in text  # its alert
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(u.startswith(HOSTILE_URL) for u in locs)
    assert 'rel="edit"' not in entry  # no REPO_URL, no made-up repository


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_former_ids_redirect_and_diagram_builds():
    """A renamed entry: the old URL (and its anchors) lands on the new page; diagrams build."""
    from tests.hostile_kb import FORMER_IDS

    site = _build_hostile_site()
    for old in FORMER_IDS:
        page = site / "failure-modes" / old / "index.html"
        assert page.is_file()
        html = page.read_text(encoding="utf-8")
        assert '"../concurrent-map-writes/"' in html and "location.hash" in html
    new = (site / "failure-modes" / "concurrent-map-writes" / "index.html").read_text(encoding="utf-8")
    assert FORMER_IDS[0] in new
    with_diagram = (site / "failure-modes" / "container-oom-killed" / "index.html").read_text(encoding="utf-8")
    if (ROOT / "build" / "vendor" / "mermaid.min.js").is_file():
        assert 'class="mermaid"' in with_diagram and (site / "assets/javascripts/vendor/mermaid.min.js").is_file()
        assert "vendor/mermaid.min.js" not in with_diagram  # loaded on demand by mermaid-loader.js
    else:
        assert 'class="mermaid"' not in with_diagram and "flowchart" in with_diagram


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_pages_say_when_reviewed(built_site, site_kb):
    for ident, e in site_kb.entries.items():
        html = (built_site / "failure-modes" / ident / "index.html").read_text(encoding="utf-8")
        assert f'<time datetime="{e.last_reviewed.isoformat()}">' in html
        assert isinstance(e.last_reviewed, dt.date)
