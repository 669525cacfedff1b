"""How code from the knowledge base is run: a small environment, bounded output, and a
network that ends at the program's own loopback.

Reproducers are programs a pull request added. `advisor repro` (and `repro.start()`, the
live runs tests and detection commands use) builds and runs them with:

- an environment allow-list: PATH, HOME, TMPDIR and the Go variables the runner sets,
  plus the entry's own `repro.env` (itself checked by the schema): a token in the
  caller's environment is not the program's to print;
- output kept as head and tail (OUTPUT_KEEP bytes each) with the size of what was
  dropped between: a program writing 5 GB costs 2 MB of memory, not 5 GB;
- a loopback-only network where the machine allows an unprivileged user + network
  namespace (advisor/sandbox.py); elsewhere a notice says the run was not isolated.
  A live run's pprof server listens on a Unix socket inside the namespace and a relay
  on the host's 127.0.0.1 is its one door, so `LiveRepro.base_url` works as before.

Set ADVISOR_REPRO_NETWORK=host to run without the namespace (and see the notice).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

OUTPUT_KEEP = 1 << 20  # bytes kept from the start and from the end of a program's output
ENV_ALLOW = ("PATH", "HOME", "TMPDIR")
SANDBOX = Path(__file__).with_name("sandbox.py")


def base_env() -> dict[str, str]:
    """The caller's environment, reduced to the allow-list."""
    return {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}


@lru_cache(maxsize=1)
def isolation() -> tuple[tuple[str, ...], str | None]:
    """(command prefix that runs a program in a loopback-only network, None), or
    ((), why the network cannot be isolated here)."""
    if os.environ.get("ADVISOR_REPRO_NETWORK") == "host":
        return (), "ADVISOR_REPRO_NETWORK=host is set"
    runner = (sys.executable, "-I", "-S", str(SANDBOX))
    try:
        probe = subprocess.run([*runner, "--probe"], capture_output=True, text=True, timeout=30,
                               env=base_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return (), f"the sandbox probe failed ({exc})"
    if probe.returncode != 0:
        reason = probe.stderr.strip().splitlines()[-1:] or ["unknown reason"]
        return (), f"unprivileged user namespaces are not available ({reason[0]})"
    return (*runner, "--"), None


def isolation_notice() -> str | None:
    """The line to show when a run is not network-isolated, or None."""
    why = isolation()[1]
    if why is None:
        return None
    return f"network not isolated: {why}; the reproducer could reach other hosts"


class BoundedOutput:
    """The first and last OUTPUT_KEEP bytes of a stream and how much fell between them.

    `sink`, if given, receives the head as it arrives and the tail at `close()`, so a
    file shows the output of a program still running (LiveRepro.output_path).
    """

    def __init__(self, keep: int = OUTPUT_KEEP, sink: BinaryIO | None = None) -> None:
        self.keep, self.sink = keep, sink
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_len = 0
        self.total = 0
        self._thread: threading.Thread | None = None

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            if self.sink is not None:
                self.sink.write(chunk[:room])
                self.sink.flush()
            chunk = chunk[room:]
        if chunk:
            self.tail.append(chunk)
            self.tail_len += len(chunk)
            while self.tail and self.tail_len - len(self.tail[0]) >= self.keep:
                self.tail_len -= len(self.tail.popleft())

    @property
    def omitted(self) -> int:
        return max(0, self.total - len(self.head) - min(self.tail_len, self.keep))

    def tail_bytes(self) -> bytes:
        return b"".join(self.tail)[-self.keep:] if self.tail else b""

    def data(self) -> bytes:
        if not self.omitted:
            return bytes(self.head) + self.tail_bytes()
        marker = f"\n[advisor repro: {self.omitted:,} bytes of output omitted; kept the first and last {self.keep:,}]\n"
        return bytes(self.head) + marker.encode() + self.tail_bytes()

    def text(self) -> str:
        return self.data().decode("utf-8", "replace")

    def drain(self, stream: BinaryIO) -> None:
        """Read stream to its end in a background thread (join with `wait`)."""
        def run() -> None:
            try:
                while chunk := stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16):
                    self.feed(chunk)
            except (OSError, ValueError):
                pass
        self._thread = threading.Thread(target=run, name="repro-output", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def close(self) -> None:
        if self.sink is not None:
            rest = self.data()[len(self.head):]
            if rest:
                self.sink.write(rest)
            self.sink.close()


def run_bounded(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float | None,
                isolate: bool = True) -> tuple[int | None, BoundedOutput, bool]:
    """Run cmd (in its own process group, in the sandbox when isolate and available) with
    stdout+stderr bounded. (return code, output, timed out); the group is killed after."""
    prefix = list(isolation()[0]) if isolate else []
    proc = subprocess.Popen(prefix + cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    out = BoundedOutput()
    out.drain(proc.stdout)
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    kill_group(proc)
    out.wait()
    proc.stdout.close()
    return (None if timed_out else proc.returncode), out, timed_out


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group (anything the program started too) and reap the leader."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class Relay:
    """127.0.0.1:<port> on the host -> a Unix socket inside a reproducer's namespace (a path
    in the shared filesystem): the one way in to a contained live run's pprof server."""

    CONNECT_PATIENCE = 5.0  # seconds to keep trying the Unix socket before giving up on a client

    def __init__(self, target: str) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.last_error: str | None = None  # why the last client could not be led through
        threading.Thread(target=self._accept, name="repro-relay", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._connect, args=(conn,), daemon=True).start()

    def _dial(self) -> socket.socket | None:
        """A connection to the program's socket, retried briefly: a loaded machine can be
        slow to accept, and a client should not see a reset for a moment's wait."""
        deadline = time.monotonic() + self.CONNECT_PATIENCE
        while True:
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.target)
                return upstream
            except OSError as exc:
                upstream.close()
                self.last_error = f"connect {self.target}: {exc.strerror or exc}"
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.05)

    def _connect(self, conn: socket.socket) -> None:
        upstream = self._dial()
        if upstream is None:
            conn.close()
            return
        back = threading.Thread(target=_pump, args=(upstream, conn), daemon=True)
        back.start()
        _pump(conn, upstream)
        back.join(60)
        conn.close()
        upstream.close()

    def close(self) -> None:
        self.server.close()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(1 << 16):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass
