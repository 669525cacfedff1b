"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site is built with `mkdocs build --strict` into a temporary folder (shared with
test_site.py in the same process) and served by `python -m http.server` on 127.0.0.1 with
a free port. Screenshots go to test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT
from tests.test_site import _build_real_site, site_url
from tests.test_site import site_kb as site_kb  # the fixture, shared with test_site.py

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("site")]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ENTRY = "concurrent-map-writes"


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    site, _ = _build_real_site()
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
def browser_context(server, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(user_data), executable_path=CHROMIUM, headless=True, args=args,
            viewport={"width": 1280, "height": 1000}, locale="en-US",
        )
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def page(browser_context):
    pg = browser_context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    pg.on("request", lambda req: outside.append(req.url)
          if not req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"the site fetched from outside: {outside}"


def test_entry_header_and_copy_link(page, server, site_kb):
    e = site_kb.entries[ENTRY]
    page.goto(f"{server}failure-modes/{ENTRY}/")
    header = page.locator(".fm-header")
    header.wait_for()
    assert page.locator("h1").first.inner_text().strip() == e.title
    assert header.locator('[data-field="severity"]').inner_text().strip().lower() == e.severity.value
    assert header.locator('[data-field="category"]').inner_text().strip().lower().replace(" ", "-") \
        == e.category.value
    assert header.locator('[data-field="go-versions"]').inner_text().strip().startswith(
        f"Go {e.go_versions.since}")
    for owner in e.owners:
        assert owner in header.locator('[data-field="owners"]').inner_text()
    assert header.locator('[data-field="last-reviewed"]').inner_text().strip() == e.last_reviewed.isoformat()

    # The page opens with what to do now, ahead of every other section.
    first_h2 = page.locator("article h2").first
    assert first_h2.get_attribute("id") == "now"

    button = header.locator(".fm-copy-link")
    expected = f"{site_url()}failure-modes/{ENTRY}/"
    assert button.get_attribute("data-runbook-url") == expected
    button.click()
    page.wait_for_function("document.querySelector('.fm-copy-link').dataset.copied !== undefined")
    assert button.get_attribute("data-copied") == expected
    assert page.evaluate("navigator.clipboard.readText()") == expected

    # Code blocks carry Material's copy button; before/after sit side by side.
    assert page.locator('article button.md-code__button[data-md-type="copy"]').count() >= 3
    panes = page.locator(".fm-compare").first.locator(".fm-pane")
    if panes.count() == 2:
        a, b = panes.nth(0).bounding_box(), panes.nth(1).bounding_box()
        assert a and b and b["x"] > a["x"] and abs(a["y"] - b["y"]) < 5

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"entry-{ENTRY}-light.png"), full_page=False)
    # The palette toggle switches to dark mode.
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.screenshot(path=str(ARTIFACTS / f"entry-{ENTRY}-dark.png"), full_page=False)
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")


def _search(page, server: str, query: str) -> list[str]:
    """Type into Material's search box as a person would; the hrefs of the results."""
    if not page.url.startswith(server):
        page.goto(server)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press("End")
    # Wait until the search worker has built its index: a query typed while Material
    # still says "Initializing search" is not run again once the index is ready.
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /type to start/i.test(m.textContent); }", timeout=60000)
    box.type(query, delay=20)
    # Chinese text arrives as inserted text (as from an input method) without key events;
    # Material searches on keyup, so finish as a person does, with a key.
    box.press("End")
    page.wait_for_function(
        "q => { const m = document.querySelector('.md-search-result__meta');"
        " return document.querySelector('input.md-search__input').value === q &&"
        " m && /match/i.test(m.textContent); }", arg=query, timeout=60000)
    page.wait_for_timeout(200)
    items = page.locator(".md-search-result__list a")
    return [h or "" for h in items.evaluate_all("els => els.map(e => e.getAttribute('href'))")]


@pytest.mark.parametrize("query", ["并发写", "fatal error: concurrent map writes"])
def test_search_finds_entry(page, server, query):
    hrefs = _search(page, server, query)
    assert any(urlparse(h).path == f"/failure-modes/{ENTRY}/" for h in hrefs), hrefs
    ARTIFACTS.mkdir(exist_ok=True)
    slug = "chinese" if not query.isascii() else "error-line"
    page.screenshot(path=str(ARTIFACTS / f"search-{slug}.png"))


def test_every_chinese_alias_finds_its_entry(page, server, site_kb):
    misses = []
    for ident, e in sorted(site_kb.entries.items()):
        runs = [r for a in e.aliases for r in re.findall(r"[\u4e00-\u9fff]{2,}", a)]
        if not runs:
            continue
        query = max(runs, key=len)
        try:
            hrefs = _search(page, server, query)
        except PlaywrightTimeoutError:
            # a loaded CI machine can stall the search worker once; a person would
            # reload and type again, and a real miss still fails below
            page.goto(server)
            hrefs = _search(page, server, query)
        if not any(urlparse(h).path == f"/failure-modes/{ident}/" for h in hrefs):
            misses.append((ident, query))
    assert not misses, misses


def test_old_runbook_link_redirects_and_symptom_index(page, server, site_kb):
    page.goto(f"{server}symptoms/")
    sig = site_kb.entries[ENTRY].signatures[0]
    link = page.locator(".md-content li", has_text=sig).first.locator("a")
    link.click()
    page.wait_for_url(re.compile(rf"/failure-modes/{ENTRY}/$"))
    for old, new in site_kb.former.items():
        page.goto(f"{server}failure-modes/{old}/#now")
        page.wait_for_url(re.compile(rf"/failure-modes/{new}/#now$"))


def test_diagram_is_drawn_without_network(page, server, site_kb):
    """An entry's mermaid diagram is drawn from the vendored script, never a CDN.

    The `page` fixture fails the test on any request that leaves 127.0.0.1.
    """
    with_diagram = sorted(i for i, e in site_kb.entries.items() if e.diagram)
    if not with_diagram:
        pytest.skip("no entry defines a diagram")
    if not (ROOT / "build" / "vendor" / "mermaid.min.js").is_file():
        pytest.skip("mermaid not vendored (python -m advisor.site.vendor); diagrams are shown as source")
    ident = with_diagram[0]
    page.goto(f"{server}failure-modes/{ident}/#cause")
    # Material swaps <pre class="mermaid"> for a <div class="mermaid"> and draws the SVG
    # into a closed shadow root: the drawn diagram shows as the div's height.
    page.wait_for_function(
        "() => { const d = document.querySelector('div.mermaid');"
        " return d && d.getBoundingClientRect().height > 40; }", timeout=20000)
    assert page.evaluate("typeof mermaid") == "object"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("div.mermaid").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"diagram-{ident}.png"))
