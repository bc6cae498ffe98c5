"""The manager's view of the bookings (预约, issue #15 point 6): per queue and slot of a range of
days, how many are booked, checked in, missed and cancelled, and the slot's window minutes used of
those offered for booking. Every slot the hall offers is listed, booked or not, so the board shows
the day's shape; a booking at a time the hall file no longer offers is listed too (its total then
as stored when it was booked). A chief representative sees the department's queues only.

Read by `GET /api/v1/manage/appointments?from=DATE&to=DATE` (server/web/api_manage_appointments.py);
the board reads it again on each `appointment.*` event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.core.appointments import day_slots
from server.core.errors import DomainError
from server.core.windows import Staff
from server.db import appointments_repo

from . import appointments
from .context import Services
from .floor import department_of, visible_queues
from .workcal import hall_calendar

# The longest range one answer covers: the booking horizon is a week or two.
MAX_DAYS = 31
# How far from today a range may lie: bookings are kept for the year's statistics, not for ever.
REACH_DAYS = 366
COUNTS = ("booked", "checked_in", "no_show", "cancelled")


class BadRange(DomainError):
    """`to` ({to}) must be on or after `from` ({start}) and at most {days} days from it"""

    kind = "invalid"
    code = "invalid_range"
    zh = "日期范围有误：结束日期须不早于开始日期，且跨度不超过 31 天"


class RangeTooFar(DomainError):
    """the days asked ({start} to {to}) must lie within {days} days of today"""

    kind = "invalid"
    code = "invalid_range"
    zh = "日期须在今天前后一年之内"


def bookings(svc: Services, staff: Staff, day_from: date | None, day_to: date | None) -> dict[str, Any]:
    dept = department_of(staff)
    hall = svc.hall
    rules = hall.appointments
    tz = ZoneInfo(hall.timezone)
    with svc.read() as uow:
        today = svc.today(uow.now)
        first = day_from or today
        last = day_to or first
        if last < first or (last - first).days >= MAX_DAYS:
            raise BadRange(to=last.isoformat(), start=first.isoformat(), days=MAX_DAYS)
        if abs((first - today).days) > REACH_DAYS or abs((last - today).days) > REACH_DAYS:
            raise RangeTooFar(to=last.isoformat(), start=first.isoformat(), days=REACH_DAYS)
        queues = visible_queues(hall, dept)
        live = appointments.hall_for_day(svc, uow, today)  # today's slots count the windows as allocated now
        rows = [r for r in appointments_repo.bookings_per_slot(uow.conn, first, last) if r["queue"] in queues]
        now = uow.now
    cal = hall_calendar(hall)
    booked = {(r["queue"], r["start"]): r for r in rows}
    days = []
    d = first
    while d <= last:
        workday = cal.is_workday(d)
        out: list[dict[str, Any]] = []
        listed_all: list[dict[str, Any]] = []
        for code in queues:
            offered = day_slots(live if d == today else hall, rules, code, d, workday=workday)
            slots = {s.start: _slot(s.start, s.end, s.minutes, booked.pop((code, s.start), None), tz) for s in offered}
            for key in [k for k in booked if k[0] == code and booked[k]["day"] == d]:
                r = booked.pop(key)
                slots[r["start"]] = _slot(r["start"], r["end"], r["minutes_total"], r, tz)
            if not slots:
                continue
            q = hall.queue(code)
            listed = [slots[k] for k in sorted(slots)]
            listed_all += listed
            out.append({"queue": code, "name": q.name if q else code, "name_en": q.name_en if q else code,
                        "department": q.department if q else None, "slots": listed, "totals": _totals(listed)})
        days.append({"date": d.isoformat(), "workday": workday, "queues": out,
                     "totals": _totals(listed_all)})
        d += timedelta(days=1)
    return {"from": first.isoformat(), "to": last.isoformat(), "today": today.isoformat(),
            "at": now.astimezone(tz).isoformat(timespec="seconds"), "horizon_days": rules.horizon_days,
            "slot_minutes": rules.slot_minutes, "department": dept, "days": days}


def _slot(start: datetime, end: datetime, total: int, row: dict[str, Any] | None, tz: ZoneInfo) -> dict[str, Any]:
    found = row or {}
    return {"start": start.astimezone(tz).isoformat(timespec="seconds"),
            "end": end.astimezone(tz).isoformat(timespec="seconds"),
            "minutes_total": int(found.get("minutes_total") or total),
            "minutes_booked": int(found.get("minutes_booked") or 0),
            **{k: int(found.get(k) or 0) for k in COUNTS}}


def _totals(slots: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(s[k] for s in slots) for k in (*COUNTS, "minutes_booked", "minutes_total")}
