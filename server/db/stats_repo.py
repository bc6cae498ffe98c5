"""Measurements the manager's board and the staffing recommendations read: arrivals, services,
each window's logged actions and the hall's refusals. Read-only, off the hot path (a board
refresh or a periodic check), each one query over the day's indexed rows, of the connection's hall
only (each `where` starts with the hall, as the indexes it reads do)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from server.core.tickets import Status

from .log_tables import event_log
from .monitor_tables import visitor_refusals
from .scope import hall_of
from .ticket_tables import queue_stats, tickets

# The queue a visitor came for: a transfer moves the ticket, not the arrival.
_ARRIVED_IN = func.coalesce(tickets.c.origin_queue, tickets.c.queue)


# A booked visitor's ticket (priority "appointment"): the forecast counts the day's bookings on
# their own, so its walk-in arrivals leave these out (else a booking would count twice).
_WALK_IN = tickets.c.priority != "appointment"


def arrivals(conn: Connection, day: date, since: datetime, until: datetime, *,
             walk_ins_only: bool = False) -> dict[str, int]:
    """Tickets issued in [since, until) of `day`, by the queue they were issued for (without the
    booked visitors' when `walk_ins_only`)."""
    where: list[ColumnElement[bool]] = [tickets.c.hall == hall_of(conn), tickets.c.day == day,
                                         tickets.c.issued_at >= since, tickets.c.issued_at < until]
    if walk_ins_only:
        where.append(_WALK_IN)
    rows = conn.execute(select(_ARRIVED_IN, func.count()).where(*where).group_by(_ARRIVED_IN))
    return {q: n for q, n in rows}


def issue_times(conn: Connection, days: Collection[date], *, walk_ins_only: bool = False) -> list[
        tuple[str, datetime]]:
    """(queue issued for, issued_at) of every ticket of `days`: the weekday history of arrivals
    (without the booked visitors' when `walk_ins_only`)."""
    if not days:
        return []
    where: list[ColumnElement[bool]] = [tickets.c.hall == hall_of(conn), tickets.c.day.in_(list(days))]
    if walk_ins_only:
        where.append(_WALK_IN)
    rows = conn.execute(select(_ARRIVED_IN, tickets.c.issued_at).where(*where))
    return [(q, at) for q, at in rows]


def days_with_tickets(conn: Connection, days: Collection[date]) -> list[date]:
    """Which of `days` the hall issued on (a holiday or a day before the hall's start is no history)."""
    if not days:
        return []
    rows = conn.execute(select(queue_stats.c.day).distinct().where(
        queue_stats.c.hall == hall_of(conn), queue_stats.c.day.in_(list(days)), queue_stats.c.issued > 0))
    return sorted(r.day for r in rows)


def service_totals(conn: Connection, days: Collection[date]) -> dict[str, tuple[float, int]]:
    """Per queue over `days`: (seconds of service, visits served), from the daily counts."""
    if not days:
        return {}
    rows = conn.execute(
        select(queue_stats.c.queue, func.sum(queue_stats.c.service_s), func.sum(queue_stats.c.served))
        .where(queue_stats.c.hall == hall_of(conn), queue_stats.c.day.in_(list(days))).group_by(queue_stats.c.queue)
    )
    return {q: (float(s or 0.0), int(n or 0)) for q, s, n in rows}


def served_by_window(conn: Connection, day: date) -> dict[str, int]:
    rows = conn.execute(
        select(tickets.c.window, func.count())
        .where(tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.status == Status.DONE.value,
               tickets.c.window.is_not(None))
        .group_by(tickets.c.window)
    )
    return {w: n for w, n in rows}


def service_spans(conn: Connection, day: date) -> dict[str, list[tuple[datetime, datetime | None]]]:
    """Per window, each visit it called today: (called, finished or None while still there)."""
    rows = conn.execute(
        select(tickets.c.window, tickets.c.called_at, tickets.c.started_at, tickets.c.finished_at).where(
            tickets.c.hall == hall_of(conn), tickets.c.day == day, tickets.c.window.is_not(None),
            tickets.c.status.in_([Status.CALLED.value, Status.SERVING.value, Status.DONE.value,
                                  Status.NO_SHOW.value]),
        )
    )
    out: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for window, called, started, finished in rows:
        begin = called or started
        if begin is not None:
            out.setdefault(window, []).append((begin, finished))
    return out


Action = tuple[datetime, str, str]


def window_actions(conn: Connection, since: datetime, actions: Sequence[str]) -> dict[str, list[Action]]:
    """Per window, its logged actions since `since` in order: (at, action, pause reason)."""
    rows = conn.execute(
        select(event_log.c.at, event_log.c.action, event_log.c.subject, event_log.c.detail)
        .where(event_log.c.hall == hall_of(conn), event_log.c.at >= since, event_log.c.action.in_(list(actions)))
        .order_by(event_log.c.seq)
    )
    out: dict[str, list[Action]] = {}
    for at, action, subject, detail in rows:
        reason = str((detail or {}).get("reason") or "") if isinstance(detail, dict) else ""
        out.setdefault(subject, []).append((at, action, reason))
    return out


def printer_statuses(conn: Connection, since: datetime) -> dict[str, str]:
    """Each printer's latest reported status since `since` (the spooler logs every change)."""
    rows = conn.execute(
        select(event_log.c.subject, event_log.c.detail)
        .where(event_log.c.hall == hall_of(conn), event_log.c.at >= since, event_log.c.action == "printer.status")
        .order_by(event_log.c.seq)
    )
    out: dict[str, str] = {}
    for url, detail in rows:
        out[url] = str((detail or {}).get("status") or "unknown") if isinstance(detail, dict) else "unknown"
    return out


def record_refusal(conn: Connection, at: datetime, day: date, queue: str, kind: str, device_id: int | None) -> None:
    conn.execute(visitor_refusals.insert(), {"hall": hall_of(conn), "at": at, "day": day, "queue": queue,
                                             "kind": kind, "device_id": device_id})


def refusals(conn: Connection, day: date) -> dict[str, dict[str, Any]]:
    """Per queue today: {"refused": N, "warned": N, "last": time of the latest}."""
    rows = conn.execute(
        select(visitor_refusals.c.queue, visitor_refusals.c.kind, func.count(), func.max(visitor_refusals.c.at))
        .where(visitor_refusals.c.hall == hall_of(conn), visitor_refusals.c.day == day)
        .group_by(visitor_refusals.c.queue, visitor_refusals.c.kind)
    )
    out: dict[str, dict[str, Any]] = {}
    for queue, kind, n, last in rows:
        entry = out.setdefault(queue, {"refused": 0, "warned": 0, "last": last})
        entry[kind] = n
        entry["last"] = max(entry["last"], last) if entry["last"] and last else (entry["last"] or last)
    return out
