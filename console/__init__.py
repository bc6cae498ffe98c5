"""The window console (窗口控制台) that window staff work at: `/console/`.

One static page; everything it shows comes from the API with the member of staff's token
(sign in, `/api/v1/auth/me`, `/api/v1/catalog`, the window actions) and stays live over
Socket.IO through the shared `hallq-live.js` (rooms `window:ID` and `queue:CODE` of the
window's queues). No rules live here: the server decides, the page shows what it says and, when
it refuses, its message. See docs/console.md for the layout, the shortcuts and the tally.

`/console/cases` is the cases desk (办件台): the department's open cases with their time limits,
moved on, extended, suspended, and their papers seen and reprinted (docs/cases.md).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from server.web.auth import services

bp = Blueprint(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/console/static",
)


@bp.get("/console/")
def console_page() -> str:
    hall = services().hall
    return render_template("console/console.html", hall=hall)


@bp.get("/console/cases")
def cases_desk() -> str:
    hall = services().hall
    return render_template("console/cases.html", hall=hall)
