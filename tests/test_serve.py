"""`advisor serve`: the real server (uvicorn) on 127.0.0.1 and a free port, exercised over
HTTP: the JSON contract, request limits, errors that never echo the input, no file access,
the paste page, a huge paste that does not starve small ones, and a bounded load test."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .conftest import KB, ROOT, run_advisor

SAMPLE = KB / "failure-modes" / "concurrent-map-writes" / "samples"
SECRET = "hunter2-SECRET-TOKEN-8d1f"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    proc: subprocess.Popen

    def conn(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def post(self, body: bytes, ctype: str = "text/plain", path: str = "/match"):
        return self.request("POST", path, body, {"Content-Type": ctype})


@contextlib.contextmanager
def serving(*args: str, startup_timeout: float = 60) -> Iterator[Server]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    server = Server(port, proc)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited early: {proc.stderr.read().decode()[-2000:]}")
            try:
                status, _, body = server.request("GET", "/healthz")
                if status == 200 and json.loads(body)["status"] == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not become ready in time")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("--mode", "rules", "--max-mb", "1") as s:
        yield s


def goroutine_dump(n: int) -> bytes:
    parts = ["goroutine 1 [running]:\nmain.main()\n\t/app/main.go:20 +0x1d\n"]
    for i in range(2, n + 2):
        parts.append(f"goroutine {i} [chan send, 37 minutes]:\nmain.worker(0xc000{i:06x})\n"
                     f"\t/app/worker.go:42 +0x4c\ncreated by main.start in goroutine 1\n"
                     f"\t/app/main.go:12 +0x85\n")
    return "\n".join(parts).encode()


# ------------------------------------------------------------------ contract


def test_match_returns_the_cli_json_contract(server: Server):
    from advisor.evaluate import strip_header

    sample = sorted(SAMPLE.glob("*.log"))[0]
    data = strip_header(sample.read_bytes())
    status, headers, body = server.post(data)
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    got = json.loads(body)
    cli = run_advisor("match", "--json", "--mode", "rules", "-", input=data)
    assert got == json.loads(cli.stdout)
    assert got["abstained"] is False and got["matches"][0]["id"] == "concurrent-map-writes"
    assert got["matches"][0]["url"].endswith("/failure-modes/concurrent-map-writes/")


def test_json_body_form_body_and_top(server: Server):
    status, _, body = server.post(json.dumps({"text": "panic: assignment to entry in nil map",
                                              "top": 1}).encode(), "application/json")
    assert status == 200
    got = json.loads(body)
    assert [m["id"] for m in got["matches"]] == ["nil-map-assignment"]
    # curl -d sends application/x-www-form-urlencoded: taken as the raw text
    status, _, body = server.post(b"fatal error: concurrent map writes",
                                  "application/x-www-form-urlencoded", "/match?top=1")
    assert status == 200 and json.loads(body)["matches"][0]["id"] == "concurrent-map-writes"


def test_abstains_on_non_go_output(server: Server):
    tb = (b"Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n"
          b"    main()\nZeroDivisionError: division by zero\n")
    status, _, body = server.post(tb)
    got = json.loads(body)
    assert status == 200 and got["abstained"] is True and got["matches"] == []
    assert got["abstain_reason"] == "not-go-output"


# ------------------------------------------------------------------ limits and errors


def test_non_post_on_match_is_rejected(server: Server):
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        status, headers, body = server.request(method, "/match")
        assert status == 405, method
        assert "POST" in headers.get("allow", "")
        assert json.loads(body)["error"].startswith("method not allowed")


def test_body_over_the_limit_is_413_by_header_and_while_streaming(server: Server):
    big = b"x" * (1024 * 1024 + 1)
    status, _, body = server.post(big)
    assert status == 413 and "larger than 1 MB" in json.loads(body)["error"]
    # chunked upload with no Content-Length: cut off while streaming
    c = server.conn()
    try:
        chunks = (b"y" * 65536 for _ in range(40))
        c.request("POST", "/match", body=chunks, headers={"Content-Type": "text/plain"},
                  encode_chunked=True)
        r = c.getresponse()
        assert r.status == 413
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close while we are still sending: also a refusal
    finally:
        c.close()
    assert server.request("GET", "/healthz")[0] == 200


@pytest.mark.parametrize("body,ctype,status", [
    (b"", "text/plain", 400),
    (b"\x00\x01" + SECRET.encode() + b"\x00" * 50, "text/plain", 400),
    (b'{"text": "' + SECRET.encode(), "application/json", 400),
    (json.dumps({"log": SECRET}).encode(), "application/json", 400),
    (json.dumps({"text": SECRET, "top": "many"}).encode(), "application/json", 400),
    (SECRET.encode(), "image/png", 415),
    (SECRET.encode(), "multipart/form-data; boundary=x", 415),
])
def test_errors_are_json_and_never_echo_the_input(server: Server, body, ctype, status):
    got_status, _, got = server.post(body, ctype)
    assert got_status == status
    msg = json.loads(got)["error"]
    assert SECRET not in got.decode("utf-8", "replace") and msg
    assert "Traceback" not in msg


def test_no_file_access_by_path(server: Server):
    for path in ("/etc/passwd", "/../../etc/passwd", "/kb/failure-modes/nil-map-assignment/entry.yaml",
                 "/static/../../pyproject.toml", "/%2e%2e/%2e%2e/etc/passwd", "/docs", "/openapi.json"):
        status, _, body = server.request("GET", path)
        assert status == 404, path
        assert b"root:" not in body and b"[project]" not in body
    # a path in the pasted text is only text
    status, _, body = server.post(b"/etc/passwd")
    assert status == 200 and b"root:x:0:0" not in body


def test_paste_page_is_self_contained_with_a_strict_csp(server: Server):
    status, headers, body = server.request("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "<textarea" in page and "fetch('match'" in page
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert "http://" not in page.replace("https?:\\/\\/", "") and "src=\"http" not in page
    assert headers["x-content-type-options"] == "nosniff"
    assert "innerHTML" not in page  # results are inserted as text, never as markup


def test_health(server: Server):
    status, _, body = server.request("GET", "/healthz")
    got = json.loads(body)
    assert status == 200 and got["status"] == "ok" and got["mode"] == "rules" and got["entries"] > 20


def test_busy_port_is_a_one_line_error(server: Server):
    proc = run_advisor("serve", "--mode", "rules", "--port", str(server.port), timeout=60)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: cannot listen on 127.0.0.1:") and err.count("\n") == 1


def test_invalid_kb_is_a_one_line_error(tmp_path):
    (tmp_path / "failure-modes" / "broken").mkdir(parents=True)
    (tmp_path / "failure-modes" / "broken" / "entry.yaml").write_text("id: broken\n")
    proc = run_advisor("serve", "--mode", "rules", "--port", str(free_port()), "--kb", str(tmp_path),
                       timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("advisor: ") and "Traceback" not in proc.stderr.decode()


# ------------------------------------------------------------------ fairness and load


def test_a_huge_paste_does_not_starve_small_ones():
    """Three ~4 MB dumps queue on the single large-paste worker; small pastes keep flowing."""
    dump = goroutine_dump(26_000)
    assert 3_500_000 < len(dump) < 7 * 1024 * 1024
    with serving("--mode", "rules", "--max-mb", "8", "--concurrency", "2", "--max-pending", "64") as srv:
        done: dict[str, list[float]] = {"large": [], "small": []}
        lock = threading.Lock()
        t0 = time.monotonic()

        def send(kind: str, body: bytes) -> int:
            status, _, _ = srv.post(body)
            with lock:
                done[kind].append(time.monotonic() - t0)
            return status

        with cf.ThreadPoolExecutor(max_workers=8) as pool:
            large = [pool.submit(send, "large", dump) for _ in range(3)]
            time.sleep(0.2)  # the large pastes are in the server
            small = [pool.submit(send, "small", b"fatal error: concurrent map writes") for _ in range(20)]
            statuses = [f.result(timeout=120) for f in large + small]
        assert set(statuses) == {200}
        assert max(done["small"]) < max(done["large"]), done


def load(port: int, bodies: list[bytes], total: int, workers: int, time_limit: float) -> list[float]:
    """At most `total` POST /match over keep-alive connections, stopping at `time_limit` s."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                c.request("POST", "/match", body=bodies[i % len(bodies)], headers={"Content-Type": "text/plain"})
                r = c.getresponse()
                r.read()
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if r.status != 200:
                        errors.append(r.status)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 60)
    assert not errors, f"{len(errors)} non-200 answers, e.g. {errors[:5]}"
    return latencies


