"""Writes of the service history (service_tables): a stint of a ticket at a window opened, started
and ended; a window's open or paused period begun and ended. Called by server/app/service_records.py
in the transaction of the change. None of them is read back: on PostgreSQL they are queued
(server/db/pipeline.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, bindparam, func, insert, update

from .metadata import TS
from .pipeline import QUEUED
from .scope import hall_of
from .service_tables import service_segments, window_periods


def open_segment(conn: Connection, *, ticket_id: str, day: date, queue: str, item: str | None,
                 department: str | None, window: str, staff_id: int | None, at: datetime,
                 wait_s: float | None) -> None:
    conn.execute(_OPEN, {"hall": hall_of(conn), "ticket_id": ticket_id, "day": day, "queue": queue, "item": item,
                         "department": department, "window": window, "staff_id": staff_id, "called_at": at,
                         "wait_s": wait_s}, execution_options=QUEUED)


def start_segment(conn: Connection, ticket_id: str, at: datetime) -> None:
    conn.execute(_OF_TICKET, {"seg_hall": hall_of(conn), "seg_ticket": ticket_id, "started_at": at},
                 execution_options=QUEUED)


def end_segment(conn: Connection, ticket_id: str, at: datetime, ending: str, started: datetime | None,
                service_s: float | None, item: str | None = None) -> None:
    """Ends the ticket's open stint, with its service time when finished; `started` fills
    `started_at` when the service had no start; `item`, the item it was served as when not the
    one the number was taken for."""
    params = {"seg_hall": hall_of(conn), "seg_ticket": ticket_id, "ended_at": at, "ending": ending,
              "service_s": service_s, **({"item": item} if item else {})}
    if started is None:
        conn.execute(_OF_TICKET, params, execution_options=QUEUED)
    else:
        conn.execute(_END_STARTING, {**params, "seg_started": started}, execution_options=QUEUED)


# Built once, the values bound as parameters: every call and finish writes these, and a statement
# built for each spent more on building and keying it than on sending it. The open stint's keys
# are not named after columns, which an UPDATE's parameters would set.
_OPEN = insert(service_segments).inline()
_OF_TICKET = update(service_segments).where(service_segments.c.hall == bindparam("seg_hall"),
                                            service_segments.c.ticket_id == bindparam("seg_ticket"),
                                            service_segments.c.ended_at.is_(None))
_END_STARTING = _OF_TICKET.values(
    started_at=func.coalesce(service_segments.c.started_at, bindparam("seg_started", type_=TS)))


def end_period(conn: Connection, window: str, at: datetime) -> None:
    conn.execute(update(window_periods).where(window_periods.c.hall == hall_of(conn), window_periods.c.window == window,
                                              window_periods.c.ended_at.is_(None))
                 .values(ended_at=at), execution_options=QUEUED)


def begin_period(conn: Connection, *, window: str, staff_id: int | None, state: str, reason: str, day: date,
                 at: datetime) -> None:
    conn.execute(insert(window_periods).inline().values(hall=hall_of(conn), window=window, staff_id=staff_id,
                                                        state=state, reason=reason, day=day, started_at=at),
                 execution_options=QUEUED)
