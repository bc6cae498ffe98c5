"""The calling displays: the hall screen (综合屏) and the window screens (窗口屏).

Both pages are static HTML plus the hall's public shape (the same facts `/api/v1/catalog` gives
anyone), so they render without a credential; everything live comes over Socket.IO with the
display's device key. `GET /api/v1/devices/me` lets a display read its own settings (which zone,
windows and queues it shows), so one page serves every screen in a big hall. See docs/display.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request

from server.core.hall import Hall
from server.speech.plan import Policy
from server.speech.settings import HallVoice, template_more
from server.web.auth import require_device, services

HERE = Path(__file__).resolve().parent

bp = Blueprint(
    "display",
    __name__,
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/display/static",
)

# A call announced later than this after it was made is not announced at all: a display that was
# offline does not replay stale calls to a hall that has moved on (issue 4).
STALE_AFTER_S = 30
# How long a call waits for its `announcement` (the synthesized audio) before the display falls
# back to the browser's own speech, or to the text alone.
FALLBACK_MS = 1500


def page_config(hall: Hall, **extra: Any) -> dict[str, Any]:
    """What a display needs to know about the hall's shape; all of it is public (the catalog)."""
    return {
        "hall": {"code": hall.code, "name": hall.name, "name_en": hall.name_en, "timezone": hall.timezone},
        "departments": {d.code: {"name": d.name, "name_en": d.name_en} for d in hall.departments},
        "queues": [
            {"code": q.code, "name": q.name, "name_en": q.name_en, "prefix": q.prefix, "department": q.department}
            for q in hall.queues
        ],
        "windows": [
            {
                "id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en, "kind": w.kind.value,
                "department": w.department, "zone": w.zone, "queues": [sq.queue for sq in w.queues],
            }
            for w in hall.windows
        ],
        "voice": voice_config(hall),
        "notices": list(hall.notices),
        "stale_after_s": STALE_AFTER_S,
        "fallback_ms": FALLBACK_MS,
        **extra,
    }


def voice_config(hall: Hall) -> dict[str, Any]:
    """The words and the loudspeaker's rule (server/speech/plan.py), for the display's player."""
    v, default = hall.voice, HallVoice()
    return {
        "template": v.template, "template_en": v.template_en, "english": v.english, "repeat": v.repeat,
        "template_more": template_more(v),
        "merge_after": getattr(v, "merge_after", default.merge_after),
        "merge_max": getattr(v, "merge_max", default.merge_max),
        "idle_after_s": Policy().idle_after_s,
        "banner_max_s": getattr(v, "banner_max_s", default.banner_max_s),
    }


@bp.get("/display/")
def index():
    return redirect(request.script_root + "/display/hall")


@bp.get("/display/hall")
def hall_screen():
    hall = services().hall
    return render_template("display/hall.html", config=page_config(hall, screen="hall"), hall=hall)


@bp.get("/display/window/<window_id>")
def window_screen(window_id: str):
    hall = services().hall
    window = hall.window(window_id)
    if window is None:
        abort(404, description=f"unknown window {window_id!r}; see /api/v1/catalog for the hall's windows")
    return render_template(
        "display/window.html", config=page_config(hall, screen="window", window=window.id), hall=hall, window=window
    )


@bp.get("/api/v1/devices/me")
def device_me():
    """The calling device's own record: id, name, kind, printer and its settings.

    A display's settings may hold `zone` (a zone name or a list of them), `windows` and `queues`
    (lists of ids and codes) to show part of the hall, `title` to name its screen and `sound`
    (false: show announcements without playing them).
    """
    return jsonify({"device": require_device()})
