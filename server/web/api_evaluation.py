"""The monthly evaluation (article 27; issue #12 point 4): GET /api/v1/evaluation?month=YYYY-MM
&by=window|staff, JSON or (format=xlsx|csv) the same table as a file. Managers; chiefs their
department. The printable report is the board's page /manage/evaluation, which reads this."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import evaluation_ops

from .auth import require_staff, services
from .downloads import file_response, query_format
from .errors import ApiError

bp = Blueprint("api_evaluation", __name__, url_prefix="/api/v1")


@bp.get("/evaluation")
def evaluation() -> Response:
    staff = require_staff()
    month = request.args.get("month", "").strip()
    if not month:
        raise ApiError(400, "invalid_query", 'give "month" as YYYY-MM', "请给出考核月份 month，格式 YYYY-MM")
    by = request.args.get("by", "window").strip() or "window"
    fmt = query_format()
    answer = evaluation_ops.evaluation(services(), staff, month, by)
    if fmt == "json":
        return jsonify(answer)
    return file_response(evaluation_ops.table(answer), fmt, f"hallq-evaluation-{by}-{answer['month']}")
