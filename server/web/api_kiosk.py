"""Kiosks take numbers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from server.app.issuing import issue_ticket
from server.db.uow import Actor

from .auth import require_device, services
from .bodies import IssueTicket
from .errors import parse_body

bp = Blueprint("api_kiosk", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
def take_number():  # noqa: ANN201
    device = require_device("kiosk")
    body = parse_body(request.get_data(), IssueTicket)
    view = issue_ticket(
        services(),
        Actor("device", device["id"], device["name"]),
        item=body.item,
        queue=body.queue,
        priority=body.priority,
        green_reason=body.green_reason,
        device=device,
        request_key=body.request_id,
        ignore_hours=not current_app.config["HALLQ_ENFORCE_HOURS"],
    )
    if device.get("printer"):
        current_app.extensions["hallq_printing"].kick(device)
    return jsonify({"ticket": view}), 201
