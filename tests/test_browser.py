"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site is built with `mkdocs build --strict` into a temporary folder (shared with
test_site.py in the same process) and served by `python -m http.server` on 127.0.0.1 with
a free port (a static host); the Diagnose-a-paste test serves it with `advisor serve
--site` instead. One browser for the module; a context per viewport and colour scheme.
Screenshots and the measured numbers (search ranks, first-screen positions, page weight,
axe results) go to test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tests.conftest import FIXTURES, KB, ROOT
from tests.test_site import _build_hostile_site, _build_real_site, site_url
from tests.test_site import site_kb as site_kb  # the fixture, shared with test_site.py

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("site")]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "build" / "vendor" / "axe.min.js"
ENTRY = "concurrent-map-writes"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Counts the search worker's queries and answers, so a test reads the results of the
# query it typed, not of a prefix typed on the way (Material searches on every key).
COUNT_SEARCHES = """
(() => {
  const W = window.Worker;
  window.__fmSent = 0; window.__fmAnswered = 0;
  const post = W.prototype.postMessage;
  W.prototype.postMessage = function (m) {
    if (m && typeof m.data === "string") window.__fmSent++;
    return post.apply(this, arguments);
  };
  window.Worker = function (...args) {
    const w = new W(...args);
    w.addEventListener("message", e => {
      if (e.data && e.data.data && Array.isArray(e.data.data.items)) window.__fmAnswered++;
    });
    return w;
  };
  window.Worker.prototype = W.prototype;
})();
"""


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def static_host(site: Path) -> Iterator[str]:
    """The built site on a plain static file server (no advisor API behind it)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("http.server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server():
    with static_host(_build_real_site()[0]) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page whose JavaScript errors and requests leaving 127.0.0.1 fail the test."""

    def __init__(self, context) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda req: self.outside.append(req.url)
                     if not req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)

    def check(self) -> None:
        assert not self.errors, f"JavaScript errors: {self.errors}"
        assert not self.outside, f"the site fetched from outside: {self.outside}"


@contextlib.contextmanager
def watched(browser, base: str, *, viewport=DESKTOP, scheme: str = "light", clipboard: bool = False,
            init_script: str | None = None) -> Iterator:
    context = browser.new_context(viewport=viewport, color_scheme=scheme, locale="en-US")
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    if init_script:
        context.add_init_script(init_script)
    w = Watched(context)
    try:
        yield w.page
        w.check()
    finally:
        context.close()


# An empty index for page loads that only measure or inspect the page: lunr indexing the
# real 1.2 MB index on every load would cost most of a minute of CI.
EMPTY_INDEX = json.dumps({"config": {"lang": ["en"], "separator": "[\\s\\-]+", "pipeline": [],
                                     "fields": {"title": {"boost": 1000}, "text": {"boost": 1}}}, "docs": []})
SEARCH_INDEX = re.compile(r"search_index\.json$")


def without_search(page) -> None:
    page.route(SEARCH_INDEX, lambda route: route.fulfill(body=EMPTY_INDEX, content_type="application/json"))


def _artifact(name: str, data) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------- entry page


def test_entry_header_and_copy_links(browser, server, site_kb):
    e = site_kb.entries[ENTRY]
    with watched(browser, server, clipboard=True) as page:
        page.goto(f"{server}failure-modes/{ENTRY}/")
        header = page.locator(".fm-header")
        header.wait_for()
        assert page.locator("h1").first.inner_text().strip() == e.title
        assert header.locator('[data-field="severity"]').inner_text().strip().lower() == e.severity.value
        assert header.locator('[data-field="category"]').inner_text().strip().lower().replace(" ", "-") \
            == e.category.value
        # details are folded: one line of header, then the runbook
        assert not header.locator('[data-field="owners"]').is_visible()
        header.locator("summary").click()
        assert header.locator('[data-field="go-versions"]').inner_text().strip().startswith(
            f"Go {e.go_versions.since}")
        for owner in e.owners:
            assert owner in header.locator('[data-field="owners"]').inner_text()
        assert header.locator('[data-field="last-reviewed"]').inner_text().strip() == e.last_reviewed.isoformat()
        for a in e.alerts:
            assert a.name in header.locator('[data-field="alerts"]').inner_text()
        assert page.locator("article h2").first.get_attribute("id") == "now"

        expected = f"{site_url()}failure-modes/{ENTRY}/"
        button = header.locator(".fm-copy-link")
        button.click()
        page.wait_for_function("document.querySelector('.fm-copy-link').dataset.copied !== undefined")
        assert button.get_attribute("data-copied") == expected
        assert page.evaluate("navigator.clipboard.readText()") == expected
        # the copy-link button beside a fixed anchor copies the section's permanent URL
        section = page.locator("#diagnosis .fm-copy-section")
        section.click()
        page.wait_for_function("document.querySelector('#diagnosis .fm-copy-section').dataset.copied")
        assert page.evaluate("navigator.clipboard.readText()") == expected + "#diagnosis"

        assert page.locator('article button.md-code__button[data-md-type="copy"]').count() >= 3
        panes = page.locator(".fm-compare").first.locator(".fm-pane")
        if panes.count() == 2:
            a, b = panes.nth(0).bounding_box(), panes.nth(1).bounding_box()
            assert a and b and b["x"] > a["x"] and abs(a["y"] - b["y"]) < 5
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"entry-{ENTRY}-light.png"))


# Positions in the page as it opens (from its top, whatever the browser restored the
# scroll position to), and the height of the window.
FIRST_SCREEN = """() => {
  const y = window.scrollY;
  const now = document.getElementById('now').getBoundingClientRect();
  const step = document.querySelector('#now ~ ol > li');
  const r = step.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(step).lineHeight) || 20;
  return {now_top: now.top + y, now_bottom: now.bottom + y, step_top: r.top + y,
          first_line_bottom: r.top + y + line, height: innerHeight};
}"""


def test_first_screen_is_the_runbook_for_every_entry(browser, server, site_kb):
    """'What to do now' and its first step are visible without scrolling, desktop and phone.

    The layout above the fold is CSS: every entry is measured once per viewport with
    JavaScript off (three times faster on the CI machine), and one entry per viewport is
    measured again with JavaScript on, which must not move anything.
    """
    positions, failures = {}, []
    for name, viewport in (("1366x768", DESKTOP), ("390x844", PHONE)):
        context = browser.new_context(viewport=viewport, java_script_enabled=False)
        try:
            page = context.new_page()
            for ident in sorted(site_kb.entries):
                # "load": with scripts off, DOMContentLoaded does not wait for the stylesheets
                page.goto(f"{server}failure-modes/{ident}/", wait_until="load")
                box = page.evaluate(FIRST_SCREEN)
                positions.setdefault(name, {})[ident] = {k: round(v) for k, v in box.items()}
                if box["now_bottom"] > box["height"] or box["first_line_bottom"] > box["height"]:
                    failures.append((name, ident, box))
            page.screenshot(path=str(ARTIFACTS / f"first-screen-{name}.png"))
        finally:
            context.close()
        with watched(browser, server, viewport=viewport) as page:
            without_search(page)
            page.goto(f"{server}failure-modes/{ENTRY}/")
            page.locator("#now .fm-copy-section").wait_for()  # runbook.js has run
            with_js = {k: round(v) for k, v in page.evaluate(FIRST_SCREEN).items()}
            assert with_js == positions[name][ENTRY], (name, with_js, positions[name][ENTRY])
    _artifact("first-screen.json", positions)
    assert not failures, failures


# --------------------------------------------------------------------------- search


