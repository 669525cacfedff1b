"""`advisor serve`: the paste-log advisor as a small HTTP service (Starlette on uvicorn).

    POST /match     body: the pasted text (text/plain, or any non-JSON type), or JSON
                    {"text": "...", "top": 5}; ?top=N also works. Answers design.md's
                    JSON contract (the same object as `advisor match --json`).
    GET  /          a minimal HTML paste page (no external assets, strict CSP).
    GET  /healthz   {"status": "ok", "entries": N, "mode": "..."}.
    POST /slack/command   Slack/Mattermost slash commands, signed (advisor/slack.py).

Safe to expose inside a company network: the service only reads the knowledge base it
was started with; no request names a file, runs code or reaches another host. Limits:
a request body is at most `max_bytes` (413 beyond; checked on Content-Length and while
streaming), at most `max_pending` requests wait for a matcher (503 beyond), matching
runs in a thread pool bounded to `concurrency` workers, and pastes above `large_bytes`
share a single extra worker, so one huge paste never starves the small ones. Error
messages never echo the input (pasted logs hold secrets).

One `Advisor` per process, created (KB loaded, model and index warmed) at startup.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .errors import AdvisorError
from .match import Advisor

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# Bodies taken as the pasted text itself. curl -d/--data-binary sends
# application/x-www-form-urlencoded unless told otherwise, so that is the raw text too.
TEXT_TYPES = ("", "text/plain", "text/x-log", "application/octet-stream",
              "application/x-www-form-urlencoded")
MAX_TOP = 20


@dataclass
class ServeConfig:
    mode: str = "hybrid"
    model: str | None = None
    kb_root: str | list[str] | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    large_bytes: int = 256 * 1024  # pastes above this share one worker
    # Matcher threads for ordinary pastes, one per core of the 2-core target. One vs two
    # measured within noise on a shared machine (benchmarks/serve_bench.py --concurrency).
    concurrency: int = 2
    max_pending: int = 64  # requests waiting for or in a matcher; 503 beyond
    warm: bool = True  # load the model and index at startup (hybrid/semantic)


class _TooLarge(Exception):
    pass


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


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
    return;
  }
  status.textContent = body.matches.length + ' match(es), kinds: ' + (body.input.kinds.join(', ') || '-');
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
    """The state of one server process: the advisor, the limiters, the pending count."""

    def __init__(self, config: ServeConfig, advisor: Advisor | None = None) -> None:
        self.config = config
        self.advisor = advisor
        self.pending = 0
        self.ready = False
        self.small = anyio.CapacityLimiter(max(1, config.concurrency))
        self.large = anyio.CapacityLimiter(1)
        self.page = PAGE.replace("@LIMIT@", _human(config.max_bytes)).replace("@SCRIPT@", PAGE_SCRIPT)

    def start(self) -> None:
        """Load the KB and compile rules; in hybrid/semantic mode load the model and index now.

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
        self.ready = True

    # ---------------------------------------------------------------- request handling
    async def read_body(self, request: Request) -> bytes:
        limit = self.config.max_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise _TooLarge
            except ValueError:
                raise HTTPException(400, "invalid Content-Length") from None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def match(self, request: Request) -> Response:
        if self.pending >= self.config.max_pending:
            return _error(503, "busy: too many requests are waiting; retry shortly", {"Retry-After": "1"})
        self.pending += 1
        try:
            return await self._match(request)
        finally:
            self.pending -= 1

    async def _match(self, request: Request) -> Response:
        try:
            body = await self.read_body(request)
        except _TooLarge:
            return _error(413, f"request body is larger than {_human(self.config.max_bytes)}")
        top = _parse_top(request.query_params.get("top"))
        ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype == "application/json":
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return _error(400, "body is not valid JSON; send {\"text\": \"...\"} or text/plain")
            if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
                return _error(400, "JSON body needs a string field 'text'")
            if "top" in payload:
                top = _parse_top(payload["top"])
            data = payload["text"].encode("utf-8", "surrogatepass")
        elif ctype in TEXT_TYPES:
            data = body
        else:
            return _error(415, "send text/plain (the pasted log) or application/json {\"text\": ...}")
        limiter = self.large if len(data) > self.config.large_bytes else self.small
        advisor = self.advisor
        assert advisor is not None
        try:
            result = await anyio.to_thread.run_sync(advisor.match_bytes, data, top, limiter=limiter)
        except AdvisorError as exc:
            # AdvisorError messages are fixed sentences; they never quote the input
            return _error(400, str(exc))
        except Exception as exc:  # never a traceback, never the input
            return _error(500, f"internal error ({type(exc).__name__})")
        return JSONResponse(result.as_dict())

    async def index(self, request: Request) -> Response:
        return HTMLResponse(self.page, headers={"Content-Security-Policy": CSP})

    async def health(self, request: Request) -> Response:
        adv = self.advisor
        return JSONResponse({"status": "ok" if self.ready else "starting", "mode": self.config.mode,
                             "entries": len(adv.kb.entries) if adv else 0, "pending": self.pending})


def _parse_top(value) -> int:
    if value is None:
        return 5
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise HTTPException(400, f"top must be an integer from 1 to {MAX_TOP}") from None
    if not 1 <= n <= MAX_TOP:
        raise HTTPException(400, f"top must be an integer from 1 to {MAX_TOP}")
    return n


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "not found", 405: "method not allowed; POST the text to /match"}
    detail = messages.get(exc.status_code) or (exc.detail if exc.status_code == 400 else "error")
    return _error(exc.status_code, detail, getattr(exc, "headers", None))


async def _server_error(request: Request, exc: Exception) -> Response:
    return _error(500, f"internal error ({type(exc).__name__})")


class _SecurityHeaders:
    """Pure ASGI middleware (no body buffering): adds the security headers to every response."""

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
                message["headers"] = list(message.get("headers", [])) + self.extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: ServeConfig | None = None, advisor: Advisor | None = None) -> Starlette:
    """The ASGI application. The advisor is created (or warmed) at startup if not yet."""
    return _build_app(Service(config or ServeConfig(), advisor))


def _build_app(service: Service) -> Starlette:
    from starlette.middleware import Middleware

    from .slack import route as slack_route

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.start)
        yield

    app = Starlette(
        routes=[
            Route("/", service.index, methods=["GET"]),
            Route("/match", service.match, methods=["POST"]),
            Route("/healthz", service.health, methods=["GET"]),
            slack_route(service),  # POST /slack/command: Slack/Mattermost slash commands
        ],
        exception_handlers={HTTPException: _http_error, 500: _server_error},
        middleware=[Middleware(_SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def run(host: str = "127.0.0.1", port: int = 8080, config: ServeConfig | None = None,
        log_level: str = "info") -> None:
    """Load everything, then serve until interrupted (uvicorn, one process, thread pool)."""
    import uvicorn

    config = config or ServeConfig()
    service = Service(config)
    service.start()  # AdvisorError here reaches the CLI as one line, before binding
    uvicorn.run(
        _build_app(service),
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        # connections beyond this get 503 from uvicorn before any work is done
        limit_concurrency=config.max_pending + 32,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,  # bounded request line and headers
        lifespan="on",
    )
