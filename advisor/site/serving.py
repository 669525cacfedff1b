"""`advisor serve --site build/site`: the built docs site and the advisor API on one origin.

One deployable for a team: `/` is the site (runbooks, search, /alerts/, the printable
cards), `/diagnose/` is its "Diagnose a paste" page, which posts to `/match` on the same
origin, and `/healthz` tells that page the advisor is there. The routes of
`advisor.serve` stay as they are; this module replaces only its minimal paste page at `/`.

Pages are served as MkDocs built them (directory URLs, the site's own 404 page for
anything missing), read-only and only from the site folder (Starlette's StaticFiles
refuses paths that leave it). Each HTML page gets a Content-Security-Policy allowing
scripts only from the site itself plus the exact inline scripts the page was built with
(their SHA-256 hashes, computed once per file): if an entry ever smuggled markup past
the renderer's escaping, the browser would still refuse to run it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from advisor.errors import UsageError
from advisor.regex import linear

_SCRIPT_OPEN = linear(re.compile(r"<script\b([^<>]*)>", re.I), reads="built site HTML")
_SRC = linear(re.compile(r"\bsrc=", re.I), reads="built site HTML")
_DATA_TYPE = linear(re.compile(r"""\btype=["']?application/(?:ld\+)?json""", re.I), reads="built site HTML")
CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _inline_scripts(html: str):
    """(attributes, body) of each <script> without src. One forward scan: the end tag is
    found with str.find, so an unclosed <script> cannot make the scan quadratic."""
    lower = html.lower()
    pos = 0
    while (m := _SCRIPT_OPEN.search(html, pos)) is not None:
        end = lower.find("</script>", m.end())
        if end < 0:
            return
        if not _SRC.search(m.group(1)):
            yield m.group(1), html[m.end():end]
        pos = end + len("</script>")


@lru_cache(maxsize=4096)
def page_csp(path: str, mtime_ns: int) -> str:
    """The CSP of one built page: its own inline scripts by hash, nothing else inline."""
    html = Path(path).read_text(encoding="utf-8", errors="replace")
    hashes = []
    for attrs, body in _inline_scripts(html):
        if _DATA_TYPE.search(attrs):
            continue  # JSON data blocks (Material's __config) are never executed
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return CSP.format(hashes=" ".join(dict.fromkeys(hashes)))


class SiteFiles(StaticFiles):
    """A built MkDocs site: index.html for directories, 404.html for the rest, a CSP per page."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=str(directory), html=True, check_dir=True)
        self.root = directory

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        media = response.headers.get("content-type", "")
        if media.startswith("text/html"):
            page = getattr(response, "path", None)
            if page is not None:
                stat = Path(page).stat()
                response.headers["Content-Security-Policy"] = page_csp(str(page), stat.st_mtime_ns)
        return response


def check_site(site_dir: str | Path) -> Path:
    """The site folder, or a UsageError saying how to build one."""
    path = Path(site_dir).expanduser().resolve()
    if not (path / "index.html").is_file() or not (path / "diagnose" / "index.html").is_file():
        raise UsageError(f"{site_dir}: not a built docs site (no index.html and diagnose/); "
                         "build it with 'mkdocs build' (into build/site) and pass that folder")
    return path


def mount_site(app: Starlette, site_dir: str | Path | None) -> None:
    """Serve the built site at / on `app`, after the advisor's own routes (which keep priority)."""
    if not site_dir:
        return
    root = check_site(site_dir)
    routes = app.router.routes
    routes[:] = [r for r in routes if getattr(r, "path", None) != "/"]  # the minimal paste page
    routes.append(Mount("/", app=SiteFiles(root), name="site"))
