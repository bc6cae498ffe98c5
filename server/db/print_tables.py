"""The window printers' job queue and the per-window printer setting."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from server.db.metadata import TS, hall_column, metadata

# Documents for the window printers, already rendered to ESC/POS. The print spooler takes the
# rows with printed_at NULL and next_try_at <= now, oldest first per printer.
print_jobs = Table(
    "print_jobs",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("printer", String(200), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try_at", TS),
    Column("printed_at", TS),
    Column("last_error", Text, nullable=False, server_default=""),
    Index("ix_print_jobs_pending", "hall", "printed_at", "next_try_at"),
)

# What the hall config says about a window, overridden at run time (`hallq window set-printer`).
window_settings = Table(
    "window_settings",
    metadata,
    hall_column(primary_key=True),
    Column("window", String(16), primary_key=True),
    Column("printer", String(200)),
    Column("updated_at", TS, nullable=False),
)
