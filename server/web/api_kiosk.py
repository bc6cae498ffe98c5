"""Kiosks take numbers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from server.app.issuing import KIOSK, TicketRequest, issue_ticket
from server.app.returning import notice_item, resolve_notice_reference

from .auth import require_device, services
from .bodies import IssueTicket
from .errors import ApiError, parse_body

bp = Blueprint("api_kiosk", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
def take_number() -> tuple[Response, int]:
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered device: send X-Device-Key")
    body = parse_body(request.get_data(), IssueTicket)
    svc = services()
    # A returning visitor (article 14): the ticket is for the notice's item, linked to the notice.
    # Only a registered kiosk learns whether a notice exists (no probing of case numbers).
    follows = None
    if body.notice:
        require_device("kiosk")
        follows = resolve_notice_reference(svc, body.notice)
    asked = TicketRequest(
        item=notice_item(svc, follows) if follows else body.item,
        queue=body.queue,
        priority=body.priority,
        green_reason=body.green_reason,
        device_key=key,
        request_key=body.request_id,
        ignore_hours=not current_app.config["HALLQ_ENFORCE_HOURS"],
        follows_case=follows,
    )
    return jsonify({"ticket": issue_ticket(svc, KIOSK, asked)}), 201