def sample_bodies(limit: int = 40) -> list[bytes]:
    from advisor.evaluate import strip_header

    paths = sorted((KB / "failure-modes").glob("*/samples/*.log"))
    out = [strip_header(p.read_bytes()) for p in paths]
    return [b for b in out if 0 < len(b) < 64 * 1024][:limit]


def test_bounded_load(server: Server):
    """2,000 real sample pastes from 8 clients within 120 s: all answered, latency reported."""
    bodies = sample_bodies()
    lat = load(server.port, bodies, total=2000, workers=8, time_limit=120)
    assert len(lat) == 2000, f"only {len(lat)} requests within the time limit"
    lat.sort()
    p50 = statistics.median(lat)
    p99 = lat[int(len(lat) * 0.99) - 1]
    print(f"serve load (rules mode): n={len(lat)} p50={p50 * 1000:.1f} ms p99={p99 * 1000:.1f} ms")
    assert p99 < 5.0


# ------------------------------------------------------------------ hybrid, with the model


@pytest.mark.slow
@pytest.mark.model
def test_hybrid_server_loads_the_model_once_and_answers_prose_concurrently():
    env_model = os.environ.get("ADVISOR_MODEL")
    args = ["--mode", "hybrid"] + (["--model", env_model] if env_model else [])
    with serving(*args, startup_timeout=180) as srv:
        texts = [b"memory keeps climbing until the pod is OOMKilled",
                 b"the number of goroutines grows every hour and never goes down",
                 b"fatal error: concurrent map writes"] * 4
        with cf.ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(srv.post, texts, timeout=120))
        for (status, _, body), text in zip(results, texts, strict=True):
            got = json.loads(body)
            assert status == 200, body
            assert got["mode"] == "hybrid"
            assert not got["abstained"], text
        # concurrent answers equal a lone answer (no shared state trampled)
        lone = json.loads(srv.post(texts[0])[2])
        assert json.loads(results[0][2]) == lone


