"""Appointments (预约, article 21): the slots a day offers for an item, and booking one.

The rules are the core's (server/core/appointments.py for slots and refusals, appointment_codes.py
for codes and limits); the counters that keep a slot from being overbooked are the repository's
(server/db/appointments_repo.py). A booking is one write transaction: every refusal is decided
inside it, the counters are taken, the row is stored, audited, and `appointment.booked` goes to the
managers' board (the `hall` room, where the board listens: the queue, day and slot only, never
the applicant) after the commit.

Today's slots are those of the hall as allocated now (server.app.allocated): a window moved to
another queue moves its minutes with it from the next booking on. Another day's are the hall
file's (`svc.hall`): today's moves are undone at the day's end, so they promise nothing for it.

Viewing, cancelling and the no-show sweep are in appointment_ops.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.core import appointment_codes as codes
from server.core import appointments as rules
from server.core.case_errors import InvalidApplicant
from server.core.cases import validate_applicant_id, validate_name
from server.core.errors import DomainError, NotFound
from server.core.hall import Hall, Item
from server.core.masking import mask_name
from server.core.progress_lookup import address_key
from server.db import appointments_repo as repo
from server.db.handles import Connection
from server.db.uow import Actor, UnitOfWork

from .allocated import current_hall
from .context import Services
from .views import iso
from .waits import bookings_changed
from .workcal import hall_calendar

# Where appointment events go: the managers' board listens on `hall` (as for its alerts).
ROOMS = ["hall"]


class UnknownItem(NotFound):
    """no service item {item!r}"""

    code = "not_found"
    zh = "未找到该办理事项"


def item_of(hall: Hall, code: str) -> Item:
    found = hall.item(code) if isinstance(code, str) else None
    if found is None:
        raise UnknownItem(item=str(code)[:40])
    return found


def hall_for_day(svc: Services, uow: UnitOfWork, day: date) -> Hall:
    """The hall whose windows a booking of `day` counts on: today the live allocation, another day
    the hall file's (the board and booking use the same)."""
    return current_hall(svc, uow) if day == svc.today(uow.now) else svc.hall


def _closed(hall: Hall, day: date, now: datetime, workday: bool) -> DomainError | None:
    """Why `day` offers no slot at all, or None."""
    r = hall.appointments
    if not r.enabled:
        return rules.NotBooking()
    today = rules.local_day(hall, now)
    day_zh, day_en = codes.day_words(day)
    if day < today:
        return rules.SlotPast(start=day_en, start_zh=day_zh)
    if (day - today).days > r.horizon_days:
        return rules.BeyondHorizon(days=r.horizon_days, day=day_en, day_zh=day_zh)
    if not workday:
        return rules.ClosedDay(day=day_en, day_zh=day_zh)
    return None


def _day_bounds(hall: Hall, day: date) -> tuple[datetime, datetime]:
    start = rules.slot_start_on(hall, day, datetime.min.time())
    return start, rules.slot_start_on(hall, day + timedelta(days=1), datetime.min.time())


def slots(svc: Services, item_code: str, day: date) -> dict[str, Any]:
    """The slots of `day` for `item_code` with their capacity for that item and what is left of it
    (also bounded by the item's daily cap); slots already begun and those too short for one booking
    of the item are left out. `closed` says why a day has none (past, too far, closed, off)."""
    with svc.read() as uow:
        hall = hall_for_day(svc, uow, day)
        item = item_of(hall, item_code)
        workday = hall_calendar(hall).is_workday(day)
        out: dict[str, Any] = {"item": item.code, "date": day.isoformat(), "slots": [], "closed": None}
        refusal = _closed(hall, day, uow.now, workday)
        if refusal is None and rules.never_fits(hall, hall.appointments, item):
            refusal = rules.ItemNotBookable()
        if refusal is not None:
            out["closed"] = _closed_json(refusal)
            return out
        r = hall.appointments
        offered = rules.day_slots(hall, r, item.queue, day, workday=workday)
        usage = repo.slot_usage(uow.conn, item.queue, *_day_bounds(hall, day))
        day_left = max(0, r.daily_cap - repo.day_booked(uow.conn, item.code, day))
        for slot in offered:
            capacity = slot.capacity(item)
            if capacity <= 0 or slot.start <= uow.now:
                continue
            left = min(slot.left(item, usage.get(slot.start, 0)), day_left)
            out["slots"].append({"start": iso(hall, slot.start), "end": iso(hall, slot.end),
                                 "capacity": capacity, "left": left})
        if not out["slots"] and day == rules.local_day(hall, uow.now):
            out["closed"] = _closed_json(rules.DayOver())
        return out


