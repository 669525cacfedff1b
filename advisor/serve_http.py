"""uvicorn's HTTP/1.1 protocol, with the two limits it lacks and its refusals in our shape.

- Connections are bounded here, not with uvicorn's `limit_concurrency`, whose 503 is plain
  text without Retry-After or security headers: beyond `max_connections` a connection's
  request is answered with a JSON 503 (and the connection closed) instead of reaching
  the app.
- uvicorn has no limit on the time a request's headers take (its idle timer is armed
  only after a response, and any byte received disarms it), so a client that opens a
  connection and sends a header line now and then holds it forever (and, with the
  connection limit, could hold all of them). Here every connection must complete its
  request line and headers within `header_timeout` seconds of opening, or of its
  previous response.
- uvicorn's 400 for an unparsable request is plain text: here it is the JSON shape too.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def _busy_app(headers: dict[str, str]):
    """The ASGI app an over-the-limit connection gets instead of ours: a JSON 503."""
    body = json.dumps({"error": "busy: too many connections; retry shortly"}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close"), (b"retry-after", b"1"),
           *[(k.lower().encode(), v.encode()) for k, v in headers.items()]]

    async def busy(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return busy


def protocol_class(max_connections: int, header_timeout: float, headers: dict[str, str]) -> type[H11Protocol]:
    """An H11Protocol subclass with these limits (uvicorn instantiates it per connection)."""
    busy = _busy_app(headers)

    class AdvisorH11Protocol(H11Protocol):
        _header_timer = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                # read its request as usual (closing first would reset the connection
                # before the client reads the answer), then answer 503 and close
                self.app = busy
            self._arm_header_timer()

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            # still no complete request line and headers (h11 waits in IDLE until then);
            # a request whose body is arriving or being answered is never cut here
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.timeout_keep_alive_handler()

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request began: its headers are complete
                self._cancel_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()  # the next request on this connection gets the same limit

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def send_400_response(self, msg: str) -> None:
            event = h11.Response(status_code=400, reason=b"Bad Request", headers=[
                (b"content-type", b"application/json"), (b"connection", b"close"),
                *[(k.lower().encode(), v.encode()) for k, v in headers.items()]])
            for ev in (event, h11.Data(data=json.dumps({"error": f"bad request: {msg}"}).encode()),
                       h11.EndOfMessage()):
                self.transport.write(self.conn.send(ev))
            self.transport.close()

    return AdvisorH11Protocol
