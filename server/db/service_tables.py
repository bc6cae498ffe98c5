"""What statistics are computed from (issue #12): each stint of a ticket at a window (a service
segment) and each period a window spends open or paused. Tickets keep only their final state and
window_states only the present one; these keep the history, written by the handlers in the
transaction of the change itself (server/app/service_records.py)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, String, Table, Text

from server.db.metadata import TS, hall_column, metadata

# One row per stint of a ticket at a window: opened by the call, closed by whatever makes the
# ticket leave the window. `ending` (null while the ticket is still there): finished, forced
# (finished by the monitor), transferred, suspended, no_show, released (the window closed or its
# staff signed off, the ticket went back to its queue). `started_at`: the start press, or the call
# when the service finished without one. `department`: the department of `queue` at the call
# (null in rows backfilled by migration 0013: statistics take the queue's from the hall config).
# `wait_s`, on the ticket's first stint only: its first call − its issue. `service_s`, on a stint
# ended `finished`: ended_at − started_at. Both in seconds, so statistics sort numbers.
service_segments = Table(
    "service_segments",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("queue", String(16), nullable=False),
    Column("item", String(32)),
    Column("department", String(20)),
    Column("window", String(16), nullable=False),
    Column("staff_id", Integer),
    Column("called_at", TS, nullable=False),
    Column("started_at", TS),
    Column("ended_at", TS),
    Column("ending", String(12)),
    Column("wait_s", Float),
    Column("service_s", Float),
    # By day and window, and within them by call: what statistics read, and the stints of one window's
    # period found by their times.
    Index("ix_service_segments_day", "hall", "day", "window", "called_at"),
    Index("ix_service_segments_ticket", "ticket_id", "ended_at"),
)

# One row per stretch of time a window is open or paused with the same staff (and, paused, the
# same reason); a closed window has no row. `ended_at` is null while it lasts; `day` is the
# hall's day it began on.
window_periods = Table(
    "window_periods",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("window", String(16), nullable=False),
    Column("staff_id", Integer),
    Column("state", String(8), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("day", Date, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("ended_at", TS),
    Index("ix_window_periods_day", "hall", "day", "window"),
    Index("ix_window_periods_open", "hall", "window", "ended_at"),
)
