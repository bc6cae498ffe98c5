"""A waiting ticket's place in its queue's line: how many its windows call before it.

A ticket beyond the first places a queue's view lists is counted. Counting from the head walks
every ticket before it: a ticket just issued at the end of a line of thousands walked them all,
on every issue. So it is counted from whichever end is nearer: the tickets behind it, up to
NEAR_END of them, and the rest from the queue's waiting count (kept by trigger, migration 0005)
read in the same statement, so both come from one snapshot on PostgreSQL too.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, bindparam, func, select, tuple_

from server.core.tickets import Status, Ticket

from .scope import hall_of
from .ticket_tables import queue_stats, tickets

# Counted from the end when fewer than this many wait behind the ticket.
NEAR_END = 64


def ahead(conn: Connection, t: Ticket) -> int:
    """Waiting tickets of the same queue that its windows call before `t` (tickets sent to one
    window are in that window's line, not the queue's)."""
    params = {"hall": hall_of(conn), "queue": t.queue, "day": t.day, "class_rank": t.class_rank,
              "rank_at": t.rank_at, "number": t.number}
    if t.status is Status.WAITING and t.target_window is None:
        waiting, sent, behind = conn.execute(_FROM_THE_END, {**params, "near": NEAR_END}).one()
        if waiting is not None and behind < NEAR_END:
            return waiting - sent - behind - 1  # `t` itself is among the queue's waiting
    return conn.execute(_AHEAD, params).scalar_one()


_RANK_AT = bindparam("rank_at", type_=tickets.c.rank_at.type)
_WAITING_HERE = and_(
    tickets.c.hall == bindparam("hall"),
    tickets.c.status == Status.WAITING.value,
    tickets.c.queue == bindparam("queue"),
    tickets.c.day == bindparam("day"),
)


# The line's order, class, place and number, compared as one key: a range of `ix_tickets_line`.
_KEY = tuple_(tickets.c.class_rank, tickets.c.rank_at, tickets.c.number)
_T_KEY = tuple_(bindparam("class_rank"), _RANK_AT, bindparam("number"))

_AHEAD = select(func.count()).select_from(tickets).where(
    _WAITING_HERE, _KEY < _T_KEY, tickets.c.target_window.is_(None))

# A range of `ix_tickets_line` from `t`'s key on, read no further than NEAR_END tickets.
_behind = (
    select(tickets.c.target_window).where(
        _WAITING_HERE,
        _KEY > _T_KEY,
        tickets.c.target_window.is_(None),
    )
    .order_by(tickets.c.class_rank, tickets.c.rank_at, tickets.c.number)
    .limit(bindparam("near")).subquery()
)
_FROM_THE_END = select(
    select(queue_stats.c.waiting).where(
        queue_stats.c.hall == bindparam("hall"), queue_stats.c.queue == bindparam("queue"),
        queue_stats.c.day == bindparam("day"),
    ).scalar_subquery(),
    # Sent to one window: few, read through `ix_tickets_target` (window ids are never empty; `IS NOT
    # NULL` had SQLite walk the queue's line instead).
    select(func.count()).select_from(tickets).where(
        tickets.c.hall == bindparam("hall"), tickets.c.target_window > "",
        tickets.c.status == Status.WAITING.value, tickets.c.day == bindparam("day"),
        tickets.c.queue == bindparam("queue")).scalar_subquery(),
    select(func.count()).select_from(_behind).scalar_subquery(),
)
