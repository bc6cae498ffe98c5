"""Article 21's progress query by case number, over HTTP.

    POST /api/v1/progress/lookup  {"number", "last4"}: the masked progress view and its page's URL;
                                  one 404 not_found for an unknown number and a wrong last four;
                                  429 with Retry-After after repeated failures. A kiosk sends its
                                  X-Device-Key (then not counted by client address).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from server.app import progress

from .auth import client_address, require_device, services
from .bodies_progress import ProgressLookup
from .errors import error_response, parse_body

bp = Blueprint("api_progress", __name__, url_prefix="/api/v1")


@bp.post("/progress/lookup")
def lookup() -> ResponseReturnValue:
    device = require_device("kiosk")["name"] if request.headers.get("X-Device-Key") else None
    body = parse_body(request.get_data(), ProgressLookup)
    try:
        found = progress.lookup(services(), body.number, body.last4, client_address(), device=device)
    except progress.TooManyLookups as exc:
        response, status = error_response(429, exc.code, exc.message, exc.message_zh,
                                          retry_after_s=exc.retry_after_s)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response, status
    response = jsonify(found)
    response.headers["Cache-Control"] = "no-store"
    return response
