"""Slash commands: `/goadvisor <pasted panic>` in Slack or Mattermost, answered by `advisor serve`.

    POST /slack/command   application/x-www-form-urlencoded, as Slack and Mattermost send it

Authentication, before anything is parsed or matched:
- Slack: X-Slack-Signature must be `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`
  with the app's signing secret ($SLACK_SIGNING_SECRET), compared in constant time;
  X-Slack-Request-Timestamp must be within 5 minutes of now, and a signature already seen in
  that window is refused (a captured request cannot be replayed).
- Mattermost (no signatures): the command's token ($ADVISOR_MATTERMOST_TOKEN), from the
  `Authorization: Token ...` header or the `token` field, compared in constant time.
Neither configured: 503. Anything else unauthenticated: 401. Bodies above 128 KB: 413.

The answer comes within Slack's 3-second window (the matcher gets 2.5 s of it): the top
matches with their confidence, the first fix and the runbook links, as Block Kit for Slack and
Markdown text for Mattermost, visible only to the person who asked (pastes hold secrets).
Slack cannot carry a whole dump in a command: a paste that looks cut off, or a file link,
gets told how to send the whole text (`curl --data-binary @dump.txt .../match`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from .match import MatchResult
    from .serve import Service

SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"
MATTERMOST_TOKEN_ENV = "ADVISOR_MATTERMOST_TOKEN"
REPLAY_WINDOW = 300  # seconds, Slack's recommendation
MAX_BODY = 128 * 1024
ANSWER_BUDGET = 2.5  # seconds of Slack's 3 for matching
TOP = 3


# --------------------------------------------------------------------------- authentication


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v0=" + mac.hexdigest()


class ReplayGuard:
    """Signatures seen within the replay window (bounded; the oldest are forgotten first)."""

    def __init__(self, window: int = REPLAY_WINDOW, capacity: int = 100_000) -> None:
        self.window, self.capacity = window, capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str, now: float) -> bool:
        while self._seen and (next(iter(self._seen.values())) < now - self.window
                              or len(self._seen) >= self.capacity):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True


@dataclass
class Verdict:
    platform: str | None  # "slack", "mattermost", or None when refused
    status: int = 200
    message: str = ""


class Verifier:
    def __init__(self, slack_secret: str | None, mattermost_token: str | None,
                 clock=time.time) -> None:
        self.slack_secret = slack_secret or None
        self.mattermost_token = mattermost_token or None
        self.clock = clock
        self.replays = ReplayGuard()

    @classmethod
    def from_env(cls) -> Verifier:
        return cls(os.environ.get(SIGNING_SECRET_ENV), os.environ.get(MATTERMOST_TOKEN_ENV))

    def check(self, headers: Any, body: bytes) -> Verdict:
        if not (self.slack_secret or self.mattermost_token):
            return Verdict(None, 503, f"slash commands are not configured: set {SIGNING_SECRET_ENV} "
                                      f"(Slack) or {MATTERMOST_TOKEN_ENV} (Mattermost)")
        signature = headers.get("x-slack-signature")
        if signature is not None or self.mattermost_token is None:
            return self._slack(headers, body, signature)
        return self._mattermost(headers, body)

    def _slack(self, headers: Any, body: bytes, signature: str | None) -> Verdict:
        stamp = headers.get("x-slack-request-timestamp", "")
        if not self.slack_secret or not signature or not stamp.isdigit():
            return Verdict(None, 401, "unsigned request")
        now = self.clock()
        if abs(now - int(stamp)) > REPLAY_WINDOW:
            return Verdict(None, 401, "stale request: timestamp outside the 5-minute window")
        expected = slack_signature(self.slack_secret, stamp, body)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return Verdict(None, 401, "bad signature")
        if not self.replays.first_time(signature, now):
            return Verdict(None, 401, "replayed request")
        return Verdict("slack")

    def _mattermost(self, headers: Any, body: bytes) -> Verdict:
        auth = headers.get("authorization", "")
        token = auth[6:].strip() if auth.lower().startswith("token ") else \
            (parse_qs(body.decode("utf-8", "replace"), max_num_fields=64).get("token") or [""])[0]
        if not token or not hmac.compare_digest(token.encode(), self.mattermost_token.encode()):
            return Verdict(None, 401, "unauthenticated request")
        return Verdict("mattermost")


# --------------------------------------------------------------------------- the answer


def _mrkdwn(text: str) -> str:
    """Slack mrkdwn escaping: the three characters it gives meaning to."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md(text: str) -> str:
    """Mattermost Markdown: neutralise the characters that make links, emphasis or code."""
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def looks_cut(text: str, limit: int = MAX_BODY) -> bool:
    """True when the paste seems truncated: it stops on a stack frame's function line with no
    file:line after it, or it fills what a command can carry."""
    lines = [ln for ln in text.rstrip("\n").splitlines() if ln.strip()]
    if not lines:
        return False
    last = lines[-1]
    mid_frame = last.endswith(")") and not last.startswith(("\t", " ")) and "(" in last and \
        len(lines) > 1 and lines[-2].startswith(("\t", " ")) and ".go:" in lines[-2]
    return mid_frame or len(text.encode()) >= limit - 1024


