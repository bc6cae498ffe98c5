"""What anyone may read: the catalogue (article 20) and a ticket by its unguessable id."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from server.app import accounts
from server.app.allocated import guided_hall
from server.app.guide_overlay import GuidesInForce
from server.app.guides import guide_view
from server.app.snapshots import get_ticket
from server.core.hall import Hall

from .auth import bearer, services
from .openapi import openapi_document

bp = Blueprint("api_public", __name__, url_prefix="/api/v1")


def catalog(hall: Hall, gif: GuidesInForce) -> dict[str, Any]:
    return {
        "hall": {"code": hall.code, "name": hall.name, "name_en": hall.name_en, "public_url": hall.public_url},
        "departments": [{"code": d.code, "name": d.name, "name_en": d.name_en} for d in hall.departments],
        "items": [
            {
                "code": i.code, "name": i.name, "name_en": i.name_en, "department": i.department, "queue": i.queue,
                "copied_departments": list(i.copied_departments), "typical_minutes": i.typical_minutes,
                # Every article 7 field, as the public guide shows it (server.app.guides).
                "guide": guide_view(hall, gif, i),
            }
            for i in hall.items
        ],
        "queues": [
            {"code": q.code, "name": q.name, "name_en": q.name_en, "prefix": q.prefix, "department": q.department}
            for q in hall.queues
        ],
        "windows": [
            {
                "id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en, "kind": w.kind.value,
                "department": w.department, "zone": w.zone,
                "queues": [{"queue": sq.queue, "weight": sq.weight} for sq in w.queues],
            }
            for w in hall.windows
        ],
    }


@bp.get("/catalog")
def get_catalog() -> ResponseReturnValue:
    hall, gif = guided_hall(services())
    return jsonify(catalog(hall, gif))


@bp.get("/tickets/<ticket_id>")
def ticket(ticket_id: str) -> ResponseReturnValue:
    # A signed-in caller (a window's console) also gets what only staff see of it.
    staff = accounts.staff_for_token(services(), bearer()) if bearer() else None
    return jsonify({"ticket": get_ticket(services(), ticket_id, staff=staff is not None)})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())
