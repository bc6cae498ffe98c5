"""Staff accounts, their sign-in tokens and throttle, and the registered devices."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    text,
)

from server.db.metadata import TS, hall_column, metadata

users = Table(
    "users",
    metadata,
    # NULL: a member of staff of the whole installation (a city manager, its administrator).
    hall_column(nullable=True),
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
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("printer", String(200)),
    Column("settings", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS),
)
