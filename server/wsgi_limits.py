"""How long and how large a request may be before HallQ's own web server gives up on it, and the
JSON error it answers with, for eventlet's WSGI server and for Werkzeug's (threading mode).

Both servers wrote their own answers to a broken request: eventlet an empty 400 or 414, and the
standard library's handler an HTML page (with no status line at all for a one-word request
line); and neither bounded a request sent a byte at a time. Here every request's bytes are read
against a clock: the idle wait between requests, then the request line and headers together, then
the body, each within its own time, and what is too slow, too long or malformed is answered with
`{"error": {"code", "message"}}` and the connection closed. nginx in front adds its own limits
(docs/deployment.md).

eventlet is imported only by `eventlet_options()`, which `serve` calls after `server.__main__`
has monkey-patched.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from http import HTTPStatus
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from server.web.errors import safe_message


@dataclass(frozen=True)
class Limits:
    # The wait for a request on an open connection (a new one, or kept alive after an answer).
    idle_s: float = 60.0
    # From the first byte of a request to the end of its headers: a client that trickles them (a
    # "slowloris") is answered 408 and let go.
    header_s: float = 10.0
    # From the end of the headers to the end of the body (at most 1 MB, MAX_CONTENT_LENGTH).
    body_s: float = 30.0
    # Any one read or write after that, WebSockets included (they hear a ping every 10 s).
    socket_s: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """HALLQ_IDLE_TIMEOUT_S, HALLQ_HEADER_TIMEOUT_S, HALLQ_BODY_TIMEOUT_S, HALLQ_SOCKET_TIMEOUT_S."""
        given = {f.name: env.get(f"HALLQ_{f.name[:-2].upper()}_TIMEOUT_S") for f in fields(cls)}
        return cls(**{name: float(value) for name, value in given.items() if value})


# eventlet's own default, which nginx's large_client_header_buffers (4 x 8 KB) also fits.
MAX_REQUEST_LINE = 8192

MESSAGES = {
    400: "请求格式错误 / The request is malformed",
    408: "请求发送太慢，连接已关闭 / The request was sent too slowly; the connection is closed",
    414: "请求地址过长 / The request line is too long",
    431: "请求头过大 / The request headers are too large",
    501: "不支持该请求方法 / This request method is not supported",
    505: "不支持该 HTTP 版本 / This HTTP version is not supported",
}


def json_error_bytes(status: int, detail: str | None = None) -> bytes:
    """A whole HTTP/1.1 response carrying the JSON error, closing the connection."""
    phrase = HTTPStatus(status).phrase
    code = "".join(c if c.isalnum() else "_" for c in phrase.lower())
    message = MESSAGES.get(status, phrase)
    zh = message.split(" / ", 1)[0] if " / " in message else "请求未被接受"
    if detail:
        message = f"{message}: {detail}"
    error = {"code": code, "message": safe_message(message), "message_zh": zh}
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Clock(io.RawIOBase):
    """The connection's reading end: every read waits at most until the current deadline (or the
    idle time when there is none), so a request cannot stretch its phase by sending slowly."""

    def __init__(self, sock: socket.socket, limits: Limits, on_timeout: Callable[[], None]) -> None:
        super().__init__()
        self.sock = sock
        self.limits = limits
        self.deadline: float | None = None
        self._on_timeout = on_timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wait = self.limits.idle_s if self.deadline is None else self.deadline - time.monotonic()
        if wait <= 0:
            self._on_timeout()
            raise TimeoutError("the request was sent too slowly")
        self.sock.settimeout(min(wait, self.limits.socket_s))
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            self._on_timeout()
            raise
        finally:
            # What reads the socket itself (a WebSocket) waits by the socket's own time.
            self.sock.settimeout(self.limits.socket_s)


class _Limits:
    """What both servers' handlers share; mixed into each one's request handler class."""

    limits = Limits()
    rfile: Any  # a BufferedReader over the clock (the base classes type it as their own stream)
    wfile: Any
    connection: socket.socket
    close_connection: bool
    raw_requestline: bytes

    def _use_clock(self) -> None:
        self.clock = Clock(self.connection, self.limits, self._timed_out)
        self.rfile = io.BufferedReader(self.clock, 16 << 10)

    def _timed_out(self) -> None:
        self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's error page, as JSON (and with a status line, which it leaves out
        for a one-word request line)."""
        self._answer(int(code), message)

    def _answer(self, status: int, detail: str | None = None) -> None:
        self.close_connection = True
        try:
            self.wfile.write(json_error_bytes(status, detail))
            self.wfile.flush()
        except OSError:  # the client is gone: nothing to tell it
            pass

    def _read_request_line(self) -> bytes:
        """The next request line: the idle wait first, then `header_s` for the line and the headers
        together. b"" closes the connection, quietly when no request began."""
        self.clock.deadline = None
        try:
            if not self.rfile.peek(1):
                return b""
        except OSError:  # idle too long, or reset: no request to answer
            return b""
        self.clock.deadline = time.monotonic() + self.limits.header_s
        try:
            line = self.rfile.readline(MAX_REQUEST_LINE + 1)
        except TimeoutError:
            self._answer(408)
            return b""
        except OSError:
            return b""
        if len(line) > MAX_REQUEST_LINE:
            self._answer(414, f"at most {MAX_REQUEST_LINE} bytes")
            return b""
        return line

    def _check_framing(self) -> bool:
        """After the headers: the body's framing is sound, and its clock starts."""
        headers = self.headers  # type: ignore[attr-defined]
        length = headers.get("Content-Length")
        if length is not None:
            if not length.strip().isdigit():
                self._answer(400, "Content-Length must be a whole number of bytes")
                return False
            if headers.get("Transfer-Encoding") is not None:
                self._answer(400, "Content-Length and Transfer-Encoding are not allowed together")
                return False
        self.clock.deadline = time.monotonic() + self.limits.body_s
        return True


class JsonWSGIRequestHandler(_Limits, WSGIRequestHandler):
    """Werkzeug's handler (threading mode) with the limits above."""

    def setup(self) -> None:
        super().setup()
        self._use_clock()

    def handle_one_request(self) -> None:
        # The standard library's, reading the line against the clock and with the limits above.
        self.raw_requestline = self._read_request_line()
        if not self.raw_requestline:
            self.close_connection = True
            return
        try:
            if not self.parse_request() or not self._check_framing():
                return
        except TimeoutError:
            self._answer(408)
            return
        try:
            getattr(self, "do_" + self.command)()
            self.wfile.flush()
        except TimeoutError:  # a write to a client that stopped reading
            self.close_connection = True


def eventlet_options(limits: Limits) -> dict[str, Any]:
    """Keyword arguments for `eventlet.wsgi.server` (through `SocketIO.run`)."""
    from eventlet import wsgi

    class JsonHttpProtocol(_Limits, wsgi.HttpProtocol):
        """eventlet's protocol with the limits above: its empty 400s and 414 become the JSON
        error, and a request is read against the clock."""

        def setup(self) -> None:
            super().setup()
            self._use_clock()

        def _read_request_line(self) -> bytes:
            if self.rfile.closed:
                self.close_connection = True
                return b""
            return _Limits._read_request_line(self)

        def parse_request(self) -> bool:
            try:
                return super().parse_request() and self._check_framing()
            except TimeoutError:
                self._answer(408)
            except (wsgi.HeaderLineTooLong, wsgi.HeadersTooLarge):
                self._answer(431)
            return False

    JsonHttpProtocol.limits = limits
    return {
        "protocol": JsonHttpProtocol,
        "url_length_limit": MAX_REQUEST_LINE + 2,  # ours answers first, in JSON
        "socket_timeout": limits.socket_s,
    }


def server_options(async_mode: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What `serve` passes to `SocketIO.run` for the limits, by async mode."""
    limits = Limits.from_env(os.environ if env is None else env)
    if async_mode == "eventlet":
        return eventlet_options(limits)
    if async_mode == "threading":
        return {"request_handler": type("JsonWSGIRequestHandler", (JsonWSGIRequestHandler,), {"limits": limits})}
    return {}
