"""A QR code as an SVG answer (server/app/qr.py draws it), for the faces' pages."""

from __future__ import annotations

from flask import Response

from server.app.qr import qr_svg as draw


def qr_svg(text: str) -> Response:
    resp = Response(draw(text), mimetype="image/svg+xml")
    # An address that never changes: neither does its code.
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp
