"""profile.proto and its generated module stay true to the Go runtime's encoder; bad
profiles and endpoints that are not pprof get one clear message."""

from __future__ import annotations

import gzip
import http.server
import re
import threading
from pathlib import Path

import pytest

from advisor.errors import InputError
from advisor.pprof import generate, proto
from advisor.repro import find_go, go_env

from .conftest import run_advisor


def test_generated_module_is_not_stale():
    """Regenerating with the pinned protoc (grpcio-tools) gives the committed file byte for byte."""
    assert generate.MODULE.read_text(encoding="utf-8") == generate.generate(), \
        "profile_pb2.py is stale: run python -m advisor.pprof.generate"


def _go_root() -> Path:
    import subprocess

    out = subprocess.run([str(find_go()), "env", "GOROOT"], capture_output=True, text=True, env=go_env())
    return Path(out.stdout.strip())


def test_proto_field_numbers_match_the_go_runtime_encoder():
    src = (_go_root() / "src/runtime/pprof/proto.go").read_text()
    consts = re.findall(r"(?m)^\s*tag(\w+?)_(\w+)\s*=\s*(\d+)", src)
    assert len(consts) > 30
    ours: dict[tuple[str, int], str] = {}
    msg = ""
    for line in generate.PROTO.read_text().split("\n"):
        m = re.match(r"message (\w+)", line)
        if m:
            msg = m.group(1)
        m = re.match(r"\s+(?:repeated )?\w+ (\w+) = (\d+);", line)
        if m:
            ours[msg, int(m.group(2))] = m.group(1).replace("_", "").lower()
    # the Go encoder's constant names that differ from the .proto's field names
    aliases = {("Mapping", "start"): "memorystart", ("Mapping", "limit"): "memorylimit",
               ("Mapping", "offset"): "fileoffset", ("Sample", "location"): "locationid"}
    for message, field, number in consts:
        name = ours.get((message, int(number)))
        assert name is not None, f"{message}.{field} = {number} is missing from profile.proto"
        assert name == aliases.get((message, field.lower()), field.lower()), (message, field, number, name)


def test_a_profile_that_inflates_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(proto, "MAX_INFLATED", 1000)
    with pytest.raises(InputError, match="inflates to more than"):
        proto.decode(gzip.compress(b"\0" * 100_000), "bomb.pb.gz")


def test_damaged_profiles_get_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "heap.pb.gz"
    bad.write_bytes(gzip.compress(b"\x0a\xff\xff\xff\xff\xff\xff"))
    proc = run_advisor("match", str(bad))
    assert proc.returncode == 2 and proc.stderr.decode().startswith("advisor: ")
    assert b"Traceback" not in proc.stderr


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/missing"):
            self.send_error(404)
            return
        body = b"<html><body>a dashboard, not pprof</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_watch_says_clearly_when_the_endpoint_is_not_pprof(web):
    proc = run_advisor("watch", web, "--interval", "1s", "--duration", "1s", "--mode", "rules")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "is not a goroutine profile" in err and "net/http/pprof" in err, err
    proc = run_advisor("watch", web + "/missing/debug/pprof/", "--duration", "1s", "--mode", "rules")
    assert proc.returncode == 2 and "HTTP 404" in proc.stderr.decode()


def test_watch_refuses_other_schemes():
    proc = run_advisor("watch", "file:///etc/passwd", "--duration", "1s")
    assert proc.returncode == 2 and "http:// or https://" in proc.stderr.decode()


@pytest.mark.parametrize("text,seconds", [("10s", 10), ("2m", 120), ("1h", 3600), ("500ms", 0.5), ("3", 3)])
def test_durations(text, seconds):
    from advisor.watch import parse_seconds

    assert parse_seconds(text) == seconds