def _closed_json(refusal: DomainError) -> dict[str, str]:
    return {"code": refusal.code, "message": rules.both(refusal), "message_zh": refusal.message_zh}


def appointment_view(hall: Hall, row: Mapping[str, Any]) -> dict[str, Any]:
    """A booking as its holder sees it: the applicant masked (article 20)."""
    item = hall.item(row["item"])
    r = hall.appointments
    return {
        "code": row["code"],
        "code_display": codes.grouped(row["code"]),
        "item": row["item"],
        "item_name": item.name if item else row["item"],
        "item_name_en": item.name_en if item else row["item"],
        "queue": row["queue"],
        "start": iso(hall, row["start"]),
        "end": iso(hall, row["end"]),
        "status": row["status"],
        "qr_url": f"{hall.public_url.rstrip('/')}/a/{row['code']}",
        "check_in_from": iso(hall, rules.check_in_opens(r, row["start"], hall.hours, ZoneInfo(hall.timezone))),
        "check_in_until": iso(hall, rules.missed_by(r, row["start"])),
        "applicant": {"name": mask_name(row["name"]), "id_number": _head(row["id_number"], 6),
                      "phone": _head(row["phone"], 3)},
    }


def _head(value: str, shown: int) -> str:
    """Only the first `shown` characters: the last four are the cancel secret, never on the card
    (the usual masks of server/core/masking.py keep them)."""
    return value[:shown] + "*" * max(0, len(value) - shown)


def applicant_of(raw: Mapping[str, Any], today: date) -> tuple[str, str, str]:
    """(name, ID number, mobile) validated and normalised; a 400 naming the field otherwise."""
    def text(key: str) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise InvalidApplicant(field=key, why="not text")
        return value

    return (validate_name(text("name")), validate_applicant_id(text("id_number"), today),
            codes.booking_phone(text("phone")))


def emit(uow: UnitOfWork, hall: Hall, event: str, row: Mapping[str, Any]) -> None:
    """The board's cue to read its bookings again: which slot changed, nothing about who."""
    uow.emit(event, ROOMS, {"queue": row["queue"], "day": row["day"].isoformat(), "start": iso(hall, row["start"])})


