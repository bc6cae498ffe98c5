"""Statistics (issue #12 point 3; protocol v1.1):

    GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&by=department|item|queue|window|staff[&format=json|csv|xlsx]

Managers see the hall, a chief representative the department; window staff 403. A bad date, an
unknown `by` or `format`, `from` after `to` or a range of more than 92 days: 400 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request

from server.app import stats_files, stats_ops

from .auth import require_staff, services
from .downloads import file_response, query_format
from .errors import ApiError
from .inputs import iso_date

bp = Blueprint("api_stats", __name__, url_prefix="/api/v1")


def _day(name: str) -> date:
    raw = request.args.get(name)
    if raw is None:
        raise ApiError(400, "invalid_query", f"{name} is required: a date as YYYY-MM-DD",
                       f"缺少参数 {name}（日期，格式 YYYY-MM-DD）")
    return iso_date(name, raw)


@bp.get("/stats")
def stats() -> Any:
    staff = require_staff()
    fmt = query_format()
    answer = stats_ops.stats(services(), staff, _day("from"), _day("to"), request.args.get("by", ""))
    if fmt == "json":
        return jsonify(answer)
    # The same download as the audit log's and the evaluation's (server/web/downloads.py).
    rows, hours = stats_files.tables(answer)
    return file_response(rows, fmt, stats_files.filename(answer), hours)
