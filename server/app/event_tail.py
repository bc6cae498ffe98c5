"""The event tail of a process with several processes (a message queue, PostgreSQL): for each hall
it serves, whether this process is that hall's emitter, and the emitting itself.

One connection and one loop serve every hall of the process (`server.db.event_log.
EmitterConnection`): the connection listens for every hall's logged commits and holds the advisory
lock of each hall this process has won; a notification names its hall, so only that hall's log is
read. The halls a process has not won are tried again every LEADER_RETRY_S, so when an emitting
process dies its halls pass to the others within about a second, spread over whichever take them.
If the connection fails, every lock on it is gone with it: the process steps down for all its halls
and starts over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from server.db import event_log
from server.db.handles import Engine

from .publisher import IDLE_READ_S, LEADER_RETRY_S, Publisher

log = logging.getLogger("hallq.publisher")


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
                log.exception("event tail failed; retrying")
            for p in self._publishers.values():
                p.step_down()
            if self._running():
                self._sleep(LEADER_RETRY_S)

    def _tail(self, conn: event_log.EmitterConnection) -> None:
        retry_at = 0.0
        due: set[str] = set()
        while self._running():
            now = time.monotonic()
            if now >= retry_at:
                for hall, p in self._publishers.items():
                    if not p.leader and conn.try_lead(hall):
                        p.lead()
                        due.add(hall)
                retry_at = now + LEADER_RETRY_S
            leaders = {h for h, p in self._publishers.items() if p.leader}
            busy = {h for h in due & leaders if self._publishers[h].pump()}
            if busy:
                due = busy
                continue
            waiting = IDLE_READ_S if len(leaders) == len(self._publishers) else max(0.0, retry_at - time.monotonic())
            heard = conn.wait(min(IDLE_READ_S, waiting))
            # No word for a while: read every hall anyway, in case a notification went astray.
            due = set(leaders) if heard is None or "" in heard else heard & leaders
