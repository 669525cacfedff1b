"""Site search on output it was not tuned on: corpus/dev's real pastes, first lines pasted.

    .venv/bin/python benchmarks/site_search.py [--site build/site] [--lines 3]

For every labelled item of corpus/dev (real public output, kept apart from the KB), the
first N lines of the paste (after the item's `# source:` header, without Markdown fences)
are pasted into the built site's search box in Chromium, as an on-call engineer would,
and the rank of the first page of an expected entry is recorded. Items quoted in
tests/fixtures/site-search-cases.yaml (the cases search was built against) are reported
apart from the held-out rest. Prints top-1 / top-3 / not found per part and the misses.
Builds the site into a temporary folder unless --site is given. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser import COUNT_SEARCHES, _open_search, _page_of, _search, static_host  # noqa: E402


def first_lines(path: Path, n: int) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#") and not lines or line.strip().startswith(("```", "~~~")):
            continue
        if line.strip():
            lines.append(line)
        if len(lines) == n:
            break
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build one now)")
    ap.add_argument("--lines", type=int, default=3, help="lines of each paste to search for")
    args = ap.parse_args(argv)

    corpus = ROOT / "corpus" / "dev"
    labels = [line.split("\t") for line in (corpus / "labels.tsv").read_text().splitlines()[1:] if line.strip()]
    items = [(f, exp.split(",")) for f, exp in labels if exp.strip() != "-"]
    fixture = (ROOT / "tests" / "fixtures" / "site-search-cases.yaml").read_text(encoding="utf-8")

    with contextlib.ExitStack() as stack:
        site = args.site
        if site is None:
            site = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "site"
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT,
                           check=True, env=env)
        base = stack.enter_context(static_host(site))
        from playwright.sync_api import sync_playwright

        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        context.add_init_script(COUNT_SEARCHES)
        page = context.new_page()
        box = _open_search(page, base)
        results = {"held-out": [], "in fixture": []}
        for name, expected in items:
            query = first_lines(corpus / name, args.lines)
            part = "in fixture" if f"corpus/dev/{name}" in fixture else "held-out"
            if not query or not page.evaluate("q => window.fmSearchText(q)", query):
                results[part].append({"item": name, "expected": expected, "rank": None, "first": "(nothing to search)"})
                continue
            hits = _search(page, box, "paste", query)
            rank = next((i for i, links in enumerate(hits, 1)
                         if any(_page_of(h, base) == f"failure-modes/{e.strip()}/" for h in links
                                for e in expected)), None)
            results[part].append({"item": name, "expected": expected, "rank": rank,
                                  "first": _page_of(hits[0][0], base) if hits else None})
        browser.close()

    for part, rows in results.items():
        n = len(rows) or 1
        top1 = sum(r["rank"] == 1 for r in rows)
        top3 = sum(r["rank"] is not None and r["rank"] <= 3 for r in rows)
        none = sum(r["rank"] is None for r in rows)
        print(f"{part:>10}: {len(rows):3d} items  top-1 {top1 / n:6.1%}  top-3 {top3 / n:6.1%}  not found {none}")
    print("misses (held-out, rank != 1):")
    for r in results["held-out"]:
        if r["rank"] != 1:
            print(f"  {r['item']}: expected {','.join(r['expected'])}, rank {r['rank']}, first {r['first']}")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "site-search-corpus.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
