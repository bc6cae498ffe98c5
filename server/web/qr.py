"""A QR code as an SVG answer: the pages' codes of an address (a ticket's, a booking's), which a
phone or the kiosk's scanner reads. Printed tickets draw theirs on the printer (printers/)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import Response


def qr_svg(text: str) -> Response:
    img = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    resp = Response(img.to_string(encoding="unicode"), mimetype="image/svg+xml")
    # An address that never changes: neither does its code.
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp
