"""Whether a database error means the database is away or busy for now (a restart, a failover, a
dropped connection, a full pool, a lock held too long), not that the statement or the data is
wrong. The transport answers the first kind 503 "try again" and the second 500 "a bug, logged":
a hall's staff and its monitoring tell an outage from a defect by that status."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa

# PostgreSQL's SQLSTATEs for "not now": class 08 (connection exception) by prefix, and these.
_NOT_NOW = {
    "57P01",  # admin_shutdown: the server is stopping (a restart, a failover)
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now: starting up, or not accepting connections
    "53300",  # too_many_connections
    "55P03",  # lock_not_available
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
}


def unavailable(error: BaseException) -> bool:
    """`error` as SQLAlchemy raises it, or as the driver does on a connection of its own (the
    event tail's listener)."""
    if isinstance(error, sa.TimeoutError):  # the pool had no connection to give in time
        return True
    cause: BaseException | None
    if isinstance(error, sa.DBAPIError):
        if error.connection_invalidated:
            return True
        cause, operational = error.orig, isinstance(error, sa.OperationalError)
    else:
        cause, operational = error, type(error).__name__ == "OperationalError"
    if isinstance(cause, sqlite3.OperationalError):
        # SQLite names its transient states in the message only; "no such table" is no outage.
        text = str(cause).lower()
        return "locked" in text or "busy" in text
    if not type(cause).__module__.startswith("psycopg"):
        return False
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # No SQLSTATE at all: the server never answered (connecting failed, the connection was
        # closed under it).
        return operational
    return sqlstate.startswith("08") or sqlstate in _NOT_NOW
