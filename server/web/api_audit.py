"""The readable audit log (issue #12 point 5): search a page of the event log, newest first, or
download the same filter as CSV or XLSX. Managers and administrators only. GET /api/v1/audit
(the allocation changes, api_manage.py) is a different route and stays as it was."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import audit_log

from .auth import require_staff, services
from .downloads import file_response, query_date, query_format, query_int

bp = Blueprint("api_audit", __name__, url_prefix="/api/v1/audit")


def _filters() -> audit_log.Filters:
    return audit_log.Filters(
        first=query_date("from"), last=query_date("to"), action=request.args.get("action"),
        actor=request.args.get("actor"), text=request.args.get("q"),
    )


@bp.get("/log")
def log() -> Response:
    staff = require_staff()
    filters = _filters()
    fmt = query_format()
    svc = services()
    if fmt != "json":
        first, last = filters.first, filters.last
        name = f"audit-{first or 'start'}-{last or svc.today()}"
        return file_response(audit_log.export(svc, staff, filters), fmt, name)
    limit = query_int("limit")
    return jsonify(audit_log.search(svc, staff, filters, limit=audit_log.PAGE if limit is None else limit,
                                    before_seq=query_int("before_seq")))


@bp.get("/actions")
def actions() -> Response:
    audit_log.require_auditor(require_staff())
    return jsonify(audit_log.actions())
