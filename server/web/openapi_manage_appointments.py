"""OpenAPI row of the manager's bookings view (api_manage_appointments.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .openapi_route import STAFF, Route
from .openapi_schemas import BOOL, DATE, INT, STR, STR_OR_NULL, TIME, obj

COUNTS = {"booked": INT, "checked_in": INT, "no_show": INT, "cancelled": INT,
          "minutes_booked": {**INT, "description": "window minutes the slot's bookings hold"},
          "minutes_total": {**INT, "description": "window minutes the slot offers for booking (the queue's "
                            "planned windows × slot length, less the walk-ins' share)"}}
SLOT = obj({"start": TIME, "end": TIME, **COUNTS})
QUEUE = obj({"queue": STR, "name": STR, "name_en": STR, "department": STR_OR_NULL,
             "slots": {"type": "array", "items": SLOT}, "totals": obj(COUNTS)})
DAY = obj({"date": DATE, "workday": BOOL, "queues": {"type": "array", "items": QUEUE}, "totals": obj(COUNTS)})
BOOKINGS = obj({
    "from": DATE, "to": DATE, "today": DATE, "at": TIME, "horizon_days": INT, "slot_minutes": INT,
    "department": {**STR_OR_NULL, "description": "a chief's department (its queues only); null: the whole hall"},
    "days": {"type": "array", "items": DAY},
})
_DAY = {"type": "string", "format": "date"}

MANAGE_APPOINTMENT_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/manage/appointments", "the bookings (预约) per day, queue and slot: booked, checked in, "
          "no-show and cancelled, and the window minutes booked of the slot's total; every slot the hall offers "
          "is listed, booked or not. Managers the hall, a chief the department's queues. `from` defaults to "
          "today and `to` to `from`; at most 31 days, within a year of today",
          ok=BOOKINGS, errors=(400, 403), auth=STAFF,
          query=(
              {"name": "from", "in": "query", "required": False, "description": "first day, YYYY-MM-DD (today)",
               "schema": _DAY},
              {"name": "to", "in": "query", "required": False, "description": "last day (included), YYYY-MM-DD",
               "schema": _DAY},
          )),
)
