"""The hall manager's board (大厅监控): `/manage/`, for managers and chief representatives.

One static page; everything it shows comes from the API with the signed-in manager's token
(`/api/v1/hall`, `/api/v1/alerts`, `/api/v1/cases/warnings`, and the manager's routes of issue 11:
`/api/v1/manage/board`, allocation, audit, recommendations, proposals, today's tickets) and stays
live over Socket.IO's `hall` room through the shared `hallq-live.js`. A chief representative sees
their department only. A route this server does not have shows as "not available" in its panel.
No rules live here: the server decides, the page shows what it says. See docs/manage.md.
Beside the board: /manage/stats, /manage/audit and /manage/evaluation (issue #12).
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


# The supervision pages of issue #12 (docs/manage.md): statistics with charts, the audit log, and
# the monthly evaluation printable on A4. Static like the board; each reads its API route with
# the token the board's sign-in keeps in this tab, and sends the reader to sign in there first.
@bp.get("/manage/stats")
def stats_page() -> str:
    return render_template("manage/stats.html", hall=services().hall)


@bp.get("/manage/audit")
def audit_page() -> str:
    return render_template("manage/audit.html", hall=services().hall)


# 全市大厅总览 (issue 16): every hall of the installation, for the staff of the whole installation.
@bp.get("/manage/city")
def city_page() -> str:
    return render_template("manage/city.html", hall=services().hall)


@bp.get("/manage/evaluation")
def evaluation_page() -> str:
    return render_template("manage/evaluation.html", hall=services().hall)