def _is_link_only(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 3 and any(w.strip("<>").startswith(("http://", "https://")) for w in words)


HOW_TO_SEND = ("For a whole dump, send the file to the advisor's HTTP endpoint: "
               "`curl --data-binary @dump.txt <advisor-url>/match`, or run `advisor match dump.txt`.")


def _notes(text: str, result: MatchResult | None) -> list[str]:
    notes = []
    if result is None:
        notes.append("I do not open links or files (the advisor never reaches other hosts). "
                     "Paste the text itself after the command. " + HOW_TO_SEND)
    elif looks_cut(text):
        notes.append("The paste looks cut off (Slack carries only what fits in a message); "
                     "matches may miss what came after. " + HOW_TO_SEND)
    return notes


def slack_blocks(text: str, result: MatchResult | None) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    fallback = "Go failure advisor"
    if result is not None and result.matches:
        top = result.matches[:TOP]
        fallback = "; ".join(f"{m.id} ({m.confidence})" for m in top)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(
            f"{len(top)} failure mode(s) for your paste ({result.bytes:,} bytes, "
            f"{', '.join(result.kinds) or 'text'}):")}})
        for m in top:
            body = (f"*<{m.url}|{_mrkdwn(m.title)}>*  `{m.id}`\n"
                    f"*{m.confidence}* confidence (score {m.score:.2f})"
                    + (f" · from the {_mrkdwn(m.kb)} KB" if m.kb != "shipped" else "") + "\n"
                    f"First fix: {_mrkdwn(m.first_fix)}\n"
                    f"Runbook: <{m.url}#now|what to do now> · <{m.url}#diagnosis|how to confirm>")
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:2900]}})
            if m.evidence:
                ev = m.evidence[0]
                where = f"line {ev.line}: " if ev.line else ""
                blocks.append({"type": "context", "elements": [
                    {"type": "mrkdwn", "text": _mrkdwn(f"{where}{ev.text}")[:2900]}]})
    elif result is not None:
        reason = ("This does not look like output of a Go program."
                  if result.abstain_reason == "not-go-output"
                  else "No failure mode matched with enough confidence.")
        fallback = reason
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": reason}})
    for note in _notes(text, result):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(note)}]})
    return {"response_type": "ephemeral", "text": fallback, "blocks": blocks}


def mattermost_text(text: str, result: MatchResult | None) -> dict[str, Any]:
    lines: list[str] = []
    if result is not None and result.matches:
        for m in result.matches[:TOP]:
            lines.append(f"**[{_md(m.title)}]({m.url})** `{m.id}` — **{m.confidence}** "
                         f"confidence ({m.score:.2f})")
            lines.append(f"First fix: {_md(m.first_fix)} · [what to do now]({m.url}#now)")
    elif result is not None:
        lines.append("This does not look like output of a Go program."
                     if result.abstain_reason == "not-go-output"
                     else "No failure mode matched with enough confidence.")
    lines += [f"_{_md(n)}_" for n in _notes(text, result)]
    return {"response_type": "ephemeral", "text": "\n".join(lines)}


USAGE = ("Paste a panic, a goroutine dump, gctrace lines or a sentence after the command, "
         "e.g. `/goadvisor fatal error: concurrent map writes`.")


# --------------------------------------------------------------------------- the endpoint


class SlashCommands:
    def __init__(self, service: Service, verifier: Verifier | None = None) -> None:
        self.service = service
        self.verifier = verifier or Verifier.from_env()

    async def handle(self, request: Request) -> Response:
        # the service's body limits: MAX_BODY, the body timeout, the count of arriving bodies
        body = await self.service.read_body(request, MAX_BODY)
        verdict = self.verifier.check(request.headers, body)
        if verdict.platform is None:
            return JSONResponse({"error": verdict.message}, verdict.status)
        form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=64, keep_blank_values=True)
        text = (form.get("text") or [""])[0]
        render = slack_blocks if verdict.platform == "slack" else mattermost_text
        if not text.strip():
            return JSONResponse({"response_type": "ephemeral", "text": USAGE})
        result = None if _is_link_only(text) else await self._match(text)
        if result == "busy":
            return JSONResponse({"response_type": "ephemeral", "text": "The advisor is busy; try again "
                                 "in a moment. " + HOW_TO_SEND})
        return JSONResponse(render(text, result))

    async def _match(self, text: str):
        from .workers import JobError, match_result

        data = text.encode("utf-8", "surrogatepass")
        with anyio.move_on_after(ANSWER_BUDGET):
            try:  # in a matcher worker, like /match (a worker still busy at the deadline is replaced)
                return await self.service.run_job(match_result, data, TOP, size=len(data))
            except JobError:
                return "busy"
        return "busy"


def route(service: Service) -> Route:
    """The route `advisor serve` registers (advisor/serve.py)."""
    return Route("/slack/command", SlashCommands(service).handle, methods=["POST"])


def routes(service: Service) -> list[Route]:
    """For serve.ROUTE_MODULES."""
    return [route(service)]
