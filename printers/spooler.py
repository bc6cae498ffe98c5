"""The print spooler: due jobs from a JobStore to their printers, one worker thread per printer.

A worker per printer means a dead printer (3 s connect timeout, retries) only ever holds up its
own jobs. A job counts as printed only when the printer answered a status query after taking the
bytes (field notes: a printer power-cycled mid-job loses it silently); printers that cannot
answer (file://, dummy://, or `?status=none`) count a clean write. Failures back off per printer,
1, 2, 4, 8, then every 15 s, so a printer that comes back prints within about 15 s.

Time is an argument: the caller's loop says what `now` is; the spooler never reads the clock.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from printers.connections import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TIMEOUT,
    PrinterConnection,
    PrinterError,
    PrinterStatus,
    open_printer,
    status,
)
from printers.jobs import InMemoryJobStore, Job, JobState, JobStore
from printers.urls import PrinterURLError

__all__ = [
    "BACKOFF_SECONDS",
    "InMemoryJobStore",
    "Job",
    "JobState",
    "JobStore",
    "Spooler",
    "StatusCallback",
]

log = logging.getLogger(__name__)

BACKOFF_SECONDS: tuple[float, ...] = (1, 2, 4, 8, 15)
DEFAULT_POLL_INTERVAL = timedelta(seconds=30)

StatusCallback = Callable[[str, PrinterStatus], None]


class Spooler:
    """Call `run_once(now)` from a background loop (about once a second); it hands due jobs to
    idle printer workers and returns at once. `on_status(url, status)` is called from a worker
    thread whenever a printer's status changes."""

    def __init__(
        self,
        store: JobStore,
        *,
        on_status: StatusCallback | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        poll_interval: timedelta = DEFAULT_POLL_INTERVAL,
    ) -> None:
        if not backoff:
            raise ValueError("backoff needs at least one delay")
        self.store = store
        self.on_status = on_status
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.backoff = tuple(backoff)
        self.poll_interval = poll_interval
        self._workers: dict[str, _PrinterWorker] = {}
        self._watched: set[str] = set()
        self._idle = threading.Condition()
        self._closed = False

    def watch(self, urls: Iterable[str]) -> None:
        """Also query these printers' status every poll_interval while they have no jobs, so
        the hall hears of an empty paper roll before a visitor does."""
        self._watched.update(urls)

    def run_once(self, now: datetime, due: Sequence[Job] | None = None) -> int:
        """Hand due jobs to their printers' workers without waiting for them; returns how many
        jobs were handed out. A busy or backing-off printer keeps its jobs for a later call.
        `due`: the store's due jobs as the caller read them holding `held()` (one read for many
        spoolers); read here, under the lock, when not given."""
        if self._closed:
            raise RuntimeError("spooler is closed")
        handed = 0
        # Under the lock a worker cannot turn idle, so a job it is printing right now is
        # either already marked (not due) or its worker still reads busy: never handed twice.
        with self._idle:
            batches: dict[str, list[Job]] = {}
            for job in self.store.due_jobs(now) if due is None else due:
                batches.setdefault(job.printer_url, []).append(job)
            for url in batches.keys() | self._watched:
                worker = self._worker(url)
                if worker.busy or (worker.not_before is not None and now < worker.not_before):
                    continue
                batch = [j for j in batches.get(url, []) if not self._expire(j, now)]
                if batch or worker.poll_due(now, self.poll_interval):
                    worker.submit(batch, now)
                    handed += len(batch)
        return handed

    def _expire(self, job: Job, now: datetime) -> bool:
        if job.expires_at is None or now < job.expires_at:
            return False
        self.store.mark_failed(job.id, "expired before it could print", None)
        return True

    def held(self) -> AbstractContextManager[bool]:
        """The spooler's lock (reentrant), for a caller that reads the due jobs itself and hands
        them to `run_once`: while it is held no worker turns idle, so a job read as due and then
        printed is still on a busy worker when handed out, never handed twice."""
        return self._idle

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no worker is busy; False if `timeout` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: not any(w.busy for w in self._workers.values()), timeout)

    def status_of(self, url: str) -> PrinterStatus:
        """The last status seen for a printer (UNKNOWN before the first attempt)."""
        worker = self._workers.get(url)
        return worker.status if worker and worker.status else PrinterStatus.UNKNOWN

    def statuses(self) -> dict[str, PrinterStatus]:
        return {url: self.status_of(url) for url in self._workers}

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop the workers once their current batch is done."""
        self._closed = True
        for worker in list(self._workers.values()):
            worker.stop()
        for worker in list(self._workers.values()):
            worker.thread.join(timeout)

    def _worker(self, url: str) -> _PrinterWorker:
        worker = self._workers.get(url)
        if worker is None:
            worker = self._workers[url] = _PrinterWorker(url, self)
        return worker

    def _finished(self, worker: _PrinterWorker) -> None:
        with self._idle:
            worker.busy = False
            self._idle.notify_all()


class _PrinterWorker:
    def __init__(self, url: str, spooler: Spooler) -> None:
        self.url = url
        self.spooler = spooler
        self.busy = False
        self.failures = 0
        self.not_before: datetime | None = None
        self.last_check: datetime | None = None
        self.status: PrinterStatus | None = None
        # queue.Queue, not SimpleQueue: eventlet's monkey patching greens the first, not the C one.
        self._queue: queue.Queue[tuple[list[Job], datetime] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name=f"printer {url}", daemon=True)
        self.thread.start()

    def poll_due(self, now: datetime, interval: timedelta) -> bool:
        return self.last_check is None or now - self.last_check >= interval

    def submit(self, batch: list[Job], now: datetime) -> None:
        self.busy = True
        self._queue.put((batch, now))

    def stop(self) -> None:
        self._queue.put(None)

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            batch, now = item
            try:
                self._run(batch, now)
            except Exception:
                # The thread must survive anything (a store error, a driver bug): its printer
                # would otherwise never print again. The job stays due and is tried again.
                log.exception("printer worker %s failed", self.url)
            finally:
                self.last_check = now
                self.spooler._finished(self)

    def _run(self, batch: list[Job], now: datetime) -> None:
        spooler = self.spooler
        try:
            conn = open_printer(self.url, timeout=spooler.timeout, read_timeout=spooler.read_timeout)
        except PrinterURLError as e:
            # Retrying cannot mend a URL baked into the job.
            for job in batch:
                spooler.store.mark_failed(job.id, str(e), None)
            return
        except PrinterError as e:
            self._report(PrinterStatus.OFFLINE)
            self._fail(batch[0] if batch else None, str(e), now)
            return
        with conn:
            current = self._check(conn)
            for job in batch:
                after = self._print(conn, job, current, now)
                if after is None:
                    return
                current = after
            if conn.reports_status and not current.can_print:  # found broken by a status poll
                self._fail(None, f"printer {current}", now)
            else:
                self._recovered()

    def _print(self, conn: PrinterConnection, job: Job, before: PrinterStatus, now: datetime) -> PrinterStatus | None:
        """Print one job; the printer's status after it, or None if it failed."""
        if conn.reports_status and not before.can_print:
            # Bytes sent to a printer that is out of paper may print later, after the retry
            # printed them too.
            self._fail(job, f"printer {before}, job not sent", now)
            return None
        try:
            conn.write(job.payload)
        except PrinterError as e:
            self._report(PrinterStatus.OFFLINE)
            self._fail(job, str(e), now)
            return None
        after = self._check(conn)
        if conn.reports_status and not after.can_print:
            self._fail(job, f"sent but not confirmed: printer {after}", now)
            return None
        self.spooler.store.mark_printed(job.id, now)
        self._recovered()
        return after

    def _recovered(self) -> None:
        self.failures = 0
        self.not_before = None

    def _check(self, conn: PrinterConnection) -> PrinterStatus:
        if not conn.reports_status:
            return PrinterStatus.UNKNOWN
        current = status(conn)
        self._report(current)
        return current

    def _fail(self, job: Job | None, error: str, now: datetime) -> None:
        delays = self.spooler.backoff
        delay = delays[min(self.failures, len(delays) - 1)]
        self.failures += 1
        self.not_before = now + timedelta(seconds=delay)
        if job is not None:
            self.spooler.store.mark_failed(job.id, error, self.not_before)
        log.info("printer %s: %s; next try in %ss", self.url, error, delay)

    def _report(self, current: PrinterStatus) -> None:
        if current == self.status:
            return
        self.status = current
        callback = self.spooler.on_status
        if callback is None:
            return
        try:
            callback(self.url, current)
        except Exception:
            log.exception("on_status callback failed for printer %s", self.url)
