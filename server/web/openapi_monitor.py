"""OpenAPI rows of the manager's board routes (api_monitor.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from typing import Any

from . import bodies_monitor as b
from .openapi_route import STAFF, Route
from .openapi_schemas import BOOL, INT, INT_OR_NULL, NUM, NUM_OR_NULL, STR, STR_OR_NULL, nullable, obj, ref

QUEUES = {"type": "array", "items": obj({"queue": STR, "weight": INT})}
SECONDS_BY_REASON = {"type": "object", "additionalProperties": INT}

ALERT = obj({
    "id": STR, "kind": {"enum": ["queue_wait_over", "pause_too_long", "window_not_opened", "visitors_refused",
                                 "printer", "case_deadline", "calendar_gap", "queue_unserved", "ticket_unserved"]},
    "level": {"enum": ["info", "warn", "critical"]}, "message": STR, "message_en": STR, "at": STR,
    "department": STR_OR_NULL,
}, {"queue": STR, "window": STR})
PROPOSAL = obj({"rule": STR, "window": STR, "queue": STR, "weight": INT, "why": STR, "why_en": STR,
                "automatic": BOOL}, {"before": QUEUES, "after": QUEUES})
BOARD_QUEUE = obj({
    "code": STR, "name": STR, "name_en": STR, "department": STR, "waiting": INT, "longest_wait_s": INT,
    "estimate_new_s": INT_OR_NULL, "arrivals_30m": INT, "arrivals_prev_30m": INT, "served_today": INT,
}, {"trend": {"enum": ["up", "down", "flat"]}, "issued_today": INT, "unserved": BOOL})
BOARD_WINDOW = obj({
    "id": STR, "name": STR, "number": INT_OR_NULL, "department": STR_OR_NULL, "status": STR,
    "staff": nullable({"type": "object"}),
    "current": nullable(obj({"number": STR, "since_s": INT}, {"id": STR, "status": STR, "queue": STR})),
    "served_today": INT, "idle_s": INT, "paused_s_by_reason": SECONDS_BY_REASON, "queues": QUEUES,
})
BOARD = obj({"seq": INT, "queues": {"type": "array", "items": BOARD_QUEUE},
             "windows": {"type": "array", "items": BOARD_WINDOW}, "alerts": {"type": "array", "items": ALERT},
             "proposals": {"type": "array", "items": PROPOSAL}})
MONITOR_TICKET = {"allOf": [ref("Ticket"), obj({"forced": BOOL})]}
TICKET_OK = obj({"ticket": MONITOR_TICKET})
INTERVAL = obj({"start": STR, "end": STR, "arrivals_per_hour": NUM, "windows_needed": INT,
                "expected_wait_s_now": INT_OR_NULL, "expected_wait_s_needed": INT_OR_NULL})
RECOMMENDATION = obj({
    "queue": STR, "arrivals_per_hour": NUM, "service_s": NUM, "windows_now": NUM, "windows_needed": INT,
    "expected_wait_s_now": INT_OR_NULL, "expected_wait_s_needed": INT_OR_NULL,
}, {"service_level_now": NUM, "service_level_needed": NUM, "intervals": {"type": "array", "items": INTERVAL},
    "arrivals_today": INT,
    "waiting": {**INT, "description": "visitors in line now; with no arrival rate yet (before opening) the "
                "figures judge this line instead of the Erlang C flow"},
    "booked_per_hour": {**NUM, "description": "bookings (预约) due within the coming hour, per hour: already "
                        "counted in arrivals_per_hour"}})
WAITS = obj({"windows": NUM, "expected_wait_s": INT_OR_NULL, "service_level": NUM_OR_NULL})
M = "/api/v1/manage/tickets/<ticket_id>"
# A monitor action: a reason is required (400), a chief acts on the department's tickets (403),
# the ticket's status must allow it (409).
ACTION_ERRORS = (400, 403, 409)


def _action(name: str, summary: str, body: Any = b.Reason) -> Route:
    return Route("post", f"{M}/{name}", summary, ok=TICKET_OK, errors=ACTION_ERRORS, auth=STAFF, body=body)


MONITOR_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/manage/board", "the manager's board: queues, windows, alerts, overflow proposals as of "
          "`seq` (a chief: the department's)", ok=BOARD, errors=(403,), auth=STAFF),
    Route("get", "/api/v1/manage/tickets", "today's tickets whose number contains `q` (a chief: the department's)",
          ok=obj({"tickets": {"type": "array", "items": MONITOR_TICKET}}), errors=(400, 403), auth=STAFF,
          query=({"name": "q", "in": "query", "required": True, "description": "a ticket number or part of one",
                  "schema": STR},)),
    _action("transfer", "send the ticket to a queue or window, keeping its number and place", b.MonitorTransfer),
    _action("priority", "give or take away the green channel while the visitor waits", b.MonitorPriority),
    _action("cancel", "cancel a waiting or suspended ticket"),
    _action("reactivate", "a no-show back to waiting, keeping its place"),
    _action("force-finish", "finish a service left open; flagged `forced`, left out of service times"),
    Route("get", "/api/v1/recommendations", "Erlang C staffing per queue and interval beside the windows open now",
          ok=obj({"method": {"const": "erlang_c"}, "queues": {"type": "array", "items": RECOMMENDATION}},
                 {"target": obj({"share": NUM, "wait_s": INT})}), errors=(403,), auth=STAFF),
    Route("post", "/api/v1/recommendations/what-if", "expected waits of both queues before and after moving a window",
          ok=obj({"queues": {"type": "array", "items": obj({"queue": STR, "before": WAITS, "after": WAITS})}}),
          errors=(400, 403, 404), auth=STAFF, body=b.WhatIf),
    Route("get", "/api/v1/manage/proposals", "what the overflow rules propose now",
          ok=obj({"proposals": {"type": "array", "items": PROPOSAL}}), errors=(403,), auth=STAFF),
    Route("post", "/api/v1/manage/proposals/apply", "apply a proposal through the live allocation (audited)",
          ok=obj({"applied": PROPOSAL, "allocation": {"type": "object"}}), errors=(403, 409), auth=STAFF,
          body=b.ApplyProposal),
)
