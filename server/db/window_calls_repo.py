"""What call-next and a window's actions read of the window's calls: its latest calls (the calling
policy's shares) and its current ticket, read through its state. Both in query form too, so a
change sends them with its other first reads (server/db/batch.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from server.core.tickets import Priority

from .scope import hall_of
from .ticket_tables import ticket_calls, tickets, window_states

_HALL: BindParameter[str] = bindparam("hall")


def current_of_window_query(conn: Connection, window_id: str) -> tuple[Any, dict[str, Any]]:
    """The window's current ticket, locked on PostgreSQL, read through its state: for a batch of
    reads (server/db/batch.py) that reads the state in the same trip."""
    stmt = _CURRENT_OF_WINDOW_LOCKED if conn.dialect.name == "postgresql" else _CURRENT_OF_WINDOW
    return stmt, {"hall": hall_of(conn), "window": window_id}


# The ticket by its key, the key read from the state: a join let PostgreSQL, whose statistics do
# not yet know the day's tickets (a new table, or this morning's rows), scan all of the hall's
# tickets for the one (0.9 ms at 1,500; 0.03 ms so).
_CURRENT_OF_WINDOW = select(tickets).where(tickets.c.id == select(window_states.c.current_ticket).where(
    window_states.c.hall == _HALL, window_states.c.window == bindparam("window")).scalar_subquery())
_CURRENT_OF_WINDOW_LOCKED = _CURRENT_OF_WINDOW.with_for_update(of=tickets)


def recent_calls(conn: Connection, window_id: str, n: int) -> list[tuple[str, bool]]:
    """A window's latest `n` calls, newest first: each call's queue, and whether it called an
    appointment ticket (the calling policy's two shares, server/core/calling.py)."""
    return to_recent_calls(conn.execute(*recent_calls_query(conn, window_id, n)))


def recent_calls_query(conn: Connection, window_id: str, n: int) -> tuple[Any, dict[str, Any]]:
    return _RECENT_CALLS, {"hall": hall_of(conn), "window": window_id, "n": n}


def to_recent_calls(rows: Iterable[Any]) -> list[tuple[str, bool]]:
    return [(r.queue, r.priority == Priority.APPOINTMENT.value) for r in rows]


# Each call's ticket by its key (see _CURRENT_OF_WINDOW): as a join, a plan that scanned the
# hall's tickets once per call took 2 ms.
_RECENT_CALLS = (
    select(ticket_calls.c.queue,
           select(tickets.c.priority).where(tickets.c.id == ticket_calls.c.ticket_id).scalar_subquery()
           .label("priority"))
    .where(ticket_calls.c.hall == _HALL, ticket_calls.c.window == bindparam("window"))
    .order_by(ticket_calls.c.id.desc())
    .limit(bindparam("n"))
)
