"""Each queue's daily counts (`queue_stats`): issued, waiting and cut-ins (green channel, transferred
in), kept by the triggers on `tickets` (migrations 0005, 0021, 0022); served, service time and
no-shows, counted here by the handlers that finish a visit. One row per hall, queue and day: a hall
reads and counts only its own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Date, Float, Integer, bindparam, select

from .pipeline import QUEUED
from .scope import hall_of
from .ticket_tables import queue_stats
from .upsert import insert_for


def bump_stats(conn: Connection, queue: str, day: date, *, served: int = 0, service_s: float = 0.0,
               no_show: int = 0) -> None:
    """Count a finished visit or a no-show (the triggers of migration 0005 count the rest)."""
    conn.execute(
        _bump_stats_stmt(conn.dialect.name),
        {"hall": hall_of(conn), "queue": queue, "day": day, "served": served, "service_s": service_s,
         "no_show": no_show},
        execution_options=QUEUED,
    )


@lru_cache(maxsize=4)
def _bump_stats_stmt(dialect: str) -> Any:
    insert_ = insert_for(dialect)
    served = bindparam("served", type_=Integer)
    service_s = bindparam("service_s", type_=Float)
    no_show = bindparam("no_show", type_=Integer)
    stmt = insert_(queue_stats).values(
        hall=bindparam("hall"), queue=bindparam("queue"), day=bindparam("day", type_=Date), issued=0, served=served,
        service_s=service_s, no_show=no_show,
    )
    return stmt.on_conflict_do_update(
        index_elements=[queue_stats.c.hall, queue_stats.c.queue, queue_stats.c.day],
        set_={
            "served": queue_stats.c.served + served,
            "service_s": queue_stats.c.service_s + service_s,
            "no_show": queue_stats.c.no_show + no_show,
        },
    )


def stats(conn: Connection, day: date) -> dict[str, dict]:
    """Each queue's counts for the day, read by every change, unpacked by position."""
    return to_stats(conn.execute(*stats_query(conn, day)))


def stats_query(conn: Connection, day: date) -> tuple[Any, dict[str, Any]]:
    """`stats`' statement, for a batch of reads (server/db/batch.py)."""
    return _STATS, {"hall": hall_of(conn), "day": day}


def to_stats(rows: Iterable[Any]) -> dict[str, dict]:
    return {
        queue: {"issued": issued, "served": served, "service_s": service_s, "no_show": no_show, "waiting": waiting,
                "cut_ins": cut_ins}
        for queue, issued, served, service_s, no_show, waiting, cut_ins in rows
    }


_STATS = select(
    queue_stats.c.queue, queue_stats.c.issued, queue_stats.c.served, queue_stats.c.service_s,
    queue_stats.c.no_show, queue_stats.c.waiting, queue_stats.c.cut_ins,
).where(queue_stats.c.hall == bindparam("hall"), queue_stats.c.day == bindparam("day", type_=Date))
