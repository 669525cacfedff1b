"""The docs site, generated from the knowledge base at build time.

- `mkdocs_hooks`: the thin MkDocs hooks (referenced from mkdocs.yml) that call the rest.
- `render`: the runbook page of an entry (one renderer per section, in `SECTIONS`) and
  the postmortem page; `indexes`, `symptoms`, `alerts`, `triage`, `accuracy`: the other
  generated pages; `common`: names and page paths they share.
- `markdown`: Markdown building blocks and the escaping of KB text; `safe_markdown`: the
  Markdown extension that drops event handlers and unsafe link schemes.
- `search`: what the search index holds beyond the page text (signals, snippets).
- `serving`: `advisor serve --site`, the built site and the API on one origin.
- `vendor`: `python -m advisor.site.vendor` fetches mermaid and axe-core from npm.
"""