# ------------------------------------------------------------------ the ASGI app, in process


def asgi_request(app, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    """One request through the ASGI app with anyio (lifespan run first): (status, headers, body)."""
    import anyio

    async def call():
        sent: list[dict] = []
        got: dict = {"status": None, "headers": {}, "body": b""}
        startup = [{"type": "lifespan.startup"}]

        async def l_receive():
            if startup:
                return startup.pop()
            await anyio.sleep_forever()

        async def l_send(message):
            sent.append(message)

        async with anyio.create_task_group() as tg:
            tg.start_soon(app, {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, l_receive, l_send)
            with anyio.fail_after(60):
                while not any(m["type"] == "lifespan.startup.complete" for m in sent):
                    await anyio.sleep(0.01)
            messages = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive():
                return messages.pop(0) if messages else {"type": "http.disconnect"}

            async def send(message):
                if message["type"] == "http.response.start":
                    got["status"] = message["status"]
                    got["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
                elif message["type"] == "http.response.body":
                    got["body"] += message.get("body", b"")

            raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                     "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                     "root_path": "", "headers": raw_headers, "client": ("127.0.0.1", 1),
                     "server": ("127.0.0.1", 80), "state": {}}
            await app(scope, receive, send)
            tg.cancel_scope.cancel()
        return got["status"], got["headers"], got["body"]

    return anyio.run(call)


def test_full_queue_is_503_and_bad_content_length_is_400(kb):
    from advisor.match import Advisor
    from advisor.serve import ServeConfig, create_app

    app = create_app(ServeConfig(mode="rules", max_pending=3, isolation="thread"), Advisor(kb, mode="rules"))
    service = app.state.service
    status, _, body = asgi_request(app, "POST", "/match", b"fatal error: concurrent map writes",
                                   {"Content-Type": "text/plain"})
    assert status == 200 and json.loads(body)["matches"][0]["id"] == "concurrent-map-writes"
    service.pending = 3  # as if three requests were waiting for a matcher
    status, headers, body = asgi_request(app, "POST", "/match", b"fatal error: concurrent map writes")
    assert status == 503 and headers["retry-after"] == "1" and "busy" in json.loads(body)["error"]
    service.pending = 0
    status, _, body = asgi_request(app, "POST", "/match", b"x", {"Content-Length": "lots"})
    assert status == 400 and "Content-Length" in json.loads(body)["error"]


# ------------------------------------------------------------------ the paste page in a real browser


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("site")
def test_paste_page_works_in_chromium_under_its_csp(server: Server, tmp_path):
    """The inline script runs under the page's own CSP (its hash is right) and shows matches."""
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail(f"{chromium} missing: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    args = ["--disable-gpu", "--disable-background-networking", "--no-first-run"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=args)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"http://127.0.0.1:{server.port}/")
            page.fill("#text", "fatal error: concurrent map writes\n<img src=x onerror=alert(1)>")
            page.click("button[type=submit]")
            page.locator("#out li a").first.wait_for(timeout=30_000)
            first = page.locator("#out li a").first
            assert "map" in first.inner_text().lower()
            assert first.get_attribute("href").endswith("/failure-modes/concurrent-map-writes/")
            assert page.locator("#out img").count() == 0  # pasted markup stays text
            page.fill("#text", "Traceback (most recent call last):\nValueError: nope\n")
            page.click("button[type=submit]")
            # a locator wait, not wait_for_function: the page's CSP forbids eval, and a
            # string predicate is evaluated in the page
            page.locator("#status", has_text="Go program").wait_for(timeout=30_000)
            # a runtime failure no entry covers: the page says what the message means
            page.fill("#text", "unexpected fault address 0x7f3a2c000000\nfatal error: fault\n"
                      "[signal SIGBUS: bus error code=0x2 addr=0x7f3a2c000000 pc=0x4a1b2c]\n")
            page.click("button[type=submit]")
            page.locator("#out li", has_text="Means:").wait_for(timeout=30_000)
            assert "fatal error: fault" in page.locator("#out").inner_text()
            assert not problems, problems
        finally:
            browser.close()
