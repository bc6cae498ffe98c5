"""The outbox (the `outbox` table): changes waiting to be delivered to an outside system, the
approval platform (destination "platform": case changes) or the provincial rating system
("ratings": ratings and their follow-up).

Rows are written in the transaction of the change they carry and settled one by one as the
receiver answers; the delivery rules (order per key, backoff) are server/app/outbox.py's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from .case_tables import outbox
from .scope import hall_of


@dataclass(frozen=True)
class OutboxRow:
    """One queued change, as the worker posts it."""

    id: int
    case_number: str  # the ordering key: a case's number, or "rating-ID"
    event: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    next_try_at: datetime
    destination: str = "platform"


def add(conn: Connection, case_number: str, event: str, payload: dict[str, Any], key: str, now: datetime,
        destination: str = "platform") -> None:
    """Queue `payload` for `destination`, due at once."""
    conn.execute(
        insert(outbox).values(hall=hall_of(conn),
            case_number=case_number, event=event, payload=payload, idempotency_key=key, created_at=now,
            attempts=0, next_try_at=now, destination=destination,
        )
    )


def undelivered(conn: Connection, limit: int, destinations: Iterable[str] | None = None) -> list[OutboxRow]:
    """Rows not yet acknowledged, in the order they were written, at most `limit`; `destinations`:
    only theirs (those with a webhook: the others' rows must not fill the batch and starve them)."""
    stmt = select(
        outbox.c.id, outbox.c.case_number, outbox.c.event, outbox.c.payload, outbox.c.idempotency_key,
        outbox.c.attempts, outbox.c.next_try_at, outbox.c.destination,
    ).where(outbox.c.hall == hall_of(conn), outbox.c.delivered_at.is_(None))
    if destinations is not None:
        stmt = stmt.where(outbox.c.destination.in_(list(destinations)))
    rows = conn.execute(stmt.order_by(outbox.c.id).limit(limit)).all()
    return [OutboxRow(*r) for r in rows]


def mark_delivered(conn: Connection, row_id: int, attempts: int, now: datetime) -> None:
    conn.execute(
        update(outbox).where(outbox.c.hall == hall_of(conn), outbox.c.id == row_id)
        .values(attempts=attempts, delivered_at=now, last_error="")
    )


def mark_failed(conn: Connection, row_id: int, attempts: int, error: str, retry_at: datetime) -> None:
    conn.execute(
        update(outbox).where(outbox.c.hall == hall_of(conn), outbox.c.id == row_id)
        .values(attempts=attempts, last_error=error, next_try_at=retry_at)
    )


def pending_count(conn: Connection, destination: str | None = None) -> int:
    waiting = select(func.count()).select_from(outbox).where(outbox.c.hall == hall_of(conn),
                                                             outbox.c.delivered_at.is_(None))
    if destination is not None:
        waiting = waiting.where(outbox.c.destination == destination)
    return int(conn.execute(waiting).scalar_one())
