"""The docs site: Markdown rendered from the knowledge base (`render`), MkDocs hooks
(`mkdocs_hooks`, referenced from mkdocs.yml) and the optional mermaid vendoring step
(`python -m advisor.site.vendor`)."""
