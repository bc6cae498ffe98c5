"""The manager's allocation routes: which queues each window serves, where an item routes, reserve
windows, undo and the audit (issue #11 points 1-3, 7; protocol v1.1)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import allocation_ops as ops

from .auth import require_staff, services
from .bodies import parse_instant
from .bodies_manage import ItemQueue, Reserve, Undo, WindowQueues
from .errors import parse_body

bp = Blueprint("api_manage", __name__, url_prefix="/api/v1")


@bp.get("/windows/<window_id>/queues")
def window_queues(window_id: str) -> Response:
    return jsonify(ops.window_queues(services(), require_staff(), window_id))


@bp.put("/windows/<window_id>/queues")
def set_window_queues(window_id: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), WindowQueues)
    queues = [q.model_dump() for q in body.queues]
    return jsonify(ops.set_window_queues(services(), staff, window_id, queues, body.reason, body.force))


@bp.put("/items/<code>/queue")
def item_queue(code: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), ItemQueue)
    return jsonify(ops.move_item_queue(services(), staff, code, body.queue, body.reason, body.force))


@bp.post("/windows/<window_id>/reserve")
def reserve(window_id: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), Reserve)
    return jsonify(ops.set_reserve_open(services(), staff, window_id, body.open, body.reason, body.force))


@bp.post("/allocation/undo")
def undo() -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), Undo, required=False)
    return jsonify(ops.undo(services(), staff, body.reason, body.force))


@bp.get("/allocation")
def allocation() -> Response:
    return jsonify(ops.allocation(services(), require_staff()))


@bp.get("/audit")
def audit() -> Response:
    staff = require_staff()
    raw = request.args.get("since")
    return jsonify(ops.audit(services(), staff, parse_instant(raw, "since") if raw is not None else None))
