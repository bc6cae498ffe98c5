"""The city's board (issue 16): every hall of the installation at a glance.

    GET /api/v1/city     each hall's waiting, longest wait, windows open, today's numbers and alerts

Staff of the whole installation only (managers and administrators with no hall of their own);
a hall's own staff get 403: their board is /manage/.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from server.app.city_board import City, city_board

from . import hall_scope
from .auth import require_staff

bp = Blueprint("api_city", __name__, url_prefix="/api/v1")


def city() -> City:
    made = current_app.extensions.get("hallq_city")
    if made is None:
        # The home hall's, whichever hall's address asked first: the overview starts with it.
        home = hall_scope.halls().home.services
        made = current_app.extensions["hallq_city"] = City(home, current_app.extensions["hallq_settings"].config)
    return made


@bp.get("/city")
def board() -> Any:
    return jsonify(city_board(city(), require_staff(), hall_scope.halls().codes))
