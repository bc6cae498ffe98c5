"""Staff: sign in and out, the hall snapshot, and every window action."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from server.app import acceptance, accounts, printing, window_ops
from server.app.snapshots import hall_snapshot
from server.app.staff import hand_over_to

from .auth import bearer, client_address, require_staff, services
from .bodies import CallNumber, Finish, HandOver, Login, Pause, Reprint, Suspend, Transfer
from .errors import error_response, parse_body

bp = Blueprint("api_staff", __name__, url_prefix="/api/v1")


@bp.post("/auth/login")
def login() -> ResponseReturnValue:
    body = parse_body(request.get_data(), Login)
    try:
        return jsonify(accounts.login(services(), body.username, body.password, client_address()))
    except accounts.TooManyAttempts as exc:
        response, status = error_response(429, exc.code, exc.message, retry_after_s=exc.retry_after_s)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response, status


@bp.post("/auth/logout")
def logout() -> ResponseReturnValue:
    require_staff()
    accounts.logout(services(), bearer() or "")
    # Article 26: a window its staff left by signing out is closed, its visitors back in line.
    window_ops.sign_off_absent(services())
    return Response(status=204)


@bp.get("/auth/me")
def me() -> ResponseReturnValue:
    staff = require_staff()
    return jsonify({"user": accounts.staff_json(staff), "windows": accounts.windows_for(services().hall, staff)})


@bp.get("/hall")
def hall() -> ResponseReturnValue:
    require_staff()
    return jsonify(hall_snapshot(services()))


@bp.post("/windows/<window_id>/open")
def open_window(window_id: str) -> ResponseReturnValue:
    return jsonify({"window": window_ops.open_window(services(), require_staff(), window_id)})


@bp.get("/windows/<window_id>/today")
def window_today(window_id: str) -> ResponseReturnValue:
    return jsonify(window_ops.window_today(services(), require_staff(), window_id))


@bp.post("/windows/<window_id>/call-next")
def call_next(window_id: str) -> ResponseReturnValue:
    view = window_ops.call_next(services(), require_staff(), window_id)
    if view is None:
        return Response(status=204)
    return jsonify({"ticket": view})


@bp.post("/windows/<window_id>/call-number")
def call_number(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), CallNumber)
    return jsonify({"ticket": window_ops.call_number(services(), staff, window_id, body.number)})


def _ticket_action(fn: Any, window_id: str) -> ResponseReturnValue:
    return jsonify(fn(services(), require_staff(), window_id))


@bp.post("/windows/<window_id>/recall")
def recall(window_id: str) -> ResponseReturnValue:
    return _ticket_action(window_ops.recall, window_id)


@bp.post("/windows/<window_id>/start")
def start(window_id: str) -> ResponseReturnValue:
    return _ticket_action(window_ops.start, window_id)


@bp.post("/windows/<window_id>/no-show")
def no_show(window_id: str) -> ResponseReturnValue:
    return _ticket_action(window_ops.no_show, window_id)


@bp.post("/windows/<window_id>/transfer")
def transfer(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), Transfer)
    return jsonify(
        window_ops.transfer(services(), staff, window_id, queue=body.queue, to_window=body.window, note=body.note)
    )


@bp.post("/windows/<window_id>/suspend")
def suspend(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), Suspend, required=False)
    return jsonify(window_ops.suspend(services(), staff, window_id, body.note))


@bp.post("/windows/<window_id>/resume-ticket")
def resume_ticket(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), CallNumber)
    return jsonify(window_ops.resume_ticket(services(), staff, window_id, body.number))


@bp.post("/windows/<window_id>/pause")
def pause(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), Pause)
    return jsonify({"window": window_ops.pause(services(), staff, window_id, body.reason)})


@bp.post("/windows/<window_id>/resume")
def resume(window_id: str) -> ResponseReturnValue:
    return jsonify({"window": window_ops.resume(services(), require_staff(), window_id)})


@bp.post("/windows/<window_id>/close")
def close(window_id: str) -> ResponseReturnValue:
    return jsonify({"window": window_ops.close(services(), require_staff(), window_id)})


@bp.post("/windows/<window_id>/hand-over")
def hand_over(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), HandOver)
    return jsonify({"window": hand_over_to(services(), staff, window_id, body.username)})


@bp.post("/windows/<window_id>/finish")
def finish(window_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), Finish, required=False)
    return jsonify(
        acceptance.finish(
            services(), staff, window_id, outcome=body.outcome,
            applicant=body.applicant.model_dump() if body.applicant else None, materials=body.materials,
            missing=body.missing, reason=body.reason, note=body.note, item=body.item,
        )
    )


@bp.post("/tickets/<ticket_id>/reprint")
def reprint(ticket_id: str) -> ResponseReturnValue:
    """Print a ticket again: at the given window's printer, else at the kiosk that issued it."""
    staff = require_staff()
    body = parse_body(request.get_data(), Reprint, required=False)
    return jsonify(printing.reprint_ticket(services(), staff, ticket_id, body.window))
