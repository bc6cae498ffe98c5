"""Which queues each window serves, as changed at runtime (articles 24, 26): one row per change.

Each row keeps the change (before, after, who, why) for the audit and undo, and `state`, the
whole allocation once it applied, so the current allocation is one read of the latest row by its
primary key. Ids come from the `allocation` counter, taken in the change's transaction: that lock
is what puts two managers' changes one after the other.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table

from server.db.metadata import TS, hall_column, metadata

allocation_changes = Table(
    "allocation_changes",
    metadata,
    # Ids count per hall: they are the hall's `allocation` counter.
    hall_column(primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor_id", Integer),
    Column("actor_name", String(80), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("window", String(16)),
    Column("item", String(32)),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("state", JSON, nullable=False),
    Column("departments", JSON, nullable=False),
    Column("forced", Boolean, nullable=False),
    Column("stranded", JSON, nullable=False),
    Column("undoes", BigInteger),
    Index("ix_allocation_changes_at", "hall", "at"),
)
