"""Tickets in the database, read and written as the core's `Ticket` values."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    FromClause,
    Row,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import NullType

from server.core.hall import Window
from server.core.tickets import CLASS_RANKS, Outcome, Priority, Status, Ticket

from . import appointment_load
from .appointment_tables import appointments
from .pipeline import QUEUED
from .scope import hall_of
from .ticket_tables import ticket_calls, tickets

# Every read and change of a ticket is the connection's hall's: a ticket of another hall, even by
# its id, is not found. The prebuilt statements take the hall as :hall (`ix_tickets_*` lead with it).
_HALL: BindParameter[str] = bindparam("hall")

# The calling order is written twice: as `server.core.calling.choose_next`, and here as the
# candidates it is given, so that a call reads a few heads instead of the whole line. They agree
# when the first k picks of `choose_next` (each pick taken out before the next) are the same over
# `candidates` as over every waiting ticket, for every k up to HEADS: each of its rules takes the
# minimum of one order (sent to this window; aged; green; due appointments of the window's
# queues: each by place and number; a queue's head, by class, place and number), and after k - 1
# picks that minimum is among the first k of that order. The appointments are their own part: one
# placed at 10:00 behind thirty earlier walk-ins is called ahead of them at 10:00, far from the
# first HEADS of its class line; they are read through the day's bookings of the window's queues
# (server/db/appointment_load.py), never the walk-in line. So HEADS is how many choices
# call-next ranks to claim (next_call.RANKED): a window that finds its first choices held on
# PostgreSQL takes the next in the policy's order, not a guess. Six rows per class and queue keep
# an uncontended call cheap; more would let more of the windows racing on one queue win in one
# round, at every call's cost. tests/db/test_calling_agreement.py holds the two together.
HEADS = 6


def to_ticket(row: Row[Any]) -> Ticket:
    return Ticket(
        id=row.id,
        number=row.number,
        queue=row.queue,
        item=row.item,
        day=row.day,
        seq_no=row.seq_no,
        issued_at=row.issued_at,
        rank_at=row.rank_at,
        priority=Priority(row.priority),
        green_reason=row.green_reason,
        status=Status(row.status),
        window=row.window,
        target_window=row.target_window,
        called_at=row.called_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        recalls=row.recalls,
        attempts=row.attempts,
        outcome=Outcome(row.outcome) if row.outcome else None,
        note=row.note,
        origin_queue=row.origin_queue,
        follows_case=row.follows_case,
        appointment=row.appointment,
    )


def _values(t: Ticket) -> dict[str, Any]:
    return {
        "number": t.number,
        "queue": t.queue,
        "origin_queue": t.origin_queue,
        "item": t.item,
        "day": t.day,
        "seq_no": t.seq_no,
        "priority": t.priority.value,
        "class_rank": t.class_rank,
        "green_reason": t.green_reason,
        "status": t.status.value,
        "window": t.window,
        "target_window": t.target_window,
        "issued_at": t.issued_at,
        "rank_at": t.rank_at,
        "called_at": t.called_at,
        "started_at": t.started_at,
        "finished_at": t.finished_at,
        "recalls": t.recalls,
        "attempts": t.attempts,
        "outcome": t.outcome.value if t.outcome else None,
        "note": t.note,
    }


def add(conn: Connection, t: Ticket, device_id: int | None, request_key: str | None = None) -> None:
    # follows_case and appointment are set once, at issue, and only named when set.
    linked = {k: v for k, v in (("follows_case", t.follows_case), ("appointment", t.appointment)) if v}
    conn.execute(tickets.insert(), {"hall": hall_of(conn), "id": t.id, "device_id": device_id,
                                    "request_key": request_key, **_values(t), **linked}, execution_options=QUEUED)


def find_by_request(conn: Connection, device_id: int, request_key: str) -> Ticket | None:
    row = conn.execute(
        select(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.device_id == device_id,
                              tickets.c.request_key == request_key)
    ).first()
    return to_ticket(row) if row else None


def save(conn: Connection, t: Ticket) -> None:
    conn.execute(_SAVE, {"ticket_id": t.id, "ticket_hall": hall_of(conn), **_values(t)}, execution_options=QUEUED)


# Not :hall, which an UPDATE's parameters would take for a new value of the column.
_SAVE = update(tickets).where(tickets.c.hall == bindparam("ticket_hall"), tickets.c.id == bindparam("ticket_id"))


def link_case(conn: Connection, ticket_id: str, case_number: str) -> None:
    """Record the case a visit opened on its ticket."""
    conn.execute(update(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.id == ticket_id)
                 .values(case_number=case_number))


def get(conn: Connection, ticket_id: str, *, lock: bool = False) -> Ticket | None:
    stmt = select(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.id == ticket_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return to_ticket(row) if row else None


def find_by_number(conn: Connection, day: date, number: str) -> Ticket | None:
    row = conn.execute(
        select(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.day == day,
                              tickets.c.number == number.upper())
    ).first()
    return to_ticket(row) if row else None


def candidates(conn: Connection, window: Window, day: date, exclude: Collection[str] = ()) -> list[Ticket]:
    """The waiting tickets the calling policy may choose from, leaving out `exclude` (tickets a claim
    found held by another window): for each class of each served queue its first HEADS by place,
    the first HEADS sent to this window, and the served queues' first HEADS appointment tickets.
    Bounded per queue, so a backlog of thousands costs no more than a short line, and enough that
    the policy picks from them what it would pick from every waiting ticket (see HEADS)."""
    params: dict[str, object] = {"hall": hall_of(conn), "day": day}
    if exclude:
        params["taken"] = sorted(exclude)
    return to_candidates(conn.execute(_candidates_stmt(len(window.queues), bool(exclude)),
                                      {**params, **_candidates_params(window)}))


def candidates_query(conn: Connection, window: Window, day: date) -> tuple[Any, dict[str, Any]]:
    """`candidates`' first read (none excluded), for a batch of reads (server/db/batch.py)."""
    return _candidates_stmt(len(window.queues), False), {"hall": hall_of(conn), "day": day,
                                                         **_candidates_params(window)}


