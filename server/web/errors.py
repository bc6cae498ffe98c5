"""Every error leaves as JSON `{"error": {"code", "message", "message_zh"}}`: never an HTML page or a
trace. `message_zh` is what a screen shows first (the hall speaks Chinese first), `message` the
English of the protocol."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, jsonify
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from server.core.errors import DomainError

log = logging.getLogger("hallq.web")

# The one table from an error's kind to its HTTP status: every error the server answers with is a
# DomainError (the core's, the handlers', and `ApiError` for what only the transport can refuse).
STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_many": 429,
    "unavailable": 503,
}


# When the error itself has no Chinese words: what its status means to the person at the screen.
STATUS_ZH = {
    400: "请求内容有误",
    401: "请先登录或登录已失效",
    403: "无权进行此操作",
    404: "未找到",
    405: "不支持该请求方式",
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
    body: dict[str, Any] = {"code": code, "message": message, "message_zh": zh}
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
        return error_response(exc.code or 500, code, exc.description or exc.name)

    # The last resort, not a translation: a bug answers as JSON 500 and is logged, never a trace.
    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the server failed on this request; it has been logged")
