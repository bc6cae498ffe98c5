"""OpenAPI rows of the manager's allocation routes (api_manage.py): which queues a window serves,
where an item's tickets go, the reserve windows, undo and the audit of every change."""

from __future__ import annotations

from . import bodies_manage
from .openapi_route import STAFF, Route, W
from .openapi_schemas import BOOL, INT, STR, STRINGS, TIME, obj

# SERVED: the queues a window serves, with weights; CHANGE: one audited change.
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
