"""Appointments (预约, article 21; server/core/appointments.py): the bookings and the two counters
that keep a slot and an item's day from being overbooked."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, Index, Integer, String, Table, text

from server.db.metadata import TS, hall_column, metadata

# One row per booking. The applicant's ID number and phone are kept in full, as a case keeps them:
# the kiosk's check-in opens nothing else, and the window needs them when the case opens.
appointments = Table(
    "appointments",
    metadata,
    hall_column(),
    Column("id", String(32), primary_key=True),
    # What the visitor shows at the kiosk (in the QR code) and types to cancel: unguessable.
    Column("code", String(16), nullable=False, unique=True),
    Column("item", String(32), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("start", TS, nullable=False),
    Column("end", TS, nullable=False),
    # The slot's window minutes this booking holds (the item's typical duration when booked).
    Column("minutes", Integer, nullable=False),
    Column("name", String(64), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", TS, nullable=False),
    # The booking's client address key (IPv6 by /64), for the per-address limit.
    Column("address", String(64), nullable=False),
    Column("checked_in_at", TS),
    Column("cancelled_at", TS),
    Column("ticket", String(32)),
    # At most one active booking per ID number, item and day, whoever races to make a second.
    Index(
        "ux_appointments_active",
        "hall", "id_number", "item", "day",
        unique=True,
        sqlite_where=text("status IN ('booked', 'checked_in')"),
        postgresql_where=text("status IN ('booked', 'checked_in')"),
    ),
    Index("ix_appointments_day", "hall", "day", "queue", "start"),
    Index("ix_appointments_id_number", "id_number", "status"),
    Index("ix_appointments_address", "address", "created_at"),
)

# Window minutes booked per queue and slot: a booking adds its minutes only where they still fit,
# and the database refuses a row past its total, so two processes can never overbook a slot.
appointment_slots = Table(
    "appointment_slots",
    metadata,
    hall_column(primary_key=True),
    Column("queue", String(16), primary_key=True),
    Column("start", TS, primary_key=True),
    Column("minutes_total", Integer, nullable=False),
    Column("minutes_booked", Integer, nullable=False, server_default="0"),
    CheckConstraint("minutes_booked >= 0 AND minutes_booked <= minutes_total", name="ck_appointment_slots_fit"),
)

# Bookings per item and day, against the hall's daily cap, held the same way.
appointment_days = Table(
    "appointment_days",
    metadata,
    hall_column(primary_key=True),
    Column("item", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("cap", Integer, nullable=False),
    Column("booked", Integer, nullable=False, server_default="0"),
    CheckConstraint("booked >= 0 AND booked <= cap", name="ck_appointment_days_cap"),
)
