"""The hall manager's board (大厅监控): `/manage/`, for managers and chief representatives.

One static page; everything it shows comes from the API with the signed-in manager's token
(`/api/v1/hall`, `/api/v1/alerts`, `/api/v1/cases/warnings`, and the manager's routes of issue 11:
`/api/v1/manage/board`, allocation, audit, recommendations, proposals, today's tickets) and stays
live over Socket.IO's `hall` room through the shared `hallq-live.js`. A chief representative sees
their department only. A route this server does not have shows as "not available" in its panel.
No rules live here: the server decides, the page shows what it says. See docs/manage.md.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from server.web.auth import services

bp = Blueprint(
    "manage",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/manage/static",
)


@bp.get("/manage/")
def board_page() -> str:
    return render_template("manage/board.html", hall=services().hall)
