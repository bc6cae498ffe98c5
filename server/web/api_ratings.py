"""好差评 over HTTP: a visitor rates a service or a case.

    POST /api/v1/tickets/{id}/rating   anyone holding the ticket's id (the phone, channel "phone"),
                                       or with X-Device-Key the rating pad of the window that
                                       served it (channel "pad")
    POST /api/v1/case/{token}/rating   anyone holding the case's progress token (一事一评)

Both take {"level": 1-5, "tags": [...], "comment": TEXT} and answer 201 {"rating": {...}}; 409
`not_finished` before the service (or the case) is over, 409 `already_rated` the second time.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import ratings
from server.core.errors import Forbidden

from .auth import require_device, services
from .bodies_ratings import Rate
from .errors import parse_body

bp = Blueprint("api_ratings", __name__, url_prefix="/api/v1")


@bp.post("/tickets/<ticket_id>/rating")
def rate_ticket(ticket_id: str) -> tuple[Response, int]:
    if request.headers.get("Authorization"):
        # The console knows every ticket's id: a clerk signed in must not rate a service, their own
        # or a colleague's, and so take the visitor's one rating.
        raise Forbidden("staff may not rate a service: ratings come from visitors",
                        zh="工作人员不能评价办理的业务，评价只能由办事群众作出")
    device = require_device("rater") if request.headers.get("X-Device-Key") else None
    body = parse_body(request.get_data(), Rate)
    return jsonify(ratings.rate_ticket(services(), ticket_id, body.model_dump(), device)), 201


@bp.post("/case/<token>/rating")
def rate_case(token: str) -> tuple[Response, int]:
    body = parse_body(request.get_data(), Rate)
    return jsonify(ratings.rate_case(services(), token, body.model_dump())), 201
