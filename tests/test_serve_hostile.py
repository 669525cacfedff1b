"""`advisor serve` against hostile and unlucky clients, on the real server: a paste that
takes too long is stopped and its worker replaced while /healthz answers; slow senders
neither count as pending nor lock others out, and get 408; too many connections, broken
requests, odd JSON and a missing model each get the JSON error shape and the security
headers. No wall-time assertions: orderings, statuses and bodies."""

from __future__ import annotations

import concurrent.futures as cf
import json
import socket
import threading
import time

import pytest

from .hostile import PASTE_SHAPES
from .test_serve import asgi_request, serving

SECURITY = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def assert_json_error(status_seen: int, headers: dict[str, str], body: bytes, status: int, *words: str) -> str:
    assert status_seen == status, body[:300]
    assert headers.get("content-type", "").startswith("application/json"), headers
    for k, v in SECURITY.items():
        assert headers.get(k) == v, (k, headers)
    message = json.loads(body)["error"]
    for w in words:
        assert w in message, message
    return message


def raw_exchange(port: int, data: bytes, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole response (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        if data:
            s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
    return int(lines[0].split()[1]), headers, body


def slow_sender(port: int, stop: threading.Event, results: list[int]) -> None:
    """Promise 10 KB, send 18 bytes every 0.5 s (the issue's slow client)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(b"POST /match HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10000\r\n\r\n")
            s.settimeout(0.5)
            while not stop.is_set():
                try:
                    s.sendall(b"goroutine 1 [a]:\n")
                    reply = s.recv(65536)
                    if reply:
                        results.append(int(reply.split()[1]))
                        return
                except TimeoutError:
                    continue
    except OSError:
        results.append(-1)


# ------------------------------------------------------------------ a paste that takes too long


def test_a_paste_over_the_time_limit_is_stopped_while_health_answers():
    big = PASTE_SHAPES["distinct stacks"](4_000_000).encode()  # 6.5 MB, ~1-3 s of honest matching
    with serving("--mode", "rules", "--max-mb", "8", "--match-timeout", "0.2") as srv:
        done: list[tuple[str, float]] = []

        def paste() -> tuple[int, dict, bytes]:
            r = srv.post(big)
            done.append(("paste", time.monotonic()))
            return r

        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            slow = pool.submit(paste)
            time.sleep(0.05)
            health = srv.request("GET", "/healthz")
            done.append(("health", time.monotonic()))
            status, headers, body = slow.result(timeout=120)
        assert health[0] == 200
        assert_json_error(status, headers, body, 503, "took longer than 0.2 s and was stopped")
        # the worker was replaced: the next paste is answered, and /healthz says so
        status, _, body = srv.post(b"fatal error: concurrent map writes")
        assert status == 200 and json.loads(body)["matches"][0]["id"] == "concurrent-map-writes"
        matchers = json.loads(srv.request("GET", "/healthz")[2])["matchers"]
        assert matchers["large"]["kind"] == "process" and matchers["large"]["restarts"] == 1


# ------------------------------------------------------------------ slow clients


def test_slow_senders_do_not_lock_out_fast_clients_and_get_408():
    with serving("--mode", "rules", "--max-pending", "4", "--body-timeout", "3") as srv:
        stop, results = threading.Event(), []
        senders = [threading.Thread(target=slow_sender, args=(srv.port, stop, results), daemon=True)
                   for _ in range(24)]
        for t in senders:
            t.start()
        time.sleep(0.5)  # all 24 are now sending, more than max-pending
        health = json.loads(srv.request("GET", "/healthz")[2])
        assert health["receiving"] >= 12 and health["pending"] == 0  # arriving bodies are not pending
        for _ in range(5):
            status, _, body = srv.post(b"fatal error: concurrent map writes")
            assert status == 200, body
        for t in senders:
            t.join(30)
        stop.set()
        assert results and set(results) == {408}, results


def test_too_many_connections_get_the_json_503_with_headers():
    with serving("--mode", "rules", "--max-pending", "1", "--max-receiving", "1", "--header-timeout", "30") as srv:
        idle = []
        try:
            for _ in range(66):  # max_connections = 1 + 1 + 64: these fill it without a request
                idle.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
            time.sleep(0.3)
            status, headers, body = raw_exchange(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert_json_error(status, headers, body, 503, "too many connections")
            assert headers["retry-after"] == "1"
        finally:
            for s in idle:
                s.close()
        time.sleep(0.3)
        assert srv.request("GET", "/healthz")[0] == 200


def test_a_connection_that_never_finishes_its_headers_is_closed():
    with serving("--mode", "rules", "--header-timeout", "1") as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            assert s.recv(1024) == b""  # closed by the server, not by our 30 s timeout


def test_unparsable_request_is_the_json_400():
    with serving("--mode", "rules") as srv:
        status, headers, body = raw_exchange(srv.port, b"NOT HTTP AT ALL\r\n\r\n")
        assert_json_error(status, headers, body, 400, "bad request")


# ------------------------------------------------------------------ odd JSON and limits, in process


@pytest.fixture(scope="module")
def app(kb):
    from advisor.match import Advisor
    from advisor.serve import ServeConfig, create_app

    return create_app(ServeConfig(mode="rules", isolation="thread", max_bytes=2 << 20), Advisor(kb, mode="rules"))


@pytest.mark.parametrize("body, words", [
    (b"[" * 100_000 + b"]" * 100_000, ("nested too deeply",)),
    (b'{"text": "fatal error: concurrent map writes", "top": 1e400}', ("top must be an integer",)),
    (b'{"text": "fatal error: concurrent map writes", "top": true}', ("top must be an integer",)),
    (b'{"text": "fatal error: concurrent map writes", "top": 2.9}', ("top must be an integer",)),
    (b'{"text": "fatal error: concurrent map writes", "top": -1}', ("top must be an integer",)),
])
def test_odd_json_is_400_not_500(app, body, words):
    status, headers, got = asgi_request(app, "POST", "/match", body, {"Content-Type": "application/json"})
    assert_json_error(status, headers, got, 400, *words)


def test_a_valid_top_still_works(app):
    status, _, got = asgi_request(app, "POST", "/match", b'{"text": "fatal error: concurrent map writes", "top": 1}',
                                  {"Content-Type": "application/json"})
    assert status == 200 and len(json.loads(got)["matches"]) == 1


def test_every_error_has_the_shape_and_headers(app):
    cases = [
        (("GET", "/nope", b"", {}), 404),
        (("DELETE", "/match", b"", {}), 405),
        (("POST", "/match", b"x" * (3 << 20), {"Content-Type": "text/plain"}), 413),
        (("POST", "/match", b"x", {"Content-Type": "image/png"}), 415),
        (("POST", "/match", b"x", {"Content-Length": "99999999999999999999999"}), 400),
    ]
    for (method, path, body, headers), status in cases:
        assert_json_error(*asgi_request(app, method, path, body, headers), status)


def test_missing_model_is_503_not_400(kb, tmp_path):
    from advisor.match import Advisor
    from advisor.serve import ServeConfig, create_app

    adv = Advisor(kb, mode="hybrid", model=str(tmp_path / "no-model"))
    hybrid = create_app(ServeConfig(mode="hybrid", isolation="thread", warm=False), adv)
    status, headers, body = asgi_request(hybrid, "POST", "/match", b"memory keeps growing until the pod is OOMKilled",
                                         {"Content-Type": "text/plain"})
    assert_json_error(status, headers, body, 503, "does not exist")


def test_missing_model_stops_serve_before_it_binds(tmp_path):
    from .conftest import run_advisor
    from .test_serve import free_port

    proc = run_advisor("serve", "--port", str(free_port()), "--model", str(tmp_path / "no-model"), timeout=120)
    assert proc.returncode == 3
    err = proc.stderr.decode()
    assert err.startswith("advisor: ") and err.count("\n") == 1 and "does not exist" in err


def test_route_modules_extend_the_app(kb, monkeypatch):
    """Other modules add routes (issue 14's site, issue 16's Slack endpoint) with the same
    limits and error shape: routes(service) -> list of routes, read_body/run_job inside."""
    import sys
    import types

    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from advisor import serve
    from advisor.match import Advisor

    mod = types.ModuleType("advisor_test_routes")

    def routes(service):
        async def echo_top(request):
            body = await service.read_body(request)
            result = await service.run_job(_first_id, body, size=len(body))
            return JSONResponse({"first": result})
        return [Route("/x/first", echo_top, methods=["POST"])]

    mod.routes = routes
    monkeypatch.setitem(sys.modules, "advisor_test_routes", mod)
    monkeypatch.setattr(serve, "ROUTE_MODULES", ("advisor_test_routes",))
    app = serve.create_app(serve.ServeConfig(mode="rules", isolation="thread", max_bytes=1024), Advisor(kb, mode="rules"))
    status, headers, body = asgi_request(app, "POST", "/x/first", b"fatal error: concurrent map writes")
    assert status == 200 and json.loads(body) == {"first": "concurrent-map-writes"}
    assert headers["x-content-type-options"] == "nosniff"
    assert_json_error(*asgi_request(app, "POST", "/x/first", b"x" * 2048), 413)


def _first_id(advisor, body: bytes) -> str:
    return advisor.match_bytes(body).matches[0].id
