"""The outbox to the approval platform (the `outbox` table): case changes waiting to be delivered.

Rows are written in the transaction of the case change they carry and settled one by one as the
platform answers; the delivery rules (order per case, backoff) are server/app/outbox.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from .case_tables import outbox


@dataclass(frozen=True)
class OutboxRow:
    """One queued change, as the worker posts it."""

    id: int
    case_number: str
    event: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    next_try_at: datetime


def add(conn: Connection, case_number: str, event: str, payload: dict[str, Any], key: str, now: datetime, *,
        destination: str = "platform") -> None:
    """Queue `payload` for `destination`'s webhook, due at once."""
    conn.execute(
        insert(outbox).values(
            case_number=case_number, destination=destination, event=event, payload=payload, idempotency_key=key,
            created_at=now,
            attempts=0, next_try_at=now,
        )
    )


def undelivered(conn: Connection, limit: int) -> list[OutboxRow]:
    """Rows not yet acknowledged, in the order they were written, at most `limit`."""
    rows = conn.execute(
        select(
            outbox.c.id, outbox.c.case_number, outbox.c.event, outbox.c.payload, outbox.c.idempotency_key,
            outbox.c.attempts, outbox.c.next_try_at,
        ).where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.id).limit(limit)
    ).all()
    return [OutboxRow(*r) for r in rows]


def mark_delivered(conn: Connection, row_id: int, attempts: int, now: datetime) -> None:
    conn.execute(
        update(outbox).where(outbox.c.id == row_id).values(attempts=attempts, delivered_at=now, last_error="")
    )


def mark_failed(conn: Connection, row_id: int, attempts: int, error: str, retry_at: datetime) -> None:
    conn.execute(
        update(outbox).where(outbox.c.id == row_id).values(attempts=attempts, last_error=error, next_try_at=retry_at)
    )


def pending_count(conn: Connection) -> int:
    waiting = select(func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))
    return int(conn.execute(waiting).scalar_one())
