"""Handing changes on to outside systems: the transactional outbox.

Every case change (articles 10 and 21) and every rating (好差评, with its follow-up) writes an
outbox row in the transaction that makes the change (`record`), so a change and its message
commit together or not at all. Each row names its destination, and a worker posts it as JSON to
that destination's webhook: "platform", the approval platform (`HALLQ_PLATFORM_WEBHOOK`), or
"ratings", the provincial rating system (`HALLQ_RATINGS_WEBHOOK`), or "applicant", an SMS
gateway telling the applicant of their case (`HALLQ_APPLICANT_WEBHOOK`; its rows are queued only
while one is set, see applicant_notify.py). A destination with no webhook
set is not posted to: its rows wait in the table, as every row did before a webhook existed, and
go out once one is set. Delivery is:

- with an `Idempotency-Key` header fixed when the row was written, the same on every retry and
  after a restart, so a platform that saw a change once applies it once;
- in order per key (a case's number, or "rating-ID" for a rating and its follow-up): a later
  change is not sent before its earlier one was acknowledged (a 2xx answer); other keys go on
  meanwhile, and one receiver that is down holds up none of the other's rows;
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.db import outbox_repo
from server.db.outbox_repo import OutboxRow
from server.db.uow import Actor, UnitOfWork

from .context import Services
from .outage import log_failure
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


PLATFORM = "platform"
RATINGS = "ratings"
# The applicant's SMS gateway (`HALLQ_APPLICANT_WEBHOOK`): server/app/applicant_notify.py.
APPLICANT = "applicant"
DESTINATIONS = (PLATFORM, RATINGS, APPLICANT)


def record(svc: Services, uow: UnitOfWork, case_number: str, event: str, payload: dict[str, Any],
           destination: str = PLATFORM) -> str:
    """Queue `payload` for `destination` inside `uow`'s transaction; returns its idempotency key.
    `case_number` is the ordering key: the case's number, or "rating-ID" for a rating's rows
    (which the body then names `key`; the platform's bodies keep `case_number`)."""
    if destination not in DESTINATIONS:
        raise ValueError(f"unknown outbox destination {destination!r}")
    key = uuid.uuid4().hex
    body = {
        "event": event,
        "hall": svc.hall.code,
        ("case_number" if destination == PLATFORM else "key"): case_number,
        "at": iso(svc.hall, uow.now),
        "idempotency_key": key,
        **payload,
    }
    outbox_repo.add(uow.conn, case_number, event, body, key, uow.now, destination)
    return key


@dataclass
class Round:
    """What one pass of the worker did."""

    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    # Keys whose next change waits (a failed or backing-off earlier change).
    held: set[str] = field(default_factory=set)
    # Destinations found unreachable in this pass: the rest of their rows wait for the next.
    down: set[str] = field(default_factory=set)


Post = Callable[..., Any]


def run_outbox_once(
    svc: Services,
    now: datetime,
    *,
    url: str | None = None,
    urls: Mapping[str, str] | None = None,
    post: Post | None = None,
    timeout: float = POST_TIMEOUT_S,
    batch: int = BATCH,
) -> Round:
    """One pass: post every key's oldest undelivered change that is due to its destination's
    webhook (`urls`, by destination; `url`: the platform's); record each answer. Rows of a
    destination with no webhook are not read at all.

    A connection failure (a receiver is down) ends the pass for that destination after recording
    it, rather than waiting out a timeout for every key in turn."""
    routes = {d: u for d, u in (urls or {}).items() if u}
    if url:
        routes.setdefault(PLATFORM, url)
    if post is None:
        import requests

        post = requests.post
    done = Round()
    if not routes:
        return done
    with svc.read() as uow:
        rows = outbox_repo.undelivered(uow.conn, batch, routes)
    for row in rows:
        held = f"{row.destination}:{row.case_number}"
        if held in done.held or row.destination in done.down:
            continue
        # Whatever happens to this row, the key's later rows wait for it.
        done.held.add(held)
        if row.next_try_at > now:
            continue
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": row.idempotency_key,
            "X-HallQ-Event": row.event,
            "X-HallQ-Key": row.case_number,
        }
        if row.destination == PLATFORM:
            headers["X-HallQ-Case"] = row.case_number
        error, unreachable = "", False
        try:
            response = post(routes[row.destination], data=body, headers=headers, timeout=timeout)
            status = int(response.status_code)
            if not 200 <= status < 300:
                # An SMS gateway's answer may echo the message and the phone it was for: of the
                # applicant's rows, the status only is logged and kept.
                said = "" if row.destination == APPLICANT else f": {str(getattr(response, 'text', ''))[:300]}"
                error = f"HTTP {status}{said}"
        except Exception as exc:  # noqa: BLE001 - any failure to deliver is retried
            error, unreachable = f"{type(exc).__name__}: {exc}"[:500], True
        _settle(svc, row, now, error)
        if error:
            done.failed.append(row.id)
            log.warning("outbox %s (%s %s to %s) not delivered, try %s: %s", row.id, row.case_number, row.event,
                        row.destination, row.attempts + 1, error)
            if unreachable:
                done.down.add(row.destination)
        else:
            done.delivered.append(row.id)
            done.held.discard(held)
    return done


def _settle(svc: Services, row: OutboxRow, now: datetime, error: str) -> None:
    attempts = row.attempts + 1
    with svc.write(OUTBOX_ACTOR) as uow:
        if error:
            outbox_repo.mark_failed(uow.conn, row.id, attempts, error, now + backoff(attempts))
        else:
            outbox_repo.mark_delivered(uow.conn, row.id, attempts, now)
        uow.commit()  # delivery bookkeeping: the row itself is the record, no audit entry


def pending_count(svc: Services, destination: str | None = None) -> int:
    with svc.read() as uow:
        return outbox_repo.pending_count(uow.conn, destination)


# The events of the commits that queue outbox rows: a commit with one wakes the worker at once.
WAKING = ("case.", "rating.", "followup.")


class OutboxWorker:
    """Runs `run_outbox_once` every `interval` seconds, and at once after a commit that queued a
    change (`wake`). `urls`: the webhook of each destination set (a lone URL: the platform's).
    `sleep` is the server's (eventlet-friendly) sleep."""

    def __init__(self, svc: Services, urls: Mapping[str, str] | str, *, sleep: Callable[[float], None],
                 interval: float = POLL_S, post: Post | None = None) -> None:
        self.urls = {PLATFORM: urls} if isinstance(urls, str) else dict(urls)
        self.svc, self.sleep, self.interval, self.post = svc, sleep, interval, post
        self._stop = threading.Event()
        self._wake = False

    def wake(self, committed: Any = None) -> None:
        """An `after_commit` hook: a commit that changed a case or rated has something to deliver."""
        events = getattr(committed, "events", None)
        if events is None or any(e.event.startswith(WAKING) for e in events):
            self._wake = True

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        for destination, url in self.urls.items():
            log.info("outbox worker posting %s rows to %s", destination, url)
        while not self._stop.is_set():
            self._wake = False
            try:
                run_outbox_once(self.svc, self.svc.clock(), urls=self.urls, post=self.post)
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                log_failure(log, "outbox pass failed; trying again")
            waited = 0.0
            while waited < self.interval and not self._wake and not self._stop.is_set():
                self.sleep(0.1)
                waited += 0.1
