"""The public service guide (办事指南, articles 7 and 20): what a citizen reads at home, on a phone
or on the kiosk, without a key.

    /guide/                       departments → items; ?q= searches (Chinese words, pinyin
                                  initials "gszc", full pinyin, English, an item code)
    /guide/items/<code>           one item's whole guide: every article 7 field, the sample forms,
                                  the revision date and what it changed; prints on A4
    /guide/forms/<code>/<material>  a sample form (示范文本) to download
    /guide/book                   预约办理: department → item → day → slot → name, ID, phone → the
                                  booking's code and QR (book.js over /api/v1/appointments)
    /a/<code>                     the booking's own page, its QR's target: status, QR, cancel
    /a/<code>/qr.svg              that QR code (the booking's qr_url) as SVG

Pages are rendered on the server (they read and print without script); guide.js only searches as
one types. Everything comes from server.app.guides, so an admin's new revision is what the next
page shows on every process. The progress lookup by case number lives at /guide/progress.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from server.app import guides
from server.app.workcal import hall_calendar
from server.core.errors import NotFound
from server.web.auth import services
from server.web.qr import qr_svg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

bp = Blueprint(
    "guide",
    __name__,
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/guide/static",
)


@bp.app_context_processor
def booking_links() -> dict[str, Any]:
    """`booking_on`: whether the guide's pages link to 预约办理 (off when the hall file's
    `[appointments] enabled = false`)."""
    if not request.path.startswith(("/guide", "/a/")):
        return {}
    return {"booking_on": services().hall.appointments.enabled}


@bp.get("/guide/")
def home() -> str:
    query = request.args.get("q", "").strip()[:50]
    found = guides.search(services(), query) if query else None
    return render_template("guide/home.html", catalogue=guides.departments(services()), query=query, found=found)


@bp.get("/guide/items/<code>")
def item(code: str) -> ResponseReturnValue:
    hall = services().hall
    try:
        view = guides.item_view(services(), code)["item"]
    except NotFound:
        return render_template("guide/missing.html", hall=hall, code=code[:40]), 404
    return render_template("guide/item.html", hall=hall, item=view, g=view["guide"])


@bp.get("/guide/book")
def book() -> ResponseReturnValue:
    """The booking page: the catalogue to choose from (or the item asked for), and the days that
    may be booked, closed ones marked, from today to the hall's horizon."""
    svc = services()
    hall = svc.hall
    code = request.args.get("item", "").strip()[:40]
    chosen = hall.item(code) if code else None
    return render_template("guide/book.html", hall=hall, catalogue=guides.departments(svc), item=chosen,
                           asked=code, days=booking_days(), rules=hall.appointments,
                           now=svc.clock().isoformat(timespec="seconds"))


def booking_days() -> list[dict[str, Any]]:
    svc = services()
    today = svc.today()
    cal = hall_calendar(svc.hall)
    week = "一二三四五六日"
    out = []
    for n in range(svc.hall.appointments.horizon_days + 1):
        d = today + timedelta(days=n)
        out.append({"date": d.isoformat(), "md": f"{d.month}月{d.day}日", "wd": "周" + week[d.weekday()],
                    "en": d.strftime("%a %d %b"), "open": cal.is_workday(d), "today": n == 0})
    return out


@bp.get("/a/<code>")
def appointment(code: str) -> ResponseReturnValue:
    """The booking's page: its script reads GET /api/v1/appointments/<code> and keeps it live."""
    hall = services().hall
    return render_template("guide/appointment.html", hall=hall, code=code[:40], rules=hall.appointments)


@bp.get("/a/<code>/qr.svg")
def appointment_qr(code: str) -> Response:
    """The booking's QR code: its page's address (the `qr_url`), which the kiosk's scanner reads."""
    clean = "".join(c for c in code if c.isalnum() or c == "-")[:24]
    return qr_svg(f"{services().hall.public_url}/a/{clean}")


@bp.get("/guide/forms/<code>/<material>")
def form(code: str, material: str) -> Response:
    f = guides.form_file(services(), code, material, forms_dir())
    resp = Response(f["data"], mimetype=f["content_type"])
    resp.headers["Content-Disposition"] = disposition(f["filename"], f"{code}-{material}")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def disposition(filename: str, fallback: str) -> str:
    """attachment with the Chinese name (RFC 5987 filename*) and an ASCII one for old clients."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    ascii_name = "".join(c for c in fallback if c.isascii() and (c.isalnum() or c in "-_.")) or "sample"
    return f'attachment; filename="{ascii_name}.{ext}"; filename*=UTF-8\'\'{quote(filename, safe="")}'


def forms_dir() -> Path:
    """forms/ beside the hall file the server was started with."""
    settings = current_app.extensions.get("hallq_settings")
    config = getattr(settings, "config", None)
    return Path(config).parent / "forms" if config else REPO / "config" / "forms"
