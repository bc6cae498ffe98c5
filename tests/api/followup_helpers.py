"""Poor ratings for the follow-up tests, stored as the ratings' handler stores them and opened
through `open_for` in the same unit of work, as that handler calls it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.app.followups import open_for
from server.db import accounts_repo
from server.db import followups_repo as repo
from server.db.case_tables import outbox
from server.db.log_tables import event_log
from server.db.uow import Actor

RATER = Actor("device", None, "pad-test")


def staff_id(svc, username: str) -> int:
    with svc.read() as uow:
        row = accounts_repo.user_row(uow.conn, username)
    assert row is not None
    return int(row.id)


def rate(svc, level: int = 1, *, ticket: str | None = None, department: str | None = "SCJG",
         item: str = "SCJG-001", window: str = "1", staff: int | None = None, tags: tuple[str, ...] = ("attitude",),
         comment: str = "等了很久，态度也不好") -> int:
    """A rating stored now, with its follow-up opened when poor; returns the rating's id."""
    with svc.write(RATER) as uow:
        rid = repo.add_rating(
            uow.conn, ticket_id=ticket or f"t{uow.now.timestamp():.0f}{level}{item}", day=svc.today(uow.now),
            at=uow.now, level=level, tags=list(tags) if level <= 2 else [], comment=comment, channel="pad",
            department=department, item=item, queue="A", window=window, staff_id=staff)
        rating = repo.rating(uow.conn, rid)
        assert rating is not None
        uow.audit("rating.created", str(rid), level=level)
        open_for(svc, uow, rating)
        svc.commit(uow)
    return rid


def outbox_rows(svc) -> list[dict[str, Any]]:
    with svc.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.case_number, outbox.c.destination, outbox.c.event, outbox.c.payload)
                            .order_by(outbox.c.id)).all()
    return [dict(r._mapping) for r in rows]


def audit_actions(svc, prefix: str = "followup.") -> list[tuple[str, str]]:
    with svc.engine.connect() as conn:
        rows = conn.execute(select(event_log.c.action, event_log.c.subject).order_by(event_log.c.seq)).all()
    return [(a, s) for a, s in rows if a.startswith(prefix)]
