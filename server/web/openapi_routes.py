"""OpenAPI rows of the core routes: the catalog, kiosks' tickets, sign-in, the staff's windows,
cases and alerts (api_public.py, api_kiosk.py, api_staff.py, api_cases.py ...)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import bodies
from .openapi_progress import RETRY
from .openapi_route import KIOSK, STAFF, STAFF_OR_PLATFORM, Route, W
from .openapi_schemas import (
    BOOL,
    CASE_OK,
    DATE,
    INT,
    STR,
    STR_OR_NULL,
    STRINGS,
    TICKET_OK,
    TIME,
    TIME_OR_NULL,
    WINDOW_OK,
    error,
    nullable,
    obj,
    ref,
)

# Window actions refuse a closed window or a ticket in the wrong state (409), staff who do not
# hold the window (403), and what the hall's rules find invalid (400).
WINDOW_ERRORS = (400, 403, 409)


def _window(action: str, summary: str, *, ok: dict[str, Any] = TICKET_OK, body: type[BaseModel] | None = None,
            body_required: bool = True, errors: tuple[int, ...] = WINDOW_ERRORS) -> Route:
    return Route("post", f"{W}/{action}", summary, ok=ok, errors=errors, auth=STAFF, body=body,
                 body_required=body_required)


CASE_DECIDED_OK = obj({"case": {"allOf": [ref("Case"), obj({}, {
    "document": ref("Document"), "print": ref("Printed")})]}})

CORE_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/catalog", "departments, service items with guides, queues, windows (article 20)",
          ok=ref("Catalog")),
    Route("get", "/api/v1/openapi.json", "this document", ok=obj({"openapi": STR, "paths": {"type": "object"}})),
    Route("get", "/api/v1/devices/me", "the calling device: name, kind, printer and settings (a display's zone)",
          ok=obj({"device": ref("Device")}), auth=KIOSK),
    Route("post", "/api/v1/tickets", "take a number (kiosk); a retry with the same request_id returns the same "
          "ticket. With notice (a returning visitor): the notice's case number, printed number (文号) or QR text; "
          "anything that is no notice answers one 404 not_found (no such notice), and a kiosk's repeated "
          "failures 429 with Retry-After", ok=TICKET_OK, status=201, errors=(403, 404, 409), auth=KIOSK,
          body=bodies.IssueTicket,
          more={429: {**error("too many failed notice lookups at this kiosk"), "headers": RETRY}}),
    Route("get", "/api/v1/tickets/<ticket_id>", "a ticket by its id", ok=TICKET_OK),
    Route("post", "/api/v1/tickets/<ticket_id>/reprint", "print a ticket again: at the printer of a window the "
          "caller holds that may serve it, else its kiosk's (403 not_this_window otherwise)",
          ok=obj({"ticket": ref("Ticket"), "print_job": INT, "printer": STR}), errors=(403, 409),
          auth=STAFF, body=bodies.Reprint, body_required=False),
    Route("post", "/api/v1/auth/login", "sign in; returns a bearer token. An unknown name and a wrong password "
          "answer alike (401); too many failures from one client address answer 429 with Retry-After",
          ok=obj({"token": STR, "expires_at": TIME, "user": ref("Staff")}), errors=(401,), body=bodies.Login,
          more={429: {**error("too many failed sign-ins from this client address"),
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
            "print": ref("Printed"),
            "document": {**ref("Document"), "description": "the paper printed for the case (issue 14)"},
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
          "decided_denied → delivered; a decision prints its written decision (document, print) at the window "
          "that opened the case; a received case (收件) is answered: accepted (the item's promise counts "
          "from today) or noticed with the missing materials' codes (409 receipt_needs_answer otherwise; "
          "409 clock_suspended while suspended)", ok=CASE_DECIDED_OK, errors=(403, 409), auth=STAFF_OR_PLATFORM,
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
)
