"""The manager's board (issue #11 points 4-6): the floor, its alerts, today's tickets and the
monitor's actions on them, staffing recommendations with a what-if, overflow proposals.

    GET  /api/v1/manage/board                          the floor as of `seq`
    GET  /api/v1/manage/tickets?q=NUMBER                today's tickets by number
    POST /api/v1/manage/tickets/{id}/transfer|priority|cancel|reactivate|force-finish
    GET  /api/v1/recommendations                       Erlang C per queue and interval
    POST /api/v1/recommendations/what-if               a window moved between two queues
    GET  /api/v1/manage/proposals                      what the overflow rules propose now
    POST /api/v1/manage/proposals/apply                one proposal, through the live allocation

Managers see and act on the whole hall, a chief representative on the department; window staff 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request

from server.app import manage_board, monitor_ops, overflow_ops, recommendations

from .auth import require_staff, services
from .bodies_monitor import ApplyProposal, MonitorPriority, MonitorTransfer, Reason, WhatIf
from .errors import ApiError, parse_body

bp = Blueprint("api_monitor", __name__, url_prefix="/api/v1")

M = "/manage/tickets/<ticket_id>"


@bp.get("/manage/board")
def board() -> Any:
    return jsonify(manage_board.board(services(), require_staff()))


@bp.get("/manage/tickets")
def search() -> Any:
    staff = require_staff()
    q = request.args.get("q")
    if q is None or not q.strip():
        raise ApiError(400, "invalid_query", 'give "q": a ticket number or part of one', "请输入号码或其中一部分")
    return jsonify(monitor_ops.search(services(), staff, q))


@bp.post(f"{M}/transfer")
def transfer(ticket_id: str) -> Any:
    staff = require_staff()
    body = parse_body(request.get_data(), MonitorTransfer)
    return jsonify(monitor_ops.transfer(services(), staff, ticket_id, queue=body.queue, window=body.window,
                                        reason=body.reason))


@bp.post(f"{M}/priority")
def priority(ticket_id: str) -> Any:
    staff = require_staff()
    body = parse_body(request.get_data(), MonitorPriority)
    return jsonify(monitor_ops.set_priority(services(), staff, ticket_id, body.priority, body.reason,
                                            body.green_reason))


def _with_reason(fn: Callable[..., dict[str, Any]], ticket_id: str) -> Any:
    staff = require_staff()
    body = parse_body(request.get_data(), Reason)
    return jsonify(fn(services(), staff, ticket_id, body.reason))


@bp.post(f"{M}/cancel")
def cancel(ticket_id: str) -> Any:
    return _with_reason(monitor_ops.cancel, ticket_id)


@bp.post(f"{M}/reactivate")
def reactivate(ticket_id: str) -> Any:
    return _with_reason(monitor_ops.reactivate, ticket_id)


@bp.post(f"{M}/force-finish")
def force_finish(ticket_id: str) -> Any:
    return _with_reason(monitor_ops.force_finish, ticket_id)


@bp.get("/recommendations")
def recommended() -> Any:
    return jsonify(recommendations.recommendations(services(), require_staff()))


@bp.post("/recommendations/what-if")
def what_if() -> Any:
    staff = require_staff()
    body = parse_body(request.get_data(), WhatIf)
    return jsonify(recommendations.what_if(services(), staff, body.window, body.from_, body.to))


@bp.get("/manage/proposals")
def proposals() -> Any:
    return jsonify(overflow_ops.proposals(services(), require_staff()))


@bp.post("/manage/proposals/apply")
def apply_proposal() -> Any:
    staff = require_staff()
    body = parse_body(request.get_data(), ApplyProposal)
    return jsonify(overflow_ops.apply(services(), staff, body.rule, body.window, body.queue))
