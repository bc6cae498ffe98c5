"""What a booking's check-in reads beside the booking itself (server/app/appointment_checkin.py;
the bookings are server/db/appointments_repo.py's)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from server.db.scope import hall_of
from server.db.tables import tickets


def ticket_device(conn: Connection, ticket_id: str) -> int | None:
    """The device that issued the ticket (the kiosk a booking was checked in at)."""
    stmt = select(tickets.c.device_id).where(tickets.c.hall == hall_of(conn), tickets.c.id == ticket_id)
    return conn.execute(stmt).scalar()
