"""The OpenAPI 3.1 description served at /api/v1/openapi.json, built from one table.

`ROUTES` holds one row per API route, keyed by its Flask rule: path parameters come from the rule
itself, request schemas from the pydantic models that validate the bodies (bodies.py), and each
row names every status its handler can answer. The errors the transport adds on its own are added
here for every row alike: 400 and 413 where a body is read, 401 where a credential is needed, 404
where the path names something. tests/api/test_openapi.py checks the table against the server's
routes, and every status and body the API tests see against the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from . import bodies, bodies_admin, bodies_manage


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An object whose `required` properties are always present; more may come in later versions."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}, **extra}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STR_OR_NULL = {"type": ["string", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
TIME = {"type": "string", "format": "date-time"}
TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
DATE = {"type": "string", "format": "date"}
STRINGS = {"type": "array", "items": STR}

TICKET_STATUS = ["waiting", "called", "serving", "suspended", "done", "no_show", "cancelled"]
OUTCOMES = ["accepted", "notice", "refused", "concluded", "consulted"]
CASE_STATUS = ["accepted", "in_review", "decided_approved", "decided_denied", "delivered", "noticed", "refused",
               "concluded"]

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
            "priority": {"enum": ["normal", "green"]},
            "green_reason": STR_OR_NULL,
            "issued_at": TIME, "called_at": TIME_OR_NULL, "finished_at": TIME_OR_NULL,
            "ahead": {**INT, "minimum": 0, "description": "waiting tickets of its queue called before it"},
            "estimated_wait_s": {**INT_OR_NULL, "description": "null when no window serves the queue"},
            "unserved": {**BOOL, "description": "no open window serves its queue (article 26)"},
            "window": STR_OR_NULL, "window_name": STR_OR_NULL, "window_name_en": STR_OR_NULL,
            "target_window": {**STR_OR_NULL, "description": "the window it was transferred or suspended to"},
            "recalls": {**INT, "minimum": 0},
            "outcome": {"enum": [*OUTCOMES, None]},
            "note": STR,
            "status_url": {**STR, "format": "uri", "description": "the visitor's phone page"},
        },
        {
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
        "order": {**STRINGS, "description": "waiting numbers in calling order (the first 200)"},
    }),
    "Staff": obj({
        "id": INT, "username": STR, "role": {"enum": ["window", "chief", "manager", "admin"]},
        "department": STR_OR_NULL, "name": STR, "staff_no": STR,
    }),
    "Device": obj({
        "id": INT, "name": STR, "kind": {"enum": ["kiosk", "display", "agent", "platform"]},
        "printer": STR_OR_NULL, "settings": {"type": "object"},
    }),
    "Material": obj({"code": STR, "name": STR, "name_en": STR}),
    # The admin page's (server/app/admin_ops.py, hall_notice.py).
    "AdminUser": obj({
        "username": STR, "name": STR, "staff_no": STR, "role": {"enum": ["window", "chief", "manager", "admin"]},
        "department": STR_OR_NULL, "disabled": BOOL,
        "failures": {**INT, "description": "failed sign-ins counted against the name"},
        "slowed_until": TIME_OR_NULL, "last_login": TIME_OR_NULL,
    }),
    "AdminDevice": obj({
        "id": INT, "name": STR, "kind": {"enum": ["kiosk", "display", "agent", "platform"]},
        "printer": STR_OR_NULL, "settings": {"type": "object"}, "created_at": TIME_OR_NULL,
    }),
    "HallNotice": obj({
        "text": STR, "text_en": STR,
        "notices": {**STRINGS, "description": "what the hall screens scroll: the notice, or the config's"},
        "updated_at": TIME_OR_NULL, "updated_by": STR_OR_NULL,
    }),
    "CaseSummary": obj({
        "number": {**STR, "example": "SCJG-2026-000042", "description": "DEPT-YEAR-SEQUENCE"},
        "status": {"enum": CASE_STATUS},
        "outcome": {"enum": ["accepted", "notice", "refused", "concluded"]},
        "item": STR, "item_name": STR, "department": {**STR, "description": "the lead department (article 17)"},
        "copied_departments": STRINGS, "accepted_on": DATE,
        "promised_date": {"type": ["string", "null"], "format": "date", "description": "in working days (art. 16)"},
        "days_left": {**INT_OR_NULL, "description": "working days to the promise; null once decided"},
        "warning": {**STR_OR_NULL, "description": "the article 16 tier reached, e.g. yellow"},
        "share_left": {"type": ["number", "null"], "description": "of the limit's working time ahead (art. 16)"},
        "status_label": obj({"zh": STR, "en": STR}),
        "version": {**INT, "description": "bumped by every change; dedupe pulls on (number, version)"},
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

# Path parameters by the name the Flask rules give them, with the name protocol v1 gives them.
# Ids never hold a slash (the route would not match) and are never a dot segment (clients fold
# those away before sending).
NO_SLASH = r"^(?!\.\.?$)[^/]+$"
PARAM_NAMES = {"window_id": "window", "ticket_id": "id"}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "window_id": {"description": "a window's id in the hall config", "schema": {**STR, "pattern": NO_SLASH},
                  "example": "1"},
    "ticket_id": {"description": "a ticket's unguessable id", "schema": {**STR, "pattern": NO_SLASH},
                  "example": "xgmJUqegKqfsK-wWpswcmw"},
    "number": {"description": "a case number, DEPT-YEAR-SEQUENCE", "schema": {**STR, "pattern": NO_SLASH},
               "example": "SCJG-2026-000042"},
    "token": {"description": "the progress page's unguessable token", "schema": {**STR, "pattern": NO_SLASH}},
    "code": {"description": "a service item's code in the hall config", "schema": {**STR, "pattern": NO_SLASH}},
    "username": {"description": "a staff account's username", "schema": {**STR, "pattern": NO_SLASH},
                 "example": "wang.li"},
    "device_name": {"description": "a device's name", "schema": {**STR, "pattern": NO_SLASH},
                    "example": "kiosk-1"},
}

BEARER = "bearer"
DEVICE = "deviceKey"


@dataclass(frozen=True)
class Route:
    """One API route: what it takes and every status it answers."""

    method: str
    rule: str
    summary: str
    ok: dict[str, Any] | None = None  # the success body (JSON); None: no body
    status: int = 200
    errors: tuple[int, ...] = ()  # beyond those the transport adds (see module doc)
    auth: tuple[tuple[str, ...], ...] = ()  # alternatives, each a set of schemes sent together
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: tuple[dict[str, Any], ...] = ()
    more: dict[int, dict[str, Any]] = field(default_factory=dict)  # other answers, as OpenAPI responses
    html: bool = False


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


STAFF = ((BEARER,),)
KIOSK = ((DEVICE,),)
STAFF_OR_PLATFORM = ((BEARER,), (DEVICE,))
W = "/api/v1/windows/<window_id>"
# Window actions refuse a closed window or a ticket in the wrong state (409), staff who do not
# hold the window (403), and what the hall's rules find invalid (400).
WINDOW_ERRORS = (400, 403, 409)


def _window(action: str, summary: str, *, ok: dict[str, Any] = TICKET_OK, body: type[BaseModel] | None = None,
            body_required: bool = True, errors: tuple[int, ...] = WINDOW_ERRORS) -> Route:
    return Route("post", f"{W}/{action}", summary, ok=ok, errors=errors, auth=STAFF, body=body,
                 body_required=body_required)


# The manager's allocation (server/web/api_manage.py): CHANGE, one audited change.
SERVED = {"type": "array", "items": obj({"queue": STR, "weight": INT})}
CHANGE = obj(
    {"id": INT, "at": TIME, "actor": obj({"name": STR, "role": STR}),
     "kind": {"enum": ["window_queues", "item_queue", "reserve"]}, "reason": STR,
     "before": {"description": "window_queues: [{queue, weight}]; item_queue: a queue; reserve: open"},
     "after": {"description": "as before"}, "forced": BOOL, "stranded": STRINGS},
    {"window": STR, "item": STR, "undoes": INT},
)
CHANGE_OK = {"change": CHANGE}
ALLOCATION_ROUTES: tuple[Route, ...] = (
    Route("get", f"{W}/queues", "the queues the window serves now, with weights", auth=STAFF,
          ok=obj({"window": STR, "queues": SERVED})),
    Route("put", f"{W}/queues", "change the queues the window serves (managers; chiefs: the department's and the "
          "proxy windows); in force for its next call-next. 409 queue_left_unserved unless force",
          ok=obj({"window": STR, "queues": SERVED, **CHANGE_OK}), errors=(400, 403, 409), auth=STAFF,
          body=bodies_manage.WindowQueues),
    Route("put", "/api/v1/items/<code>/queue", "route a service item to another queue (article 24); its tickets "
          "still to be called move along keeping number and place", errors=(400, 403, 409), auth=STAFF,
          ok=obj({"item": STR, "queue": STR, "moved": INT, **CHANGE_OK}), body=bodies_manage.ItemQueue),
    Route("post", f"{W}/reserve", "open a reserve window for service, or close it (managers)", auth=STAFF,
          ok=obj({"window": STR, "open": BOOL, **CHANGE_OK}), errors=(400, 403, 409), body=bodies_manage.Reserve),
    Route("post", "/api/v1/allocation/undo", "restore the allocation before the latest change (managers); 409 "
          "nothing_to_undo", ok=obj({**CHANGE_OK, "restored": {"type": "object"}}), errors=(403, 409), auth=STAFF,
          body=bodies_manage.Undo, body_required=False),
    Route("get", "/api/v1/allocation", "the whole allocation in force (managers, chiefs)", errors=(403,), auth=STAFF,
          ok=obj({"windows": {"type": "object", "additionalProperties": SERVED},
                  "items": {"type": "object", "additionalProperties": STR}, "reserve_open": STRINGS,
                  "version": INT})),
    Route("get", "/api/v1/audit", "allocation changes, oldest first (managers: all; chiefs: their department's)",
          ok=obj({"changes": {"type": "array", "items": CHANGE}}), errors=(400, 403), auth=STAFF,
          query=({"name": "since", "in": "query", "description": "ISO 8601 with a zone offset",
                  "schema": {**STR, "format": "date-time"}},)),
)
USER_OK = obj({"user": ref("AdminUser")})
REVOKED_OK = obj({"user": ref("AdminUser"), "tokens_revoked": INT})
U = "/api/v1/admin/users/<username>"
D = "/api/v1/admin/devices"
ADMIN_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/admin/users", "staff accounts with their sign-in failures (managers, admins)",
          ok=obj({"users": {"type": "array", "items": ref("AdminUser")}}), errors=(403,), auth=STAFF),
    Route("post", "/api/v1/admin/users", "add a staff account with its role and department (admins)",
          ok=USER_OK, status=201, errors=(403, 404), auth=STAFF, body=bodies_admin.AddUser),
    Route("post", f"{U}/disable", "refuse the account's sign-ins, revoke its tokens, drop its connections "
          "(admins; 409 own_account for one's own)", ok=REVOKED_OK, errors=(403, 409), auth=STAFF),
    Route("post", f"{U}/enable", "let a disabled account sign in again (admins)", ok=REVOKED_OK, errors=(403,),
          auth=STAFF),
    Route("post", f"{U}/reset-password", "a new password; the account's tokens revoked, connections dropped "
          "(admins)", ok=REVOKED_OK, errors=(403,), auth=STAFF, body=bodies_admin.ResetPassword),
    Route("post", f"{U}/unlock", "forget the failed sign-ins counted against the name (admins)", ok=USER_OK,
          errors=(403,), auth=STAFF),
    Route("get", D, "paired devices (managers, admins)",
          ok=obj({"devices": {"type": "array", "items": ref("AdminDevice")}}), errors=(403,), auth=STAFF),
    Route("post", D, "pair a device: its key is in this answer, once (admins)",
          ok=obj({"device": ref("AdminDevice"), "key": STR}), status=201, errors=(403,), auth=STAFF,
          body=bodies_admin.PairDevice),
    Route("put", f"{D}/<device_name>", "a kiosk's printer or a display's zone, windows and queues (admins); the "
          "display takes them at once", ok=obj({"device": ref("AdminDevice")}), errors=(403,), auth=STAFF,
          body=bodies_admin.UpdateDevice),
    Route("delete", f"{D}/<device_name>", "revoke a device's key; its connections drop (admins)", status=204,
          errors=(403,), auth=STAFF),
    Route("get", "/api/v1/hall/notice", "the hall notice the hall screens scroll",
          ok=obj({"notice": ref("HallNotice")}), auth=STAFF),
    Route("put", "/api/v1/hall/notice", "set the hall notice (managers, admins); sent live as hall.notice; \"\" "
          "clears it", ok=obj({"notice": ref("HallNotice")}), errors=(403,), auth=STAFF, body=bodies_admin.Notice),
)

ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/catalog", "departments, service items with guides, queues, windows (article 20)",
          ok=ref("Catalog")),
    Route("get", "/api/v1/openapi.json", "this document", ok=obj({"openapi": STR, "paths": {"type": "object"}})),
    Route("get", "/api/v1/devices/me", "the calling device: name, kind, printer and settings (a display's zone)",
          ok=obj({"device": ref("Device")}), auth=KIOSK),
    Route("post", "/api/v1/tickets", "take a number (kiosk); a retry with the same request_id returns the same "
          "ticket", ok=TICKET_OK, status=201, errors=(403, 404, 409), auth=KIOSK, body=bodies.IssueTicket),
    Route("get", "/api/v1/tickets/<ticket_id>", "a ticket by its id", ok=TICKET_OK),
    Route("post", "/api/v1/tickets/<ticket_id>/reprint", "print a ticket again: at the printer of a window the "
          "caller holds that may serve it, else its kiosk's (403 not_this_window otherwise)",
          ok=obj({"ticket": ref("Ticket"), "print_job": INT, "printer": STR}), errors=(403, 409),
          auth=STAFF, body=bodies.Reprint, body_required=False),
    Route("post", "/api/v1/auth/login", "sign in; returns a bearer token. An unknown name and a wrong password "
          "answer alike (401); too many failures from one client address answer 429 with Retry-After",
          ok=obj({"token": STR, "expires_at": TIME, "user": ref("Staff")}), errors=(401,), body=bodies.Login,
          more={429: {**_error("too many failed sign-ins from this client address"),
                      "headers": {"Retry-After": {"description": "seconds to wait before trying again",
                                                  "schema": {**INT, "minimum": 1}}}}}),
    Route("post", "/api/v1/auth/logout", "revoke this token", status=204, auth=STAFF),
    Route("get", "/api/v1/auth/me", "who am I, and the windows I may open",
          ok=obj({"user": ref("Staff"), "windows": STRINGS}), auth=STAFF),
    Route("get", "/api/v1/hall", "snapshot of queues, windows and latest calls", ok=ref("Hall"), auth=STAFF),
    _window("open", "sign in at the window", ok=WINDOW_OK, errors=(403, 409)),
    Route("get", f"{W}/today", "today at the window: finished by outcome, no-shows, suspended visitors",
          ok=obj({"window": STR, "day": DATE, "finished": INT,
                  "outcomes": {"type": "object", "additionalProperties": INT}, "no_show": INT,
                  "suspended": {"type": "array", "items": ref("Ticket")}}),
          errors=(403,), auth=STAFF),
    Route("post", f"{W}/call-next", "call the next ticket", ok=TICKET_OK, errors=WINDOW_ERRORS, auth=STAFF,
          more={204: {"description": "nobody waits for this window"}}),
    _window("call-number", "特呼: call a given number", body=bodies.CallNumber),
    _window("recall", "call the current ticket again"),
    _window("start", "the visitor arrived: service starts"),
    _window("no-show", "the current ticket did not come"),
    _window(
        "finish",
        "service is over with its outcome (article 14): accepted, notice and refused open a case and print its "
        "document on the window's printer; consulted opens none",
        body=bodies.Finish, body_required=False,
        ok=obj({"ticket": ref("Ticket"), "case": nullable(ref("Case"))}, {
            "print": obj({"job": INT_OR_NULL, "printer": STR_OR_NULL, "error": STR_OR_NULL},
                         {"kind": {"enum": ["acceptance", "one_time_notice", "refusal"]}}),
        }),
    ),
    _window("transfer", "send the visitor to another queue or window", body=bodies.Transfer),
    _window("suspend", "挂起: the visitor fetches a paper and rejoins later", body=bodies.Suspend,
            body_required=False),
    _window("resume-ticket", "a suspended visitor is back", body=bodies.CallNumber),
    _window("pause", "pause with a reason", ok=WINDOW_OK, body=bodies.Pause),
    _window("resume", "resume after a pause", ok=WINDOW_OK),
    _window("close", "sign out of the window", ok=WINDOW_OK),
    _window("hand-over", "another member of staff takes over (article 26)", ok=WINDOW_OK, body=bodies.HandOver),
    Route("get", "/api/v1/cases", "cases changed at or after updated_since, oldest first (the platform or a "
          "manager)", ok=obj({"cases": {"type": "array", "items": ref("Case")}, "more": BOOL,
                              "next_since": TIME_OR_NULL}),
          errors=(400, 403), auth=STAFF_OR_PLATFORM, query=(
              {"name": "updated_since", "in": "query", "description": "ISO 8601 with a zone offset",
               "schema": {**STR, "format": "date-time"}},
              {"name": "limit", "in": "query", "description": "at most 500; more is read as 500",
               "schema": {**INT, "minimum": 1, "maximum": 500}},
          )),
    Route("get", "/api/v1/cases/warnings", "cases at an article 16 warning tier: the department's for its chief, "
          "all for managers", ok=obj({"today": DATE, "tiers": {"type": "array", "items": obj({
              "name": STR, "share_left": {"type": "number"}})},
              "cases": {"type": "array", "items": ref("CaseSummary")}}),
          errors=(403,), auth=STAFF),
    Route("get", "/api/v1/cases/<number>", "a case; the applicant masked outside its departments", ok=CASE_OK,
          errors=(403,), auth=STAFF_OR_PLATFORM),
    Route("post", "/api/v1/cases/<number>/transition", "move a case: accepted → in_review → decided_approved | "
          "decided_denied → delivered", ok=CASE_OK, errors=(403, 409), auth=STAFF_OR_PLATFORM,
          body=bodies.CaseTransition),
    Route("get", "/api/v1/alerts", "article 26: queues with visitors waiting and no window held, and visitors "
          "waiting for one window nobody holds (chief: the department's; managers: all); `calendar`: the years "
          "the promised time limits reach whose holidays the hall does not know, or null",
          errors=(403,), auth=STAFF, ok=obj({
              "unserved_queues": {"type": "array", "items": obj({
                  "queue": STR, "name": STR, "name_en": STR, "waiting": INT, "longest_wait_s": INT,
                  "windows": STRINGS})},
              "unserved_tickets": {"type": "array", "items": obj({
                  "ticket": STR, "number": STR, "queue": STR, "window": STR_OR_NULL, "waiting_s": INT},
                  {"window_name": STR_OR_NULL, "window_name_en": STR_OR_NULL})},
              "calendar": nullable(obj({"years": {"type": "array", "items": INT}, "message": STR})),
          })),
    Route("get", "/case/<token>", "the public progress page (HTML, masked name only; article 20)", html=True),
    *ALLOCATION_ROUTES,
    *ADMIN_ROUTES,
)


def openapi_path(rule: str) -> str:
    """/api/v1/windows/<window_id>/open → /api/v1/windows/{window}/open"""
    for name in path_params(rule):
        rule = rule.replace(f"<{name}>", "{" + PARAM_NAMES.get(name, name) + "}")
    return rule


def path_params(rule: str) -> list[str]:
    return [part[1:-1] for part in rule.split("/") if part.startswith("<") and part.endswith(">")]


ERROR_TEXT = {
    400: "the body or query is not valid: malformed JSON, a missing or unknown field, a value the hall refuses",
    401: "no credential, or an unknown, expired or revoked one; at sign-in: a wrong username or password",
    403: "the caller may not do this",
    404: "no such window, ticket, case, queue, item or user",
    409: "the current state does not allow it",
    413: "the body is larger than 1 MB",
    429: "too many failed sign-ins",
}


def operation(route: Route) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": route.summary, "operationId": _operation_id(route)}
    params = [{"name": PARAM_NAMES.get(name, name), "in": "path", "required": True, **PATH_PARAMS[name]}
              for name in path_params(route.rule)]
    params += list(route.query)
    if params:
        op["parameters"] = params
    op["security"] = [{scheme: [] for scheme in schemes} for schemes in route.auth] if route.auth else []
    if route.body is not None:
        op["requestBody"] = {
            "required": route.body_required,
            "content": {"application/json": {"schema": ref(route.body.__name__)}},
        }
    responses: dict[str, Any] = {}
    if route.html:
        page = {"content": {"text/html": {"schema": STR}}}
        responses["200"] = {"description": "the HTML page", **page}
        # An address no token can have (a NUL in it) is refused before the page: the JSON error.
        responses["404"] = {"description": "the HTML page saying there is no such case; the JSON error for an "
                            "address that cannot hold a token",
                            "content": {**page["content"], **_error("")["content"]}}
    else:
        success: dict[str, Any] = {"description": "done"}
        if route.ok is not None:
            success["content"] = {"application/json": {"schema": route.ok}}
        responses[str(route.status)] = success
    for status, answer in route.more.items():
        responses[str(status)] = answer
    errors = set(route.errors)
    if route.body is not None:
        errors |= {400, 413}
    if route.auth:
        errors.add(401)
    if path_params(route.rule):
        errors.add(404)
    for status in sorted(errors):
        responses.setdefault(str(status), _error(ERROR_TEXT[status]))
    op["responses"] = dict(sorted(responses.items()))
    return op


def _operation_id(route: Route) -> str:
    words = [p.strip("<>") for p in route.rule.removeprefix("/api/v1/").split("/") if p]
    return route.method + "_" + "_".join(w.replace("-", "_").replace(".", "_") for w in words)


def _body_schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in {r.body for r in ROUTES if r.body is not None}:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(openapi_path(route.rule), {})[route.method] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HallQ",
            "version": "1",
            "description": "Queue and counter system of a government service center. Socket.IO events are "
            "described in docs/api.md. Every error is JSON: {\"error\": {\"code\", \"message\"}}.",
        },
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **_body_schemas()},
            "securitySchemes": {
                BEARER: {"type": "http", "scheme": "bearer", "description": "a token from /api/v1/auth/login"},
                DEVICE: {"type": "apiKey", "in": "header", "name": "X-Device-Key",
                         "description": "a device's key from `hallq device add` (kiosk, display, platform)"},
            },
        },
    }


# The manager's board routes (issue #11), in their own module; it reads the helpers above.
from .openapi_monitor import MONITOR_ROUTES  # noqa: E402

ROUTES = (*ROUTES, *MONITOR_ROUTES)
