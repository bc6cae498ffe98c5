"""The `ratings` table: one rating per ticket and per case, kept by its unique columns.

`add` turns the database's refusal of a second rating (two posts racing past the handler's own
check) into `AlreadyRated`, so the race answers 409 like the plain case. The service rated (its
department, item, queue, window and staff) is read here from the ticket and its last call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

from server.core.rating import AlreadyRated, RatingInput

from .rating_tables import ratings
from .scope import hall_of
from .ticket_tables import ticket_calls


@dataclass(frozen=True)
class Subject:
    """What a rating is of: a ticket's service or a case, with the service's who and where."""

    day: date
    ticket_id: str | None = None
    case_number: str | None = None
    department: str | None = None
    item: str | None = None
    queue: str | None = None
    window: str | None = None
    staff_id: int | None = None


def add(conn: Connection, subject: Subject, given: RatingInput, channel: str, now: datetime) -> dict[str, Any]:
    """Store the rating; returns its row as a dict. A rating already there: `AlreadyRated`."""
    values = {
        "ticket_id": subject.ticket_id, "case_number": subject.case_number, "day": subject.day, "at": now,
        "level": given.level, "tags": list(given.tags), "comment": given.comment, "channel": channel,
        "department": subject.department, "item": subject.item, "queue": subject.queue,
        "window": subject.window, "staff_id": subject.staff_id,
    }
    try:
        # A savepoint: PostgreSQL aborts the whole transaction on a failed insert otherwise.
        with conn.begin_nested():
            new_id = conn.execute(insert(ratings).values(hall=hall_of(conn), **values)
                                  .returning(ratings.c.id)).scalar_one()
    except IntegrityError:
        raise AlreadyRated() from None
    return {"id": new_id, **values, "excluded_at": None, "excluded_reason": ""}


def _one(conn: Connection, where: Any) -> dict[str, Any] | None:
    row = conn.execute(select(ratings).where(ratings.c.hall == hall_of(conn), where)).first()
    return as_dict(row) if row else None


def as_dict(row: Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


def get(conn: Connection, rating_id: int) -> dict[str, Any] | None:
    return _one(conn, ratings.c.id == rating_id)


def by_ticket(conn: Connection, ticket_id: str) -> dict[str, Any] | None:
    return _one(conn, ratings.c.ticket_id == ticket_id)


def by_case(conn: Connection, case_number: str) -> dict[str, Any] | None:
    return _one(conn, ratings.c.case_number == case_number)


def rated_tickets(conn: Connection, ticket_ids: list[str]) -> set[str]:
    """Which of the tickets have a rating."""
    if not ticket_ids:
        return set()
    rows = conn.execute(select(ratings.c.ticket_id).where(ratings.c.hall == hall_of(conn),
                                                          ratings.c.ticket_id.in_(ticket_ids)))
    return {r.ticket_id for r in rows}


def between(conn: Connection, first: date, last: date, department: str | None = None) -> list[dict[str, Any]]:
    """Ratings of the services of days `first`..`last`, oldest first; `department`: its only."""
    stmt = select(ratings).where(ratings.c.hall == hall_of(conn), ratings.c.day >= first, ratings.c.day <= last)
    if department is not None:
        stmt = stmt.where(ratings.c.department == department)
    return [as_dict(r) for r in conn.execute(stmt.order_by(ratings.c.id))]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(ratings).where(ratings.c.hall == hall_of(conn)))
               .scalar_one())


def last_call_staff(conn: Connection, ticket_id: str) -> tuple[str | None, int | None]:
    """The window and staff of a ticket's last call: who served it to the end."""
    row = conn.execute(
        select(ticket_calls.c.window, ticket_calls.c.staff_id)
        .where(ticket_calls.c.hall == hall_of(conn), ticket_calls.c.ticket_id == ticket_id)
        .order_by(ticket_calls.c.attempt.desc(), ticket_calls.c.id.desc()).limit(1)
    ).first()
    return (row.window, row.staff_id) if row else (None, None)
