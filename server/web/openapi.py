"""The OpenAPI 3.1 description served at /api/v1/openapi.json.

Request schemas come from the pydantic models that validate them, so the document cannot drift
from what the server accepts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from . import bodies

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                           "message_zh": {"type": "string", "description": "the Chinese a screen shows first"}},
        }
    },
}

TICKET = {
    "type": "object",
    "required": ["id", "number", "queue", "status", "issued_at", "ahead", "estimated_wait_s", "status_url"],
    "properties": {
        "id": {"type": "string", "description": "unguessable; what the ticket's QR code carries"},
        "number": {"type": "string", "example": "A007"},
        "queue": {"type": "string"},
        "item": {"type": ["string", "null"]},
        "status": {"enum": ["waiting", "called", "serving", "suspended", "done", "no_show", "cancelled"]},
        "priority": {"enum": ["normal", "green"]},
        "issued_at": {"type": "string", "format": "date-time"},
        "called_at": {"type": ["string", "null"], "format": "date-time"},
        "ahead": {"type": "integer", "description": "waiting tickets of its queue called before it"},
        "estimated_wait_s": {"type": ["integer", "null"], "description": "null when no window serves the queue"},
        "unserved": {"type": "boolean", "description": "no open window serves its queue (article 26)"},
        "window": {"type": ["string", "null"]},
        "window_name": {"type": ["string", "null"]},
        "status_url": {"type": "string", "format": "uri"},
    },
}

CASE = {
    "type": "object",
    "required": ["number", "status", "outcome", "item", "department", "promised_date", "progress_url", "version"],
    "properties": {
        "number": {"type": "string", "example": "SCJG-2026-000042", "description": "DEPT-YEAR-SEQUENCE"},
        "status": {"enum": ["accepted", "in_review", "decided_approved", "decided_denied", "delivered", "noticed",
                            "refused", "concluded"]},
        "outcome": {"enum": ["accepted", "notice", "refused", "concluded"]},
        "item": {"type": "string"},
        "department": {"type": "string", "description": "the lead department (article 17)"},
        "copied_departments": {"type": "array", "items": {"type": "string"}},
        "accepted_on": {"type": "string", "format": "date"},
        "promised_date": {"type": ["string", "null"], "format": "date", "description": "in working days (art. 16)"},
        "days_left": {"type": ["integer", "null"], "description": "working days to the promise; null once decided"},
        "warning": {"type": ["string", "null"], "description": "the article 16 tier reached, e.g. yellow"},
        "share_left": {"type": ["number", "null"], "description": "of the limit's working time ahead (art. 16)"},
        "status_label": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
        "applicant": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "id_number": {"type": "string"}, "phone": {"type": "string"},
                           "masked": {"type": "boolean", "description": "true for readers outside the department"}},
        },
        "materials": {"type": "array", "items": {"type": "object"}},
        "missing": {"type": "array", "items": {"type": "object"}},
        "reason": {"type": "string"},
        "progress_url": {"type": "string", "format": "uri", "description": "the public progress page (unguessable)"},
        "version": {"type": "integer", "description": "bumped by every change; dedupe pulls on (number, version)"},
        "updated_at": {"type": "string", "format": "date-time"},
        "history": {"type": "array", "items": {"type": "object"}},
    },
}
STAFF_OR_PLATFORM = [{"bearer": []}, {"deviceKey": []}]

STAFF = [{"bearer": []}]
DEVICE = [{"deviceKey": []}]


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


def _op(
    summary: str,
    *,
    security: list | None = None,
    body: type[BaseModel] | None = None,
    ok: dict[str, Any] | None = None,
    status: str = "200",
    errors: tuple[int, ...] = (),
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if security is not None:
        op["security"] = security
    if body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}},
        }
    op["responses"][status] = {
        "description": "success",
        **({"content": {"application/json": {"schema": ok}}} if ok else {}),
    }
    for code in errors:
        op["responses"][str(code)] = {
            "description": "error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return op


def _ticket_ok() -> dict[str, Any]:
    return {"type": "object", "properties": {"ticket": {"$ref": "#/components/schemas/Ticket"}}}


def _window_path(summary: str, body: type[BaseModel] | None = None, ok: dict | None = None) -> dict[str, Any]:
    return {"post": _op(summary, security=STAFF, body=body, ok=ok or _ticket_ok(), errors=(400, 401, 403, 404, 409))}


def _login_op() -> dict[str, Any]:
    op = _op("sign in; returns a bearer token", body=bodies.Login, errors=(400, 401, 429))
    op["responses"]["401"]["description"] = "wrong username or password (the same answer for an unknown name)"
    op["responses"]["429"].update(
        description="too many failed sign-ins from this client address (or for this name from it); wait",
        headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
    )
    return op


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    models = [
        bodies.Login,
        bodies.IssueTicket,
        bodies.Pause,
        bodies.Transfer,
        bodies.Suspend,
        bodies.CallNumber,
        bodies.HandOver,
        bodies.Finish,
        bodies.CaseTransition,
        bodies.Reprint,
    ]
    schemas: dict[str, Any] = {"Error": ERROR, "Ticket": TICKET, "Case": CASE}
    for m in models:
        s = _schema(m)
        schemas.update(s.pop("$defs", {}))
        schemas[m.__name__] = s
    w = "/api/v1/windows/{window}"
    paths: dict[str, Any] = {
        "/api/v1/catalog": {"get": _op("departments, service items with guides, queues, windows")},
        "/api/v1/openapi.json": {"get": _op("this document")},
        "/api/v1/devices/me": {
            "get": _op("the calling device: name, kind, printer and settings (a display's zone)", security=DEVICE,
                       errors=(401,))
        },
        "/api/v1/tickets/{id}/reprint": {
            "post": _op("print a ticket again: at the printer of a window the caller holds that may serve it, else "
                        "its kiosk's (403 not_this_window otherwise)", security=STAFF,
                        body=bodies.Reprint, errors=(400, 401, 403, 404))
        },
        "/api/v1/tickets": {
            "post": _op(
                "take a number (kiosk)",
                security=DEVICE,
                body=bodies.IssueTicket,
                ok=_ticket_ok(),
                status="201",
                errors=(400, 401, 403, 404, 409),
            )
        },
        "/api/v1/tickets/{id}": {"get": _op("a ticket by its id", ok=_ticket_ok(), errors=(404,))},
        "/api/v1/auth/login": {"post": _login_op()},
        "/api/v1/auth/logout": {"post": _op("revoke this token", security=STAFF, status="204", errors=(401,))},
        "/api/v1/auth/me": {"get": _op("who am I, and the windows I may open", security=STAFF, errors=(401,))},
        "/api/v1/hall": {"get": _op("snapshot of queues, windows and latest calls", security=STAFF, errors=(401,))},
        f"{w}/open": _window_path("sign in at the window", ok={"type": "object"}),
        f"{w}/call-next": {
            "post": {
                **_op("call the next ticket", security=STAFF, ok=_ticket_ok(), errors=(401, 403, 404, 409)),
                "responses": {
                    **_op("", ok=_ticket_ok(), errors=(401, 403, 404, 409))["responses"],
                    "204": {"description": "nobody waits for this window"},
                },
            }
        },
        f"{w}/today": {
            "get": _op("today at the window: finished by outcome, no-shows, suspended visitors", security=STAFF,
                       errors=(401, 403, 404))
        },
        f"{w}/call-number": _window_path("特呼: call a given number", bodies.CallNumber),
        f"{w}/recall": _window_path("call the current ticket again"),
        f"{w}/start": _window_path("the visitor arrived: service starts"),
        f"{w}/no-show": _window_path("the current ticket did not come"),
        f"{w}/finish": _window_path(
            "service is over with its outcome (article 14): accepted, notice and refused open a case and print its "
            "document on the window's printer; consulted opens none",
            bodies.Finish,
            ok={"type": "object", "properties": {
                "ticket": {"$ref": "#/components/schemas/Ticket"},
                "case": {"oneOf": [{"$ref": "#/components/schemas/Case"}, {"type": "null"}]},
                "print": {"type": "object", "description": "job, printer, kind, error"},
            }},
        ),
        f"{w}/transfer": _window_path("send the visitor to another queue or window", bodies.Transfer),
        f"{w}/suspend": _window_path("挂起: the visitor fetches a paper and rejoins later", bodies.Suspend),
        f"{w}/resume-ticket": _window_path("a suspended visitor is back", bodies.CallNumber),
        f"{w}/pause": _window_path("pause with a reason", bodies.Pause, ok={"type": "object"}),
        f"{w}/resume": _window_path("resume after a pause", ok={"type": "object"}),
        f"{w}/close": _window_path("sign out of the window", ok={"type": "object"}),
        f"{w}/hand-over": _window_path(
            "another member of staff takes over (article 26)", bodies.HandOver, ok={"type": "object"}
        ),
        "/api/v1/cases": {"get": {
            **_op("cases changed at or after updated_since, oldest first (the platform or a manager)",
                  security=STAFF_OR_PLATFORM, errors=(400, 401, 403),
                  ok={"type": "object", "properties": {
                      "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                      "more": {"type": "boolean"}, "next_since": {"type": ["string", "null"]}}}),
            "parameters": [
                {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
            ],
        }},
        "/api/v1/cases/warnings": {"get": _op(
            "cases at an article 16 warning tier: the department's for its chief, all for managers",
            security=STAFF, errors=(401, 403))},
        "/api/v1/cases/{number}": {"get": _op(
            "a case; the applicant masked outside its departments", security=STAFF_OR_PLATFORM,
            ok={"type": "object", "properties": {"case": {"$ref": "#/components/schemas/Case"}}},
            errors=(401, 403, 404))},
        "/api/v1/cases/{number}/transition": {"post": _op(
            "move a case: accepted → in_review → decided_approved | decided_denied → delivered",
            security=STAFF_OR_PLATFORM, body=bodies.CaseTransition,
            ok={"type": "object", "properties": {"case": {"$ref": "#/components/schemas/Case"}}},
            errors=(400, 401, 403, 404, 409))},
        "/case/{token}": {"get": {"summary": "the public progress page (HTML, masked name only; article 20)",
                                  "responses": {"200": {"description": "HTML page"},
                                                "404": {"description": "HTML page: no such case"}}}},
        "/api/v1/alerts": {"get": _op(
            "article 26: `unserved_queues` with visitors waiting and no window held (open or paused) and "
            "`unserved_tickets` waiting for one window nobody holds (chief: the department's; managers: all); "
            "`calendar`: the years the promised time limits reach whose holidays the hall does not know, or null",
            security=STAFF, errors=(401, 403))},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HallQ",
            "version": "1",
            "description": "Queue and counter system of a government "
            "service center. Socket.IO events are described in docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "deviceKey": {"type": "apiKey", "in": "header", "name": "X-Device-Key"},
            },
        },
    }
