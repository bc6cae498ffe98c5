"""OpenAPI rows of the poor ratings' follow-up routes (api_followups.py, 差评整改)."""

from __future__ import annotations

from . import bodies_followups
from .openapi_route import STAFF, Route
from .openapi_schemas import BOOL, DATE, INT, INT_OR_NULL, NUM, STR, STR_OR_NULL, TIME, nullable, obj

LABEL = obj({"zh": STR, "en": STR})
STEP_NAMES = ["called_back", "verified", "rectified", "explained", "answered"]
STATUSES = ["received", *STEP_NAMES, "excluded"]
RATING = obj({
    "id": INT, "level": {**INT, "minimum": 1, "maximum": 2}, "level_name": STR, "level_name_en": STR,
    "tags": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR})},
    "comment": STR, "channel": STR_OR_NULL, "day": {"type": ["string", "null"], "format": "date"},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "item": STR_OR_NULL, "item_name": STR_OR_NULL, "item_name_en": STR_OR_NULL,
    "window": STR_OR_NULL, "window_name": STR_OR_NULL, "window_number": INT_OR_NULL,
    "staff": nullable(obj({"name": STR, "staff_no": STR})),
    "excluded": BOOL, "excluded_reason": STR,
}, description="the rating followed up: who rated stays anonymous")
FOLLOWUP = obj({
    "rating_id": INT, "department": STR, "department_name": STR,
    "status": {"enum": STATUSES}, "status_label": LABEL, "open": BOOL,
    "appeal": {"enum": ["pending", "approved", "rejected", None]}, "appeal_reason": STR,
    "next_steps": {"type": "array", "items": {"enum": STEP_NAMES},
                   "description": "empty when closed or while an appeal is pending"},
    "due": obj({k: DATE for k in ("called_back", "verified", "rectified", "answered")},
               description="each step's deadline (explained shares rectified's), counted in working days "
               "from the day the rating came in"),
    "next_due": {"type": ["string", "null"], "format": "date"},
    "days_left": {**INT_OR_NULL, "description": "working days to next_due; negative when overdue"},
    "share_left": {"type": ["number", "null"]},
    "warning": STR_OR_NULL, "rating": RATING, "version": INT, "opened_at": TIME, "updated_at": TIME,
}, {"history": {"type": "array", "items": obj({
    "at": TIME, "status": STR, "status_label": LABEL, "previous": STR_OR_NULL, "actor": STR, "note": STR})}})
ONE = obj({"followup": FOLLOWUP})
F = "/api/v1/followups/<rating_id>"

FOLLOWUP_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/followups", "poor ratings' follow-ups (差评整改): the department's for its chief, all for "
          "managers and admins; window staff 403. Open ones soonest deadline first", auth=STAFF, errors=(400, 403),
          ok=obj({"today": DATE, "tiers": {"type": "array", "items": obj({"name": STR, "share_left": NUM})},
                  "followups": {"type": "array", "items": FOLLOWUP}}),
          query=({"name": "status", "in": "query", "description": "open (default), closed or all",
                  "schema": {"enum": ["open", "closed", "all"]}},)),
    Route("get", F, "one follow-up with its history (404 also for another department's chief)", ok=ONE,
          errors=(403,), auth=STAFF),
    Route("post", f"{F}/steps", "take the next step with a note (the department's chief or a manager); 409 "
          "step_out_of_order naming the state, appeal_pending while a manager decides", ok=ONE,
          errors=(403, 409), auth=STAFF, body=bodies_followups.FollowupStep),
    Route("post", f"{F}/appeal", "ask that the rating be excluded as mistaken or malicious (the department's "
          "chief, once, before the answer); a manager decides", ok=ONE, errors=(403, 409), auth=STAFF,
          body=bodies_followups.FollowupAppeal),
    Route("post", f"{F}/appeal/decision", "decide a pending appeal (managers): approve excludes the rating from "
          "statistics and closes the follow-up; reject lets it go on", ok=ONE, errors=(403, 409), auth=STAFF,
          body=bodies_followups.AppealDecision),
)

