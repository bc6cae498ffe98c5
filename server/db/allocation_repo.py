"""The allocation changes (server.db.allocation_tables): the latest state, the history, a new change.

The current allocation is the `state` of the latest row; callers cache it by that row's id, so
the hot paths read one indexed id (`latest_id`) and the state only when it moved.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, select

from .allocation_tables import allocation_changes as changes
from .counters_repo import next_counter
from .scope import hall_of

# The counter whose row a change locks and whose value is the change's id: taking it puts the
# changes of two managers (or two processes) one after the other, on PostgreSQL as on SQLite.
ALLOCATION = "allocation"

# The hall's changes only: :hall.
_LATEST_ID = select(changes.c.id).where(changes.c.hall == bindparam("hall")).order_by(changes.c.id.desc()).limit(1)


def latest_id_and(conn: Connection, other: Any) -> tuple[int, int]:
    """The id of the latest change and the value of the scalar subquery `other` (0 when NULL, its
    hall the bound `:hall`), in one SELECT: the hot paths pay one round trip for both."""
    return to_latest_id_and(conn.execute(*latest_id_and_query(conn, other)))


def latest_id_and_query(conn: Connection, other: Any) -> tuple[Any, dict[str, Any]]:
    """`latest_id_and`'s statement, for a batch of reads (server/db/batch.py)."""
    return _with(other), {"hall": hall_of(conn)}


def to_latest_id_and(rows: Iterable[Any]) -> tuple[int, int]:
    (row,) = rows
    return int(row[0] or 0), int(row[1] or 0)


@functools.lru_cache(maxsize=8)
def _with(other: Any) -> Select[Any]:
    # One statement object per subquery: read by every change, compiled once.
    return select(_LATEST_ID.scalar_subquery(), other)


def latest_id(conn: Connection) -> int:
    """The id of the latest change; 0 before any (the hall file's allocation holds)."""
    value = conn.execute(_LATEST_ID, {"hall": hall_of(conn)}).scalar()
    return int(value) if value is not None else 0


def state_of(conn: Connection, change_id: int) -> dict[str, Any] | None:
    """The whole allocation as it stood after change `change_id`."""
    stmt = select(changes.c.state).where(changes.c.hall == hall_of(conn), changes.c.id == change_id)
    return conn.execute(stmt).scalar()


def lock_next_id(conn: Connection) -> int:
    """Take the next change id, holding the counter's row until this transaction ends."""
    return next_counter(conn, ALLOCATION)


def add(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(changes.insert(), {**row, "hall": hall_of(conn)})


def history(conn: Connection, since: datetime | None = None) -> list[Row[Any]]:
    """Every change, oldest first (a hall makes a few dozen a day); `since`: at or after it."""
    stmt = select(changes).where(changes.c.hall == hall_of(conn)).order_by(changes.c.id)
    if since is not None:
        stmt = stmt.where(changes.c.at >= since)
    return list(conn.execute(stmt))
