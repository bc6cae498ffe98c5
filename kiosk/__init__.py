"""The visitor's faces of the hall: the touch-screen kiosk and the phone page behind the ticket's QR code.

Routes (no rules here: the server's API decides, these pages only show what it says):
  /kiosk/              the kiosk (a registered device; pairs once with ?key=KEY)
  /t/<ticket id>       the visitor's live status page, the target of the ticket's QR code; once the
                       service is done, its 好差评 rating form
  /t/<ticket id>/qr.svg  that QR code as SVG, for the kiosk's result screen

Article 7: both pages show the item's service guide before and after a number is taken: every
field of it (the kiosk's guide_more.js, the phone's guide_full.html), as revised by an admin.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template

from server.app import guides
from server.app.ratings import ticket_form
from server.app.snapshots import get_ticket
from server.core.errors import NotFound
from server.core.hall import Hall
from server.web.auth import services
from server.web.qr import qr_svg

bp = Blueprint(
    "kiosk",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kiosk/static",
)


@bp.get("/kiosk/")
def kiosk_page() -> str:
    hall = services().hall
    return render_template("kiosk/kiosk.html", hall=hall)


@bp.get("/t/<ticket_id>")
def status_page(ticket_id: str) -> Any:
    svc = services()
    try:
        ticket = get_ticket(svc, ticket_id)
    except NotFound:
        return render_template("kiosk/ticket_404.html", hall=svc.hall), 404
    page = {**status_data(svc.hall, ticket), "rating": ticket_form(svc, ticket["id"])}
    guide = guides.item_view(svc, ticket["item"])["item"] if svc.hall.item(ticket.get("item") or "") else None
    if guide is not None:  # the materials of the guide in force (an admin's revision, if any)
        page["materials"] = guide["guide"]["materials"]
    resp = Response(render_template("kiosk/status.html", hall=svc.hall, ticket=ticket, page=page, guide=guide))
    # The page is a view of live state: a phone must never show yesterday's copy from its cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/t/<ticket_id>/qr.svg")
def ticket_qr(ticket_id: str) -> Response:
    ticket = get_ticket(services(), ticket_id)  # NotFound → the JSON 404 every error is
    return qr_svg(ticket["status_url"])


def status_data(hall: Hall, ticket: dict[str, Any]) -> dict[str, Any]:
    """What the status page's script starts from: the ticket, its guide's materials, window names."""
    return {
        "ticket": ticket,
        "materials": materials(hall, ticket.get("item")),
        "windows": {w.id: {"name": w.name, "name_en": w.name_en} for w in hall.windows},
    }


def materials(hall: Hall, item_code: str | None) -> list[dict[str, Any]]:
    """The item's materials as the catalogue (/api/v1/catalog) lists them."""
    item = hall.item(item_code) if item_code else None
    if item is None:
        return []
    return [
        {"code": m.code, "name": m.name, "name_en": m.name_en, "copies": m.copies, "note": m.note}
        for m in item.guide.materials
    ]