def _search(page, box, how: str, query: str) -> list[list[str]]:
    """Put the query in the box as a person would; the links of each result, best first."""
    box.fill("")
    page.wait_for_function("() => window.__fmAnswered >= window.__fmSent", timeout=30000)
    sent = page.evaluate("window.__fmSent")
    if how == "paste":
        page.evaluate("t => navigator.clipboard.writeText(t)", query)
        box.press("Control+V")
    elif how == "type":  # the last key released, as a person finishes typing (one search, not one per key)
        box.fill(query[:-1])
        box.press(query[-1])
    else:  # inserted text without key events: a phone keyboard, an input method
        box.fill(query)
    page.wait_for_function("s => window.__fmSent > s && window.__fmAnswered >= window.__fmSent",
                           arg=sent, timeout=30000)
    page.wait_for_timeout(50)
    return page.locator(".md-search-result__item").evaluate_all(
        "items => items.map(li => [...li.querySelectorAll('a')].map(a => a.getAttribute('href')))")


def _page_of(href: str, base: str) -> str:
    u = urlparse(href)
    path = u.path[len(urlparse(base).path):] if u.path.startswith(urlparse(base).path) else u.path.lstrip("/")
    return path + (f"#{u.fragment}" if u.fragment else "")


def _open_search(page, base: str):
    page.goto(base)
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /type to start/i.test(m.textContent); }", timeout=60000)
    return box


def test_search_cases_rank_first(browser, server):
    """tests/fixtures/site-search-cases.yaml: each query's page is the first result."""
    cases = yaml.safe_load((FIXTURES / "site-search-cases.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 25
    ranks, misses = [], []
    with watched(browser, server, clipboard=True, init_script=COUNT_SEARCHES) as page:
        box = _open_search(page, server)
        for case in cases:
            expect = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
            results = _search(page, box, case["how"], case["query"])
            rank = next((i for i, links in enumerate(results, 1)
                         if any(_page_of(h, server) in expect for h in links)), None)
            ranks.append({"query": case["query"], "how": case["how"], "expect": expect, "rank": rank,
                          "box": box.input_value(), "first": results[0][0] if results else None})
            if rank != 1:
                misses.append(ranks[-1])
        page.screenshot(path=str(ARTIFACTS / "search-last-case.png"))
    _artifact("search-ranks.json", ranks)
    assert not misses, json.dumps(misses, indent=1, ensure_ascii=False)


def test_every_chinese_alias_finds_its_entry(browser, server, site_kb):
    misses = []
    with watched(browser, server, init_script=COUNT_SEARCHES) as page:
        box = _open_search(page, server)
        for ident, e in sorted(site_kb.entries.items()):
            runs = [r for a in e.aliases for r in re.findall(r"[\u4e00-\u9fff]{2,}", a)]
            if not runs:
                continue
            query = max(runs, key=len)
            results = _search(page, box, "input", query)
            pages = {_page_of(h, server) for links in results for h in links}
            if f"failure-modes/{ident}/" not in pages:
                misses.append((ident, query))
    assert not misses, misses


# --------------------------------------------------------------------------- budget


def test_contrast_is_aa_in_both_schemes(browser, server):
    """axe-core's colour-contrast rule on the pages people land on, light and dark."""
    if not AXE.is_file():
        pytest.skip("axe-core not vendored (python -m advisor.site.vendor)")
    # the page types people land on: entry (header, chips, details, code), index (tables),
    # the paste page (admonition, form), the 404 page (buttons); the rest share their parts
    pages = [f"failure-modes/{ENTRY}/", "failure-modes/", "diagnose/", "404.html"]
    report, violations = {}, []
    for scheme in ("light", "dark"):
        with watched(browser, server, scheme=scheme) as page:
            without_search(page)
            for path in pages:
                page.goto(server + path)
                if path == f"failure-modes/{ENTRY}/":
                    page.locator(".fm-header summary").click()  # the folded details too
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(
                    "async () => { const r = await axe.run(document, {runOnly: {type: 'rule', values: "
                    "['color-contrast']}}); return {violations: r.violations.map(v => v.nodes.map(n => "
                    "[n.target.join(' '), n.any.map(a => a.message).join('; ')])).flat(), "
                    "passes: r.passes.reduce((s, v) => s + v.nodes.length, 0)}; }")
                report[f"{scheme} /{path}"] = result
                violations += [(scheme, path, *v) for v in result["violations"]]
    _artifact("axe-contrast.json", report)
    assert not violations, "\n".join(map(str, violations[:20]))


def test_entry_page_weight_and_diagrams_on_demand(browser, server, site_kb):
    """An entry page is <= 1 MB gzip without its diagram; mermaid only where a diagram is."""
    weights = {}
    with watched(browser, server, viewport=PHONE) as page:
        sizes: dict[str, int] = {}

        def record(response):
            with contextlib.suppress(Exception):
                sizes[response.url] = len(gzip.compress(response.body(), 6))

        page.on("response", record)
        page.goto(f"{server}failure-modes/{ENTRY}/", wait_until="networkidle")
        assert not [u for u in sizes if "mermaid.min.js" in u]
        weights[ENTRY] = sum(sizes.values())
        assert weights[ENTRY] <= 1024 * 1024, sizes

        with_diagram = sorted(i for i, e in site_kb.entries.items() if e.diagram)
        if with_diagram and (ROOT / "build" / "vendor" / "mermaid.min.js").is_file():
            sizes.clear()
            page.goto(f"{server}failure-modes/{with_diagram[0]}/#cause", wait_until="networkidle")
            page.wait_for_function(
                "() => { const d = document.querySelector('div.mermaid');"
                " return d && d.getBoundingClientRect().height > 40; }", timeout=30000)
            assert [u for u in sizes if "mermaid.min.js" in u]
            weights[with_diagram[0]] = sum(sizes.values())
            # drawn at its natural size (16 px text), scrolling sideways, not shrunk to 390 px
            natural = page.evaluate("Object.values(window.fmDiagrams)[0].width")
            shown = page.evaluate("document.querySelector('div.mermaid').scrollWidth")
            assert shown >= natural - 1, (shown, natural)
            page.locator("div.mermaid").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"diagram-{with_diagram[0]}-phone.png"))
    _artifact("page-weight-gzip.json", weights)


def test_symptom_index_and_old_runbook_links(browser, server, site_kb):
    with watched(browser, server) as page:
        page.goto(f"{server}symptoms/")
        page.locator(".md-content li", has_text="fatal error: concurrent map writes").first.locator("a").click()
        page.wait_for_url(re.compile(rf"/failure-modes/{ENTRY}/#symptoms$"))
        for old, new in site_kb.former.items():
            page.goto(f"{server}failure-modes/{old}/#now")
            page.wait_for_url(re.compile(rf"/failure-modes/{new}/#now$"))


# --------------------------------------------------------------------------- hostile KB (issue 12)


def test_hostile_entries_run_nothing_in_chromium(browser):
    """The site built from tests/hostile_kb.py: no dialog opens, no injected element exists."""
    found = "() => [...document.querySelectorAll('.fm-pwned, #fm-pwned, [onerror], [onload], " \
            "[onmouseover], [onclick], iframe, a[href^=\"javascript:\" i]')].map(e => e.outerHTML.slice(0, 80))" \
            ".concat(window.__fm_pwned ? ['window.__fm_pwned set'] : [])"
    site = _build_hostile_site()
    dialogs, injected = [], []
    with static_host(site) as base, watched(browser, base, init_script=COUNT_SEARCHES) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        without_search(page)  # searched once, below
        written_by_us = {"", "advisor", "contributing", "diagnose"}  # docs/*.md, not from the KB
        for html in sorted(site.rglob("index.html")):
            path = html.parent.relative_to(site).as_posix()
            if path.strip(".") in written_by_us or "<title>Redirecting...</title>" in html.read_text(encoding="utf-8"):
                continue
            page.goto(base + ("" if path == "." else path + "/"), wait_until="domcontentloaded")
            injected += [f"/{path}/: {x}" for x in page.evaluate(found)]
        page.goto(f"{base}failure-modes/container-oom-killed/#cause")  # its diagram is hostile too
        page.wait_for_timeout(1500)
        page.unroute(SEARCH_INDEX)
        box = _open_search(page, base)
        for query in ("Concurrent map", "onerror", "script alert", "javascript"):
            _search(page, box, "input", query)
            injected += [f"search {query!r}: {x}" for x in page.evaluate(found)]
    assert not dialogs, dialogs
    assert not injected, injected


# --------------------------------------------------------------------------- one deployable


def _sample(ident: str, prefix: str) -> bytes:
    from advisor.evaluate import strip_header

    path = next(p for p in sorted((KB / "failure-modes" / ident / "samples").glob("*.log"))
                if p.name.startswith(prefix))
    return strip_header(path.read_bytes())


def test_diagnose_a_paste_with_the_advisor_behind_the_site(browser, site_kb):
    """`advisor serve --site`: the page posts real output to /match and lists the entries."""
    from tests.test_serve import serving

    site = _build_real_site()[0]
    cases = [("nil-map-assignment", _sample("nil-map-assignment", "public-")),
             ("goroutine-leak-channel-block", _sample("goroutine-leak-channel-block", "public-"))]
    with serving("--mode", "rules", "--site", str(site)) as srv:
        base = f"http://127.0.0.1:{srv.port}/"
        csp_errors: list[str] = []
        with watched(browser, base) as page:
            page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{base}diagnose/")
            page.locator("#fm-diagnose").wait_for(state="visible")
            assert page.locator("#fm-diagnose-offline").is_hidden()
            for expected, text in cases:
                page.fill("#fm-diagnose-text", text.decode("utf-8", "replace"))
                page.locator("#fm-diagnose-results").evaluate("el => el.replaceChildren()")
                page.click("#fm-diagnose button[type=submit]")
                page.locator(".fm-diagnose__match").first.wait_for()
                ids = page.locator(".fm-diagnose__match").evaluate_all("els => els.map(e => e.dataset.entryId)")
                assert ids[0] == expected, (expected, ids)
                first = page.locator(".fm-diagnose__match").first
                assert first.locator(".fm-diagnose__evidence code").count() >= 1
                first.locator("a").first.click()
                page.wait_for_url(re.compile(rf"/failure-modes/{expected}/$"))
                page.go_back()
                page.locator("#fm-diagnose").wait_for(state="visible")
            page.screenshot(path=str(ARTIFACTS / "diagnose-served.png"))
            # a broken runbook link lands on the site's 404 page, with search and the index
            response = page.goto(f"{base}failure-modes/no-such-entry/")
            assert response is not None and response.status == 404
            assert page.locator("label.fm-404-search").is_visible()
            assert page.locator(f'a[href$="failure-modes/{ENTRY}/"]').count() == 1
        assert not csp_errors, csp_errors


def test_triage_card_prints_without_the_site_around_it(browser, server):
    with watched(browser, server) as page:
        without_search(page)
        page.goto(f"{server}triage/crash/")
        page.emulate_media(media="print")
        assert not page.locator(".md-header").is_visible() and not page.locator(".md-sidebar").first.is_visible()
        cards = page.locator(".fm-card")
        assert cards.count() > 3 and cards.first.is_visible()
        assert f"{site_url()}failure-modes/" in cards.first.inner_text()  # the URL, for paper
        page.pdf(path=str(ARTIFACTS / "triage-crash.pdf"))


def test_diagnose_page_on_a_static_host_says_how_to_run_it(browser, server):
    with watched(browser, server) as page:
        page.goto(f"{server}diagnose/")
        page.locator("#fm-diagnose-offline").wait_for(state="visible")
        assert page.locator("#fm-diagnose").is_hidden()
        assert "advisor serve --site" in page.locator("#fm-diagnose-offline").inner_text()