def to_candidates(rows: Iterable[Any]) -> list[Ticket]:
    seen: dict[str, Ticket] = {}
    for row in rows:  # a ticket may come through two of the union's parts
        seen.setdefault(row.id, to_ticket(row))
    return list(seen.values())


def _candidates_params(window: Window) -> dict[str, object]:
    """The window and its queues, for `_candidates_stmt(len(window.queues), ...)`."""
    return {"window": window.id, **{f"queue_{i}": sq.queue for i, sq in enumerate(window.queues)}}


@lru_cache(maxsize=64)
def _candidates_stmt(queues: int, skipping: bool) -> Any:
    # Built once per number of queues a window serves, the window and its queues bound: composing a
    # union of a dozen selects costs more than running it, and a province's thousand windows share
    # a few statements (and their compiled forms, server/db/batch.py).
    waiting = and_(tickets.c.hall == _HALL, tickets.c.status == Status.WAITING.value,
                   tickets.c.day == bindparam("day"))
    if skipping:
        waiting = and_(waiting, tickets.c.id.not_in(bindparam("taken", expanding=True)))
    # Sent to this window: read through `ix_tickets_target`, which orders by place but not number,
    # so every ticket up to the HEADS-th place comes, ties at that place included.
    sent = and_(waiting, tickets.c.target_window == bindparam("window"))
    last_place = (
        select(tickets.c.rank_at).where(sent).order_by(tickets.c.rank_at).offset(HEADS - 1).limit(1).scalar_subquery()
    )
    parts = [select(tickets).where(sent, or_(last_place.is_(None), tickets.c.rank_at <= last_place))]
    # Each class of each queue in (place, number) order: a walk of `ix_tickets_line` that stops early.
    served: list[Any] = [bindparam(f"queue_{i}") for i in range(queues)]
    for queue in served:
        for rank in sorted(set(CLASS_RANKS.values())):
            line = and_(waiting, tickets.c.queue == queue, tickets.c.class_rank == rank,
                        tickets.c.target_window.is_(None))
            parts.append(select(tickets).where(line).order_by(tickets.c.rank_at, tickets.c.number).limit(HEADS))
    # Appointment tickets the policy may call ahead, across the window's queues (see HEADS): the
    # hall's bookings (`ix_appointments_day` leads with the hall).
    if served:
        parts.append(appointment_load.booked_tickets(served, and_(appointments.c.hall == _HALL, waiting), HEADS))
    return union_all(*[p.subquery().select() for p in parts])


def claim(conn: Connection, ranked: Sequence[str]) -> Ticket | None:
    """Lock the best-ranked ticket still waiting; on PostgreSQL skip the ones another window holds.

    None when every ranked ticket is held: the caller reads the candidates again excluding them, so
    the window takes the best ticket nobody holds, in the policy's order, however many windows
    call the same queue at once.

    SQLite has one writer at a time (BEGIN IMMEDIATE), so the rows are as this transaction reads
    them: they are looked up by key and checked here, because with the status in the query its
    planner walked every waiting ticket of the day instead of the key (docs/performance.md)."""
    if not ranked:
        return None
    hall = hall_of(conn)
    if conn.dialect.name != "postgresql":
        # The hall too is checked here: with it in the query the planner took an index leading with it.
        rows = {r.id: r for r in conn.execute(select(tickets).where(tickets.c.id.in_(ranked))) if r.hall == hall}
        found = [rows[i] for i in ranked if i in rows and rows[i].status == Status.WAITING.value]
        return to_ticket(found[0]) if found else None
    row = conn.execute(_CLAIM, {"hall": hall, "ranked": list(ranked)}).first()
    return to_ticket(row) if row else None


