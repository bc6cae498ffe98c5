"""Emits committed changes to Socket.IO rooms in `seq` order, once each.

One process: handlers hand over what they committed; a change that commits after another can
reach `publish` first (two requests finishing together), so events wait until every smaller
`seq` has gone out. A `seq` taken by another process (the command line adding a user, say) is
read from the event log after a short wait.

Several processes (a message queue): emitting from each process would let Redis interleave
them out of commit order, so one process, the holder of a PostgreSQL advisory lock, tails the
event log and emits everything; the others only write. It reads the log when a commit notifies
it. If it dies, another takes the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from server.db.tables import counters, event_log
from server.db.uow import Committed, current_seq, logged

log = logging.getLogger("hallq.publisher")

GAP_WAIT_S = 0.15
GAP_GIVE_UP_S = 3.0
# The leader waits on `LISTEN hallq_events` (migration 0007 notifies it on every commit that logs
# a change), and reads the log this often anyway, in case a notification went astray.
EVENTS_CHANNEL = "hallq_events"
IDLE_READ_S = 1.0
LEADER_RETRY_S = 1.0
LEADER_LOCK_KEY = 0x4A11_0001
# The emitter's mark in `counters`: the last seq it has sent; a successor resumes after it.
EMITTED = "emitted"
MARK_INTERVAL_S = 0.5
REPLAY_MAX = 1000

Emit = Callable[[str, dict[str, Any], list[str]], None]


def read_events(engine: Engine, after: int, limit: int = 500) -> list[Committed]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(event_log.c.seq, event_log.c.events).where(event_log.c.seq > after).order_by(event_log.c.seq)
            .limit(limit)
        ).all()
    return [Committed(seq=r.seq, events=logged(r.seq, r.events)) for r in rows]


class Publisher:
    def __init__(self, engine: Engine, emit: Emit, *, sleep: Callable[[float], None] = time.sleep,
                 spawn: Callable[..., Any] | None = None) -> None:
        self._engine = engine
        self._emit = emit
        self._sleep = sleep
        self._spawn = spawn or (lambda fn: threading.Thread(target=fn, daemon=True).start())
        self._lock = threading.Lock()
        self._pending: dict[int, Committed] = {}
        self._gap_since: float | None = None
        self._running = True
        self.tailing = False
        # The one process that emits events and runs singleton work (the print spooler). Always
        # this process on its own; with several, whichever holds the advisory lock.
        self.leader = True
        with engine.connect() as conn:
            self._next = current_seq(conn) + 1

    def publish(self, committed: Committed) -> None:
        if self.tailing:
            return  # the leader's tail emits everything, in order
        with self._lock:
            if committed.seq >= self._next:
                self._pending[committed.seq] = committed
            ready = self._drain()
            if self._pending and self._gap_since is None:
                self._gap_since = time.monotonic()
                self._spawn(self._fill_gap)
        self._send(ready)

    def _drain(self) -> list[Committed]:
        ready = []
        while self._next in self._pending:
            ready.append(self._pending.pop(self._next))
            self._next += 1
        if not self._pending:
            self._gap_since = None
        return ready

    def _send(self, ready: list[Committed]) -> None:
        # Sent outside the lock, but from one caller at a time per batch: the lock hands batches
        # out in seq order and python-socketio queues each emit before returning.
        for c in ready:
            for e in c.events:
                try:
                    self._emit(e.event, e.data, e.rooms)
                except Exception:  # a broken socket must not stop the next event
                    log.exception("emitting %s (seq %s) failed", e.event, c.seq)

    def _fill_gap(self) -> None:
        while self._running:
            self._sleep(GAP_WAIT_S)
            with self._lock:
                if not self._pending:
                    self._gap_since = None
                    return
                missing_from = self._next
            for c in read_events(self._engine, missing_from - 1, limit=max(self._pending) - missing_from + 1):
                with self._lock:
                    if c.seq >= self._next and c.seq not in self._pending:
                        self._pending[c.seq] = c
            with self._lock:
                ready = self._drain()
                if self._pending and self._next not in self._pending and self._gap_since is not None \
                        and time.monotonic() - self._gap_since > GAP_GIVE_UP_S:
                    log.warning("seq %s never appeared; skipping it", self._next)
                    self._next += 1
                    ready += self._drain()
                stalled = bool(self._pending)
            self._send(ready)
            if not stalled:
                return

    # -- several processes -------------------------------------------------------------------

    def run_tail(self) -> None:
        """Leader election and tailing, for message-queue mode (PostgreSQL only)."""
        self.tailing = True
        self.leader = False
        while self._running:
            try:
                with self._engine.connect() as lock_conn:
                    got = lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar()
                    lock_conn.commit()
                    if not got:
                        self._sleep(LEADER_RETRY_S)
                        continue
                    log.info("this process now emits the hall's events")
                    # Listening before the first read: a commit after it wakes the wait below,
                    # even one that lands before the wait starts.
                    lock_conn.execute(text(f"LISTEN {EVENTS_CHANNEL}"))
                    lock_conn.commit()
                    listener = lock_conn.connection.dbapi_connection
                    self.leader = True
                    self._next = self._resume_from()
                    marked, marked_at = self._next - 1, time.monotonic()
                    while self._running:
                        batch = read_events(self._engine, self._next - 1)
                        for c in batch:
                            self._send([c])
                            self._next = c.seq + 1
                        # The mark costs a transaction and a WAL flush: written at most every
                        # MARK_INTERVAL_S while events flow, and as soon as they pause, so a
                        # successor replays half a second at most, and nothing old.
                        due = time.monotonic() - marked_at >= MARK_INTERVAL_S or not batch
                        if marked < self._next - 1 and due:
                            self._mark_emitted(self._next - 1)
                            marked, marked_at = self._next - 1, time.monotonic()
                        if not batch:
                            for _ in listener.notifies(timeout=IDLE_READ_S, stop_after=1):
                                pass
            except Exception:
                self.leader = False
                log.exception("event tail failed; retrying")
                self._sleep(LEADER_RETRY_S)

    def _resume_from(self) -> int:
        """Where a new emitter starts: after the last seq the previous one marked as sent, so
        changes committed while it died and the lock passed on still go out (its last batch may
        go out twice; clients apply only newer seqs). A log far ahead of the mark (the whole hall
        was down) starts at the end: every client takes a new snapshot when it reconnects."""
        with self._engine.connect() as conn:
            now = current_seq(conn)
            sent = conn.execute(select(counters.c.value).where(counters.c.name == EMITTED)).scalar()
        if sent is None or not 0 <= now - sent <= REPLAY_MAX:
            return now + 1
        return sent + 1

    def _mark_emitted(self, seq: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                pg_insert(counters).values(name=EMITTED, value=seq)
                .on_conflict_do_update(index_elements=[counters.c.name], set_={"value": seq})
            )

    def stop(self) -> None:
        self._running = False
