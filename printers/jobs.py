"""Print jobs and the small store port the spooler reads them from.

The server keeps jobs in its database (an SQL `JobStore`); `InMemoryJobStore` is the reference
implementation, for tests and for running without a database. A job is bytes already rendered
for its printer, so the store never needs to know about layouts.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class JobState(StrEnum):
    QUEUED = "queued"  # waiting to print, or waiting for a retry
    PRINTED = "printed"  # the printer confirmed it (or cannot report status and took it)
    GAVE_UP = "gave_up"  # expired or undeliverable; not retried


@dataclass(frozen=True)
class Job:
    id: str
    printer_url: str
    payload: bytes
    next_try_at: datetime
    attempts: int = 0
    state: JobState = JobState.QUEUED
    # A ticket printed after the visitor walked away only confuses the next one: past this
    # moment the spooler gives the job up instead of printing it.
    expires_at: datetime | None = None
    printed_at: datetime | None = None
    last_error: str = ""


class JobStore(Protocol):
    """Where the spooler finds jobs and records what happened to them.

    Called from the spooler's worker threads, several at once: each method must be safe to call
    concurrently (with SQL: one session/transaction per call). Run one spooler per store, or make
    `due_jobs` claim what it returns (e.g. a lease column set with FOR UPDATE SKIP LOCKED), or two
    spoolers will print the same job.
    """

    def due_jobs(self, now: datetime) -> list[Job]:
        """QUEUED jobs with next_try_at <= now, oldest first (print order within a printer)."""
        ...

    def mark_printed(self, job_id: str, now: datetime) -> None:
        """The printer confirmed the job: state PRINTED, printed_at = now. Never printed again."""
        ...

    def mark_failed(self, job_id: str, error: str, retry_at: datetime | None) -> None:
        """One more attempt failed: attempts += 1, last_error = error, next_try_at = retry_at.
        retry_at None: give up (state GAVE_UP)."""
        ...


class InMemoryJobStore:
    """A JobStore in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        printer_url: str,
        payload: bytes,
        now: datetime,
        *,
        job_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> Job:
        with self._lock:
            job_id = job_id or str(next(self._ids))
            if job_id in self._jobs:
                raise ValueError(f"job {job_id!r} already exists")
            job = Job(job_id, printer_url, payload, next_try_at=now, expires_at=expires_at)
            self._jobs[job_id] = job
            return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            return self._jobs[job_id]

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def due_jobs(self, now: datetime) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.state is JobState.QUEUED and j.next_try_at <= now]

    def mark_printed(self, job_id: str, now: datetime) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = replace(job, state=JobState.PRINTED, printed_at=now)

    def mark_failed(self, job_id: str, error: str, retry_at: datetime | None) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = replace(
                job,
                attempts=job.attempts + 1,
                last_error=error,
                next_try_at=retry_at or job.next_try_at,
                state=JobState.QUEUED if retry_at else JobState.GAVE_UP,
            )
