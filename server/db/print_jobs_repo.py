"""The `print_jobs` table: documents for the window printers and kiosk agents, and the spooler's
job store over it (printers.jobs.JobStore); and the per-window printer setting.

A job is ESC/POS bytes already rendered for its printer (see `printers.escpos_render`), written in
the transaction of the change it documents: a ticket and its print job, an accepted case and its
acceptance slip, commit together or not at all, so a kill -9 loses no job. Only one process runs
the spooler (with several processes, the one holding the event publisher's leadership), so a job
is never sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update

from printers.jobs import Job, JobState

from .print_tables import print_jobs, window_settings
from .reads import reading
from .scope import hall_of
from .upsert import upsert_for

# A ticket printed after its visitor walked away only confuses the next one.
TICKET_EXPIRES = timedelta(minutes=10)
AGENT_SCHEME = "agent://"
# A failed job keeps the start of its printer's error: enough to tell a jam from a dead host.
ERROR_MAX = 500
# Due jobs a hall's spooler takes in one round, at most.
DUE_BATCH = 50


def agent_printer(device_name: str) -> str:
    """The printer of a kiosk whose agent prints for it (its device printer is `agent://`)."""
    return f"{AGENT_SCHEME}{device_name}"


def device_printer(name: str, printer: str | None) -> str | None:
    if printer and printer.startswith(AGENT_SCHEME):
        return agent_printer(name)
    return printer or None


def enqueue_print(
    conn: Connection, printer_url: str, payload_bytes: bytes, kind: str, ref: str, *, now: datetime | None = None
) -> int:
    """Queue one document for `printer_url`; returns the job id. It is due at once: `next_try_at`
    is `now` (the transaction's time; the wall clock when not given)."""
    if not payload_bytes:
        raise ValueError(f"print job {kind} {ref}: nothing to print")
    now = now or datetime.now(UTC)
    result = conn.execute(
        insert(print_jobs)
        .values(hall=hall_of(conn), printer=printer_url, payload=bytes(payload_bytes), kind=kind, ref=ref[:64],
                created_at=now, attempts=0, next_try_at=now)
        .returning(print_jobs.c.id)
    )
    return int(result.scalar_one())


def jobs_for(conn: Connection, ref: str) -> list[Row[Any]]:
    """Every job of this hall for a reference (a case number), oldest first."""
    return list(conn.execute(select(print_jobs).where(print_jobs.c.hall == hall_of(conn), print_jobs.c.ref == ref)
                             .order_by(print_jobs.c.id)))


class SqlJobStore:
    """The spooler's jobs: due ones oldest first, and what became of each try."""

    def __init__(self, engine: Engine, hall: str, *, batch: int = DUE_BATCH) -> None:
        self._engine = engine
        self._hall = hall
        self._batch = batch

    def due_jobs(self, now: datetime) -> list[Job]:
        return due_jobs_of_halls(self._engine, [self._hall], now, self._batch).get(self._hall, [])

    def mark_printed(self, job_id: str, now: datetime) -> None:
        self._write(int(job_id), printed_at=now, last_error="")

    def mark_failed(self, job_id: str, error: str, retry_at: datetime | None) -> None:
        """One more attempt failed; retry at `retry_at`, or never when it is None (given up)."""
        self._write(int(job_id), attempts=print_jobs.c.attempts + 1, last_error=error[:ERROR_MAX],
                    next_try_at=retry_at)

    def _write(self, job_id: int, **values: object) -> None:
        with self._engine.connect() as conn:
            conn.info["hallq_write"] = True
            with conn.begin():
                conn.execute(update(print_jobs).where(print_jobs.c.hall == self._hall, print_jobs.c.id == job_id)
                             .values(**values))
            conn.info["hallq_write"] = False


def to_job(row: Row[Any]) -> Job:
    expires = row.created_at + TICKET_EXPIRES if row.kind == "ticket" else None
    if row.printed_at is not None:
        state = JobState.PRINTED
    elif row.next_try_at is None:
        state = JobState.GAVE_UP
    else:
        state = JobState.QUEUED
    return Job(
        id=str(row.id),
        printer_url=row.printer,
        payload=bytes(row.payload),
        next_try_at=row.next_try_at or row.created_at,
        attempts=row.attempts,
        state=state,
        expires_at=expires,
        printed_at=row.printed_at,
        last_error=row.last_error,
    )


def due_jobs_of_halls(engine: Engine, halls: Sequence[str], now: datetime, per_hall: int = DUE_BATCH
                      ) -> dict[str, list[Job]]:
    """The jobs due by `now` of each of `halls`, oldest first, at most `per_hall` each, in one read:
    a process of fifty halls polls them all once a second, not fifty times. Jobs for a kiosk agent
    go over Socket.IO, not from here."""
    if not halls:
        return {}
    place = func.row_number().over(partition_by=print_jobs.c.hall, order_by=print_jobs.c.id).label("place")
    due = (
        select(print_jobs, place)
        .where(
            print_jobs.c.hall.in_(list(halls)),
            print_jobs.c.printed_at.is_(None),
            print_jobs.c.next_try_at <= now,
            ~print_jobs.c.printer.startswith(AGENT_SCHEME),
        )
        .subquery()
    )
    with reading(engine) as conn:
        rows = conn.execute(select(due).where(due.c.place <= per_hall).order_by(due.c.hall, due.c.id)).all()
    found: dict[str, list[Job]] = {}
    for r in rows:
        found.setdefault(r.hall, []).append(to_job(r))
    return found


def pending_for_printer(engine: Engine, hall: str, printer: str) -> list[Job]:
    """Jobs not printed and not given up for one printer (a kiosk agent's), oldest first."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(print_jobs)
            .where(
                print_jobs.c.hall == hall,
                print_jobs.c.printer == printer,
                print_jobs.c.printed_at.is_(None),
                print_jobs.c.next_try_at.is_not(None),
            )
            .order_by(print_jobs.c.id)
        ).all()
    return [to_job(r) for r in rows]


# --- the window's printer ------------------------------------------------------------------------


def window_printer_override(conn: Connection, window_id: str) -> str | None:
    return conn.execute(
        select(window_settings.c.printer).where(window_settings.c.hall == hall_of(conn),
                                                window_settings.c.window == window_id)
    ).scalar_one_or_none()


def set_window_printer(conn: Connection, window_id: str, printer_url: str | None, now: datetime) -> None:
    stmt = upsert_for(conn)(window_settings).values(hall=hall_of(conn), window=window_id, printer=printer_url,
                                                    updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[window_settings.c.hall, window_settings.c.window],
        set_={"printer": printer_url, "updated_at": now},
    )
    conn.execute(stmt)
