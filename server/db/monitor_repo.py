"""The hall monitor's reads and writes on tickets: today's tickets by number, forced finishes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, select

from server.core.tickets import Ticket

from .monitor_tables import forced_finishes
from .scope import hall_of
from .ticket_tables import tickets
from .tickets_repo import to_ticket

SEARCH_LIMIT = 50


def search_day(conn: Connection, day: date, part: str, queues: Iterable[str] | None = None,
               limit: int = SEARCH_LIMIT) -> list[Ticket]:
    """Tickets of `day` whose number contains `part` (any case), newest first; `queues`: only those."""
    pattern = "%" + part.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = select(tickets).where(tickets.c.hall == hall_of(conn), tickets.c.day == day,
                                 tickets.c.number.like(pattern, escape="\\"))
    if queues is not None:
        stmt = stmt.where(tickets.c.queue.in_(list(queues)))
    return [to_ticket(r) for r in conn.execute(stmt.order_by(tickets.c.issued_at.desc()).limit(limit))]


def record_forced(conn: Connection, t: Ticket, at: datetime, actor: str, reason: str) -> None:
    conn.execute(forced_finishes.insert(), {"hall": hall_of(conn), "ticket_id": t.id, "at": at, "day": t.day,
                                            "actor": actor, "reason": reason})


def forced(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of the tickets were finished by force."""
    wanted = list(ids)
    if not wanted:
        return set()
    rows = conn.execute(select(forced_finishes.c.ticket_id).where(forced_finishes.c.hall == hall_of(conn),
                                                                  forced_finishes.c.ticket_id.in_(wanted)))
    return {r.ticket_id for r in rows}
