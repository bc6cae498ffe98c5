"""The manager's bookings view (预约, issue #15 point 6):

    GET /api/v1/manage/appointments?from=YYYY-MM-DD&to=YYYY-MM-DD

Per day, queue and slot: booked / checked in / no-show / cancelled and the window minutes used of
the slot's total (server/app/appointment_board.py). Managers see the hall, a chief representative
the department's queues; window staff 403. Both dates are optional (today; `to` defaults to
`from`); a bad date, `to` before `from`, more than 31 days or a day more than a year from today: 400.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request

from server.app import appointment_board

from .auth import require_staff, services
from .inputs import iso_date

bp = Blueprint("api_manage_appointments", __name__, url_prefix="/api/v1")


def _day(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    return iso_date(name, raw)


@bp.get("/manage/appointments")
def bookings() -> Response:
    staff = require_staff()
    return jsonify(appointment_board.bookings(services(), staff, _day("from"), _day("to")))
