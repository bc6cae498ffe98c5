"""Statistics (issue #12 point 3; protocol v1.1):

    GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&by=department|item|queue|window|staff[&format=json|csv|xlsx]

Managers see the hall, a chief representative the department; window staff 403. A bad date, an
unknown `by` or `format`, `from` after `to` or a range of more than 366 days: 400 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request

from server.app import stats_files, stats_ops

from .auth import require_staff, services
from .errors import ApiError

bp = Blueprint("api_stats", __name__, url_prefix="/api/v1")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _day(name: str) -> date:
    raw = request.args.get(name)
    if raw is None:
        raise ApiError(400, "invalid_query", f"{name} is required: a date as YYYY-MM-DD",
                       f"缺少参数 {name}（日期，格式 YYYY-MM-DD）")
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} must be a date as YYYY-MM-DD",
                       f"{name} 须为日期，格式 YYYY-MM-DD") from None


@bp.get("/stats")
def stats() -> Any:
    staff = require_staff()
    kind = request.args.get("format", "json")
    if kind not in ("json", *FORMATS):
        raise ApiError(400, "invalid_query", "format must be json, csv or xlsx", "format 须为 json、csv 或 xlsx")
    answer = stats_ops.stats(services(), staff, _day("from"), _day("to"), request.args.get("by", ""))
    if kind == "json":
        return jsonify(answer)
    data = stats_files.to_csv(answer) if kind == "csv" else stats_files.to_xlsx(answer)
    name = stats_files.filename(answer, kind)
    resp = Response(data, mimetype=FORMATS[kind].split(";")[0])
    if kind == "csv":
        resp.headers["Content-Type"] = FORMATS["csv"]
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return resp
