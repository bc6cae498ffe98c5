"""Print jobs for the window printers, and the per-window printer setting.

A job is ESC/POS bytes already rendered for its printer (see `printers.escpos_render`), written in
the transaction of the change it documents: an accepted case and its acceptance slip commit
together or not at all. The print spooler reads the table afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from .case_tables import print_jobs, window_settings
from .tickets_repo import _upsert


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
        .values(printer=printer_url, payload=bytes(payload_bytes), kind=kind, ref=ref[:64], created_at=now,
                attempts=0, next_try_at=now)
        .returning(print_jobs.c.id)
    )
    return int(result.scalar_one())


def jobs_for(conn: Connection, ref: str) -> list:
    """Every job of a reference (a case number), oldest first."""
    return list(conn.execute(select(print_jobs).where(print_jobs.c.ref == ref).order_by(print_jobs.c.id)))


def pending(conn: Connection, now: datetime, limit: int = 100) -> list:
    """Jobs not printed yet and due, oldest first (the order a printer must print them in). A job
    given up has next_try_at NULL and is never due again."""
    return list(
        conn.execute(
            select(print_jobs)
            .where(print_jobs.c.printed_at.is_(None))
            .where(print_jobs.c.next_try_at <= now)
            .order_by(print_jobs.c.id)
            .limit(limit)
        )
    )


def mark_printed(conn: Connection, job_id: int, now: datetime) -> None:
    conn.execute(update(print_jobs).where(print_jobs.c.id == job_id).values(printed_at=now))


def mark_failed(conn: Connection, job_id: int, error: str, retry_at: datetime | None) -> None:
    """One more attempt failed; retry at `retry_at`, or never when it is None (given up)."""
    conn.execute(
        update(print_jobs)
        .where(print_jobs.c.id == job_id)
        .values(attempts=print_jobs.c.attempts + 1, last_error=error[:2000], next_try_at=retry_at)
    )


# --- the window's printer ------------------------------------------------------------------------


def window_printer_override(conn: Connection, window_id: str) -> str | None:
    return conn.execute(
        select(window_settings.c.printer).where(window_settings.c.window == window_id)
    ).scalar_one_or_none()


def set_window_printer(conn: Connection, window_id: str, printer_url: str | None, now: datetime) -> None:
    stmt = _upsert(conn)(window_settings).values(window=window_id, printer=printer_url, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[window_settings.c.window], set_={"printer": printer_url, "updated_at": now}
    )
    conn.execute(stmt)
