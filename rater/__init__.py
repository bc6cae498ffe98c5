"""The rating pad (评价器, 好差评): a tablet facing the visitor at one window.

    /rater/    the pad's page; pairs once with ?key=KEY (a device of kind `rater` whose settings
               name its window: hallq device add pad-1 --kind rater --settings '{"window": "1"}')

Idle, it asks visitors to rate the service once it is over. When the window's staff finish a
service, `rating.requested` (room `rater:WINDOW`) brings the staff member's name and 工号 and the
item; the visitor taps one of five large buttons (for the two poor levels, reason tags and a
submit), the page posts it with its key (POST /api/v1/tickets/{id}/rating, channel "pad"),
thanks them, and goes back to idle, also after `[ratings] pad_timeout_s` without a touch (a
pad's settings may shorten that: {"window": "1", "timeout_s": 20}). The page itself is the hall's
public shape; everything live comes over Socket.IO with the pad's key.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template

from server.app.rating_views import form_config
from server.web.auth import services

HERE = Path(__file__).resolve().parent

bp = Blueprint(
    "rater",
    __name__,
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/rater/static",
)

# How long the thank-you stays before the pad is idle again (at most the pad's timeout).
THANKS_S = 6


@bp.get("/rater/")
def pad_page() -> str:
    hall = services().hall
    config = {
        "hall": {"name": hall.name, "name_en": hall.name_en},
        "windows": {w.id: {"name": w.name, "name_en": w.name_en} for w in hall.windows},
        "thanks_s": THANKS_S,
        **form_config(hall),
    }
    return render_template("rater/rater.html", hall=hall, config=config)
