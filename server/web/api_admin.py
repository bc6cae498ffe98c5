"""The admin page's API: staff accounts, devices (/api/v1/admin/...) and the hall notice."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import admin_ops, hall_notice

from .auth import require_staff, services
from .bodies_admin import AddUser, Notice, PairDevice, ResetPassword, UpdateDevice
from .errors import parse_body

bp = Blueprint("api_admin", __name__, url_prefix="/api/v1")


@bp.get("/admin/users")
def users() -> Response:
    return jsonify(admin_ops.list_users(services(), require_staff()))


@bp.post("/admin/users")
def add_user() -> tuple[Response, int]:
    staff = require_staff()
    body = parse_body(request.get_data(), AddUser)
    return jsonify(admin_ops.add_user(services(), staff, **body.model_dump())), 201


@bp.post("/admin/users/<username>/disable")
def disable(username: str) -> Response:
    return jsonify(admin_ops.set_disabled(services(), require_staff(), username, True))


@bp.post("/admin/users/<username>/enable")
def enable(username: str) -> Response:
    return jsonify(admin_ops.set_disabled(services(), require_staff(), username, False))


@bp.post("/admin/users/<username>/reset-password")
def reset_password(username: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), ResetPassword)
    return jsonify(admin_ops.reset_password(services(), staff, username, body.password))


@bp.post("/admin/users/<username>/unlock")
def unlock(username: str) -> Response:
    return jsonify(admin_ops.unlock(services(), require_staff(), username))


@bp.get("/admin/devices")
def devices() -> Response:
    return jsonify(admin_ops.list_devices(services(), require_staff()))


@bp.post("/admin/devices")
def pair() -> tuple[Response, int]:
    staff = require_staff()
    body = parse_body(request.get_data(), PairDevice)
    settings = body.settings.model_dump(exclude_none=True) if body.settings else None
    return jsonify(admin_ops.pair_device(services(), staff, name=body.name, kind=body.kind, printer=body.printer,
                                         settings=settings, window=body.window)), 201


@bp.put("/admin/devices/<device_name>")
def update_device(device_name: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), UpdateDevice)
    # "printer": null or "" removes it; no "printer" at all keeps it.
    given = "printer" in body.model_fields_set
    settings = body.settings.model_dump(exclude_none=True) if body.settings else None
    return jsonify(admin_ops.update_device(services(), staff, device_name, printer=body.printer, settings=settings,
                                           printer_given=given))


@bp.delete("/admin/devices/<device_name>")
def revoke(device_name: str) -> Response:
    admin_ops.revoke_device(services(), require_staff(), device_name)
    return Response(status=204)


@bp.get("/hall/notice")
def notice() -> Response:
    require_staff()
    return jsonify(hall_notice.get_notice(services()))


@bp.put("/hall/notice")
def set_notice() -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), Notice)
    return jsonify(hall_notice.set_notice(services(), staff, body.text, body.text_en))
