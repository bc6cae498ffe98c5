"""What the admin page reads and writes beyond accounts_repo: the hall notice (one per hall)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from .notice_tables import hall_notice
from .scope import hall_of

NOTICE_ID = 1


def notice(conn: Connection) -> Row[Any] | None:
    stmt = select(hall_notice).where(hall_notice.c.hall == hall_of(conn), hall_notice.c.id == NOTICE_ID)
    return conn.execute(stmt).first()


def save_notice(conn: Connection, text: str, text_en: str, now: datetime, by: str) -> None:
    values = {"text": text, "text_en": text_en, "updated_at": now, "updated_by": by}
    hall = hall_of(conn)
    changed = conn.execute(update(hall_notice).where(hall_notice.c.hall == hall, hall_notice.c.id == NOTICE_ID)
                           .values(**values))
    if not changed.rowcount:
        conn.execute(insert(hall_notice).values(hall=hall, id=NOTICE_ID, **values))
