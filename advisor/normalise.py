"""Undo what pasting does to a log before anything parses it.

Input arrives as bytes from a file, stdin or an HTTP body. We decode it, refuse what is
not text, and repair the usual damage: CRLF, ANSI colours, Markdown fences, e-mail
quoting, a common indentation, log-collector prefixes (kubectl --timestamps, journald,
docker compose, klog, Go's log package, Kibana exports), JSON-wrapped log lines (Docker's
json-file driver, zap/logrus JSON with a stack field) and lines wrapped by chat tools.

Small inputs get every repair line by line; large inputs (goroutine dumps of tens of
megabytes) only get the whole-text repairs that run at C speed, because a Python loop
over a million lines would blow the one-second budget.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .errors import InputError

MAX_BYTES = 128 * 1024 * 1024  # larger inputs are cut here, and the report says so
SMALL_INPUT = 2 * 1024 * 1024  # below this, line-by-line repairs are affordable

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")

# Prefixes that log collectors put before every line. Each is tried on a sample; the one
# that matches most lines is stripped wherever it matches.
_PREFIXES: list[tuple[str, re.Pattern[str]]] = [
    # kubectl logs --timestamps, containerd/CRI-O (with stream and tag), RFC 3339 in general
    ("rfc3339", re.compile(
        r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
        r"(?: (?:stdout|stderr) [FP])?(?:\s+\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|error|info|warn)\]?)?\s?")),
    # journald / syslog: "Jan 02 03:04:05 host unit[123]: "
    ("journald", re.compile(r"^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \S+ [^\s:]+(?:\[\d+\])?: ")),
    # kubectl logs --prefix: "[pod/name/container] "
    ("kubectl-prefix", re.compile(r"^\[pod/[^\]]+\] ")),
    # docker compose: "service-1  | "
    ("compose", re.compile(r"^[\w.-]+(?:-\d+)?\s+\| ")),
    # klog / glog: "E0102 03:04:05.123456   12345 file.go:12] "
    ("klog", re.compile(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\] ")),
    # Go's log package: "2024/01/02 03:04:05 " or with microseconds
    ("golog", re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? ")),
    # Kibana / Discover exports: "August 3rd 2017, 19:28:27.000 "
    ("kibana", re.compile(r"^[A-Z][a-z]+ \d{1,2}(?:st|nd|rd|th) \d{4}, \d{2}:\d{2}:\d{2}(?:\.\d+)?\s+")),
    # bare clock: "03:04:05.123 "
    ("clock", re.compile(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)? ")),
]
_TRAILING_DASH = re.compile(r"\s+-\s*$")  # Kibana exports end lines with " - "
_QUOTE = re.compile(r"^> ?")
_JSON_LOG_KEYS = ("log", "msg", "message", "error", "err", "stacktrace", "stack", "panic", "MESSAGE")


@dataclass
class Normalised:
    text: str
    original_bytes: int
    notes: list[str] = field(default_factory=list)
    truncated: bool = False


def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text; InputError for binary data or text that is mostly not UTF-8."""
    notes: list[str] = []
    if not data.strip():
        raise InputError("input is empty; paste a Go panic, a goroutine dump, gctrace lines or a symptom")
    sample = data[:65536]
    if b"\x00" in sample:
        # UTF-16 text starts with a BOM; anything else with NULs is binary
        if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16"), ["input was UTF-16; decoded"]
            except UnicodeDecodeError:
                pass
        raise InputError("input looks binary (it contains NUL bytes); pass the text log, not a core file or binary")
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad:
        if bad > max(16, len(text) // 10):
            raise InputError("input is not UTF-8 text (too many invalid bytes); convert it, e.g. iconv -f latin1 -t utf-8")
        notes.append(f"{bad} invalid UTF-8 byte(s) replaced")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, notes


def _json_unwrap(text: str, notes: list[str]) -> str:
    """Logs wrapped in JSON: a whole JSON document, or one JSON object per line."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[\"":
        return text
    try:
        doc = json.loads(stripped)
    except ValueError:
        doc = None
    if doc is not None:
        strings = list(_strings(doc))
        if strings:
            notes.append("unwrapped a JSON document")
            return "\n".join(strings)
        return text
    lines = text.split("\n")
    jsonish = sum(1 for ln in lines[:200] if ln.lstrip().startswith("{"))
    if jsonish < max(1, len([ln for ln in lines[:200] if ln.strip()]) // 2):
        return text
    out: list[str] = []
    for ln in lines:
        s = ln.strip()
        if s.startswith("{"):
            try:
                obj = json.loads(s)
            except ValueError:
                out.append(ln)
                continue
            if isinstance(obj, dict):
                picked = [obj[k] for k in _JSON_LOG_KEYS if isinstance(obj.get(k), str)]
                if picked:
                    # docker json-file keeps the newline inside "log"; zap puts the stack in a field
                    out.append("\n".join(p.rstrip("\n") for p in picked))
                    continue
        out.append(ln)
    notes.append("unwrapped JSON log lines")
    return "\n".join(out)


def _strings(doc: object):
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for v in doc.values():
            yield from _strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _strings(v)


def _strip_prefix(lines: list[str], notes: list[str]) -> list[str]:
    sample = [ln for ln in lines[:400] if ln.strip()]
    if not sample:
        return lines
    best, best_hits = None, 0
    for name, rx in _PREFIXES:
        hits = sum(1 for ln in sample if rx.match(ln))
        if hits > best_hits:
            best, best_hits = (name, rx), hits
    if best is None or best_hits < max(2, len(sample) * 0.4):
        return lines
    name, rx = best
    notes.append(f"stripped '{name}' line prefixes")
    out = [rx.sub("", ln, count=1) for ln in lines]
    if name == "kibana":
        out = [_TRAILING_DASH.sub("", ln) for ln in out]
    return out


def _dequote(lines: list[str], notes: list[str]) -> list[str]:
    nonblank = [ln for ln in lines if ln.strip()]
    if nonblank and sum(1 for ln in nonblank if ln.startswith(">")) >= 0.8 * len(nonblank):
        notes.append("removed e-mail quoting")
        return [_QUOTE.sub("", ln) for ln in lines]
    return lines


def _dedent(lines: list[str]) -> list[str]:
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return lines
    prefix = nonblank[0][: len(nonblank[0]) - len(nonblank[0].lstrip())]
    for ln in nonblank[1:]:
        while prefix and not ln.startswith(prefix):
            prefix = prefix[:-1]
        if not prefix:
            return lines
    n = len(prefix)
    return [ln[n:] if ln.startswith(prefix) else ln.lstrip() for ln in lines]


# A Go frame line cut by a chat tool or e-mail client: the call's '(' is not closed.
_OPEN_CALL = re.compile(r"^\s*[\w./*()\[\]-]+\([^)]*$")


def _unwrap(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if _OPEN_CALL.match(ln) and ln.count("(") > ln.count(")"):
            joined, j = ln, i + 1
            while j < len(lines) and j - i <= 3 and joined.count("(") > joined.count(")"):
                nxt = lines[j].strip()
                if not nxt or nxt.startswith("goroutine ") or ".go:" in nxt:
                    break
                joined += (" " if not joined.endswith(("(", " ")) else "") + nxt
                j += 1
            if joined.count("(") == joined.count(")"):
                out.append(joined)
                i = j
                continue
        out.append(ln)
        i += 1
    return out


def normalise_text(text: str, original_bytes: int | None = None, notes: list[str] | None = None) -> Normalised:
    notes = list(notes or [])
    size = original_bytes if original_bytes is not None else len(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
        notes.append("removed ANSI colour codes")
    text = _json_unwrap(text, notes)
    if len(text) <= SMALL_INPUT:
        lines = text.split("\n")
        lines = [ln for ln in lines if not _FENCE.match(ln)]
        lines = _dequote(lines, notes)
        lines = _strip_prefix(lines, notes)
        lines = _dedent(lines)
        lines = _unwrap(lines)
        text = "\n".join(ln.rstrip() for ln in lines)
    else:
        text = _strip_prefix_fast(text, notes)
    return Normalised(text=text, original_bytes=size, notes=notes)


def _strip_prefix_fast(text: str, notes: list[str]) -> str:
    """For big inputs: detect a prefix on a sample, then strip it with one C-level pass."""
    head = text[:65536].split("\n")
    sample = [ln for ln in head if ln.strip()][:400]
    for name, rx in _PREFIXES:
        hits = sum(1 for ln in sample if rx.match(ln))
        if sample and hits >= max(2, len(sample) * 0.4):
            notes.append(f"stripped '{name}' line prefixes")
            return re.compile(rx.pattern, re.M).sub("", text)
    return text


def normalise_bytes(data: bytes) -> Normalised:
    truncated = False
    size = len(data)
    if size > MAX_BYTES:
        data = data[:MAX_BYTES]
        cut = data.rfind(b"\n")
        data = data[: cut if cut > 0 else MAX_BYTES]
        truncated = True
    text, notes = decode(data)
    if truncated:
        notes.append(f"input is {size / 1e6:.0f} MB; only the first {MAX_BYTES // (1024 * 1024)} MB were read")
    out = normalise_text(text, size, notes)
    out.truncated = truncated
    if not out.text.strip():
        raise InputError("input has no text left after removing formatting; paste the log itself")
    return out
