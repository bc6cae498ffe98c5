"""OpenAPI rows of the supervision reports (issue #12 points 4 and 5): the readable audit log
(api_audit.py) and the monthly evaluation (api_evaluation.py). Each answers JSON, or with
`format=csv` / `format=xlsx` the same table as a file to download."""

from __future__ import annotations

from typing import Any

from .openapi_route import STAFF, Route
from .openapi_schemas import DATE, INT, INT_OR_NULL, NUM_OR_NULL, STR, TIME, obj

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _q(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


FORMAT = _q("format", "json (default), or the same table as a csv or xlsx file", {"enum": ["json", "csv", "xlsx"]})


def with_files(ok: dict[str, Any], description: str) -> dict[int, dict[str, Any]]:
    """The 200 answer: JSON, or (format=csv|xlsx) a file named in Content-Disposition."""
    binary = {"schema": {**STR, "format": "binary"}}
    return {200: {"description": description, "content": {"application/json": {"schema": ok}, CSV: binary,
                                                           XLSX: binary}}}


LABEL = obj({"zh": STR, "en": STR})
ENTRY = obj({
    "seq": INT, "at": TIME, "actor": obj({"kind": STR, "name": STR}),
    "action": {**STR, "description": "as logged: allocation.change, case.read, monitor.force_finish, ..."},
    "label": LABEL, "subject": STR, "detail": {"type": "object", "description": "as logged"},
})
ACTION = obj({"action": STR, "zh": STR, "en": STR})
AUDIT_LOG = obj({"entries": {"type": "array", "items": ENTRY},
                 "next_before_seq": {**INT_OR_NULL, "description": "pass as before_seq for the next page"}})

RATE = {**NUM_OR_NULL, "minimum": 0, "maximum": 1, "description": "null: no data"}
POINTS = {**NUM_OR_NULL, "description": "weight × rate (or × (1 − rate)); null: no data, left out"}
TERMS = ("satisfaction", "on_time", "no_show", "pause")
EVAL_ROW = obj({
    "key": STR, "name": STR,
    "served": INT, "no_show": INT, "ratings": {"type": "object", "additionalProperties": INT},
    "rated": INT, "satisfied": INT, "cases_known": INT, "cases_on_time": INT,
    "paused_s": {"type": "number"}, "signed_in_s": {"type": "number"},
    "rates": obj({t: RATE for t in TERMS}), "points": obj({t: POINTS for t in TERMS}),
    "score": {**NUM_OR_NULL, "minimum": 0, "maximum": 100}, "rank": INT_OR_NULL,
})
EVALUATION = obj({
    "month": {**STR, "pattern": r"^\d{4}-\d{2}$"}, "from": DATE, "to": DATE, "by": {"enum": ["window", "staff"]},
    "hall": obj({"name": STR, "name_en": STR}), "department": {"type": ["string", "null"]},
    "weights": obj({t: {"type": "number"} for t in TERMS}),
    "formula": obj({"zh": STR, "en": STR}), "missing": obj({"zh": STR, "en": STR}),
    "definitions": obj({"zh": STR, "en": STR}),
    "rows": {"type": "array", "items": EVAL_ROW},
})

REPORT_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/audit/log", "the audit log, newest first: who did what and when (managers, admins); "
          "filters by day, action (name, prefix ending in '.', or several comma-separated), actor and text",
          errors=(400, 403), auth=STAFF, more=with_files(AUDIT_LOG, "a page of entries, or the export"), query=(
              _q("from", "first day, YYYY-MM-DD (the hall's days)", DATE),
              _q("to", "last day, YYYY-MM-DD, inclusive", DATE),
              _q("action", "allocation.change, case.read, monitor.force_finish, followup.excluded, a prefix "
                 "such as followup., or several comma-separated", STR),
              _q("actor", "part of the actor's name (any case)", STR),
              _q("q", "text in the subject, the actor's name, the action or its label (any case)", STR),
              _q("limit", "entries per page, 1-500 (100)", {**INT, "minimum": 1, "maximum": 500}),
              _q("before_seq", "the page below this seq (the previous page's next_before_seq)",
                 {**INT, "minimum": 0, "maximum": 2**63 - 1}),
              FORMAT,
          )),
    Route("get", "/api/v1/audit/actions", "the labelled action names, and the kinds the audit page offers first",
          ok=obj({"important": {"type": "array", "items": ACTION}, "actions": {"type": "array", "items": ACTION}}),
          errors=(403,), auth=STAFF),
    Route("get", "/api/v1/evaluation", "the monthly evaluation (article 27) per window or staff member: every "
          "input figure, each term's points, the score and rank, the formula (managers; chiefs: their department)",
          errors=(400, 403), auth=STAFF, more=with_files(EVALUATION, "the evaluation, or its table as a file"),
          query=(
              _q("month", "YYYY-MM", {**STR, "pattern": r"^\d{4}-\d{2}$"}, required=True),
              _q("by", "window (default) or staff", {"enum": ["window", "staff"]}),
              FORMAT,
          )),
)
