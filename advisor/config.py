"""Settings shared by the CLI, the advisor and the site: where pages live, which model."""

from __future__ import annotations

import os
import re
from functools import lru_cache

from .kb import project_root
from .regex import linear

_SITE_URL = linear(re.compile(r"^site_url:[ \t]*['\"]?([^'\"\s#]+)", re.M), reads="mkdocs.yml")
DEFAULT_SITE_URL = "https://go-failure-modes.example.com/"


@lru_cache(maxsize=1)
def site_url() -> str:
    """Base URL of the docs site: $ADVISOR_SITE_URL, else mkdocs.yml's site_url.

    mkdocs.yml is read with a regex rather than a YAML parser: it is one key, and this
    runs on the fast path of every `advisor match`.
    """
    url = os.environ.get("ADVISOR_SITE_URL")
    if not url:
        try:
            text = (project_root() / "mkdocs.yml").read_text(encoding="utf-8")
            m = _SITE_URL.search(text)
            url = m.group(1) if m else DEFAULT_SITE_URL
        except OSError:
            url = DEFAULT_SITE_URL
    return url if url.endswith("/") else url + "/"


def entry_url(ident: str, anchor: str = "") -> str:
    return f"{site_url()}failure-modes/{ident}/" + (f"#{anchor}" if anchor else "")
