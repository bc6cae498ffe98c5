"""Cases over HTTP: staff and the approval platform read and move them (articles 16, 17, 21), and the
public progress page (articles 20, 21).

    GET  /api/v1/cases/{number}             staff who may read it, or the platform
    POST /api/v1/cases/{number}/transition  {"to", "note", "legal_basis", "missing"}: staff of the lead
                                            department, managers, platform; a decision prints its
                                            written decision; a received case is answered with
                                            "accepted" or "noticed" (with "missing")
    GET  /api/v1/cases?updated_since=ISO    the platform or a manager, for pulling
    GET  /api/v1/cases/warnings             chief representatives (their department) and managers (all)
    GET  /case/{token}                      the public progress page, HTML, masked name only; its
                                            rating form once delivered (api_ratings.py takes it)
    GET  /api/v1/alerts                     article 26: queues with visitors and no open window; years
                                            whose holidays the calendar lacks
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from server.app import cases, ratings
from server.app.alerts import current_alerts
from server.app.workcal import calendar_gaps
from server.core.windows import Role

from .auth import require_device, require_staff, services
from .bodies import CaseTransition, parse_instant
from .errors import ApiError, excerpt, parse_body

bp = Blueprint("api_cases", __name__, template_folder=str(Path(__file__).with_name("templates")))


def _caller() -> cases.Caller:
    """The approval platform by its X-Device-Key, else a member of staff by bearer token."""
    if request.headers.get("X-Device-Key"):
        return require_device("platform")
    return require_staff()


@bp.get("/api/v1/cases/warnings")
def case_warnings() -> ResponseReturnValue:
    return jsonify(cases.warnings(services(), require_staff()))


@bp.get("/api/v1/alerts")
def alerts() -> ResponseReturnValue:
    """What a manager's screen shows on (re)connecting, before `alert.*` events take over; a chief
    representative sees the department's queues."""
    staff = require_staff(Role.CHIEF, Role.MANAGER, Role.ADMIN)
    svc = services()
    found = current_alerts(svc)
    if staff.role is Role.CHIEF:
        found = {k: [a for a in v if (q := svc.hall.queue(a["queue"])) and q.department == staff.department]
                 for k, v in found.items()}
    return jsonify({**found, "calendar": calendar_gaps(svc.hall, svc.today())})


@bp.get("/api/v1/cases")
def cases_updated() -> ResponseReturnValue:
    caller = _caller()
    raw = request.args.get("updated_since")
    since = _parse_time(raw) if raw else None
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        given = excerpt(request.args["limit"])
        raise ApiError(400, "invalid_query", f"limit must be a whole number, not {given}", "limit 须为整数") from None
    return jsonify(cases.updated_since(services(), caller, since, limit))


@bp.get("/api/v1/cases/<number>")
def case_get(number: str) -> ResponseReturnValue:
    return jsonify({"case": cases.get_case(services(), _caller(), number)})


@bp.post("/api/v1/cases/<number>/transition")
def case_transition(number: str) -> ResponseReturnValue:
    caller = _caller()
    body = parse_body(request.get_data(), CaseTransition)
    return jsonify({"case": cases.transition(services(), caller, number, body.to, body.note, body.legal_basis,
                                             tuple(body.missing))})


@bp.get("/case/<token>")
def progress_page(token: str) -> ResponseReturnValue:
    page = cases.progress_page(services(), token)
    # 一事一评: the rating form once the case is delivered or concluded.
    rating = ratings.case_form(services(), token) if page else None
    html = render_template("case_progress.html", case=page, rating=rating)
    return Response(html, status=200 if page else 404, content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                             "X-Robots-Tag": "noindex"})


def _parse_time(raw: str) -> datetime:
    return parse_instant(raw, "updated_since")
