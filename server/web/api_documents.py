"""The papers a case printed (issue 14): listed, previewed as a PNG, reprinted, and checked by
anyone holding one.

    GET  /api/v1/cases/{number}/documents       staff who may read the case
    GET  /api/v1/documents/{id}/preview.png     staff who may read the case: the paper as printed
    POST /api/v1/documents/{id}/reprint         {"window"?}: at a window the caller holds or oversees
    GET  /api/v1/verify/{code}                  public, rate-limited: kind, number, department, date
    GET  /verify/{code}                         public, rate-limited: the same as a phone page
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from server.app import documents
from server.app.context import Services
from server.core.errors import NotFound
from server.core.public_limit import Limiter

from . import hall_scope
from .auth import client_address, require_staff, services
from .bodies_documents import DocumentReprint
from .errors import error_response, parse_body

bp = Blueprint("api_documents", __name__, template_folder=str(Path(__file__).with_name("templates")))

PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _doc_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(f"no document {raw[:20]!r}", zh="未找到该文书")
    return int(raw)


@bp.get("/api/v1/cases/<number>/documents")
def case_documents(number: str) -> ResponseReturnValue:
    return jsonify(documents.for_case(services(), require_staff(), number))


@bp.get("/api/v1/documents/<doc_id>/preview.png")
def preview(doc_id: str) -> ResponseReturnValue:
    png = documents.preview_png(services(), require_staff(), _doc_id(doc_id))
    return Response(png, content_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@bp.post("/api/v1/documents/<doc_id>/reprint")
def reprint(doc_id: str) -> ResponseReturnValue:
    staff = require_staff()
    body = parse_body(request.get_data(), DocumentReprint, required=False)
    return jsonify(documents.reprint(services(), staff, _doc_id(doc_id), body.window))


def _limited() -> ResponseReturnValue | None:
    """429 with Retry-After when this client address has checked too many codes lately."""
    limiter = current_app.extensions.setdefault("hallq_verify_limiter", Limiter())
    wait = limiter.allow(client_address(), services().clock())
    if not wait:
        return None
    response, status = error_response(
        429, "too_many_checks", f"too many checks from this address; try again in {wait} s",
        f"查询过于频繁，请 {wait} 秒后再试")
    response.headers["Retry-After"] = str(wait)
    return response, status


def _verify(verify_code: str) -> tuple[Services, dict[str, Any] | None]:
    """The document and the hall that issued it: the address's hall first, then every other hall
    this server serves, so a paper of any hall of the installation checks out at any of them."""
    first = services()
    for svc in [first, *(s.services for s in hall_scope.halls() if s.services is not first)]:
        if (found := documents.verify(svc, verify_code)) is not None:
            return svc, found
    return first, None


@bp.get("/api/v1/verify/<verify_code>")
def verify_api(verify_code: str) -> ResponseReturnValue:
    if (refused := _limited()) is not None:
        return refused
    _, found = _verify(verify_code)
    if found is None:
        raise NotFound("no such document: the code matches nothing the halls of this server issued", zh="查无此文书")
    return jsonify({"document": found})


@bp.get("/verify/<verify_code>")
def verify_page(verify_code: str) -> ResponseReturnValue:
    if (refused := _limited()) is not None:
        return refused
    svc, found = _verify(verify_code)
    html = render_template("verify.html", doc=found, hall=svc.hall, code=verify_code[:40])
    return Response(html, status=200 if found else 404, content_type="text/html; charset=utf-8",
                    headers=PAGE_HEADERS)