# One statement for every ranking, its ids an array in their order: a CASE of the ids made a new
# statement, and a new plan, for each call.
_RANKED = bindparam("ranked", type_=postgresql.ARRAY(String))
_CLAIM = (
    select(tickets)
    .where(tickets.c.hall == bindparam("hall"), tickets.c.id == any_(_RANKED),
           tickets.c.status == Status.WAITING.value)
    .order_by(func.array_position(_RANKED, tickets.c.id))
    .limit(1)
    .with_for_update(skip_locked=True)
)


def record_call(conn: Connection, t: Ticket, staff_id: int | None) -> None:
    conn.execute(_RECORD_CALL, {"hall": hall_of(conn), "ticket_id": t.id, "attempt": t.attempts, "window": t.window,
                                "queue": t.queue, "staff_id": staff_id, "called_at": t.called_at},
                 execution_options=QUEUED)


_RECORD_CALL = insert(ticket_calls).inline()


def oldest_waiting(conn: Connection, queue: str, day: date) -> datetime | None:
    """When the longest-waiting ticket of a queue took its place (an index lookup, not a scan)."""
    return conn.execute(_OLDEST, {"hall": hall_of(conn), "queue": queue, "day": day}).scalar()


def _oldest_of(t: FromClause) -> Select[Any]:
    """When the longest-waiting ticket of queue :queue on :day of hall :hall took its place, over
    `t` (the tickets table or an alias of it)."""
    return select(func.min(t.c.rank_at)).where(
        t.c.hall == _HALL, t.c.status == Status.WAITING.value, t.c.day == bindparam("day"),
        t.c.queue == bindparam("queue"),
    )


_OLDEST = _oldest_of(tickets)


def waiting_line(conn: Connection, queue: str, day: date, limit: int = 500) -> tuple[list[str], datetime | None]:
    """A queue's waiting numbers in calling order (for the visitors' phones), at most `limit`, and
    when its longest-waiting ticket took its place. Tickets sent to one window wait outside the
    order but count for the longest wait. Both are index reads, whatever the line's length, and
    one statement: every change that touches a queue reads them."""
    return to_line(conn, conn.execute(*line_query(conn, queue, day, limit)).all())


def line_query(conn: Connection, queue: str, day: date, limit: int = 500) -> tuple[Any, dict[str, Any]]:
    """`waiting_line`'s statement, for a batch of reads (server/db/batch.py)."""
    return _waiting_numbers(conn.dialect.name), {"hall": hall_of(conn), "queue": queue, "day": day, "limit": limit}


def to_line(conn: Connection, rows: Sequence[Any]) -> tuple[list[str], datetime | None]:
    """The line from `line_query`'s one row: the numbers joined by commas (a number is its queue's
    prefix of one or two letters, then digits: never a comma), and the oldest place."""
    numbers, oldest = rows[0] if rows else (None, None)
    return (numbers.split(",") if numbers else []), (None if oldest is None else _as_rank_at(conn, oldest))


def _as_rank_at(conn: Connection, raw: Any) -> datetime | None:
    """The oldest place as a datetime: it comes raw, untyped, from the line's statement."""
    dialect = conn.dialect
    convert = _rank_at_reader.get(dialect.name)
    if convert is None:
        processor = tickets.c.rank_at.type.dialect_impl(dialect).result_processor(dialect, None)
        convert = _rank_at_reader[dialect.name] = processor or (lambda value: value)
    return convert(raw)


_rank_at_reader: dict[str, Any] = {}


# The oldest place, over its own alias of tickets: uncorrelated, so computed once per statement.
# Untyped: converted in Python once (_as_rank_at).
_OLDEST_OF_LINE = type_coerce(_oldest_of(tickets.alias("held")).scalar_subquery(), NullType())
_LINE = (
    select(tickets.c.number, tickets.c.class_rank, tickets.c.rank_at)
    .where(
        tickets.c.hall == _HALL,
        tickets.c.status == Status.WAITING.value,
        tickets.c.queue == bindparam("queue"),
        tickets.c.day == bindparam("day"),
        tickets.c.target_window.is_(None),
    )
    .order_by(tickets.c.class_rank, tickets.c.rank_at, tickets.c.number)
    .limit(bindparam("limit"))
    .subquery("line")
)


