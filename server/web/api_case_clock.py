"""The time limits of cases over HTTP (articles 14 and 16) and the cases desk's list.

    GET  /api/v1/cases/open                                   the desk: open cases (chief, window: the
                                                              department's; manager: all)
    POST /api/v1/cases/{number}/extensions                    {"days", "reason", "legal_basis"}: request
    POST /api/v1/cases/{number}/extensions/{id}/approve       {"note"}: the department's chief or a manager
    POST /api/v1/cases/{number}/extensions/{id}/reject        {"note"} (required)
    POST /api/v1/cases/{number}/suspension                    {"kind", "reason"}: stop the clock
    POST /api/v1/cases/{number}/suspension/end                the clock runs again, the promise moved
    GET  /api/v1/cases/{number}/notice                        a notice's missing list, for its readers and
                                                              the window serving its returning visitor
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from server.app import case_clock as ops
from server.app import returning
from server.core.errors import NotFound

from .api_cases import _caller
from .auth import require_staff, services
from .bodies_clock import ExtensionDecision, ExtensionRequest, SuspensionStart
from .errors import parse_body

bp = Blueprint("api_case_clock", __name__, url_prefix="/api/v1/cases")

MAX_ID = 2**31 - 1


def _extension_id(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    raise NotFound(f"no extension request {raw[:20]!r}", zh="没有该延长申请")


@bp.get("/open")
def open_cases() -> ResponseReturnValue:
    return jsonify(ops.open_cases(services(), require_staff()))


@bp.get("/<number>/notice")
def notice(number: str) -> ResponseReturnValue:
    return jsonify({"notice": returning.notice_for_window(services(), require_staff(), number)})


@bp.post("/<number>/extensions")
def request_extension(number: str) -> ResponseReturnValue:
    caller = _caller()
    body = parse_body(request.get_data(), ExtensionRequest)
    return jsonify(ops.request_extension(services(), caller, number, days=body.days, reason=body.reason,
                                         legal_basis=body.legal_basis)), 201


@bp.post("/<number>/extensions/<extension_id>/approve")
def approve_extension(number: str, extension_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data() or b"{}", ExtensionDecision)
    return jsonify(ops.decide_extension(services(), staff, number, _extension_id(extension_id), approve=True,
                                        note=body.note))


@bp.post("/<number>/extensions/<extension_id>/reject")
def reject_extension(number: str, extension_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), ExtensionDecision)
    return jsonify(ops.decide_extension(services(), staff, number, _extension_id(extension_id), approve=False,
                                        note=body.note))


@bp.post("/<number>/suspension")
def start_suspension(number: str) -> ResponseReturnValue:
    caller = _caller()
    body = parse_body(request.get_data(), SuspensionStart)
    return jsonify(ops.start_suspension(services(), caller, number, kind=body.kind, reason=body.reason)), 201


@bp.post("/<number>/suspension/end")
def end_suspension(number: str) -> ResponseReturnValue:
    return jsonify(ops.end_suspension(services(), _caller(), number))
