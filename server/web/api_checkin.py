"""Checking a booking in at the kiosk (预约签到, issue 15), over HTTP.

    POST /api/v1/appointments/{code}/check-in   (a kiosk's X-Device-Key; no body)
        201 {"ticket": T, "appointment": {"code", "start", "end"}}: T.priority "appointment"
        409 check_in_late with {"ticket": T (normal), "appointment"} beside the error when the hall
            gives late visitors a normal number; without one when it does not
        409 check_in_early (the message says from when), not_booked, not_issuing (hours)
        400 check_in_other_day; 404 unknown_appointment

`{code}` is the booking code as typed, in any case, with dashes or spaces; the kiosk sends the
part of a scanned booking URL after `/a/` (server/app/appointment_checkin.py reads both).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from server.app.appointment_checkin import check_in
from server.app.issuing import KIOSK

from .auth import device_refusals, services
from .errors import ApiError, safe_message

bp = Blueprint("api_checkin", __name__, url_prefix="/api/v1")


@bp.post("/appointments/<appointment_code>/check-in")
def check_in_route(appointment_code: str) -> ResponseReturnValue:
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered kiosk: send X-Device-Key")
    with device_refusals(key):
        done = check_in(services(), KIOSK, appointment_code, key,
                        ignore_hours=not current_app.config["HALLQ_ENFORCE_HOURS"])
    if done.late is not None:
        # A late visitor's normal number: the refusal of the booking, and the number beside it.
        error = {"code": done.late.code, "message": safe_message(done.late.message),
                 "message_zh": safe_message(done.late.message_zh)}
        return jsonify({"error": error, "ticket": done.ticket, "appointment": done.appointment}), 409
    return jsonify({"ticket": done.ticket, "appointment": done.appointment}), 201
