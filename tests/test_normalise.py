"""Pasting damage is repaired: the facts of a damaged paste equal those of the clean output."""

from __future__ import annotations

import json

import pytest

from advisor.errors import InputError
from advisor.evaluate import strip_header
from advisor.normalise import normalise_bytes
from advisor.parse import parse

from .conftest import FIXTURES

CLEAN = strip_header((FIXTURES / "formats" / "go1.27-tb-all.log").read_bytes()).decode()


def summary(text: str):
    f = parse(normalise_bytes(text.encode()).text)
    return f.panic[1] if f.panic else None, f.goroutines, sorted((b.state, b.count) for b in f.buckets)


EXPECTED = summary(CLEAN)


def _lines(fn):
    return "\n".join(fn(i, ln) for i, ln in enumerate(CLEAN.split("\n")))


DAMAGE = {
    "crlf": lambda: CLEAN.replace("\n", "\r\n"),
    "ansi": lambda: _lines(lambda i, ln: f"\x1b[31m{ln}\x1b[0m" if ln.startswith("panic") else f"\x1b[2m{ln}\x1b[0m"),
    "kubectl-timestamps": lambda: _lines(lambda i, ln: f"2026-11-27T03:04:{i % 60:02d}.123456789Z {ln}"),
    "cri-stream-tag": lambda: _lines(lambda i, ln: f"2026-11-27T03:04:05.000000001+00:00 stderr F {ln}"),
    "journald": lambda: _lines(lambda i, ln: f"Nov 27 03:04:05 node-3 payments[4121]: {ln}"),
    "compose": lambda: _lines(lambda i, ln: f"api-1  | {ln}"),
    "markdown-fence": lambda: "Here is the crash:\n\n```go\n" + CLEAN + "\n```\n",
    "email-quote": lambda: _lines(lambda i, ln: f"> {ln}"),
    "indented": lambda: _lines(lambda i, ln: f"    {ln}"),
    "docker-json": lambda: "\n".join(
        json.dumps({"log": ln + "\n", "stream": "stderr", "time": "2026-11-27T03:04:05Z"})
        for ln in CLEAN.split("\n")),
    "json-document": lambda: json.dumps({"level": "fatal", "stack": CLEAN}),
    "zap-json-lines": lambda: json.dumps({"level": "error", "msg": "worker crashed", "stacktrace": CLEAN}),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_paste_gives_the_same_facts(name):
    assert summary(DAMAGE[name]()) == EXPECTED


def test_frame_wrapped_by_a_chat_tool_is_rejoined():
    wrapped = CLEAN.replace("main.crash(0x0?, {", "main.crash(0x0?,\n{", 1)
    assert summary(wrapped) == EXPECTED


@pytest.mark.parametrize("data, message", [
    (b"", "input is empty"),
    (b"   \n\t\n", "input is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, "input looks binary"),
    (bytes(range(128, 256)) * 50, "not UTF-8 text"),
    (b"```\n```\n", "no text left"),
])
def test_unusable_input_is_refused_with_a_reason(data, message):
    with pytest.raises(InputError) as exc:
        normalise_bytes(data)
    assert message in str(exc.value)


def test_a_few_invalid_bytes_are_replaced_and_noted():
    data = CLEAN.encode().replace(b"boom", b"bo\xffom", 1)
    n = normalise_bytes(data)
    assert any("invalid UTF-8" in note for note in n.notes)
    assert parse(n.text).panic[1] == "bo\ufffdom: something went wrong"
