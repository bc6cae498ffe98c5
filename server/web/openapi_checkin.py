"""OpenAPI row of the kiosk's appointment check-in (api_checkin.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .openapi_route import KIOSK, Route
from .openapi_schemas import STR, TIME, obj, ref

APPOINTMENT_REF = obj({"code": STR, "start": TIME, "end": TIME},
                      description="the booking checked in: its code and its slot")

CHECK_IN_OK = obj({"ticket": ref("Ticket"), "appointment": APPOINTMENT_REF})

CHECKIN_ROUTES: tuple[Route, ...] = (
    Route("post", "/api/v1/appointments/<appointment_code>/check-in",
          "a booked visitor checks in at the kiosk (issue 15): within the check-in window an appointment ticket "
          "(priority appointment, placed in line at its slot's start). 409 check_in_early (the message says from "
          "when); 409 check_in_late, with a normal ticket beside the error when the hall gives late visitors one; "
          "409 not_booked (cancelled, no-show, or checked in at another kiosk: the message names its number; at "
          "the same kiosk the same answer again); 409 not_issuing outside issuing hours; 400 "
          "check_in_other_day; 404 unknown_appointment",
          ok=CHECK_IN_OK, status=201, errors=(400, 403), auth=KIOSK,
          more={409: {"description": "not checked in now (early, late, not booked, not issuing); when late and "
                                     "the hall says so, the normal ticket issued instead rides beside the error",
                      "content": {"application/json": {"schema": obj(
                          {"error": obj({"code": STR, "message": STR}, {"message_zh": STR})},
                          {"ticket": ref("Ticket"), "appointment": APPOINTMENT_REF})}}}}),
)
