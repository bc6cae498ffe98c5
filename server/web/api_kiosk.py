"""Kiosks take numbers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from server.app.issuing import issue_ticket
from server.db.uow import Actor

from .auth import services
from .bodies import IssueTicket
from .errors import ApiError, parse_body

bp = Blueprint("api_kiosk", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
def take_number():  # noqa: ANN201
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered device: send X-Device-Key")
    body = parse_body(request.get_data(), IssueTicket)
    view = issue_ticket(
        services(),
        Actor("device", None, "kiosk"),
        item=body.item,
        queue=body.queue,
        priority=body.priority,
        green_reason=body.green_reason,
        device_key=key,
        request_key=body.request_id,
        ignore_hours=not current_app.config["HALLQ_ENFORCE_HOURS"],
    )
    printed = view.get("print")
    if printed:
        current_app.extensions["hallq_printing"].kick(printed.pop("printer"))
    return jsonify({"ticket": view}), 201
