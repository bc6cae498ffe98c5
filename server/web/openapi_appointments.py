"""OpenAPI rows of the appointment routes (api_appointments.py), part of `openapi.ROUTES`.
Check-in at the kiosk has its own rows beside these."""

from __future__ import annotations

from typing import Any

from .bodies_appointments import Book, CancelBooking
from .openapi_progress import RETRY
from .openapi_route import Route
from .openapi_schemas import DATE, INT, STR, TIME, error, nullable, obj

APPOINTMENT_STATUS = ["booked", "checked_in", "cancelled", "no_show"]

APPOINTMENT: dict[str, Any] = obj({
    "code": {**STR, "description": "10 Crockford base32 symbols; what the QR code's URL ends with",
             "example": "7N3R3QNV0X"},
    "code_display": {**STR, "description": "the code as shown and printed, in two groups", "example": "7N3R3-QNV0X"},
    "item": STR, "item_name": STR, "item_name_en": STR, "queue": STR,
    "start": TIME, "end": TIME,
    "status": {"enum": APPOINTMENT_STATUS},
    "qr_url": {**STR, "format": "uri", "description": "the booking's own page ({public_url}/a/{code}), in its QR code"},
    "check_in_from": {**TIME, "description": "the kiosk checks it in from this time"},
    "check_in_until": {**TIME, "description": "... until this time; later it is a no-show"},
    "applicant": obj({"name": STR, "id_number": STR, "phone": STR},
                     description="masked (article 20): the ID number's first six and the phone's first three "
                     "only, never their last four (which cancel the booking)"),
}, {"ticket": obj({"id": STR, "number": STR}, description="once checked in (GET only): the ticket's number and "
                  "its status page /t/{id}")}, description="a booking (预约), as its holder sees it")

APPOINTMENT_OK = obj({"appointment": APPOINTMENT})

SLOTS_OK = obj({
    "item": STR, "date": DATE,
    "slots": {"type": "array", "items": obj({
        "start": TIME, "end": TIME,
        "capacity": {**INT, "minimum": 1, "description": "bookings of this item the slot takes in all"},
        "left": {**INT, "minimum": 0, "description": "bookings of this item still possible (also within the "
                 "item's daily cap)"},
    })},
    "closed": nullable(obj({"code": STR, "message": STR}, {"message_zh": STR},
                           description="why the day offers no slot for the item: appointments_off, slot_past (the "
                           "day is over), beyond_horizon, closed_day, not_bookable (the item takes longer than "
                           "a slot offers: take a number at the hall), day_over (today's slots have all begun); "
                           "`message` is \"中文 / English\"")),
})

TOO_MANY = {**error("too many bookings from this client address in the last hour, or this ID number already "
                    "holds as many bookings as it may"), "headers": RETRY}

APPOINTMENT_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/appointments/slots", "the slots of a day for a service item (no key): capacity and what "
          "is left for that item; slots already begun and closed days give none (`closed` says why)",
          ok=SLOTS_OK, errors=(400, 404),
          query=({"name": "item", "in": "query", "required": True, "description": "service item code",
                  "schema": {**STR, "minLength": 1}},
                 {"name": "date", "in": "query", "required": True, "description": "the day, YYYY-MM-DD",
                  "schema": {**STR, "pattern": r"^\d{4}-\d{2}-\d{2}$"}})),
    Route("post", "/api/v1/appointments", "book a slot (no key). 400 for a past slot, a closed day, a day beyond the "
          "horizon, a time that is no slot, an item never bookable (not_bookable: longer than a slot), "
          "an invalid ID number or phone; 403 booking_suspended after repeated "
          "no-shows; 404 unknown item; 409 slot_full, day_full, already_booked; 429 with Retry-After for the "
          "limits per client address and per ID number",
          ok=APPOINTMENT_OK, status=201, errors=(403, 404, 409), body=Book, more={429: TOO_MANY}),
    Route("get", "/api/v1/appointments/<appointment_code>", "a booking by its code (anyone holding it), the "
          "applicant masked", ok=APPOINTMENT_OK),
    Route("post", "/api/v1/appointments/<appointment_code>/cancel", "cancel a booking with the last four "
          "characters of the applicant's ID number or phone: one 404 for an unknown code and a wrong last four; "
          "409 not_booked once it is cancelled, checked in or missed, too_late_to_cancel once its slot began; 429 "
          "with Retry-After past 5 wrong last fours for a code (or 10 from one address)",
          ok=APPOINTMENT_OK, errors=(409,), body=CancelBooking,
          more={429: {**error("too many wrong last fours for this booking or from this address"),
                      "headers": RETRY}}),
)
