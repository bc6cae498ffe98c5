"""QR codes for the pages, as SVG: the codes of an address (a ticket's, a booking's) that a phone or
the kiosk's scanner reads. Printed tickets draw theirs on the printer (printers/)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def qr_svg(text: str) -> str:
    img = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    return str(img.to_string(encoding="unicode"))
