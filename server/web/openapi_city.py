"""OpenAPI row of the city's board (api_city.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .openapi_monitor import ALERT
from .openapi_route import STAFF, Route
from .openapi_schemas import INT, INT_OR_NULL, STR, STR_OR_NULL, obj

_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
LEVELS = obj({"critical": INT, "warn": INT, "info": INT})
HALL = obj({
    "code": {**STR_OR_NULL, "description": "the hall's code; null when its file cannot be read here"},
    "name": STR, "name_en": STR, "public_url": STR_OR_NULL,
    "board_url": {**STR_OR_NULL, "description": "the hall's board: within this server (/manage/, /h/CODE/manage/) "
                  "for a hall it serves, else at the hall's public_url"}, "at": _TIME_OR_NULL,
    "waiting": INT_OR_NULL, "longest_wait_s": INT_OR_NULL, "windows": INT_OR_NULL, "windows_open": INT_OR_NULL,
    "windows_paused": INT_OR_NULL, "issued_today": INT_OR_NULL, "served_today": INT_OR_NULL,
    "alerts": LEVELS, "top_alerts": {"type": "array", "items": ALERT},
    "problem": {**STR_OR_NULL, "description": "why the hall's file could not be read (null: read)"},
})
TOTALS = obj({"halls": INT, "waiting": INT, "longest_wait_s": INT, "windows": INT, "windows_open": INT,
              "windows_paused": INT, "issued_today": INT, "served_today": INT, "alerts": LEVELS})

CITY_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/city", "every hall of the installation at a glance (the serving hall first): waiting, "
          "longest wait, windows open, today's numbers and alerts, as each hall's own board has them. Staff of the "
          "whole installation only (managers and administrators of no hall)",
          ok=obj({"halls": {"type": "array", "items": HALL}, "totals": TOTALS}), errors=(403,), auth=STAFF),
)
