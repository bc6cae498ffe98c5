"""Every error leaves as JSON `{"error": {"code", "message", "message_zh"}}`: never an HTML page or a
trace. `message_zh` is what a screen shows first (the hall speaks Chinese first), `message` the
English of the protocol."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from flask import Flask, Response, jsonify
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from server.app.outage import database_unavailable, first_line
from server.core.errors import DomainError

log = logging.getLogger("hallq.web")

# Seconds a client is asked to wait before trying again while the database does not answer.
RETRY_AFTER_S = 2

# The one table from an error's kind to its HTTP status: every error the server answers with is a
# DomainError (the core's, the handlers', and `ApiError` for what only the transport can refuse).
STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    # Only the transport refuses so: a request body that trickled in past the server's clock.
    "too_slow": 408,
    "conflict": 409,
    "too_many": 429,
    "unavailable": 503,
}


# How much of a client's input an error message may quote, and how long the message may be: a
# 200 KB item code once came back whole in its 404.
EXCERPT_CHARS = 40
MESSAGE_CHARS = 400


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A client's input as an error message quotes it: escaped like a Python literal (control and
    invisible characters as \\x.., \\u....), at most `limit` characters of it, and the whole length
    when it was cut."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


# A quoted run longer than an excerpt, as `{value!r}` writes one anywhere in the code (a quote
# after a letter is an apostrophe: "isn't").
_LONG = EXCERPT_CHARS + 1
_LONG_QUOTED = re.compile(
    rf"(?<!\w)(?:'(?:[^'\\]|\\.){{{_LONG},}}'|\"(?:[^\"\\]|\\.){{{_LONG},}}\")(?!\w)"
)


def _cut(quoted: re.Match[str]) -> str:
    text = quoted.group(0)
    return f"{text[:_LONG]}{text[0]}… ({len(text) - 2} characters)"


def safe_message(message: str) -> str:
    """Any error message as it may leave: long quotes cut to excerpts, what is left escaped and
    capped. Messages are written all over the core and handlers; they quote inputs with `!r`."""
    message = _LONG_QUOTED.sub(_cut, message)
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS] + "…"
    return message


# When the error itself has no Chinese words: what its status means to the person at the screen.
STATUS_ZH = {
    400: "请求内容有误",
    401: "请先登录或登录已失效",
    403: "无权进行此操作",
    404: "未找到",
    405: "不支持该请求方式",
    408: "请求发送太慢，连接已关闭",
    409: "当前状态不允许此操作",
    413: "请求内容过大",
    429: "尝试过于频繁，请稍后再试",
    500: "服务器处理出错，已记录",
    503: "服务暂不可用，请稍后再试",
}


KIND_OF_STATUS = {status: kind for kind, status in STATUS.items()}


class ApiError(DomainError):
    """A request the transport refuses before any handler runs (no body, bad query, no credentials),
    given by its status, which is its kind in `STATUS`."""

    def __init__(self, status: int, code: str, message: str, zh: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.kind, self.code = KIND_OF_STATUS[status], code


def error_response(status: int, code: str, message: str, message_zh: str = "", **extra: Any) -> tuple[Response, int]:
    zh = message_zh or STATUS_ZH.get(status) or ("请求未被接受" if status < 500 else STATUS_ZH[500])
    body: dict[str, Any] = {"code": code, "message": safe_message(message), "message_zh": safe_message(zh)}
    body.update(extra)
    return jsonify({"error": body}), status


def parse_body(raw: bytes, model: type[BaseModel] | None = None, *, required: bool = True) -> Any:
    """The request body as JSON (and as `model` when given), or a 400 naming what is wrong."""
    if not raw.strip():
        if required and model is None:
            raise ApiError(400, "malformed_json", "the request needs a JSON body")
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise ApiError(400, "malformed_json", "the body is nested too deeply") from None
    if model is None:
        return data
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise ApiError(400, "invalid_body", problems) from None


def install(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> tuple[Response, int]:
        return error_response(STATUS.get(exc.kind, 400), exc.code, exc.message, exc.message_zh)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        resp, status = error_response(exc.code or 500, code, exc.description or exc.name)
        # Allow on a 405, Retry-After where one is set, ...; the body is ours.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp, status

    # The last resort, not a translation: a bug answers as JSON 500 and is logged, never a trace.
    # The database away or busy for now is no bug: 503 and when to try again. Whether a change
    # that met it was made is not known when the connection broke at its commit, so the answer
    # does not say "nothing changed" (a kiosk's retry with its request_id is safe either way).
    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> tuple[Response, int]:
        if database_unavailable(exc):
            log.warning("the database is not answering: %s", first_line(exc))
            resp, status = error_response(
                503, "database_unavailable",
                "the hall's database is not answering just now; try again in a moment",
                "大厅数据库暂时无法访问，请稍后再试")
            resp.headers["Retry-After"] = str(RETRY_AFTER_S)
            return resp, status
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the server failed on this request; it has been logged")
