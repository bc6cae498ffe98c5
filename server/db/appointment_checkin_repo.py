"""A booking as the kiosk's check-in reads and marks it (server/app/appointment_checkin.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from server.core.appointments import Status
from server.db.appointment_tables import appointments
from server.db.tables import tickets


def find(conn: Connection, code: str, *, lock: bool = False) -> dict[str, Any] | None:
    """The booking with `code` (canonical), locked on PostgreSQL when `lock`: two kiosks scanning
    the same code at once check it in once."""
    stmt = select(
        appointments.c.id, appointments.c.code, appointments.c.item, appointments.c.queue, appointments.c.day,
        appointments.c.start, appointments.c.end, appointments.c.status, appointments.c.ticket,
        appointments.c.checked_in_at,
    ).where(appointments.c.code == code)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return dict(row._mapping) if row else None


def mark_checked_in(conn: Connection, booking_id: str, ticket_id: str, at: datetime) -> bool:
    """Booked → checked in with its ticket; False when it was not booked any more (a race lost)."""
    done = conn.execute(
        update(appointments)
        .where(appointments.c.id == booking_id, appointments.c.status == Status.BOOKED.value)
        .values(status=Status.CHECKED_IN.value, checked_in_at=at, ticket=ticket_id)
    )
    return done.rowcount == 1


def ticket_device(conn: Connection, ticket_id: str) -> int | None:
    """The device that issued the ticket (the kiosk a booking was checked in at)."""
    return conn.execute(select(tickets.c.device_id).where(tickets.c.id == ticket_id)).scalar()


def slot_of(conn: Connection, code: str) -> tuple[date, datetime, datetime] | None:
    """A booking's day, start and end by its code."""
    row = conn.execute(
        select(appointments.c.day, appointments.c.start, appointments.c.end).where(appointments.c.code == code)
    ).first()
    return (row.day, row.start, row.end) if row else None
