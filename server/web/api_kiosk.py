"""Kiosks take numbers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from server.app.issuing import KIOSK, TicketRequest, issue_ticket

from .auth import services
from .bodies import IssueTicket
from .errors import ApiError, parse_body

bp = Blueprint("api_kiosk", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
def take_number() -> tuple[Response, int]:
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered device: send X-Device-Key")
    body = parse_body(request.get_data(), IssueTicket)
    asked = TicketRequest(
        item=body.item,
        queue=body.queue,
        priority=body.priority,
        green_reason=body.green_reason,
        device_key=key,
        request_key=body.request_id,
        ignore_hours=not current_app.config["HALLQ_ENFORCE_HOURS"],
    )
    return jsonify({"ticket": issue_ticket(services(), KIOSK, asked)}), 201
