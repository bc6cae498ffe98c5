"""Appointments (预约, server/core/appointments.py): the bookings, and the two counters that keep a
slot and an item's day from being overbooked (server/db/appointment_tables.py).

A booking takes its minutes from its slot's counter and one place from its item's day counter,
each with one conditional UPDATE: `minutes_booked + m <= total`. Two processes booking the last
place at once both reach that statement; the row lock makes the second wait for the first to
commit, PostgreSQL then evaluates the condition again on the row as the first left it (READ
COMMITTED), and the second finds no room (rowcount 0). SQLite's one writer serialises them the
same way. And should a bug ever add past the total, the CHECK constraints refuse the row. The slot
counter is always taken before the day counter, so two bookings never wait on each other in a
circle. The limits per client address and per ID number count rows; `serialise` keeps two
bookings of one address or one ID number from counting at once.

Every read and change is of the connection's hall (`hall_of`): its slots, days and bookings, the
limits counted over its bookings only, and a booking code of another hall is not found.

Rows are handed out as dicts of the table's columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from server.core.appointments import AlreadyBooked, Status

from .appointment_tables import appointment_days, appointment_slots, appointments
from .scope import hall_of
from .upsert import upsert_for

A = appointments.c
S = appointment_slots.c
D = appointment_days.c
ACTIVE = (Status.BOOKED.value, Status.CHECKED_IN.value)


def serialise(conn: Connection, *keys: str) -> None:
    """Hold, until the transaction ends, one lock per key (a client address, an ID number), so that
    two bookings by the same address or ID number count each other's: the limits are decided by
    counting rows, and two transactions counting at once would both see room for one more. SQLite
    needs none (its one writer holds the whole database); on PostgreSQL a transaction advisory lock
    per key, taken in one order, so two bookings never wait on each other in a circle."""
    if conn.dialect.name != "postgresql":
        return
    hall = hall_of(conn)
    for k in sorted({_lock_key(hall, key) for key in keys}):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": k})


def _lock_key(hall: str, key: str) -> int:
    # The hall is part of the key: a hall's limits count its own bookings, so two halls never wait
    # on each other's address or ID number.
    digest = hashlib.blake2b(f"hallq.appointment:{hall}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def add(conn: Connection, row: Mapping[str, Any]) -> None:
    """Store a new booking. A second active booking of the same ID number, item and day (two
    requests racing past the handler's own check) is refused by the unique index: `AlreadyBooked`."""
    try:
        # A savepoint: PostgreSQL aborts the whole transaction on a failed insert otherwise.
        with conn.begin_nested():
            conn.execute(insert(appointments).values(hall=hall_of(conn), **row))
    except IntegrityError:
        if active_of(conn, row["id_number"], row["item"], row["day"]) is not None:
            raise AlreadyBooked() from None
        raise  # a code drawn twice (2**-50): the request fails, nothing is stored


def take_slot(conn: Connection, queue: str, start: datetime, minutes: int, total: int) -> bool:
    """Add `minutes` to the slot's booked minutes if they fit in `total` (the slot's minutes as the
    hall now plans them; the row takes that total). False: the slot is full."""
    conn.execute(upsert_for(conn)(appointment_slots).values(hall=hall_of(conn),
        queue=queue, start=start, minutes_total=total, minutes_booked=0).on_conflict_do_nothing())
    done = conn.execute(
        update(appointment_slots)
        .where(S.hall == hall_of(conn), S.queue == queue, S.start == start, S.minutes_booked + minutes <= total)
        .values(minutes_booked=S.minutes_booked + minutes, minutes_total=total)
    )
    return done.rowcount == 1


def take_day(conn: Connection, item: str, day: date, cap: int) -> bool:
    """One more booking of `item` on `day` if the daily cap allows. False: the day is full."""
    conn.execute(upsert_for(conn)(appointment_days).values(hall=hall_of(conn), item=item, day=day, cap=cap, booked=0)
                 .on_conflict_do_nothing())
    done = conn.execute(
        update(appointment_days)
        .where(D.hall == hall_of(conn), D.item == item, D.day == day, D.booked + 1 <= cap)
        .values(booked=D.booked + 1, cap=cap)
    )
    return done.rowcount == 1


def release(conn: Connection, row: Mapping[str, Any]) -> None:
    """Give a cancelled booking's minutes back to its slot and its place to its item's day (slot
    first, as they were taken)."""
    hall = hall_of(conn)
    conn.execute(
        update(appointment_slots)
        .where(S.hall == hall, S.queue == row["queue"], S.start == row["start"], S.minutes_booked >= row["minutes"])
        .values(minutes_booked=S.minutes_booked - row["minutes"])
    )
    conn.execute(
        update(appointment_days)
        .where(D.hall == hall, D.item == row["item"], D.day == row["day"], D.booked >= 1)
        .values(booked=D.booked - 1)
    )


def set_status(conn: Connection, booking_id: str, before: Status, after: Status, **values: Any) -> bool:
    """Move a booking from `before` to `after` (with `values`, e.g. cancelled_at); False when it was
    no longer `before` (someone else moved it first)."""
    done = conn.execute(update(appointments)
                        .where(A.hall == hall_of(conn), A.id == booking_id, A.status == before.value)
                        .values(status=after.value, **values))
    return done.rowcount == 1


def move_queue(conn: Connection, booking_id: str, queue: str) -> None:
    """The booking follows its item to `queue` (moved since it was made): the calling candidates and
    the estimates join its ticket on the booking's queue."""
    conn.execute(update(appointments).where(A.hall == hall_of(conn), A.id == booking_id).values(queue=queue))


def by_code(conn: Connection, code: str, *, lock: bool = False) -> dict[str, Any] | None:
    stmt = select(appointments).where(A.hall == hall_of(conn), A.code == code)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return dict(row._mapping) if row else None


def active_of(conn: Connection, id_number: str, item: str, day: date) -> dict[str, Any] | None:
    row = conn.execute(select(appointments).where(
        A.hall == hall_of(conn), A.id_number == id_number, A.item == item, A.day == day, A.status.in_(ACTIVE))).first()
    return dict(row._mapping) if row else None


def pending_starts(conn: Connection, id_number: str, since: datetime) -> list[datetime]:
    """The slot starts of the bookings `id_number` holds that are still booked and start after
    `since` (the caller's now less the grace period: those not yet missed)."""
    rows = conn.execute(select(A.start).where(
        A.hall == hall_of(conn), A.id_number == id_number, A.status == Status.BOOKED.value, A.start > since))
    return [r.start for r in rows]


def pending_starts_of_phone(conn: Connection, phone: str, since: datetime) -> list[datetime]:
    """As `pending_starts`, for the bookings given the phone number `phone`."""
    rows = conn.execute(select(A.start).where(
        A.hall == hall_of(conn), A.phone == phone, A.status == Status.BOOKED.value, A.start > since))
    return [r.start for r in rows]


def no_show_starts(conn: Connection, id_number: str, since: datetime) -> list[datetime]:
    """The slot starts of `id_number`'s no-shows from `since` on."""
    rows = conn.execute(select(A.start).where(
        A.hall == hall_of(conn), A.id_number == id_number, A.status == Status.NO_SHOW.value, A.start >= since))
    return [r.start for r in rows]


def created_from(conn: Connection, address: str, since: datetime) -> list[datetime]:
    """When the bookings made from the client address (key) `address` since `since` were made,
    whatever became of them (a cancelled booking still counts against hoarding)."""
    rows = conn.execute(select(A.created_at).where(A.hall == hall_of(conn), A.address == address, A.created_at > since))
    return [r.created_at for r in rows]


def slot_usage(conn: Connection, queue: str, start_from: datetime, start_to: datetime) -> dict[datetime, int]:
    """Booked minutes of `queue`'s slots starting in [start_from, start_to), by start."""
    rows = conn.execute(select(S.start, S.minutes_booked).where(
        S.hall == hall_of(conn), S.queue == queue, S.start >= start_from, S.start < start_to))
    return {r.start: r.minutes_booked for r in rows}


def day_booked(conn: Connection, item: str, day: date) -> int:
    """Bookings of `item` counted against its daily cap on `day`."""
    found = conn.execute(
        select(D.booked).where(D.hall == hall_of(conn), D.item == item, D.day == day)).scalar_one_or_none()
    return int(found or 0)


def bookings_per_slot(conn: Connection, day_from: date, day_to: date) -> list[dict[str, Any]]:
    """The manager's board: per queue and slot of the days `day_from` to `day_to` (both included),
    how many bookings are booked, checked in, cancelled and missed, and the slot's booked and total
    window minutes. Ordered by day, start, queue."""
    def count(status: Status) -> Any:
        return func.sum(case((A.status == status.value, 1), else_=0))

    rows = conn.execute(
        select(A.queue, A.day, A.start, A.end,
               count(Status.BOOKED).label("booked"), count(Status.CHECKED_IN).label("checked_in"),
               count(Status.CANCELLED).label("cancelled"), count(Status.NO_SHOW).label("no_show"),
               func.max(S.minutes_booked).label("minutes_booked"), func.max(S.minutes_total).label("minutes_total"))
        .select_from(appointments.outerjoin(appointment_slots,
                                            and_(S.hall == A.hall, S.queue == A.queue, S.start == A.start)))
        .where(A.hall == hall_of(conn), A.day >= day_from, A.day <= day_to)
        .group_by(A.queue, A.day, A.start, A.end)
        .order_by(A.day, A.start, A.queue)
    )
    return [{"queue": r.queue, "day": r.day, "start": r.start, "end": r.end, "booked": int(r.booked),
             "checked_in": int(r.checked_in), "cancelled": int(r.cancelled), "no_show": int(r.no_show),
             "minutes_booked": int(r.minutes_booked or 0), "minutes_total": int(r.minutes_total or 0)}
            for r in rows]


def due_bookings(conn: Connection, day: date) -> list[tuple[str, datetime]]:
    """(queue, slot start) of every booking of `day` still booked (not checked in yet), by start."""
    rows = conn.execute(select(A.queue, A.start)
                        .where(A.hall == hall_of(conn), A.day == day, A.status == Status.BOOKED.value)
                        .order_by(A.start, A.queue))
    return [(r.queue, r.start) for r in rows]


def overdue(conn: Connection, before: datetime) -> list[dict[str, Any]]:
    """The bookings still booked whose slot started at or before `before` (what `mark_no_shows`
    would take), for the sweep to set apart those the hall itself can no longer keep."""
    rows = conn.execute(select(appointments).where(
        A.hall == hall_of(conn), A.status == Status.BOOKED.value, A.start <= before))
    return [dict(r._mapping) for r in rows]


def mark_no_shows(conn: Connection, before: datetime) -> list[dict[str, Any]]:
    """Every booking still booked whose slot started at or before `before` (the caller's now less
    the grace period) becomes a no-show; returns those rows as they are now."""
    changed = conn.execute(
        update(appointments).where(A.hall == hall_of(conn), A.status == Status.BOOKED.value, A.start <= before)
        .values(status=Status.NO_SHOW.value).returning(*appointments.c)
    )
    return sorted((dict(r._mapping) for r in changed), key=lambda r: (r["start"], r["queue"], r["code"]))
