"""The public page of article 21's progress query by case number, at /guide/progress (no key: a
citizen at home, a phone). The form posts to /api/v1/progress/lookup (api_progress.py) and shows
the answer like the slip's QR page (/case/<token>), with a link to it.

It lives here until the public guide (/guide/) has a package of its own to hold it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template

from .auth import services

bp = Blueprint("progress_page", __name__, template_folder=str(Path(__file__).with_name("templates")))


@bp.get("/guide/progress")
def page() -> str:
    hall = services().hall
    return render_template("progress_lookup.html",
                           hall={"name": hall.name, "name_en": hall.name_en, "code": hall.code})
