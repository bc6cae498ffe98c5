"""Appointments (预约, article 21): bookings, per-slot and per-day counters, a ticket's booking

`tickets.priority` widens to 16 characters for "appointment".

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'checked_in')"


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("ticket", sa.String(32)),
    )
    op.create_index("ux_appointments_active", "appointments", ["id_number", "item", "day"], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
    op.create_index("ix_appointments_day", "appointments", ["day", "queue", "start"])
    op.create_index("ix_appointments_id_number", "appointments", ["id_number", "status"])
    op.create_index("ix_appointments_address", "appointments", ["address", "created_at"])
    op.create_table(
        "appointment_slots",
        sa.Column("queue", sa.String(16), primary_key=True),
        sa.Column("start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("minutes_total", sa.Integer, nullable=False),
        sa.Column("minutes_booked", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("minutes_booked >= 0 AND minutes_booked <= minutes_total", name="ck_appointment_slots_fit"),
    )
    op.create_table(
        "appointment_days",
        sa.Column("item", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("cap", sa.Integer, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("booked >= 0 AND booked <= cap", name="ck_appointment_days_cap"),
    )
    op.add_column("tickets", sa.Column("appointment", sa.String(16)))
    # SQLite keeps any length in a VARCHAR, and rebuilding `tickets` there (batch mode) would trip
    # the foreign keys of the tables that point at it: only PostgreSQL needs the wider type.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("tickets", "priority", type_=sa.String(16), existing_type=sa.String(8), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("tickets", "priority", type_=sa.String(8), existing_type=sa.String(16), existing_nullable=False)
    op.drop_column("tickets", "appointment")
    op.drop_table("appointment_days")
    op.drop_table("appointment_slots")
    op.drop_table("appointments")
