"""The JSON shapes of a poor rating's follow-up (差评整改): what the chief must know to follow it up
(the rating's level, reasons, comment, item, window and the staff member rated) and where each
step stands against its deadline. Whoever rated stays anonymous: no ticket, case or visitor."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core import deadlines
from server.core import followup as core
from server.core.rating import LEVELS
from server.core.windows import Staff
from server.db.followups_repo import StoredFollowup

from .context import Services
from .views import iso
from .workcal import hall_calendar


def _rating(svc: Services, stored: StoredFollowup, names: dict[int, Staff]) -> dict[str, Any]:
    r, hall = stored.rating, svc.hall
    item = hall.item(r["item"]) if r.get("item") else None
    window = hall.window(r["window"]) if r.get("window") else None
    staff = names.get(int(r["staff_id"])) if r.get("staff_id") else None
    level_zh, level_en = LEVELS.get(int(r["level"]), (str(r["level"]), str(r["level"])))
    tags = []
    for code in r.get("tags") or []:
        tag = hall.ratings.tag(code)
        tags.append({"code": code, "name": tag.name if tag else code, "name_en": tag.name_en if tag else code})
    return {
        "id": int(r["id"]),
        "level": int(r["level"]),
        "level_name": level_zh,
        "level_name_en": level_en,
        "tags": tags,
        "comment": r.get("comment") or "",
        "channel": r.get("channel"),
        "day": r["day"].isoformat() if r.get("day") else None,
        "at": iso(hall, r.get("at")),
        "item": r.get("item"),
        "item_name": item.name if item else r.get("item"),
        "item_name_en": item.name_en if item else r.get("item"),
        "window": r.get("window"),
        "window_name": window.name if window else r.get("window"),
        "window_number": window.number if window else None,
        "staff": {"name": staff.display_name or staff.username, "staff_no": staff.staff_no} if staff else None,
        "excluded": r.get("excluded_at") is not None,
        "excluded_reason": r.get("excluded_reason") or "",
    }


def summary(svc: Services, stored: StoredFollowup, now: datetime, names: dict[int, Staff]) -> dict[str, Any]:
    """What events carry and the list shows: everything but the history."""
    hall, f = svc.hall, stored.followup
    dept = hall.department(stored.department)
    cal = hall_calendar(hall)
    left = None
    if stored.next_due is not None:
        left = deadlines.left_until(stored.rating["at"], stored.next_due, now, hall.hours, cal,
                                    ZoneInfo(hall.timezone))
    return {
        "rating_id": stored.rating_id,
        "department": stored.department,
        "department_name": dept.name if dept else stored.department,
        "status": f.status.value,
        "status_label": core.label(f.status.value),
        "open": f.open,
        "appeal": f.appeal.value if f.appeal else None,
        "appeal_reason": f.appeal_reason,
        "next_steps": [s.value for s in f.next_steps()],
        "due": {k: stored.due[k].isoformat() for k in core.DUE_KEYS if k in stored.due},
        "next_due": stored.next_due.isoformat() if stored.next_due else None,
        "days_left": None if stored.next_due is None else cal.working_days_between(svc.today(now), stored.next_due),
        "share_left": None if left is None else round(left.share, 3),
        "warning": deadlines.tier_of(left, hall.warning_tiers),
        "rating": _rating(svc, stored, names),
        "version": stored.version,
        "opened_at": iso(hall, stored.opened_at),
        "updated_at": iso(hall, stored.updated_at),
    }


def followup_view(svc: Services, stored: StoredFollowup, now: datetime, names: dict[int, Staff]) -> dict[str, Any]:
    return {
        **summary(svc, stored, now, names),
        "history": [
            {"at": iso(svc.hall, h["at"]), "status": h["status"], "status_label": core.history_label(h["status"]),
             "previous": h["previous"], "actor": h["actor"], "note": h["note"]}
            for h in stored.history
        ],
    }
