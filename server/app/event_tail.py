"""The event tail of a process with several processes (a message queue, PostgreSQL): for each hall
it serves, whether this process is that hall's emitter, and the emitting itself.

One connection and one loop serve every hall of the process (`server.db.event_log.
EmitterConnection`): the connection holds the advisory lock of each hall this process has won and
listens for those halls' logged commits only; a notification names its hall, so only that hall's log is
read. The halls a process has not won are tried again every LEADER_RETRY_S, so when an emitting
process dies its halls pass to the others within about a second.

The halls are shared out: each tail counts the tails on the database (their connections are named)
and takes halls only up to its share, ⌈halls / tails⌉, and one holding more than its share for a
while (the first process up took them all) gives the surplus up for the others to take. So a
province's emitting spreads over its processes. Every SHARE_CHECK_ROUNDS rounds a tail tries every
hall it does not hold whatever its share, so a hall is never left without an emitter, even if the
count is off. If the connection fails, every lock on it is gone with it: the process steps down for
all its halls and starts over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from server.db import event_log
from server.db.handles import Engine

from .outage import log_failure
from .publisher import IDLE_READ_S, LEADER_RETRY_S, MARK_INTERVAL_S, Publisher

log = logging.getLogger("hallq.publisher")

# Rounds (of LEADER_RETRY_S) between tries at every unheld hall, share or not; and how long a tail
# holds more than its share before giving the surplus up (not at once: a peer just starting is
# counted before it has taken anything, and a release costs the hall a resume from the mark).
SHARE_CHECK_ROUNDS = 10
SURPLUS_HOLD_S = 10.0


class EventTail:
    def __init__(self, engine: Engine, publishers: Sequence[Publisher], *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._engine = engine
        self._publishers = {p.hall: p for p in publishers}
        self._sleep = sleep

    def _running(self) -> bool:
        return any(p.running for p in self._publishers.values())

    def run(self) -> None:
        for p in self._publishers.values():
            p.tailing = True
            p.step_down()
        while self._running():
            try:
                with event_log.emitter_connection(self._engine) as conn:
                    self._tail(conn)
            except Exception:
                log_failure(log, "event tail failed; retrying")
            for p in self._publishers.values():
                p.step_down()
            if self._running():
                self._sleep(LEADER_RETRY_S)

    def _tail(self, conn: event_log.EmitterConnection) -> None:
        retry_at = mark_at = look_at = 0.0
        rounds = 0
        surplus_since: float | None = None
        due: set[str] = set()
        while self._running():
            now = time.monotonic()
            if now >= retry_at:
                rounds += 1
                surplus_since = self._share_out(conn, rounds, surplus_since, due)
                retry_at = now + LEADER_RETRY_S
            leaders = {h for h, p in self._publishers.items() if p.leader}
            busy = {h for h in due & leaders if self._publishers[h].pump(conn.read_events)}
            if time.monotonic() >= mark_at:
                self._mark(leaders)
                mark_at = time.monotonic() + MARK_INTERVAL_S
            if busy:
                due = busy
                continue
            waiting = IDLE_READ_S if len(leaders) == len(self._publishers) else max(0.0, retry_at - time.monotonic())
            if any(self._publishers[h].unmarked for h in leaders):
                waiting = min(waiting, max(0.0, mark_at - time.monotonic()))
            heard = conn.wait(min(IDLE_READ_S, waiting))
            if heard is not None:
                due = heard & leaders
                look_at = time.monotonic() + IDLE_READ_S
            elif time.monotonic() >= look_at:
                # No word for a while: look at every hall anyway, in case a notification went
                # astray, by one read of their latest seqs: reading each hall's log was fifty
                # reads a second for a quiet province's processes.
                due = self._behind(leaders)
                look_at = time.monotonic() + IDLE_READ_S
            else:
                due = set()  # woken to write the marks

    def _mark(self, halls: set[str]) -> None:
        """The marks of every hall whose events went out since, in one write: a province's halls
        each pause after nearly every change, and marked each pause with a transaction of its own."""
        marks = {h: upto for h in halls if (upto := self._publishers[h].mark_wanted()) is not None}
        event_log.mark_all_emitted(self._engine, marks)
        for hall, upto in marks.items():
            self._publishers[hall].marked(upto)

    def _behind(self, halls: set[str]) -> set[str]:
        """Those of `halls` with changes logged past what was sent."""
        if not halls:
            return set()
        latest = event_log.latest_seqs(self._engine, sorted(halls))
        return {h for h in halls if self._publishers[h].behind(latest.get(h, 0))}

    def _share_out(self, conn: event_log.EmitterConnection, rounds: int, surplus_since: float | None,
                   due: set[str]) -> float | None:
        """One round of taking (and giving up) halls; returns since when this tail has held more
        than its share, if it does."""
        held = [h for h, p in self._publishers.items() if p.leader]
        free = [h for h, p in self._publishers.items() if not p.leader]
        share = 1 if len(self._publishers) == 1 else -(-len(self._publishers) // conn.tails())
        every_hall = rounds % SHARE_CHECK_ROUNDS == 0
        if free and (len(held) < share or every_hall):
            # Every free hall is tried (this tail cannot tell which ones a peer holds); what it wins
            # beyond its share goes back at once, for the peers' next try.
            won = sorted(conn.try_lead_all(free))
            keep = won if every_hall else won[: max(0, share - len(held))]
            conn.release(won[len(keep):])
            for hall in keep:
                self._publishers[hall].lead()
                due.add(hall)
            held += keep
        if len(held) <= share:
            return None
        now = time.monotonic()
        if surplus_since is None:
            return now
        if now - surplus_since < SURPLUS_HOLD_S:
            return surplus_since
        surplus = held[share:]
        log.info("giving the events of halls %s to the other processes (this one held more than its share)",
                 ", ".join(surplus))
        for hall in surplus:
            # Its successor resumes after the mark: bring it up to date first, so nothing goes twice.
            self._publishers[hall].mark()
            self._publishers[hall].step_down()
        conn.release(surplus)
        return None
