"""The service guides' API: the public guide (search, one item's full guide) and the admin's
editor (a revision, a sample form upload). The pages are the `guide` face and admin/guides."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, Response, jsonify, request

from server.app import guides

from .auth import require_staff, services
from .bodies_guides import ReviseGuide, UploadForm
from .errors import ApiError, parse_body

bp = Blueprint("api_guides", __name__, url_prefix="/api/v1")


@bp.get("/guide/items")
def search() -> Response:
    return jsonify(guides.search(services(), request.args.get("q", "")))


@bp.get("/guide/items/<code>")
def item(code: str) -> Response:
    return jsonify(guides.item_view(services(), code))


@bp.get("/admin/guides/<code>")
def editable(code: str) -> Response:
    return jsonify(guides.editable(services(), require_staff(), code))


@bp.put("/admin/guides/<code>")
def revise(code: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), ReviseGuide)
    return jsonify(guides.revise(services(), staff, code, body.guide, body.note, body.base_revision))


@bp.put("/admin/guides/<code>/materials/<material>/form")
def upload(code: str, material: str) -> tuple[Response, int]:
    staff = require_staff()
    body = parse_body(request.get_data(), UploadForm)
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "invalid_body", "content_base64 is not base64", "文件内容不是 base64 编码") from None
    return jsonify(guides.upload_form(services(), staff, code, material, body.filename, data)), 201
