"""What the calling order and the waiting-time estimate read of the bookings (预约): the
appointment tickets a window may call ahead, and the arrivals a walk-in's estimate expects.

Both go through `ix_appointments_day` (hall, day, queue, start), so a day with no bookings pays an
empty index probe, and a long walk-in line is never read for them. Both are of one hall: the
caller binds its code as :hall (`hall_of(conn)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, or_, select

from server.core.appointments import Status as Booking
from server.core.tickets import Priority, Status

from .appointment_tables import appointments
from .scope import hall_of
from .ticket_tables import tickets


def booked_tickets(served: Sequence[Any], waiting: ColumnElement[bool], heads: int) -> Any:
    """The first `heads` waiting appointment tickets of the `served` queues (bound parameters) in (place, number)
    order, still in the queue they were booked for and sent to no window
    (`calling.due_appointment`): found from the hall's (:hall) bookings of the day (:day) and joined
    by key."""
    return (
        select(tickets)
        .select_from(appointments.join(tickets, and_(tickets.c.id == appointments.c.ticket,
                                                     tickets.c.hall == appointments.c.hall)))
        .where(
            appointments.c.hall == bindparam("hall"), appointments.c.day == bindparam("day"),
            # The queues as the caller's parameters, one each, not one expanding IN: call-next sends
            # the statement with its other first reads (server/db/batch.py).
            appointments.c.queue.in_(list(served)),
            waiting, tickets.c.queue == appointments.c.queue, tickets.c.target_window.is_(None),
            tickets.c.origin_queue.is_(None), tickets.c.priority == Priority.APPOINTMENT.value,
        )
        .order_by(tickets.c.rank_at, tickets.c.number)
        .limit(heads)
    )


def slot_of(conn: Connection, code: str) -> tuple[datetime, datetime] | None:
    """The slot (start, end) of the booking with this code, for its ticket's view."""
    row = conn.execute(_SLOT, {"hall": hall_of(conn), "code": code}).first()
    return (row.start, row.end) if row else None


_SLOT = select(appointments.c.start, appointments.c.end).where(
    appointments.c.hall == bindparam("hall"), appointments.c.code == bindparam("code"))


@dataclass
class QueueBookings:
    """One queue's appointments still to be called today, as the estimate sees them."""

    def __bool__(self) -> bool:
        return bool(self.booked or self.waiting)

    # Slot starts of bookings not checked in yet (still in time to check in, or not).
    booked: list[datetime] = field(default_factory=list)
    # Waiting appointment tickets that may be called ahead: number -> place (rank_at).
    waiting: dict[str, datetime] = field(default_factory=dict)
    # Their slots' starts: number -> start (the console marks them in the line).
    slots: dict[str, datetime] = field(default_factory=dict)


def day_bookings(conn: Connection, day: date, since: datetime) -> dict[str, QueueBookings]:
    """The day's bookings still to be called, by queue: booked ones whose slot starts at `since`
    or later (the rest are no-shows in the making), and checked-in ones whose ticket waits in the
    queue it booked. One indexed read for the whole hall, an empty probe on a day without any."""
    out: dict[str, QueueBookings] = {}
    found = conn.execute(_DAY_BOOKINGS, {"hall": hall_of(conn), "day": day, "since": since})
    for queue, start, status, number, rank_at in found:
        b = out.setdefault(queue, QueueBookings())
        if status == Booking.BOOKED.value:
            b.booked.append(start)
        elif number is not None:
            b.waiting[number] = rank_at
            b.slots[number] = start
    return out


_DAY_BOOKINGS = (
    select(appointments.c.queue, appointments.c.start, appointments.c.status, tickets.c.number, tickets.c.rank_at)
    .select_from(appointments.outerjoin(tickets, and_(
        tickets.c.id == appointments.c.ticket, tickets.c.hall == appointments.c.hall,
        tickets.c.status == Status.WAITING.value,
        tickets.c.queue == appointments.c.queue, tickets.c.target_window.is_(None),
        tickets.c.origin_queue.is_(None),
        # A late visitor's booking is checked in with a normal number (appointment_checkin): a walk-in.
        tickets.c.priority == Priority.APPOINTMENT.value,
    )))
    .where(
        appointments.c.hall == bindparam("hall"),
        appointments.c.day == bindparam("day", type_=appointments.c.day.type),
        or_(
            and_(appointments.c.status == Booking.BOOKED.value,
                 appointments.c.start >= bindparam("since", type_=appointments.c.start.type)),
            and_(appointments.c.status == Booking.CHECKED_IN.value, tickets.c.id.is_not(None)),
        ),
    )
)
