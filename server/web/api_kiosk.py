"""Kiosks take numbers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from server.app import progress
from server.app.issuing import KIOSK, TicketRequest, issue_ticket
from server.app.returning import notice_item, resolve_notice_reference

from .auth import device_refusals, require_device, services
from .bodies import IssueTicket
from .errors import ApiError, error_response, parse_body

bp = Blueprint("api_kiosk", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
def take_number() -> tuple[Response, int]:
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered device: send X-Device-Key")
    body = parse_body(request.get_data(), IssueTicket)
    svc = services()
    # A returning visitor (article 14): the ticket is for the notice's item, linked to the notice.
    # Only a registered kiosk learns whether a notice exists, in one answer for anything that is
    # not one (no case's status echoed), its failures counted per kiosk (no probing of numbers).
    follows = None
    if body.notice:
        kiosk = require_device("kiosk")
        try:
            follows = resolve_notice_reference(svc, body.notice, kiosk["name"])
        except progress.TooManyLookups as exc:
            response, status = error_response(429, exc.code, exc.message, exc.message_zh,
                                              retry_after_s=exc.retry_after_s)
            response.headers["Retry-After"] = str(exc.retry_after_s)
            return response, status
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
    with device_refusals(key):
        ticket = issue_ticket(svc, KIOSK, asked)
    return jsonify({"ticket": ticket}), 201
