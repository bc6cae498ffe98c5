"""A booking after it is made: seen by its code, cancelled by its holder, and marked a no-show when
its slot passed without a check-in (server/app/appointments.py makes it).

The code is the secret: 50 random bits, so it is not guessed. Cancelling asks for the last four
characters of the ID number or phone besides, compared in constant time, and an unknown code and
a wrong last four are the same 404: a code someone saw over a shoulder is not enough to cancel.
Wrong last fours are counted like the progress lookup's (server/app/progress.py `counted`), per
booking code (`CANCEL_CODE`: 5 free failures, then waits growing to an hour) and per client
address (`CANCEL_ADDRESS`), before the comparison and in its transaction; past the allowance the
answer is 429 with Retry-After, so ten thousand guesses of a code's last four are not a morning's
work. The booking views never show the last four (`appointments._head`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.core import appointment_codes as codes
from server.core import appointments as rules
from server.core.hall import Hall
from server.core.progress_lookup import DEFAULT, Rule, address_key, matches, normal_last4
from server.db import appointments_repo as repo
from server.db import tickets_repo
from server.db.handles import Connection
from server.db.uow import Actor, UnitOfWork

from .allocated import current_hall
from .appointments import appointment_view, emit
from .context import Services
from .progress import Miss, counted
from .views import iso
from .waits import bookings_changed
from .workcal import hall_calendar


def get(svc: Services, code: str) -> dict[str, Any]:
    """The booking `code` names (as typed, scanned or its page's URL), masked; 404 otherwise."""
    canonical = codes.canonical_code(code)
    with svc.read() as uow:
        row = repo.by_code(uow.conn, canonical) if canonical else None
        if row is None:
            raise codes.AppointmentNotFound("no booking has this code", zh="未找到该预约，请核对预约码")
        view = appointment_view(current_hall(svc, uow), row)
        # Checked in: the number its holder now waits with, and that ticket's own page (/t/<id>).
        ticket = tickets_repo.get(uow.conn, row["ticket"]) if row.get("ticket") else None
        if ticket is not None:
            view["ticket"] = {"id": ticket.id, "number": ticket.number}
        return {"appointment": view}


# Failure counters of cancelling (table lookup_throttle; a scope fits 8 characters).
CANCEL_CODE = Rule(free=5, base=DEFAULT.case.base, cap=DEFAULT.case.cap, forget=DEFAULT.case.forget)
CANCEL_ADDRESS = DEFAULT.address


def _proven(svc: Services, canonical: str | None, code: str, tail: str, address: str) -> None:
    """Whether `tail` ends the booking's ID number or phone, counted (429 `too_many_attempts`
    past the allowance, decided before the comparison); 404 when not."""
    key = address_key(address)[:64]
    subject = canonical or code.strip()[:64]

    def attempt(conn: Connection) -> bool | None:
        row = repo.by_code(conn, canonical) if canonical else None
        # Compared against a stand-in when there is no booking: a miss costs the same either way.
        ok = matches(row["id_number"] if row else None, row["phone"] if row else None, tail)
        return True if ok and row is not None else None

    try:
        counted(svc, Actor("anon", None, key or "anonymous"), [("bookcode", subject), ("bookaddr", key)],
                [CANCEL_CODE, CANCEL_ADDRESS], attempt,
                ("appointment.cancel_failed", subject, {"address": key}))
    except Miss:
        raise codes.AppointmentNotFound() from None


def cancel(svc: Services, code: str, last4: str, address: str) -> dict[str, Any]:
    """Cancel the booking `code` when `last4` ends its ID number or phone; its minutes and its
    place of the day are given back at once. 404 for an unknown code and a wrong last four alike;
    409 once it is not booked any more, or its slot has begun."""
    canonical = codes.canonical_code(code)
    tail = normal_last4(last4)
    _proven(svc, canonical, code, tail, address)
    with svc.write(Actor("anon", None, address_key(address)[:64] or "anonymous")) as uow:
        hall = current_hall(svc, uow)
        row = repo.by_code(uow.conn, canonical, lock=True) if canonical else None
        if row is None:
            raise codes.AppointmentNotFound()
        if row["status"] != rules.Status.BOOKED.value:
            raise codes.NotBooked(code=row["code"], status=row["status"], action="cancelled")
        if row["start"] <= uow.now:
            zh, en = codes.when_words(row["start"], ZoneInfo(hall.timezone))
            raise codes.TooLateToCancel(code=row["code"], start=en, start_zh=zh)
        if not repo.set_status(uow.conn, row["id"], rules.Status.BOOKED, rules.Status.CANCELLED, cancelled_at=uow.now):
            raise codes.NotBooked(code=row["code"], status="changed", action="cancelled")
        repo.release(uow.conn, row)
        row = {**row, "status": rules.Status.CANCELLED.value, "cancelled_at": uow.now}
        uow.audit("appointment.cancel", row["code"], item=row["item"], queue=row["queue"],
                  start=iso(hall, row["start"]))
        emit(uow, hall, "appointment.cancelled", row)
        uow.after_commit(lambda _committed: bookings_changed(svc.engine))
        svc.commit(uow)
    return {"appointment": appointment_view(hall, row)}


def sweep_no_shows(svc: Services) -> list[str]:
    """Mark every booking not checked in by the end of its grace period a no-show (periodic, in
    server/web/background.py); returns their codes. The slot is over: nothing is given back. One
    transaction per sweep, one `appointment.no_show` per slot touched.

    A booking the hall itself could not keep is not the citizen's no-show: one on a day that is no
    longer a working day (the calendar changed), or whose slot lies outside the hours the kiosks
    now issue in, is cancelled by the hall (audited `appointment.hall_cancel`, event
    `appointment.cancelled`), so it never counts towards a suspension."""
    with svc.write(Actor("system", None, "no-show")) as uow:
        hall = current_hall(svc, uow)
        grace = timedelta(minutes=hall.appointments.grace_minutes)
        # Strictly past the grace: a check-in at `missed_by` itself is still on time.
        cutoff = uow.now - grace - timedelta(microseconds=1)
        _cancel_unkept(svc, uow, hall, repo.overdue(uow.conn, cutoff))
        missed = repo.mark_no_shows(uow.conn, cutoff)
        if not missed:
            svc.commit(uow)
            return []
        uow.audit("appointment.no_show", missed[0]["code"] if len(missed) == 1 else "",
                  codes=[m["code"] for m in missed])
        slots: dict[tuple[str, Any], Mapping[str, Any]] = {}
        for m in missed:
            slots.setdefault((m["queue"], m["start"]), m)
        for row in slots.values():
            emit(uow, hall, "appointment.no_show", row)
        svc.commit(uow)
    return [m["code"] for m in missed]


def _cancel_unkept(svc: Services, uow: UnitOfWork, hall: Hall, overdue: list[dict[str, Any]]) -> None:
    """Cancel, as the hall, the overdue bookings of a day no longer worked or of a slot outside the
    hours the kiosks now issue in."""
    cal = hall_calendar(hall)
    tz = ZoneInfo(hall.timezone)
    for row in overdue:
        if cal.is_workday(row["day"]) and hall.hours.issuing(row["start"].astimezone(tz).time()):
            continue
        if not repo.set_status(uow.conn, row["id"], rules.Status.BOOKED, rules.Status.CANCELLED, cancelled_at=uow.now):
            continue
        why = "closed_day" if not cal.is_workday(row["day"]) else "outside_hours"
        uow.audit("appointment.hall_cancel", row["code"], item=row["item"], queue=row["queue"],
                  start=iso(hall, row["start"]), why=why)
        emit(uow, hall, "appointment.cancelled", row)
