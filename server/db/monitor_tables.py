"""What the hall monitor records beyond the tickets themselves: visitors refused a number because
no window served their queue (article 26: a refusal must leave a trace), and services finished
by force, which statistics count apart."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, Text

from server.db.metadata import TS, hall_column, metadata

# One row per kiosk press that got no number (`refused`) or a number with the warning that no
# window serves the queue yet (`warned`).
visitor_refusals = Table(
    "visitor_refusals",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TS, nullable=False),
    Column("day", Date, nullable=False),
    Column("queue", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("device_id", Integer),
    Index("ix_visitor_refusals_day", "hall", "day", "queue"),
)

# A ticket the monitor finished for staff who left it open: done, but its duration is no service.
forced_finishes = Table(
    "forced_finishes",
    metadata,
    hall_column(),
    Column("ticket_id", String(32), primary_key=True),
    Column("at", TS, nullable=False),
    Column("day", Date, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("reason", Text, nullable=False),
)