def book(svc: Services, item_code: str, start: datetime, applicant: Mapping[str, Any],
         address: str) -> dict[str, Any]:
    """Book the slot of `item_code` starting at `start` for `applicant` ({name, id_number, phone}),
    made from the client `address`. Refusals, in the order they are decided: the applicant's fields
    (400), the slot (400: past, closed day, beyond the horizon, not a slot), a suspension after
    no-shows (403), the address's and the ID number's limits (429), an active booking of the same
    ID number, item and day (409), then the slot's and the day's counters (409 full)."""
    hall = svc.hall
    item_of(hall, item_code)
    name, id_number, phone = applicant_of(applicant, rules.local_day(hall, svc.clock()))
    key = address_key(address)[:64]  # as the column keeps it
    with svc.write(Actor("anon", None, key or "anonymous")) as uow:
        # In the hall's time zone, whatever offset the client wrote: its day is the hall's day.
        start = start.astimezone(ZoneInfo(hall.timezone))
        day = rules.local_day(hall, start)
        hall = hall_for_day(svc, uow, day)
        item = item_of(hall, item_code)
        r, now, conn = hall.appointments, uow.now, uow.conn
        workday = hall_calendar(hall).is_workday(day)
        offered = rules.day_slots(hall, r, item.queue, day, workday=workday)
        refusal = rules.booking_refusal(r, item.code, start, now, workday=workday, slots=offered)
        if refusal is None and rules.never_fits(hall, r, item):
            refusal = rules.ItemNotBookable(rules.both(rules.ItemNotBookable()))
        if refusal is not None:
            raise refusal
        slot = rules.find_slot(offered, start)
        assert slot is not None  # booking_refusal said so
        if slot.capacity(item) <= 0:
            raise rules.NotBookable(item=item.code, **_words("start", start, hall))
        repo.serialise(conn, f"address:{key}", f"id:{id_number}", f"phone:{phone}")
        _refuse_suspended(hall, conn, id_number, now)
        made = repo.created_from(conn, key, now - timedelta(days=1))
        not_missed = now - timedelta(minutes=r.grace_minutes)
        for limited in (codes.address_refusal(r, made, now), codes.address_day_refusal(r, made, now),
                        codes.id_number_refusal(r, repo.pending_starts(conn, id_number, not_missed), now),
                        codes.phone_refusal(r, repo.pending_starts_of_phone(conn, phone, not_missed), now)):
            if limited is not None:
                raise limited
        if repo.active_of(conn, id_number, item.code, day) is not None:
            raise rules.AlreadyBooked()
        minutes = rules.item_minutes(item)
        if not repo.take_slot(conn, item.queue, slot.start, minutes, slot.minutes):
            raise rules.SlotFull(**_words("start", slot.start, hall))
        if not repo.take_day(conn, item.code, day, r.daily_cap):
            day_zh, day_en = codes.day_words(day)
            raise rules.DayFull(item=item.code, day=day_en, day_zh=day_zh)
        row: dict[str, Any] = {
            "id": secrets.token_urlsafe(16), "code": codes.new_code(), "item": item.code, "queue": item.queue,
            "day": day, "start": slot.start, "end": slot.end, "minutes": minutes, "name": name,
            "id_number": id_number, "phone": phone, "status": rules.Status.BOOKED.value, "created_at": now,
            "address": key, "checked_in_at": None, "cancelled_at": None, "ticket": None}
        repo.add(conn, row)
        uow.audit("appointment.book", row["code"], item=item.code, queue=item.queue, start=iso(hall, slot.start),
                  applicant=mask_name(name))
        emit(uow, hall, "appointment.booked", row)
        uow.after_commit(lambda _committed: bookings_changed(svc.engine))  # a same-day booking counts at once
        svc.commit(uow)
    return {"appointment": appointment_view(hall, row)}


def _words(key: str, at: datetime, hall: Hall) -> dict[str, str]:
    """`at` in the hall's time as a refusal names it: {key: "7 Dec 09:30", key_zh: "12月7日 09:30"}."""
    zh, en = codes.when_words(at, ZoneInfo(hall.timezone))
    return {key: en, f"{key}_zh": zh}


def _refuse_suspended(hall: Hall, conn: Connection, id_number: str, now: datetime) -> None:
    r = hall.appointments
    missed = repo.no_show_starts(conn, id_number, rules.no_show_window_start(r, now))
    until = rules.suspended_until(r, missed, now)
    if until is None:
        return
    when_zh, when_en = codes.when_words(until, ZoneInfo(hall.timezone))
    raise rules.BookingSuspended(
        until=when_en, count=r.no_show_limit, days=r.no_show_period_days,
        zh=f"该证件号码{r.no_show_period_days}天内{r.no_show_limit}次预约未到，预约功能暂停至{when_zh}")
