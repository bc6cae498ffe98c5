"""Checking a booking in at the kiosk (预约签到, issue 15): the visitor scans the booking's QR code
or types its code, and gets a number.

On time (from `check_in_before_minutes` before the slot to `grace_minutes` after its start) the
number is an appointment ticket placed in line as if the visitor had come at the slot's start
(`core.appointments.ticket_place`); the calling rule (server/core/calling.py) brings it forward
within its share. Early: no number, the kiosk says from when. Late: a normal number when the hall
says so (`late_walk_in`; the booking is then checked in, not a no-show: the visitor came and is
served as a walk-in, the audit entry says `late`), else only the answer to take one. A booking
checked in already answers the same ticket again at the kiosk that checked it in (the kiosk lost
the answer), and says at another kiosk the number it got.

Everything happens in one transaction: the kiosk's key, the booking (locked), the ticket, its
print job and the booking's new state commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.core import appointment_codes as codes
from server.core import appointments as appt
from server.core.errors import DomainError, NotIssuing
from server.core.hall import Hall
from server.core.tickets import Priority, Ticket
from server.db import appointment_checkin_repo, appointments_repo, tickets_repo
from server.db.uow import Actor, UnitOfWork

from .accounts import kiosk_for_key
from .allocated import current_hall
from .appointments import emit
from .context import Services
from .issuing import TicketRequest, issue_in, issuing_refusal, resolve_queue
from .views import HallLoad, iso, ticket_view
from .waits import bookings_changed


@dataclass(frozen=True)
class CheckedIn:
    """The number a check-in gave: `ticket` (the kiosk's view of it), the booking's `appointment`
    ({"code", "start", "end"}), and `late` when it is a normal number given to a late visitor."""

    ticket: dict[str, Any]
    appointment: dict[str, Any]
    late: appt.CheckInLateWalkIn | None = None


def appointment_json(hall: Hall, booking: dict[str, Any]) -> dict[str, Any]:
    return {"code": booking["code"], "start": iso(hall, booking["start"]), "end": iso(hall, booking["end"])}


def check_in(svc: Services, actor: Actor, code: str, device_key: str, *, ignore_hours: bool = False) -> CheckedIn:
    """Check in the booking `code` (as typed or scanned: see `core.appointment_codes.canonical_code`) at the
    kiosk whose key is `device_key`. Raises the refusal (unknown code, another day, early, late
    without a walk-in number, not booked, outside issuing hours)."""
    canonical = codes.canonical_code(code)
    with svc.write(actor) as uow:
        now, today = uow.now, svc.today(uow.now)
        hall = current_hall(svc, uow)
        tz = ZoneInfo(hall.timezone)
        device = kiosk_for_key(uow.conn, device_key)
        uow.actor = Actor("device", device["id"], device["name"])
        booking = appointments_repo.by_code(uow.conn, canonical, lock=True) if canonical else None
        if booking is None:
            raise appt.UnknownAppointment()
        if booking["status"] == appt.Status.CHECKED_IN and booking["ticket"]:
            return _again(svc, uow, hall, booking, device)
        verdict = appt.check_in_refusal(hall.appointments, booking["code"], booking["status"], booking["day"],
                                        booking["start"], now, today, tz, hall.hours)
        if isinstance(verdict, DomainError):
            raise verdict
        if not ignore_hours and (why := issuing_refusal(hall, now)):
            raise NotIssuing(why)
        on_time = verdict is appt.CheckIn.ON_TIME
        q, item_code = resolve_queue(hall, booking["item"], None)
        if q.code != booking["queue"]:  # the item moved queue since the booking: the booking goes with it
            appointments_repo.move_queue(uow.conn, booking["id"], q.code)
            booking = {**booking, "queue": q.code}
        shown = appointment_json(hall, booking)
        uow.audit("appointment.check_in", booking["id"], item=booking["item"], start=shown["start"],
                  late=not on_time, **({"was": booking["status"]} if booking["status"] != appt.Status.BOOKED else {}))
        req = TicketRequest(
            item=item_code, device_key=device_key,
            appointment=booking["code"] if on_time else None,
            rank_at=appt.ticket_place(booking["start"], now) if on_time else None,
        )
        prio = Priority.APPOINTMENT if on_time else Priority.NORMAL
        bookings_changed(svc.engine)  # this change's own estimates read the day's bookings again
        # And after the commit: a reader between this and the commit remembered the day without it.
        uow.after_commit(lambda _committed: bookings_changed(svc.engine))

        def checked_in(t: Ticket) -> None:
            # From booked, or from no_show when the sweep reached it first: the visitor came (late).
            if not appointments_repo.set_status(uow.conn, booking["id"], appt.Status(booking["status"]),
                                                appt.Status.CHECKED_IN, checked_in_at=now, ticket=t.id):
                # Moved since it was read (the lock holds it on PostgreSQL): whoever moved it answers.
                raise codes.NotBooked(code=codes.grouped(booking["code"]), status="changed", action="checked in")

        issued = issue_in(svc, uow, hall, device, q, item_code, prio, req,
                          printed={"appointment": shown} if on_time else None, linked=checked_in, warn_only=on_time)
        emit(uow, hall, "appointment.checked_in", booking)
        svc.commit(uow)
    view = issued.answer(svc)
    if on_time:
        return CheckedIn({**view, "appointment": shown}, shown)
    return CheckedIn(view, shown, appt.late_walk_in(hall.appointments, booking["start"], view["number"], tz))


def _again(svc: Services, uow: UnitOfWork, hall: Hall, booking: dict[str, Any], device: dict[str, Any]) -> CheckedIn:
    """A booking checked in already: the same answer at its kiosk (a retry whose answer was lost),
    and at any other the number it got (`not_booked`). Nothing is written."""
    tz = ZoneInfo(hall.timezone)
    t = tickets_repo.get(uow.conn, booking["ticket"])
    if t is None:
        raise codes.NotBooked(code=codes.grouped(booking["code"]), status=booking["status"], action="checked in")
    if appointment_checkin_repo.ticket_device(uow.conn, t.id) != device["id"]:
        at = booking["checked_in_at"] or t.issued_at
        raise appt.CheckedInElsewhere(code=codes.grouped(booking["code"]), at=at.astimezone(tz).strftime("%H:%M"),
                                      number=t.number)
    view = ticket_view(uow.conn, hall, t, HallLoad.read(uow.conn, hall, svc.today(uow.now), uow.now))
    shown = appointment_json(hall, booking)
    if t.priority is Priority.APPOINTMENT:
        return CheckedIn({**view, "appointment": shown}, shown)
    return CheckedIn(view, shown, appt.late_walk_in(hall.appointments, booking["start"], t.number, tz))
