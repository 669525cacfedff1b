"""`advisor serve`: the paste-log advisor as a small HTTP service (Starlette on uvicorn).

    POST /match     body: the pasted text (text/plain, or any non-JSON type), or JSON
                    {"text": "...", "top": 5}; ?top=N also works. Answers design.md's
                    JSON contract (the same object as `advisor match --json`).
    GET  /          a minimal HTML paste page (no external assets, strict CSP).
    GET  /healthz   {"status": "ok", "entries": N, "mode": "...", ...}.
    POST /slack/command   Slack/Mattermost slash commands, signed (advisor/slack.py).

Safe to expose inside a company network: the service only reads the knowledge base it
was started with; no request names a file, runs code or reaches another host. A hostile
or unlucky client cannot freeze it:

- matching runs in worker processes (advisor/workers.py) with a time limit per request,
  so the event loop only waits: /healthz and small pastes answer while a pathological
  paste is stopped after `match_timeout` seconds (503);
- a body must arrive within `body_timeout` seconds (408) and is at most `max_bytes`
  (413, on Content-Length and while streaming); at most `max_receiving` bodies arrive at
  once (503), and only complete requests count as pending (`max_pending`, 503), so slow
  senders cannot starve fast ones; pastes above `large_bytes` share their own worker;
- uvicorn is given a protocol (advisor/serve_http.py) that bounds connections and header
  time and answers its own refusals (503, 400) in the same JSON shape;
- every response, errors included, is JSON `{"error": "..."}` with the security headers,
  and error messages never echo the input (pasted logs hold secrets).

The app is built from a list of routes: the core ones here, then those of every module
named in ROUTE_MODULES (each has `routes(service) -> list[BaseRoute]` and uses
`service.read_body()` and `service.run_job()` to get the same limits), then the paste
page at "/" last, so a module may serve something else there. One `Service` per process,
started (KB loaded, model and index warmed, workers forked) before uvicorn binds.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .match import Advisor
from .workers import MAX_TOP, JobError, ProcessPool, ThreadMatcher, match_body, parse_top

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# Bodies taken as the pasted text itself. curl -d/--data-binary sends
# application/x-www-form-urlencoded unless told otherwise, so that is the raw text too.
TEXT_TYPES = ("", "text/plain", "text/x-log", "application/octet-stream",
              "application/x-www-form-urlencoded")
# Modules that add routes: each defines routes(service: Service) -> list[BaseRoute].
ROUTE_MODULES: tuple[str, ...] = (
    "advisor.slack",  # POST /slack/command: Slack/Mattermost slash commands
)

__all__ = ["MAX_TOP", "ROUTE_MODULES", "JobError", "ServeConfig", "Service", "create_app", "json_error", "run"]


@dataclass
class ServeConfig:
    mode: str = "hybrid"
    model: str | None = None
    kb_root: str | list[str] | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    large_bytes: int = 256 * 1024  # pastes above this share one worker of their own
    # Matcher workers for ordinary pastes, one per core of the 2-core target. One vs two
    # measured within noise on a shared machine (benchmarks/serve_bench.py --concurrency).
    concurrency: int = 2
    max_pending: int = 64  # complete requests waiting for or in a matcher; 503 beyond
    max_receiving: int = 256  # requests whose body is still arriving; 503 beyond
    body_timeout: float = 15.0  # seconds for a whole request body to arrive; 408 beyond
    match_timeout: float = 20.0  # seconds of matching per request; the worker is stopped beyond
    header_timeout: float = 10.0  # seconds for a connection's request headers (uvicorn level)
    isolation: Literal["process", "thread"] = "process"  # thread: in-process, no time limit
    warm: bool = True  # load the model and index at startup (hybrid/semantic)
    site_dir: str | None = None  # a built docs site to serve at / (advisor/site/serving.py)

    @property
    def max_connections(self) -> int:
        return self.max_receiving + self.max_pending + 64


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the service: {"error": message}."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


_error = json_error


PAGE_SCRIPT = """
const form = document.getElementById('f');
const out = document.getElementById('out');
const status = document.getElementById('status');
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  out.replaceChildren();
  status.textContent = 'matching...';
  let res, body;
  try {
    res = await fetch('match', {method: 'POST', headers: {'Content-Type': 'text/plain; charset=utf-8'},
                                body: document.getElementById('text').value});
    body = await res.json();
  } catch (e) { status.textContent = 'request failed'; return; }
  if (!res.ok) { status.textContent = body.error || ('error ' + res.status); return; }
  if (body.abstained) {
    status.textContent = body.abstain_reason === 'not-go-output'
      ? 'This does not look like output of a Go program.'
      : 'No failure mode matched with enough confidence.';
    const ex = body.explanation;  // a runtime message no entry covers: say what it means
    if (ex) {
      out.append(el('li', 'Runtime message (line ' + ex.line + '): ' + ex.message, 'ev'),
                 el('li', 'Means: ' + ex.meaning), el('li', ex.suggestion, 'meta'));
    }
    return;
  }
  status.textContent = body.matches.length + ' match(es), kinds: ' + (body.input.kinds.join(', ') || '-')
    + (body.input.go_versions ? ', printed by Go ' + body.input.go_versions : '');
  for (const m of body.matches) {
    const li = el('li');
    const a = el('a', m.title);
    if (/^https?:\\/\\//.test(m.url)) a.href = m.url;
    li.append(a, el('span', ' ' + m.id + ' \\u00b7 ' + m.confidence + ' \\u00b7 ' + m.score.toFixed(2), 'meta'));
    if (m.evidence.length) {
      const ul = el('ul');
      for (const ev of m.evidence.slice(0, 5)) {
        ul.append(el('li', (ev.line ? 'line ' + ev.line + ': ' : '') + ev.text + '  [' + ev.rule + ']', 'ev'));
      }
      li.append(ul);
    }
    out.append(li);
  }
});
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(PAGE_SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; style-src 'unsafe-inline'; "
       "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Go failure advisor</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
textarea{width:100%;height:18rem;font-family:ui-monospace,monospace;font-size:.85rem}
.meta{color:#666;font-size:.9rem}.ev{font-family:ui-monospace,monospace;font-size:.8rem;white-space:pre-wrap}
li{margin:.5rem 0}
</style></head><body>
<h1>Go failure advisor</h1>
<p>Paste a panic, a goroutine dump, gctrace lines, <code>kubectl describe pod</code> output or a
sentence describing the symptom. Nothing is stored; at most @LIMIT@.</p>
<form id="f"><textarea id="text" name="text" spellcheck="false" autofocus></textarea>
<p><button type="submit">Match</button> <span id="status" class="meta"></span></p></form>
<ol id="out"></ol>
<script>@SCRIPT@</script>
</body></html>
"""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _human(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class Service:
    """The state of one server process: the advisor, the matchers, the request counts."""

    def __init__(self, config: ServeConfig, advisor: Advisor | None = None) -> None:
        self.config = config
        self.advisor = advisor
        self.pending = 0  # complete requests waiting for or in a matcher
        self.receiving = 0  # requests whose body is still arriving
        self.ready = False
        self.small: ProcessPool | ThreadMatcher | None = None
        self.large: ProcessPool | ThreadMatcher | None = None
        self.page = PAGE.replace("@LIMIT@", _human(config.max_bytes)).replace("@SCRIPT@", PAGE_SCRIPT)

    def start(self) -> None:
        """Load the KB and compile rules; in hybrid/semantic mode load the model and index;
        then start the matchers (forked from this loaded state).

        Idempotent. `run()` calls it before the server binds, so a broken KB or a missing
        model is a one-line error, not a failed lifespan.
        """
        if self.ready:
            return
        if self.advisor is None:
            from .kb import load_kb

            kb = load_kb(self.config.kb_root)  # one folder, a list of folders, or None
            self.advisor = Advisor(kb, mode=self.config.mode, model=self.config.model)  # type: ignore[arg-type]
        if self.config.warm and self.advisor.mode != "rules":
            # prose always takes the semantic path: this loads the embedder and the index once
            self.advisor.match_text("the service's memory keeps growing until it is restarted")
        c = self.config
        if c.isolation == "process":
            self.small = ProcessPool(self.advisor, c.concurrency, c.match_timeout, "small")
            self.large = ProcessPool(self.advisor, 1, c.match_timeout, "large")
        else:
            self.small = ThreadMatcher(self.advisor, c.concurrency, c.match_timeout)
            self.large = ThreadMatcher(self.advisor, 1, c.match_timeout)
        self.ready = True

    def stop(self) -> None:
        for matcher in (self.small, self.large):
            if matcher is not None:
                matcher.close()

    # ---------------------------------------------------------------- for every route
    async def read_body(self, request: Request, limit: int | None = None) -> bytes:
        """The request body within the limits: JobError 413 (above `limit`, default
        max_bytes), 408 (too slow), 503 (too many bodies arriving at once). Only arriving
        bodies count here."""
        limit = self.config.max_bytes if limit is None else limit
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                raise JobError(400, "invalid Content-Length")
            if int(declared) > limit:
                raise JobError(413, f"request body is larger than {_human(limit)}")
        if self.receiving >= self.config.max_receiving:
            raise JobError(503, "busy: too many requests are still sending; retry shortly", {"Retry-After": "1"})
        self.receiving += 1
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.config.body_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise JobError(413, f"request body is larger than {_human(limit)}")
                    chunks.append(chunk)
        except TimeoutError:
            raise JobError(408, f"the request body did not arrive within {self.config.body_timeout:g} s",
                           {"Connection": "close"}) from None
        except ClientDisconnect:
            raise JobError(400, "the client went away before sending the whole body") from None
        finally:
            self.receiving -= 1
        return b"".join(chunks)

    async def run_job(self, job: Any, *args: Any, size: int = 0) -> Any:
        """job(advisor, *args) in a matcher (the large-paste one above `large_bytes`), with
        the time limit; JobError 503 when too many requests are already pending."""
        if self.pending >= self.config.max_pending:
            raise JobError(503, "busy: too many requests are waiting; retry shortly", {"Retry-After": "1"})
        matcher = self.large if size > self.config.large_bytes else self.small
        assert matcher is not None, "Service.start() was not called"
        self.pending += 1
        try:
            return await matcher.call(job, *args)
        finally:
            self.pending -= 1

    # ---------------------------------------------------------------- core routes
    async def match(self, request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype != "application/json" and ctype not in TEXT_TYPES:
            return json_error(415, "send text/plain (the pasted log) or application/json {\"text\": ...}")
        top = parse_top(request.query_params.get("top"))
        body = await self.read_body(request)
        result = await self.run_job(match_body, body, ctype == "application/json", top, size=len(body))
        return JSONResponse(result)

    async def index(self, request: Request) -> Response:
        return HTMLResponse(self.page, headers={"Content-Security-Policy": CSP})

    async def health(self, request: Request) -> Response:
        adv = self.advisor
        return JSONResponse({
            "status": "ok" if self.ready else "starting", "mode": self.config.mode,
            "entries": len(adv.kb.entries) if adv else 0, "pending": self.pending, "receiving": self.receiving,
            "matchers": {k: m.describe() for k, m in (("small", self.small), ("large", self.large)) if m},
        })


async def _job_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JobError)
    return json_error(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "not found", 405: "method not allowed; POST the text to /match"}
    detail = messages.get(exc.status_code) or (exc.detail if exc.status_code == 400 else "error")
    return json_error(exc.status_code, detail, getattr(exc, "headers", None))


async def _server_error(request: Request, exc: Exception) -> Response:
    return json_error(500, f"internal error ({type(exc).__name__})")


class _SecurityHeaders:
    """Pure ASGI middleware (no body buffering): adds the security headers a response
    does not set itself (a route serving pages may set its own Cache-Control)."""

    def __init__(self, app) -> None:
        self.app = app
        self.extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                message["headers"] = headers + [(k, v) for k, v in self.extra if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def core_routes(service: Service) -> list[BaseRoute]:
    return [Route("/match", service.match, methods=["POST"]),
            Route("/healthz", service.health, methods=["GET"])]


def extension_routes(service: Service, modules: Sequence[str] = ()) -> list[BaseRoute]:
    """Routes of the modules in ROUTE_MODULES (and `modules`): each `routes(service)`."""
    out: list[BaseRoute] = []
    for name in (*ROUTE_MODULES, *modules):
        out.extend(importlib.import_module(name).routes(service))
    return out


def create_app(config: ServeConfig | None = None, advisor: Advisor | None = None,
               routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The ASGI application. The service is started (if not yet) in the lifespan; `routes`
    are added after the core and extension routes, before the paste page."""
    return _build_app(Service(config or ServeConfig(), advisor), routes)


def _build_app(service: Service, routes: Sequence[BaseRoute] = ()) -> Starlette:
    from starlette.middleware import Middleware

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.start)
        try:
            yield
        finally:
            service.stop()

    app = Starlette(
        routes=[*core_routes(service), *extension_routes(service), *routes,
                Route("/", service.index, methods=["GET"])],
        exception_handlers={JobError: _job_error, HTTPException: _http_error, 500: _server_error},
        middleware=[Middleware(_SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.service = service
    from .site.serving import mount_site

    mount_site(app, service.config.site_dir)
    return app


def run(host: str = "127.0.0.1", port: int = 8080, config: ServeConfig | None = None,
        log_level: str = "info") -> None:
    """Load everything and fork the workers, then serve until interrupted (uvicorn)."""
    import uvicorn

    from .serve_http import protocol_class

    config = config or ServeConfig()
    service = Service(config)
    service.start()  # AdvisorError here reaches the CLI as one line, before binding
    try:
        uvicorn.run(
            _build_app(service),
            host=host,
            port=port,
            log_level=log_level,
            server_header=False,
            proxy_headers=False,
            # connections are bounded (and refused with JSON) by the protocol itself
            http=protocol_class(config.max_connections, config.header_timeout, SECURITY_HEADERS),
            limit_concurrency=None,
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=64 * 1024,  # bounded request line and headers
            lifespan="on",
        )
    finally:
        service.stop()