@lru_cache(maxsize=4)
def _waiting_numbers(dialect: str) -> Select[Any, Any]:
    """The line's numbers joined in calling order in one row, with the oldest place. Every issue,
    call and finish reads its queue's line for the queue's view, up to 200 tickets: as rows, making
    them cost 127 µs a read on SQLite and 197 µs on PostgreSQL, joined 73 and 97 µs.

    PostgreSQL orders the aggregate itself. SQLite before 3.44 has no ORDER BY in an aggregate; its
    group_concat takes the rows in the order the ordered, limited subquery yields them (the test of
    this statement holds it to the rows' own order)."""
    if dialect == "postgresql":
        numbers = func.string_agg(_LINE.c.number, postgresql.aggregate_order_by(
            literal_column("','"), _LINE.c.class_rank, _LINE.c.rank_at, _LINE.c.number))
    else:
        numbers = func.group_concat(_LINE.c.number, ",")
    return select(type_coerce(numbers, NullType()), _OLDEST_OF_LINE).select_from(_LINE)


def latest_calls(conn: Connection, day: date, limit: int = 10) -> list[Ticket]:
    rows = conn.execute(
        select(tickets)
        .where(tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.called_at.is_not(None),
               tickets.c.window.is_not(None))
        .order_by(tickets.c.called_at.desc())
        .limit(limit)
    )
    return [to_ticket(r) for r in rows]


def many(conn: Connection, ids: Iterable[str]) -> dict[str, Ticket]:
    ids = list(ids)
    if not ids:
        return {}
    stmt = select(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.id.in_(ids))
    return {r.id: to_ticket(r) for r in conn.execute(stmt)}


def stale_waiting(conn: Connection, before_day: date) -> list[Ticket]:
    rows = conn.execute(
        select(tickets).where(
            tickets.c.hall == hall_of(conn),
            tickets.c.day < before_day,
            tickets.c.status.in_([Status.WAITING.value, Status.SUSPENDED.value]),
        )
    )
    return [to_ticket(r) for r in rows]


def window_day(conn: Connection, window_id: str, day: date) -> tuple[dict[str, int], int, list[Ticket]]:
    """A window's day: finished tickets by outcome, no-shows, and its suspended visitors."""
    outcomes: dict[str, int] = {}
    no_shows = 0
    rows = conn.execute(
        select(tickets.c.status, tickets.c.outcome, func.count())
        .where(tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.window == window_id,
               tickets.c.status.in_([Status.DONE.value, Status.NO_SHOW.value]))
        .group_by(tickets.c.status, tickets.c.outcome)
    )
    for status, outcome, count in rows:
        if status == Status.NO_SHOW.value:
            no_shows += count
        else:
            outcomes[outcome or "done"] = outcomes.get(outcome or "done", 0) + count
    suspended = conn.execute(
        select(tickets)
        .where(tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.target_window == window_id,
               tickets.c.status == Status.SUSPENDED.value)
        .order_by(tickets.c.rank_at)
    )
    return outcomes, no_shows, [to_ticket(r) for r in suspended]


def sent_to_window(conn: Connection, window_id: str, *, lock: bool = False) -> list[Ticket]:
    """Tickets waiting or suspended for one window (transferred to it, or a visitor it suspended);
    `lock` on PostgreSQL when the window is closing and hands them back to their queues."""
    stmt = (
        select(tickets)
        .where(
            tickets.c.hall == hall_of(conn),
            tickets.c.target_window == window_id,
            tickets.c.status.in_([Status.WAITING.value, Status.SUSPENDED.value]),
        )
        .order_by(tickets.c.rank_at)
    )
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return [to_ticket(r) for r in conn.execute(stmt)]


def targeted_windows(conn: Connection) -> list[str]:
    """Windows some ticket waits or is suspended for (an index read on `ix_tickets_target`)."""
    rows = conn.execute(
        select(tickets.c.target_window).distinct().where(
            tickets.c.hall == hall_of(conn),
            tickets.c.target_window.is_not(None),
            tickets.c.status.in_([Status.WAITING.value, Status.SUSPENDED.value]),
        )
    )
    return [r.target_window for r in rows]


def still_to_call_of_item(conn: Connection, day: date, item: str) -> list[Ticket]:
    """An item's tickets of `day` still to be called (waiting, or suspended and coming back),
    locked on PostgreSQL: the item moves to another queue and they move with it."""
    stmt = select(tickets).where(
        tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.item == item,
        tickets.c.status.in_([Status.WAITING.value, Status.SUSPENDED.value]),
    ).order_by(tickets.c.rank_at)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return [to_ticket(r) for r in conn.execute(stmt)]
