"""What the waiting-time estimate reads besides the queues' daily counts (issue 13): the latest
service durations of a queue and the calls the windows are in the middle of. Each is an index
read (migration 0014): the latest services walk back from the newest and stop at the limit; the
calls are the windows' own. The day's cut-ins per queue are counted by trigger in `queue_stats`
(migration 0022), read with the counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from server.core.tickets import Status

from .scope import hall_of
from .ticket_tables import tickets, window_states

# Durations of a queue's latest finished services, newest first.
_RECENT = (
    select(tickets.c.called_at, tickets.c.finished_at)
    .where(
        tickets.c.hall == bindparam("hall"),
        tickets.c.day == bindparam("day"),
        tickets.c.status == Status.DONE.value,
        tickets.c.queue == bindparam("queue"),
        tickets.c.called_at.is_not(None),
        tickets.c.finished_at.is_not(None),
    )
    .order_by(tickets.c.finished_at.desc())
    .limit(bindparam("limit"))
)


def recent_services(conn: Connection, queue: str, day: date, limit: int) -> list[float]:
    return to_durations(conn.execute(*recent_query(conn, queue, day, limit)))


def recent_query(conn: Connection, queue: str, day: date, limit: int) -> tuple[Any, dict[str, Any]]:
    """`recent_services`' statement, for a batch of reads (server/db/batch.py)."""
    return _RECENT, {"hall": hall_of(conn), "queue": queue, "day": day, "limit": limit}


def to_durations(rows: Iterable[Any]) -> list[float]:
    return [max(0.0, (finished - called).total_seconds()) for called, finished in rows]


def calls_since(conn: Connection, ticket_ids: Iterable[str]) -> dict[str, tuple[str, datetime]]:
    """The windows' current tickets: queue and when each was (last) called, by ticket id."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    return {i: (q, at) for i, q, at in conn.execute(_CALLS, {"hall": hall_of(conn), "ids": ids})}


def current_calls_query(conn: Connection) -> tuple[Any, dict[str, Any]]:
    """The calls every window is in the middle of, by ticket id, as `calls_since` gives them: for a
    batch of reads (server/db/batch.py), which cannot wait for the window states to name them."""
    return _CURRENT_CALLS, {"hall": hall_of(conn)}


def to_calls(rows: Iterable[Any]) -> dict[str, tuple[str, datetime]]:
    return {i: (q, at) for i, q, at in rows if at is not None}


def _of_current(column: Any) -> Any:
    return select(column).where(tickets.c.id == window_states.c.current_ticket).scalar_subquery()


# Each window's ticket by its key: as a join, PostgreSQL's planner, before its statistics know
# the day's tickets, looped over every called ticket of the hall for each window (9 ms a change
# once 600 were called; 0.1 ms so).
_CURRENT_CALLS = select(
    window_states.c.current_ticket, _of_current(tickets.c.queue), _of_current(tickets.c.called_at),
).where(window_states.c.hall == bindparam("hall"), window_states.c.current_ticket.is_not(None))

_CALLS = select(tickets.c.id, tickets.c.queue, tickets.c.called_at).where(
    tickets.c.hall == bindparam("hall"), tickets.c.id.in_(bindparam("ids", expanding=True)),
    tickets.c.called_at.is_not(None),
)

