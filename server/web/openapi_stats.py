"""OpenAPI rows of the statistics route (api_stats.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .openapi_route import STAFF, Route
from .openapi_schemas import INT, INT_OR_NULL, NUM_OR_NULL, STR, STR_OR_NULL, nullable, obj

COUNT = INT
LEVELS = obj({str(n): INT for n in range(1, 6)})
CASES = obj({"accepted": INT, "notice": INT, "refused": INT, "concluded": INT, "received": INT})
SECONDS_BY_REASON = {"type": "object", "additionalProperties": INT}
FIGURES = {
    "issued": INT_OR_NULL, "served": COUNT, "no_show": COUNT, "transferred": COUNT, "suspended": COUNT,
    "released": COUNT, "forced": COUNT, "wait_mean_s": NUM_OR_NULL, "wait_p90_s": NUM_OR_NULL,
    "service_mean_s": NUM_OR_NULL, "service_p90_s": NUM_OR_NULL, "paused_s": nullable(SECONDS_BY_REASON),
    "open_s": INT_OR_NULL, "idle_s": INT_OR_NULL, "cases": CASES, "cases_due": INT, "cases_on_time": INT,
    "on_time_rate": NUM_OR_NULL, "ratings": LEVELS, "rated": INT, "satisfaction_rate": NUM_OR_NULL,
}
ROW = obj({"key": STR_OR_NULL, "label": STR, "label_en": STR, **FIGURES},
          {"number": INT_OR_NULL, "staff_no": STR, "username": STR})
STATS = obj({
    "from": STR, "to": STR, "by": {"enum": ["department", "item", "queue", "window", "staff"]},
    "rows": {"type": "array", "items": ROW}, "totals": obj(FIGURES),
    "arrivals_by_hour": {"type": "array", "items": obj({"hour": INT, "issued": INT})},
})
_DAY = {"type": "string", "format": "date"}
FILE = {"type": "string", "format": "binary"}

STATS_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/stats", "statistics of a range of days (at most 92) by department, item, queue, window or "
          "staff: counts, wait and service times (mean, nearest-rank 90th percentile), pauses and idle time, case "
          "outcomes and on-time rate, ratings and satisfaction, arrivals by hour; managers the hall, a chief the "
          "department. format=csv (UTF-8 with BOM) or xlsx returns the same rows as a file",
          ok=STATS, errors=(400, 403), auth=STAFF,
          query=(
              {"name": "from", "in": "query", "required": True, "description": "first day, YYYY-MM-DD",
               "schema": _DAY},
              {"name": "to", "in": "query", "required": True, "description": "last day (included), YYYY-MM-DD",
               "schema": _DAY},
              {"name": "by", "in": "query", "required": True, "description": "what a row is",
               "schema": {"enum": ["department", "item", "queue", "window", "staff"]}},
              {"name": "format", "in": "query", "required": False, "description": "json (default), csv or xlsx",
               "schema": {"enum": ["json", "csv", "xlsx"]}},
          ),
          more={200: {"description": "the statistics; as a file (Content-Disposition: attachment) for csv and xlsx",
                      "headers": {"Content-Disposition": {"description": "attachment; filename=... for csv and "
                                                          "xlsx", "schema": STR}},
                      "content": {"application/json": {"schema": STATS}, "text/csv": {"schema": STR},
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                                      {"schema": FILE}}}}),
)
