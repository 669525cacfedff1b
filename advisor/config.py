"""Settings shared by the CLI, the advisor and the site: where pages live, which model."""

from __future__ import annotations

import os
import re
from functools import lru_cache

from .kb import project_root
from .regex import linear

DEFAULT_SITE_URL = "https://go-failure-modes.example.com/"


# mkdocs.yml's line `site_url: !ENV [SITE_URL, "https://.../"]` (or a plain URL): the default.
_MKDOCS_SITE_URL = linear(
    re.compile(r"""^site_url:[ \t]*(?:!ENV[ \t]*\[[ \t]*(?:\w+[ \t]*,[ \t]*)++)?['"]?([^'"\s#\],]+)""", re.M),
    reads="mkdocs.yml")


@lru_cache(maxsize=1)
def site_url() -> str:
    """Base URL of the docs site, by the same rule as the site build.

    $SITE_URL is the team's URL for both: `mkdocs build` reads it (mkdocs.yml's
    `site_url: !ENV [SITE_URL, ...]`) for the copy-link button, canonical tags and the
    sitemap, and the advisor reads it for its links and for `runbook_url` in exported
    alerts. Without it both use mkdocs.yml's default. $ADVISOR_SITE_URL, if set, still
    wins for the advisor alone (deployments that set it before SITE_URL existed).

    mkdocs.yml is read with a regex rather than a YAML parser: it is one key, and this
    runs on the fast path of every `advisor match`.
    """
    url = os.environ.get("ADVISOR_SITE_URL") or os.environ.get("SITE_URL")
    if not url:
        try:
            m = _MKDOCS_SITE_URL.search((project_root() / "mkdocs.yml").read_text(encoding="utf-8"))
            url = m.group(1) if m else DEFAULT_SITE_URL
        except OSError:
            url = DEFAULT_SITE_URL
    return url if url.endswith("/") else url + "/"


def entry_url(ident: str, anchor: str = "") -> str:
    return f"{site_url()}failure-modes/{ident}/" + (f"#{anchor}" if anchor else "")
