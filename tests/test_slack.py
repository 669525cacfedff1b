"""Slash commands (advisor/slack.py): Slack's signing scheme, the replay window, Block Kit
answers, Mattermost's token, and the limits, against the real server over HTTP.

Request bodies are the form Slack posts (tests/fixtures/slack/slash-command.form, with the
pasted text put in), signed here with a test secret and the current time, as Slack signs them.
The signature function itself is checked against the worked example in Slack's documentation.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from advisor.slack import ReplayGuard, Verifier, looks_cut, slack_blocks, slack_signature

from .conftest import FIXTURES, KB
from .test_serve import Server, serving

SECRET = "8f742231b10e8888abcd99yyyzzz85a5-test"
MM_TOKEN = "mm-token-xyzzy-42"
FORM = (FIXTURES / "slack" / "slash-command.form").read_text().strip()
TEN_KB = KB / "failure-modes" / "stack-overflow-infinite-recursion" / "samples" / "repro-go1.27.3.log"


def body_with(text: str) -> bytes:
    fields = dict(pair.split("=", 1) for pair in FORM.split("&"))
    fields["text"] = text
    return urlencode(fields).encode()


def signed(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": slack_signature(secret, stamp, body)}


# ------------------------------------------------------------------ without a server


def test_signature_matches_slacks_documented_example():
    # The worked example of Slack's "Verifying requests from Slack" page.
    body = (FIXTURES / "slack" / "documented-example.form").read_bytes().strip()
    assert slack_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == \
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_verifier_refuses_stale_replayed_and_wrongly_signed():
    now = 1_800_000_000.0
    v = Verifier(SECRET, None, clock=lambda: now)
    body = body_with("fatal error: concurrent map writes")
    fresh = {k.lower(): val for k, val in signed(body, at=now - 10).items()}
    assert v.check(fresh, body).platform == "slack"
    assert v.check(fresh, body).message == "replayed request"
    stale = {k.lower(): val for k, val in signed(body, at=now - 301).items()}
    assert v.check(stale, body).message.startswith("stale request")
    wrong = {k.lower(): val for k, val in signed(body, secret="not-the-secret", at=now).items()}
    assert v.check(wrong, body).message == "bad signature"
    assert v.check({"x-slack-signature": wrong["x-slack-signature"]}, body).status == 401
    assert Verifier(None, None).check({}, body).status == 503


def test_replay_guard_forgets_after_the_window():
    g = ReplayGuard(window=300)
    assert g.first_time("a", 1000) and not g.first_time("a", 1200)
    assert g.first_time("a", 1301)


def test_entry_text_is_escaped_in_blocks():
    from advisor import Advisor

    result = Advisor.load(mode="rules").match("fatal error: concurrent map writes")
    result.matches[0].title = "<!channel> & <https://evil.example|click>"
    text = json.dumps(slack_blocks("x", result))
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text


def test_cut_pastes_are_recognised():
    dump = TEN_KB.read_text()
    assert not looks_cut(dump)
    lines = dump.splitlines()
    frame = next(i for i in range(len(lines) - 1, 0, -1)
                 if lines[i].startswith("\t") and lines[i - 1].endswith(")"))
    assert looks_cut("\n".join(lines[:frame]))


# ------------------------------------------------------------------ the real server


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with _env(SLACK_SIGNING_SECRET=SECRET, ADVISOR_MATTERMOST_TOKEN=MM_TOKEN), serving() as s:
        yield s  # the default hybrid mode: what a team runs


def post(server: Server, body: bytes, headers: dict[str, str]):
    status, _, raw = server.request("POST", "/slack/command", body, headers)
    return status, json.loads(raw)


@pytest.mark.slow
@pytest.mark.model
def test_a_signed_10kb_paste_gets_block_kit_matches(server: Server):
    text = TEN_KB.read_text()
    assert 9_000 < len(text.encode()) < 14_000
    body = body_with(text)
    status, answer = post(server, body, signed(body))
    assert status == 200, answer
    assert answer["response_type"] == "ephemeral"
    blocks = answer["blocks"]
    first = next(b for b in blocks if b["type"] == "section" and "`stack-overflow-infinite-recursion`" in b["text"]["text"])
    assert "confidence" in first["text"]["text"] and "First fix:" in first["text"]["text"]
    assert "/failure-modes/stack-overflow-infinite-recursion/#now|what to do now>" in first["text"]["text"]
    assert answer["text"].startswith("stack-overflow-infinite-recursion")


@pytest.mark.slow
@pytest.mark.model
def test_wrong_secret_unsigned_replayed_and_stale_are_refused(server: Server):
    body = body_with("panic: assignment to entry in nil map")
    assert post(server, body, signed(body, secret="wrong"))[0] == 401
    assert post(server, body, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 401
    headers = signed(body)
    assert post(server, body, headers)[0] == 200
    status, answer = post(server, body, headers)
    assert (status, answer["error"]) == (401, "replayed request")
    old = signed(body, at=time.time() - 600)
    assert post(server, body, old) == (401, {"error": "stale request: timestamp outside the 5-minute window"})


@pytest.mark.slow
@pytest.mark.model
def test_oversized_body_is_413_before_verification(server: Server):
    body = body_with("x" * 200_000)
    status, answer = post(server, body, signed(body))
    assert status == 413 and "128 KB" in answer["error"]


@pytest.mark.slow
@pytest.mark.model
def test_mattermost_token_and_markdown_answer(server: Server):
    body = body_with("fatal error: all goroutines are asleep - deadlock!").replace(
        b"token=", b"token=" + MM_TOKEN.encode() + b"&x=", 1)
    status, answer = post(server, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, answer
    assert "blocks" not in answer
    assert "all-goroutines-asleep-deadlock" in answer["text"] and "/failure-modes/" in answer["text"]
    status, _ = post(server, body_with("x"), {"Content-Type": "application/x-www-form-urlencoded",
                                               "Authorization": "Token wrong"})
    assert status == 401


@pytest.mark.slow
@pytest.mark.model
def test_links_and_cut_pastes_say_how_to_send_the_whole_text(server: Server):
    body = body_with("https://files.slack.com/files-pri/T1-F2/dump.txt")
    status, answer = post(server, body, signed(body))
    assert status == 200
    assert "I do not open links" in json.dumps(answer) and "curl --data-binary @dump.txt" in json.dumps(answer)
    lines = TEN_KB.read_text().splitlines()
    cut = "\n".join(lines[: next(i for i in range(len(lines) - 1, 0, -1)
                                 if lines[i].startswith("\t") and lines[i - 1].endswith(")"))])
    body = body_with(cut)
    status, answer = post(server, body, signed(body))
    assert status == 200 and "looks cut off" in json.dumps(answer)


def test_fixture_is_slacks_form(tmp_path: Path):
    fields = dict(pair.split("=", 1) for pair in FORM.split("&"))
    assert {"token", "team_id", "channel_id", "user_id", "command", "text", "response_url",
            "trigger_id"} <= set(fields)
