"""Bookings written straight into the `appointments` table, for tests that need one to exist
without going through the booking API (check-in, the board's bookings view)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.core.appointments import item_minutes
from server.db.appointment_tables import appointments

CODE = "7N3R33NVQN"  # 7N3R3-3NVQN


def local(hall, day: str, hm: str) -> datetime:
    """A moment of the hall's own clock: local(hall, "2026-11-25", "10:00")."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=ZoneInfo(hall.timezone))


def book(svc, *, start: datetime, code: str = CODE, item: str = "SCJG-001", status: str = "booked",
         id_number: str = "110101199003074514", created_at: datetime | None = None) -> dict:
    hall = svc.hall
    found = hall.item(item)
    assert found is not None, item
    row = {
        "hall": hall.code, "id": secrets.token_hex(8), "code": code, "item": item, "queue": found.queue,
        "day": start.astimezone(ZoneInfo(hall.timezone)).date(), "start": start,
        "end": start + timedelta(minutes=hall.appointments.slot_minutes), "minutes": item_minutes(found),
        "name": "王小明", "id_number": id_number, "phone": "13800138000", "status": status,
        "created_at": created_at or start - timedelta(days=1), "address": "127.0.0.1",
    }
    with svc.engine.begin() as conn:
        conn.execute(appointments.insert(), row)
    return row
