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
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import InputError
from .regex import linear

MAX_BYTES = 128 * 1024 * 1024  # larger inputs are cut here, and the report says so
SMALL_INPUT = 2 * 1024 * 1024  # below this, line-by-line repairs are affordable

# CSI sequences, and OSC sequences ended by BEL or ST. An OSC stops at the next ESC or
# line end: "[^\x07]*\x07" rescanned the rest of the text from every unterminated one.
_ANSI = linear(re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)"))
_FENCE = linear(re.compile(r"^\s*(```|~~~)[\w+-]*\s*$"), use="match")

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
for _name, _rx in _PREFIXES:
    linear(_rx, use="match")
# The same, anchored at every line: big inputs are stripped in one pass over the text.
_PREFIXES_MULTILINE = {name: linear(rx.pattern, re.M) for name, rx in _PREFIXES}
_QUOTE = linear(re.compile(r"^> ?"), use="match")
_JSON_LOG_KEYS = ("log", "msg", "message", "error", "err", "stacktrace", "stack", "panic", "MESSAGE")


@dataclass
class Normalised:
    text: str
    original_bytes: int
    notes: list[str] = field(default_factory=list)
    truncated: bool = False


# Byte-order marks, longest first: a UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"))


def _wide_encoding(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte-order mark (PowerShell's `>` writes UTF-16LE): mostly
    ASCII text, so the zero bytes sit at fixed positions of each 2- or 4-byte unit."""
    n = len(sample) // 4 * 4
    if n < 16:
        return None
    units = n // 4
    zeros = [sample[i:n:4].count(0) for i in range(4)]
    hi, lo = 0.9 * units, 0.1 * units
    if zeros[0] < lo and min(zeros[1:]) > hi:
        return "utf-32-le"
    if zeros[3] < lo and min(zeros[:3]) > hi:
        return "utf-32-be"
    even, odd = zeros[0] + zeros[2], zeros[1] + zeros[3]
    if even < 0.1 * 2 * units and odd > 0.6 * 2 * units:
        return "utf-16-le"
    if odd < 0.1 * 2 * units and even > 0.6 * 2 * units:
        return "utf-16-be"
    return None


def _decode_as(data: bytes, encoding: str, bom: int) -> tuple[str, int]:
    text = data[bom:].decode(encoding, errors="replace")
    return text, text.count("\ufffd")


def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text; InputError for binary data or text that is mostly not text.

    UTF-8 (with or without a BOM), and UTF-16 or UTF-32 with a BOM or recognised by
    where their zero bytes fall; any other input holding NUL bytes is binary.
    """
    notes: list[str] = []
    if not data.strip():
        raise InputError("input is empty; paste a Go panic, a goroutine dump, gctrace lines or a symptom")
    sample = data[:65536]
    encoding, bom = "utf-8", 0
    for mark, name in _BOMS:
        if sample.startswith(mark):
            encoding, bom = name, len(mark)
            break
    else:
        if b"\x00" in sample:
            wide = _wide_encoding(sample)
            if wide is None:
                raise InputError("input looks binary (it contains NUL bytes); pass the text log, "
                                 "not a core file or binary")
            encoding = wide
    text, bad = _decode_as(data, encoding, bom)
    if encoding != "utf-8":
        notes.append(f"input was {encoding.upper()}; decoded")
        if "\x00" in text[:65536]:
            raise InputError("input looks binary (it contains NUL characters); pass the text log")
    if bad:
        if bad > max(16, len(text) // 10):
            raise InputError(f"input is not {encoding.upper()} text (too many invalid bytes); convert it, "
                             "e.g. iconv -f latin1 -t utf-8")
        notes.append(f"{bad} invalid {encoding.upper()} byte(s) replaced")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, notes


def _loads(text: str) -> object:
    """json.loads for untrusted text: None for anything that is not JSON. The C decoder
    raises RecursionError (not a crash) on 100,000 nested brackets: not JSON for us."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _json_unwrap(text: str, notes: list[str]) -> str:
    """Logs wrapped in JSON: a whole JSON document, or one JSON object per line."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[\"":
        return text
    doc = _loads(stripped)
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
        obj = _loads(s) if s.startswith("{") else None
        if isinstance(obj, dict):
            picked = [obj[k] for k in _JSON_LOG_KEYS if isinstance(obj.get(k), str)]
            if picked:
                # docker json-file keeps the newline inside "log"; zap puts the stack in a field
                out.append("\n".join(p.rstrip("\n") for p in picked))
                continue
        out.append(ln)
    notes.append("unwrapped JSON log lines")
    return "\n".join(out)


def _strings(doc: object) -> Iterator[str]:
    """Every string in a JSON document, in document order (iteratively: no recursion limit)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


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
        out = [_strip_trailing_dash(ln) for ln in out]
    return out


def _strip_trailing_dash(line: str) -> str:
    """Kibana exports end lines with " - ". (A regex "\\s+-\\s*$" was quadratic on spaces.)"""
    body = line.rstrip()
    if body.endswith("-") and body[:-1] != body[:-1].rstrip():
        return body[:-1].rstrip()
    return line


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
        if not ln.startswith(prefix):
            # common prefix in one pass (shrinking it a character at a time was quadratic)
            prefix = os.path.commonprefix([prefix, ln])
        if not prefix:
            return lines
    n = len(prefix)
    return [ln[n:] if ln.startswith(prefix) else ln.lstrip() for ln in lines]


# A Go frame line cut by a chat tool or e-mail client: the call's '(' is not closed.
# Was the regex "^\s*[\w./*()\[\]-]+\([^)]*$", whose name part can also eat '(': a line
# of 60,000 '(' took 10 s. The same test in linear time: the first '(' after the last ')'
# (not the first character) ends a name made only of those characters.
_CALL_NAME = linear(re.compile(r"[\w./*()\[\]-]+"), use="match")


def _is_open_call(line: str) -> bool:
    s = line.lstrip()
    p = s.find("(", max(1, s.rfind(")") + 1))
    return p > 0 and _CALL_NAME.fullmatch(s, 0, p) is not None



def _balance(line: str) -> int:
    return line.count("(") - line.count(")") if "(" in line or ")" in line else 0


def _unwrap(lines: list[str]) -> list[str]:
    """Rejoin a frame line cut inside its argument list with the (up to 3) lines that
    close it. Each line's parenthesis balance is counted once, not again per join."""
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        bal = _balance(ln)
        if bal > 0 and _is_open_call(ln):
            joined, j = ln, i + 1
            while j < n and j - i <= 3 and bal > 0:
                nxt = lines[j].strip()
                if not nxt or nxt.startswith("goroutine ") or ".go:" in nxt:
                    break
                joined += (" " if not joined.endswith(("(", " ")) else "") + nxt
                bal += _balance(nxt)
                j += 1
            if bal == 0:
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
        if "```" in text or "~~~" in text:
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
            return _PREFIXES_MULTILINE[name].sub("", text)
    return text


def _size(n: int) -> str:
    if n >= 2**30:
        return f"{n / 2**30:.1f} GB"
    if n >= 2**20:
        return f"{n / 2**20:.0f} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def normalise_bytes(data: bytes, size: int | None = None) -> Normalised:
    """Decode and repair one input. `size` is the whole input's size when the caller read
    only a part of it (at most MAX_BYTES + 1 bytes are ever needed); the note then says
    how much there was, not how much was read."""
    read = len(data)
    truncated = read > MAX_BYTES or (size is not None and size > read)
    if read > MAX_BYTES:
        data = data[:MAX_BYTES]
        cut = data.rfind(b"\n")
        data = data[: cut if cut > 0 else MAX_BYTES]
    text, notes = decode(data)
    total = size if size is not None and size >= read else read
    if truncated:
        whole = _size(total) if size is not None else f"larger than {_size(MAX_BYTES)}"
        notes.append(f"input is {whole}; only the first {_size(len(data))} were read")
    out = normalise_text(text, total, notes)
    out.truncated = truncated
    if not out.text.strip():
        raise InputError("input has no text left after removing formatting; paste the log itself")
    return out
