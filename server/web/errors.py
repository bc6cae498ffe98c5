"""Every error leaves as JSON `{"error": {"code", "message"}}`: never an HTML page or a trace."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, jsonify
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from server.core.errors import DomainError

log = logging.getLogger("hallq.web")

STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_many": 429,
    "unavailable": 503,
}


class ApiError(DomainError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": message}
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
    @app.errorhandler(ApiError)
    def _api(exc: ApiError):  # noqa: ANN202
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):  # noqa: ANN202
        return error_response(STATUS.get(exc.kind, 400), exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # noqa: ANN202
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):  # noqa: ANN202
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the server failed on this request; it has been logged")
