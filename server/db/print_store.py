"""The print spooler's job store on the `print_jobs` table (printers.jobs.JobStore).

Jobs are written by the change they document, in its transaction (a ticket and its print job
commit together), so a kill -9 loses no job. Only one process runs the spooler (with several
processes, the one holding the event publisher's leadership), so a job is never sent twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update

from printers.jobs import Job, JobState

from .case_tables import print_jobs

# A ticket printed after its visitor walked away only confuses the next one.
TICKET_EXPIRES = timedelta(minutes=10)
AGENT_SCHEME = "agent://"


def agent_printer(device_name: str) -> str:
    """The printer of a kiosk whose agent prints for it (its device printer is `agent://`)."""
    return f"{AGENT_SCHEME}{device_name}"


def device_printer(name: str, printer: str | None) -> str | None:
    if printer and printer.startswith(AGENT_SCHEME):
        return agent_printer(name)
    return printer or None


class SqlJobStore:
    def __init__(self, engine: Engine, *, batch: int = 50) -> None:
        self._engine = engine
        self._batch = batch

    def due_jobs(self, now: datetime) -> list[Job]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(print_jobs)
                .where(
                    print_jobs.c.printed_at.is_(None),
                    print_jobs.c.next_try_at <= now,
                    # Jobs for a kiosk agent go over Socket.IO, not from here.
                    ~print_jobs.c.printer.startswith(AGENT_SCHEME),
                )
                .order_by(print_jobs.c.id)
                .limit(self._batch)
            ).all()
        return [to_job(r) for r in rows]

    def mark_printed(self, job_id: str, now: datetime) -> None:
        self._write(int(job_id), printed_at=now, last_error="")

    def mark_failed(self, job_id: str, error: str, retry_at: datetime | None) -> None:
        self._write(int(job_id), attempts=print_jobs.c.attempts + 1, last_error=error[:500], next_try_at=retry_at)

    def _write(self, job_id: int, **values: object) -> None:
        with self._engine.connect() as conn:
            conn.info["hallq_write"] = True
            with conn.begin():
                conn.execute(update(print_jobs).where(print_jobs.c.id == job_id).values(**values))
            conn.info["hallq_write"] = False


def to_job(row) -> Job:  # noqa: ANN001
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


def pending_for_printer(engine: Engine, printer: str) -> list[Job]:
    """Jobs not printed and not given up for one printer (a kiosk agent's), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(print_jobs)
            .where(
                print_jobs.c.printer == printer,
                print_jobs.c.printed_at.is_(None),
                print_jobs.c.next_try_at.is_not(None),
            )
            .order_by(print_jobs.c.id)
        ).all()
    return [to_job(r) for r in rows]
