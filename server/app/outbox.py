"""Handing cases on to the approval platform (articles 10 and 21): the transactional outbox.

Every case change writes an outbox row in the transaction that makes the change (`record`), so
a change and its message commit together or not at all. A worker then posts each row as JSON to
the platform's webhook (`HALLQ_PLATFORM_WEBHOOK`):

- with an `Idempotency-Key` header fixed when the row was written, the same on every retry and
  after a restart, so a platform that saw a change once applies it once;
- in order per case: a case's later change is not sent before its earlier one was acknowledged
  (a 2xx answer); other cases go on meanwhile;
- retried with exponential backoff (1 s, 2 s, 4 s ... capped at 10 minutes), never dropped: a
  row stays until acknowledged, in the database, so a crash or kill -9 loses nothing.

Delivery is at least once: a crash between the platform's 2xx and our commit sends that row again
with the same key. Several server processes may each run a worker; the key makes their rare
double sends harmless too.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.db import outbox_repo
from server.db.outbox_repo import OutboxRow
from server.db.uow import Actor, UnitOfWork

from .context import Services
from .views import iso

log = logging.getLogger("hallq.outbox")

OUTBOX_ACTOR = Actor("system", None, "outbox")
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 600.0
POST_TIMEOUT_S = 10.0
BATCH = 200
POLL_S = 1.0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1 s, 2 s, 4 s ... at most 10 min."""
    return timedelta(seconds=min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1)))


def record(svc: Services, uow: UnitOfWork, case_number: str, event: str, payload: dict[str, Any], *,
           destination: str = "platform") -> str:
    """Queue `payload` inside `uow`'s transaction for `destination` ("platform": the approval
    platform; "ratings": the provincial 好差评 system); returns its idempotency key."""
    key = uuid.uuid4().hex
    body = {
        "event": event,
        "hall": svc.hall.code,
        "case_number": case_number,
        "at": iso(svc.hall, uow.now),
        "idempotency_key": key,
        **payload,
    }
    outbox_repo.add(uow.conn, case_number, event, body, key, uow.now, destination=destination)
    return key


@dataclass
class Round:
    """What one pass of the worker did."""

    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    # Cases whose next change waits (a failed or backing-off earlier change).
    held: set[str] = field(default_factory=set)


Post = Callable[..., Any]


def run_outbox_once(
    svc: Services,
    now: datetime,
    *,
    url: str,
    post: Post | None = None,
    timeout: float = POST_TIMEOUT_S,
    batch: int = BATCH,
) -> Round:
    """One pass: post every case's oldest undelivered change that is due; record each answer.

    A connection failure (the platform is down) ends the pass after recording it, rather than
    waiting out a timeout for every case in turn."""
    if post is None:
        import requests

        post = requests.post
    done = Round()
    with svc.read() as uow:
        rows = outbox_repo.undelivered(uow.conn, batch)
    for row in rows:
        if row.case_number in done.held:
            continue
        # Whatever happens to this row, the case's later rows wait for it.
        done.held.add(row.case_number)
        if row.next_try_at > now:
            continue
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": row.idempotency_key,
            "X-HallQ-Event": row.event,
            "X-HallQ-Case": row.case_number,
        }
        error, unreachable = "", False
        try:
            response = post(url, data=body, headers=headers, timeout=timeout)
            status = int(response.status_code)
            if not 200 <= status < 300:
                error = f"HTTP {status}: {str(getattr(response, 'text', ''))[:300]}"
        except Exception as exc:  # noqa: BLE001 - any failure to deliver is retried
            error, unreachable = f"{type(exc).__name__}: {exc}"[:500], True
        _settle(svc, row, now, error)
        if error:
            done.failed.append(row.id)
            log.warning("outbox %s (%s %s) not delivered, try %s: %s", row.id, row.case_number, row.event,
                        row.attempts + 1, error)
            if unreachable:
                break
        else:
            done.delivered.append(row.id)
            done.held.discard(row.case_number)
    return done


def _settle(svc: Services, row: OutboxRow, now: datetime, error: str) -> None:
    attempts = row.attempts + 1
    with svc.write(OUTBOX_ACTOR) as uow:
        if error:
            outbox_repo.mark_failed(uow.conn, row.id, attempts, error, now + backoff(attempts))
        else:
            outbox_repo.mark_delivered(uow.conn, row.id, attempts, now)
        uow.commit()  # delivery bookkeeping: the row itself is the record, no audit entry


def pending_count(svc: Services) -> int:
    with svc.read() as uow:
        return outbox_repo.pending_count(uow.conn)


class OutboxWorker:
    """Runs `run_outbox_once` every `interval` seconds, and at once after a commit that queued a
    case change (`wake`). `sleep` is the server's (eventlet-friendly) sleep."""

    def __init__(self, svc: Services, url: str, *, sleep: Callable[[float], None], interval: float = POLL_S,
                 post: Post | None = None) -> None:
        self.svc, self.url, self.sleep, self.interval, self.post = svc, url, sleep, interval, post
        self._stop = threading.Event()
        self._wake = False

    def wake(self, committed: Any = None) -> None:
        """An `after_commit` hook: a commit that changed a case has something to deliver."""
        events = getattr(committed, "events", None)
        if events is None or any(e.event.startswith("case.") for e in events):
            self._wake = True

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        log.info("outbox worker posting case changes to %s", self.url)
        while not self._stop.is_set():
            self._wake = False
            try:
                run_outbox_once(self.svc, self.svc.clock(), url=self.url, post=self.post)
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                log.exception("outbox pass failed; trying again")
            waited = 0.0
            while waited < self.interval and not self._wake and not self._stop.is_set():
                self.sleep(0.1)
                waited += 0.1
