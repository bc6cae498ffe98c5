"""The shared pieces of the OpenAPI document: schema helpers and the views' schemas.

Every route table (openapi_routes.py, openapi_allocation.py, openapi_admin.py, openapi_monitor.py)
builds its bodies from these; openapi.py puts them under components/schemas.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


# An account's hall; null: an account of the whole installation (a city's manager, its admin).
_HALL = {**{"type": ["string", "null"]}, "description": "the account's hall; null: the whole installation's"}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An object whose `required` properties are always present; more may come in later versions."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}, **extra}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
NUM: Schema = {"type": "number"}
NUM_OR_NULL: Schema = {"type": ["number", "null"]}
STR_OR_NULL: Schema = {"type": ["string", "null"]}
INT_OR_NULL: Schema = {"type": ["integer", "null"]}
TIME: Schema = {"type": "string", "format": "date-time"}
TIME_OR_NULL: Schema = {"type": ["string", "null"], "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
STRINGS: Schema = {"type": "array", "items": STR}
# Windows held but paused (lunch, a meeting), with the reason their staff gave.
PAUSED_WINDOWS: Schema = {"type": "array", "items": {"type": "object", "required": ["id", "name", "name_en", "reason"],
                                                     "properties": {"id": STR, "name": STR, "name_en": STR,
                                                                    "reason": STR}}}

TICKET_STATUS = ["waiting", "called", "serving", "suspended", "done", "no_show", "cancelled"]
OUTCOMES = ["accepted", "received", "notice", "refused", "concluded", "consulted"]
CASE_STATUS = ["received", "accepted", "in_review", "decided_approved", "decided_denied", "delivered", "noticed",
               "refused", "concluded"]

# Views the server builds (server/app/views.py, snapshots.py, cases.py, accounts.py).
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": obj({"error": obj({"code": STR, "message": STR},
                               {"message_zh": {**STR, "description": "the Chinese a screen shows first"}})}),
    "Ticket": obj(
        {
            "id": {**STR, "description": "unguessable; what the ticket's QR code carries"},
            "number": {**STR, "example": "A007"},
            "queue": STR, "queue_name": STR, "queue_name_en": STR, "department": STR_OR_NULL,
            "item": STR_OR_NULL, "item_name": STR_OR_NULL, "item_name_en": STR_OR_NULL,
            "status": {"enum": TICKET_STATUS},
            "priority": {"enum": ["normal", "green", "appointment"],
                         "description": "appointment: checked in for a booking (预约), see `appointment`"},
            "green_reason": STR_OR_NULL,
            "appointment": nullable({**obj({"start": TIME_OR_NULL, "end": TIME_OR_NULL}, {"code": STR}),
                                     "description": "the booking (预约) it was checked in for: its slot, and "
                                                    "its code for staff and the kiosk that checked it in (not "
                                                    "in the public rooms); null for a walk-in"}),
            "issued_at": TIME, "called_at": TIME_OR_NULL, "finished_at": TIME_OR_NULL,
            "ahead": {**INT, "minimum": 0, "description": "waiting tickets of its queue called before it"},
            "estimated_wait_s": {**INT_OR_NULL, "description": "null when no window serves the queue"},
            "estimated_wait_range_s": {
                "type": ["array", "null"], "items": {**INT, "minimum": 0}, "minItems": 2, "maxItems": 2,
                "description": "[low, high]: where the wait should fall four times in five (docs/wait-estimates.md); "
                               "null where no open window serves its queue",
            },
            "unserved": {**BOOL, "description": "no open window serves its queue (article 26)"},
            "paused_windows": {**PAUSED_WINDOWS, "description": "while it waits and no open window would call "
                                                                "it: the paused ones that would (the estimate is "
                                                                "null until one resumes); else empty"},
            "window": STR_OR_NULL, "window_name": STR_OR_NULL, "window_name_en": STR_OR_NULL,
            "target_window": {**STR_OR_NULL, "description": "the window it was transferred or suspended to"},
            "recalls": {**INT, "minimum": 0},
            "outcome": {"enum": [*OUTCOMES, None]},
            "note": STR,
            "status_url": {**STR, "format": "uri", "description": "the visitor's phone page"},
        },
        {
            "case_url": {**STR_OR_NULL, "format": "uri",
                         "description": "the progress page of the case this visit opened (article 21), once "
                                        "the service is done; null before or when none was opened. Only in "
                                        "GET /api/v1/tickets/{id} and the ticket:ID room (the visitor's page)"},
            "follows_case": {**STR_OR_NULL, "description": "a returning visitor's notice (一次性告知) number: "
                                                          "staff only (window:ID room, staff's answers)"},
            "print": {"type": "object", "description": "a kiosk with a printer: its printer and printer_status"},
            "warning": {**STR, "description": "no window serves the queue now: the wait is unknown"},
        },
    ),
    "Window": obj({
        "id": STR, "number": INT_OR_NULL, "name": STR, "name_en": STR,
        "kind": {"enum": ["department", "proxy", None]}, "department": STR_OR_NULL,
        "queues": {"type": "array", "items": obj({"queue": STR, "weight": INT})},
        "status": {"enum": ["closed", "open", "paused"]}, "pause_reason": STR, "since": TIME_OR_NULL,
        "staff": nullable(obj({"id": INT, "name": STR, "staff_no": STR})),
        "current": nullable(obj({"id": STR, "number": STR, "status": {"enum": TICKET_STATUS}, "queue": STR})),
    }),
    "Queue": obj({
        "code": STR, "name": STR, "name_en": STR, "prefix": STR,
        "waiting": INT, "longest_wait_s": INT, "estimate_s": INT_OR_NULL, "s_per_ticket": INT_OR_NULL,
        "open_windows": STRINGS, "unserved": BOOL, "issued_today": INT, "served_today": INT,
        "paused_windows": {**PAUSED_WINDOWS, "description": "the held windows of the queue paused now; with no "
                                                            "`open_windows` they are why `waits` is null"},
        "order": {**STRINGS, "description": "waiting numbers in calling order (the first 200)"},
        "appointments": {"type": "object", "additionalProperties": TIME,
                         "description": "预约: the appointment tickets of `order`, number -> their slot's start"},
        "waits": {
            "type": ["array", "null"],
            "items": {"type": "array", "items": INT, "minItems": 3, "maxItems": 3},
            "description": "HallQ's estimate for each place of `order`: [wait_s, low_s, high_s]; "
                           "null when no open window serves the queue",
        },
    }),
    "Staff": obj({
        "id": INT, "username": STR, "role": {"enum": ["window", "chief", "manager", "admin"]},
        "department": STR_OR_NULL, "name": STR, "staff_no": STR, "hall": _HALL,
    }),
    "Device": obj({
        "id": INT, "name": STR, "kind": {"enum": ["kiosk", "display", "agent", "platform", "rater"]},
        "printer": STR_OR_NULL, "settings": {"type": "object"},
    }),
    "Material": obj({"code": STR, "name": STR, "name_en": STR}),
    # The admin page's (server/app/admin_ops.py, hall_notice.py).
    "AdminUser": obj({
        "username": STR, "name": STR, "staff_no": STR, "role": {"enum": ["window", "chief", "manager", "admin"]},
        "department": STR_OR_NULL, "hall": _HALL, "disabled": BOOL,
        "failures": {**INT, "description": "failed sign-ins counted against the name"},
        "slowed_until": TIME_OR_NULL, "last_login": TIME_OR_NULL,
    }),
    "AdminDevice": obj({
        "id": INT, "name": STR, "kind": {"enum": ["kiosk", "display", "agent", "platform", "rater"]},
        "printer": STR_OR_NULL, "settings": {"type": "object"}, "created_at": TIME_OR_NULL,
    }),
    "HallNotice": obj({
        "text": STR, "text_en": STR,
        "notices": {**STRINGS, "description": "what the hall screens scroll: the notice, or the config's"},
        "updated_at": TIME_OR_NULL, "updated_by": STR_OR_NULL,
    }),
    "CaseSummary": obj({
        "number": {**STR, "example": "CITY-SCJG-2026-000042", "description": "HALL-DEPT-YEAR-SEQUENCE"},
        "status": {"enum": CASE_STATUS},
        "outcome": {"enum": ["accepted", "received", "notice", "refused", "concluded"]},
        "item": STR, "item_name": STR, "department": {**STR, "description": "the lead department (article 17)"},
        "copied_departments": STRINGS, "accepted_on": DATE,
        "promised_date": {"type": ["string", "null"], "format": "date", "description": "in working days (art. 16)"},
        "days_left": {**INT_OR_NULL, "description": "working days to the promise (the receipt's answer, the "
                      "decision and its delivery); null once delivered, for a notice or refusal, and while "
                      "the clock is suspended"},
        "warning": {**STR_OR_NULL, "description": "the article 16 tier reached, e.g. yellow (the item's own "
                    "tiers where the hall config gives them)"},
        "share_left": {"type": ["number", "null"], "description": "of the limit's working time ahead (art. 16)"},
        "status_label": obj({"zh": STR, "en": STR}),
        "version": {**INT, "description": "bumped by every change; dedupe pulls on (number, version)"},
    }, {
        "suspended": {**BOOL, "description": "the clock is stopped (中止计时): no days counted, no warning"},
        "follows": {**STR_OR_NULL, "description": "the notice whose missing papers this case's visit brought"},
    }),
}
SCHEMAS["Case"] = {
    "allOf": [ref("CaseSummary"), obj({
        "item_name_en": STR, "department_name": STR,
        "applicant": obj({"name": STR, "id_number": STR, "phone": STR,
                          "masked": {**BOOL, "description": "true for readers outside the department"}}),
        "materials": {"type": "array", "items": ref("Material")},
        "missing": {"type": "array", "items": ref("Material")},
        "reason": STR, "note": STR, "ticket_id": STR_OR_NULL, "window": STR_OR_NULL,
        "progress_url": {**STR, "format": "uri", "description": "the public progress page (unguessable)"},
        "created_at": TIME_OR_NULL, "updated_at": TIME_OR_NULL,
        "history": {"type": "array", "items": obj({
            "at": TIME_OR_NULL, "status": {"enum": CASE_STATUS}, "previous": {"enum": [*CASE_STATUS, None]},
            "actor": STR, "note": STR,
        })},
    })],
}
SCHEMAS["Hall"] = obj({
    "seq": {**INT, "description": "the event sequence this snapshot is as of"},
    "code": STR, "name": STR, "name_en": STR, "day": DATE,
    "queues": {"type": "array", "items": ref("Queue")},
    "windows": {"type": "array", "items": ref("Window")},
    "latest_calls": {"type": "array", "items": obj({
        "ticket": STR, "number": STR, "queue": STR, "window": STR_OR_NULL, "window_name": STR_OR_NULL,
        "window_number": INT_OR_NULL, "called_at": TIME_OR_NULL, "status": {"enum": TICKET_STATUS},
    })},
    "notices": STRINGS,
})
SCHEMAS["Catalog"] = obj({
    "hall": obj({"code": STR, "name": STR, "name_en": STR, "public_url": STR}),
    "departments": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR})},
    "items": {"type": "array", "items": obj({
        "code": STR, "name": STR, "name_en": STR, "department": STR, "queue": STR,
        "copied_departments": STRINGS, "typical_minutes": {"type": "number"},
        "guide": obj({
            "legal_basis": STR, "conditions": STR,
            "materials": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR, "copies": STR,
                                                          "note": STR})},
            "fee": STR, "time_limit_days": INT, "contact": STR, "process": STR, "common_mistakes": STR,
        }),
    })},
    "queues": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR, "prefix": STR,
                                               "department": STR})},
    "windows": {"type": "array", "items": obj({
        "id": STR, "number": INT, "name": STR, "name_en": STR, "kind": {"enum": ["department", "proxy"]},
        "department": STR_OR_NULL, "zone": STR,
        "queues": {"type": "array", "items": obj({"queue": STR, "weight": INT})},
    })},
})

TICKET_OK = obj({"ticket": ref("Ticket")})
WINDOW_OK = obj({"window": ref("Window")})
CASE_OK = obj({"case": ref("Case")})


def error(description: str) -> dict[str, Any]:
    """An error answer: the JSON body every error has."""
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
