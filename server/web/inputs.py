"""Text no database stores, turned away at the door.

PostgreSQL refuses a NUL in text, and neither driver can encode a lone surrogate (JSON may carry
one as "\\ud800"); each reached the database from a dozen places and came back as a 500. One
check of every request's path, query and JSON strings, and of every Socket.IO event's data, makes
them a 404 (in a path: nothing there can exist) or a 400, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import request
from flask_socketio import SocketIO
from werkzeug.exceptions import ClientDisconnected

from .errors import ApiError, excerpt, safe_message

REFUSED = re.compile("[\x00\ud800-\udfff]")
WHAT = "a NUL character or a lone surrogate, which no text here may hold"
ZH = "含有不允许的字符（NUL 或孤立的代理码位）"


def refused_at(value: Any) -> str | None:
    """Where in `value` (a JSON value) a string, or an object's key, holds a refused character;
    walked without recursion, however deep the client nested it."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if REFUSED.search(item):
                return where
        elif isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str) and REFUSED.search(key):
                    return f"{where} (a key)"
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{i}]") for i, inner in enumerate(item))
    return None


def check_request() -> None:
    """A Flask `before_request` hook: runs before routing's own 404 and 405 are raised."""
    if REFUSED.search(request.path):
        raise ApiError(404, "not_found", f"地址{ZH} / nothing is at {excerpt(request.path)}: the address holds {WHAT}")
    for name, value in request.args.items(multi=True):
        if REFUSED.search(name) or REFUSED.search(value):
            raise ApiError(400, "invalid_text", f"查询参数{ZH} / query parameter {excerpt(name)} holds {WHAT}")
    try:
        raw = request.get_data(cache=True)
    except ClientDisconnected as exc:
        # The server's clock ran out while the body trickled in (server/wsgi_limits.py).
        if isinstance(exc.__context__, TimeoutError):
            raise ApiError(408, "request_timeout", "请求发送太慢 / The request body was sent too slowly") from None
        raise
    if not raw.strip():
        return
    try:
        data = json.loads(raw)
    except ValueError:  # not JSON: the endpoint that reads it says so
        return
    except RecursionError:
        raise ApiError(400, "malformed_json", "请求内容嵌套过深 / the body is nested too deeply") from None
    if where := refused_at(data):
        raise ApiError(400, "invalid_text", f"请求内容{ZH} / the body at {excerpt(where)} holds {WHAT}")


def guard_socketio(socketio: SocketIO) -> None:
    """Every Socket.IO event handler registered so far checks its data first: an event naming a
    refused character is answered with the error, and a connection whose `auth` holds one is
    refused; an error it answers quotes its input as an HTTP error does. Call after the handlers
    are registered."""
    for namespace, handlers in socketio.server.handlers.items():
        for event, handler in list(handlers.items()):
            handlers[event] = _guarded(event, handler)
        socketio.server.handlers[namespace] = handlers


def _guarded(event: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def checked(sid: str, *args: Any) -> Any:
        # connect is (sid, environ, auth); every other event (sid, *data).
        data = args[1:] if event == "connect" else args
        if refused_at(list(data)) is not None:
            if event == "connect":
                return False
            return {"error": {"code": "invalid_text", "message": f"消息内容{ZH} / the event's data holds {WHAT}"}}
        answer = handler(sid, *args)
        if isinstance(answer, dict) and isinstance(err := answer.get("error"), dict) and "message" in err:
            answer = {**answer, "error": {**err, "message": safe_message(str(err["message"]))}}
        return answer

    return checked


def iso_date(name: str, raw: str) -> date:
    """A query's date as YYYY-MM-DD, or 400 naming the parameter (the statistics and the board's
    bookings read their ranges so)."""
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} must be a date as YYYY-MM-DD",
                       f"{name} 须为日期，格式 YYYY-MM-DD") from None
