"""Where `advisor serve` runs matching: worker processes with a time limit per request.

Matching is CPU work in Python; in the server's own process it holds the interpreter
lock, so one pathological paste once froze /healthz and every other request for 30 s.
Here each request runs in a worker process forked from the loaded server: the event
loop only waits on a pipe, a request over its time limit is stopped by killing its
worker (a fresh one is forked from the same loaded state), and a crash costs one
request, not the service.

Workers are forked after the knowledge base, the rules and (in hybrid mode) the model
and index are loaded, so they share those pages with the server copy-on-write
(`gc.freeze()` keeps the collector from touching them); benchmarks/serve_bench.py
--hostile measures their memory. `ThreadMatcher` runs the same jobs in threads, for
in-process use and as the measured alternative.

A job is a module-level function `job(advisor, *args)` whose result is picklable;
errors come back as `JobError(status, message)` with the HTTP status they deserve.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import anyio
import anyio.to_thread

from .errors import AdvisorError, ModelUnavailableError

Job = Callable[..., Any]


class JobError(Exception):
    """A request that could not be answered: HTTP status and a message that never quotes
    the input (pasted logs hold secrets)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def _error_for(exc: BaseException) -> JobError:
    if isinstance(exc, JobError):
        return exc
    if isinstance(exc, ModelUnavailableError):  # the server's fault, not the paste's
        return JobError(503, str(exc))
    if isinstance(exc, AdvisorError):  # fixed sentences about the input, never the input itself
        return JobError(400, str(exc))
    return JobError(500, f"internal error ({type(exc).__name__})")


# --------------------------------------------------------------------------- jobs

MAX_TOP = 20


def parse_top(value: Any) -> int:
    """?top=3 or {"top": 3}: an integer from 1 to MAX_TOP (not true, 2.9, 1e400 or "3.0")."""
    if value is None:
        return 5
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        value = int(value.strip())
    if type(value) is not int or not 1 <= value <= MAX_TOP:
        raise JobError(400, f"top must be an integer from 1 to {MAX_TOP}")
    return value


def match_body(advisor: Any, body: bytes, is_json: bool, top: int) -> dict:
    """POST /match: the body is the paste, or JSON {"text": ..., "top": N}. JSON is decoded
    here, in the worker, so a deep or huge document costs the worker, not the event loop."""
    if is_json:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise JobError(400, 'body is not valid JSON; send {"text": "..."} or text/plain') from None
        except RecursionError:
            raise JobError(400, "JSON body is nested too deeply; send {\"text\": \"...\"}") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise JobError(400, "JSON body needs a string field 'text'")
        if "top" in payload:
            top = parse_top(payload["top"])
        body = payload["text"].encode("utf-8", "surrogatepass")
    return advisor.match_bytes(body, top).as_dict()


def match_result(advisor: Any, body: bytes, top: int) -> Any:
    """The whole MatchResult (picklable dataclasses), for routes that render it themselves."""
    return advisor.match_bytes(body, top)


# --------------------------------------------------------------------------- threads


class ThreadMatcher:
    """Jobs in threads of this process (bounded). No time limit can stop a thread, and
    matching holds the interpreter lock: for in-process use and for comparison."""

    def __init__(self, advisor: Any, size: int, time_limit: float | None = None) -> None:
        self.advisor, self.time_limit = advisor, time_limit
        self.limiter = anyio.CapacityLimiter(max(1, size))

    async def call(self, job: Job, *args: Any) -> Any:
        try:
            return await anyio.to_thread.run_sync(lambda: job(self.advisor, *args), limiter=self.limiter)
        except Exception as exc:
            raise _error_for(exc) from None

    def close(self) -> None:
        pass

    def describe(self) -> dict:
        return {"kind": "thread", "size": int(self.limiter.total_tokens)}


# --------------------------------------------------------------------------- processes

_ADVISOR: Any = None  # set before forking; each worker's own (copy-on-write) advisor
WORKER_NICENESS = 5


def _worker_main(conn: Connection) -> None:
    # Not the server's: no signal handlers, no wakeup fd, and none of its sockets (a
    # replacement forked while clients are connected would otherwise hold them open).
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # below the server's event loop: on a busy machine /healthz and the accepting of
    # requests come before matching
    os.nice(WORKER_NICENESS)
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        try:
            reply = ("ok", job(_ADVISOR, *args))
        except BaseException as exc:  # noqa: BLE001 - every failure becomes an answer
            err = _error_for(exc)
            reply = ("error", err.status, err.message)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, AttributeError):
            pass
        self.process.join(5)
        self.conn.close()


class ProcessPool:
    """`size` worker processes; each runs one job at a time, at most `time_limit` seconds."""

    def __init__(self, advisor: Any, size: int, time_limit: float, name: str = "worker") -> None:
        global _ADVISOR
        _ADVISOR = advisor
        self.size, self.time_limit, self.name = max(1, size), time_limit, name
        self._ctx = multiprocessing.get_context("fork")
        gc.collect()
        gc.freeze()  # the loaded state is shared with the workers: keep the collector off it
        self._idle = [self._spawn() for _ in range(self.size)]
        self._all = list(self._idle)
        self._free = anyio.Semaphore(self.size)
        self.restarts = 0

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child,), name=f"advisor-{self.name}", daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    async def call(self, job: Job, *args: Any) -> Any:
        async with self._free:
            worker = self._idle.pop()
            healthy = False
            try:
                # a large paste is pickled and written from a thread: the loop keeps serving
                await anyio.to_thread.run_sync(worker.conn.send, (job, args))
                with anyio.fail_after(self.time_limit):
                    await anyio.wait_readable(worker.conn.fileno())
                reply = worker.conn.recv()
                healthy = True
            except TimeoutError:
                raise JobError(503, f"matching took longer than {self.time_limit:g} s and was stopped; "
                                    "try a smaller part of the log") from None
            except (EOFError, OSError):
                raise JobError(500, "internal error (the matcher process ended)") from None
            finally:
                if healthy:
                    self._idle.append(worker)
                else:  # stopped mid-job, died, or the request was cancelled: replace it
                    worker.kill()
                    self.restarts += 1
                    fresh = self._spawn()
                    self._all = [w for w in self._all if w is not worker] + [fresh]
                    self._idle.append(fresh)
        if reply[0] == "ok":
            return reply[1]
        raise JobError(reply[1], reply[2])

    def close(self) -> None:
        for worker in self._all:
            worker.kill()
        self._idle, self._all = [], []

    def describe(self) -> dict:
        return {"kind": "process", "size": self.size, "restarts": self.restarts,
                "busy": self.size - len(self._idle), "pids": [w.process.pid for w in self._all]}
