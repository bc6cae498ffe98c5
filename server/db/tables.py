"""The database schema. SQLAlchemy Core tables; `repos` maps rows onto the core's values.

Core rather than ORM sessions: the hot paths (issue, call-next) are a handful of statements and
the field notes measured an ORM session per transaction at half the commit rate of plain Core.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from server.db.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = UTCDateTime()

# One row per named counter: the next ticket number of a queue and day, the next case number of
# a department and year, and the hall's event sequence. Updated inside the transaction that
# uses the value, which is what makes numbers gapless (a PostgreSQL sequence leaves gaps).
counters = Table(
    "counters",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(16), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("origin_queue", String(16)),
    Column("item", String(32)),
    Column("day", Date, nullable=False),
    Column("seq_no", Integer, nullable=False),
    Column("priority", String(8), nullable=False),
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
    # A kiosk's own key for one "take a number" press: a retry after a lost response gets the
    # ticket the first try made instead of a second number.
    Column("request_key", String(64)),
    UniqueConstraint("day", "number"),
    UniqueConstraint("device_id", "request_key"),
    # A queue's waiting line in calling order, read by every change (its first numbers, a
    # ticket's place in it, the policy's candidates): walked in order and covering, so reading
    # the head of a line of thousands stops after the head.
    Index("ix_tickets_line", "status", "day", "queue", "class_rank", "rank_at", "number", "target_window"),
    # A queue's oldest waiting place, by its first entry.
    Index("ix_tickets_waiting_counts", "status", "day", "queue", "rank_at"),
    # Tickets held for one window (transferred there, or back from 挂起), in order of place.
    Index("ix_tickets_target", "target_window", "status", "day", "rank_at"),
    Index("ix_tickets_day_status", "day", "status"),
    # The hall screen's latest calls: the day's newest first, without sorting the whole day.
    Index("ix_tickets_day_called", "day", "called_at"),
    # The backstop of "one window, one current ticket": even a bug in the handlers cannot leave
    # a window with two tickets called at once.
    Index(
        "uq_tickets_active_window",
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
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), ForeignKey("tickets.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("window", String(16), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("staff_id", Integer),
    Column("called_at", TS, nullable=False),
    UniqueConstraint("ticket_id", "attempt"),
    Index("ix_ticket_calls_window", "window", "id"),
)

window_states = Table(
    "window_states",
    metadata,
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
    Column("queue", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("served", Integer, nullable=False),
    Column("service_s", Float, nullable=False),
    Column("issued", Integer, nullable=False),
    Column("no_show", Integer, nullable=False),
    Column("waiting", Integer, nullable=False, server_default="0"),
)

# Append-only log of every change (article 31): who, when, what. Its seq is the `seq` of the
# Socket.IO events the change produced; `events` holds them as they were emitted.
event_log = Table(
    "event_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor_kind", String(8), nullable=False),
    Column("actor_id", Integer),
    Column("actor_name", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(64), nullable=False, server_default=""),
    Column("detail", JSON, nullable=False),
    Column("events", JSON, nullable=False),
    Index("ix_event_log_at", "at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(8), nullable=False),
    Column("department", String(16)),
    Column("display_name", String(64), nullable=False, server_default=""),
    Column("staff_no", String(32), nullable=False, server_default=""),
    Column("photo", LargeBinary),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", TS),
    Column("created_at", TS, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("revoked_at", TS),
)

# Failed sign-ins, counted per client address ("address"), per address and username ("pair")
# and per username ("account"), whether the name exists or not (server.core.throttle). In the
# database so that every server process counts the same failures.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("scope", String(8), primary_key=True),
    Column("address", String(64), primary_key=True, server_default=""),
    Column("username", String(64), primary_key=True, server_default=""),
    Column("failures", Integer, nullable=False),
    Column("last_failure", TS, nullable=False),
    Column("next_allowed", TS),
    Index("ix_login_throttle_last_failure", "last_failure"),
    Index("ix_login_throttle_username", "username"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("printer", String(200)),
    Column("settings", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS),
)

# The acceptance flow's tables share this metadata; imported last, as they import it from here.
from server.db import case_tables as _case_tables  # noqa: E402,F401
