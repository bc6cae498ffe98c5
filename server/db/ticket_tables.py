"""Tickets, their calls, the windows' states and each queue's daily counts."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from server.db.metadata import TS, hall_column, metadata

tickets = Table(
    "tickets",
    metadata,
    hall_column(),
    Column("id", String(32), primary_key=True),
    Column("number", String(16), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("origin_queue", String(16)),
    Column("item", String(32)),
    Column("day", Date, nullable=False),
    Column("seq_no", Integer, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("class_rank", Integer, nullable=False),
    Column("green_reason", String(16)),
    Column("status", String(12), nullable=False),
    Column("window", String(16)),
    Column("target_window", String(16)),
    Column("issued_at", TS, nullable=False),
    Column("rank_at", TS, nullable=False),
    Column("called_at", TS),
    Column("started_at", TS),
    Column("finished_at", TS),
    Column("recalls", Integer, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("outcome", String(16)),
    Column("note", Text, nullable=False, server_default=""),
    Column("device_id", Integer),
    Column("case_number", String(40)),
    # The notice (一次性告知) a returning visitor brings the missing papers for (article 14).
    Column("follows_case", String(40)),
    # The booking (预约) a checked-in appointment ticket was issued for, by its code.
    Column("appointment", String(16)),
    # A kiosk's own key for one "take a number" press: a retry after a lost response gets the
    # ticket the first try made instead of a second number.
    Column("request_key", String(64)),
    UniqueConstraint("hall", "day", "number"),
    UniqueConstraint("device_id", "request_key"),
    # A queue's waiting line in calling order, read by every change (its first numbers, a
    # ticket's place in it, the policy's candidates): walked in order and covering, so reading
    # the head of a line of thousands stops after the head.
    Index("ix_tickets_line", "hall", "status", "day", "queue", "class_rank", "rank_at", "number", "target_window"),
    # A queue's oldest waiting place, by its first entry.
    Index("ix_tickets_waiting_counts", "hall", "status", "day", "queue", "rank_at"),
    # Tickets held for one window (transferred there, or back from 挂起), in order of place.
    Index("ix_tickets_target", "hall", "target_window", "status", "day", "rank_at"),
    Index("ix_tickets_day_status", "hall", "day", "status"),
    # The hall screen's latest calls: the day's newest first, without sorting the whole day.
    Index("ix_tickets_day_called", "hall", "day", "called_at"),
    # A queue's latest finished services, newest first (the waiting-time estimate reads the last 40
    # on every change): walked backwards from the newest, without sorting the day's.
    Index("ix_tickets_finished", "hall", "status", "day", "queue", "finished_at"),
    # The backstop of "one window, one current ticket": even a bug in the handlers cannot leave
    # a window with two tickets called at once.
    Index(
        "uq_tickets_active_window",
        "hall",
        "window",
        unique=True,
        sqlite_where=text("status IN ('called', 'serving')"),
        postgresql_where=text("status IN ('called', 'serving')"),
    ),
)

# Every call of a ticket from waiting, keyed (ticket, attempt): two windows racing for the same
# waiting ticket both try to insert the same key, and the database refuses the second.
ticket_calls = Table(
    "ticket_calls",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), ForeignKey("tickets.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("window", String(16), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("staff_id", Integer),
    Column("called_at", TS, nullable=False),
    UniqueConstraint("ticket_id", "attempt"),
    Index("ix_ticket_calls_window", "hall", "window", "id"),
)

window_states = Table(
    "window_states",
    metadata,
    hall_column(primary_key=True),
    Column("window", String(16), primary_key=True),
    Column("status", String(8), nullable=False),
    Column("staff_id", Integer),
    Column("pause_reason", Text, nullable=False, server_default=""),
    Column("since", TS),
    Column("current_ticket", String(32), unique=True),
)

# One row per queue and day. `waiting` and `issued` are kept by triggers on `tickets` (migration
# 0005), in the transaction of the change itself; `served`, `service_s` and `no_show` by the
# handlers that finish a visit.
queue_stats = Table(
    "queue_stats",
    metadata,
    hall_column(primary_key=True),
    Column("queue", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("served", Integer, nullable=False),
    Column("service_s", Float, nullable=False),
    Column("issued", Integer, nullable=False),
    Column("no_show", Integer, nullable=False),
    Column("waiting", Integer, nullable=False, server_default="0"),
    # Tickets that went ahead of the queue's normal tail (green channel, transferred in), kept by
    # the triggers of migration 0022 for the waiting-time estimate.
    Column("cut_ins", Integer, nullable=False, server_default="0"),
)
