"""The hall's counters (ticket and case numbers, the event sequence) and its event log."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
)

from server.db.metadata import TS, hall_column, metadata

# One row per named counter: the next ticket number of a queue and day, the next case number of
# a department and year, and the hall's event sequence. Updated inside the transaction that
# uses the value, which is what makes numbers gapless (a PostgreSQL sequence leaves gaps).
counters = Table(
    "counters",
    metadata,
    hall_column(primary_key=True),
    Column("name", String(80), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Append-only log of every change (article 31): who, when, what. Its seq is the `seq` of the
# Socket.IO events the change produced; `events` holds them as they were emitted.
event_log = Table(
    "event_log",
    metadata,
    hall_column(primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor_kind", String(8), nullable=False),
    Column("actor_id", Integer),
    Column("actor_name", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(64), nullable=False, server_default=""),
    Column("detail", JSON, nullable=False),
    Column("events", JSON, nullable=False),
    Index("ix_event_log_at", "hall", "at"),
)
