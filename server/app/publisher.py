"""Emits committed changes to Socket.IO rooms in `seq` order, once each.

One process: handlers hand over what they committed; a change that commits after another can
reach `publish` first (two requests finishing together), so events wait until every smaller
`seq` has gone out. A `seq` taken by another process (the command line adding a user, say) is
read from the event log after a short wait.

Several processes (a message queue): emitting from each process would let Redis interleave
them out of commit order, so one process, the holder of a PostgreSQL advisory lock, tails the
event log and emits everything; the others only write. It reads the log when a commit notifies
it. If it dies, another takes the lock.

Its mark (the last seq sent, for a successor to resume after) never passes an event the
message queue has not taken yet (`unsent`): a Redis outage delays the other processes' events
but a new emitter would still send them. Every event also carries `prev` (server.app.chain),
so a client sees a gap it cannot otherwise tell from a quiet room.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from server.db import event_log
from server.db.event_log import read_events
from server.db.handles import Engine
from server.db.uow import Committed

from .chain import RoomChain
from .rooms import delivery_rooms

log = logging.getLogger("hallq.publisher")

GAP_WAIT_S = 0.15
GAP_GIVE_UP_S = 3.0
# The leader waits for the notification of a logged commit (server.db.event_log.EmitterConnection), and
# reads the log this often anyway, in case a notification went astray.
IDLE_READ_S = 1.0
LEADER_RETRY_S = 1.0
# The emitter of several processes writes its halls' marks (the last seq sent, for a successor to
# resume after) together, this often while they move: a successor replays about this much at most.
MARK_INTERVAL_S = 0.5
REPLAY_MAX = 1000
# Events read from the log at a time by the emitter.
READ_BATCH = 500
# Events a screen shows the moment they happen: once queued on every socket, the sockets' writers
# run before the rest of the change (its queue and window updates, the queue's the largest) is
# queued behind them. Otherwise the thousandth screen's call waits behind four thousand sends.
FIRST_OUT = frozenset({"ticket.called"})

Emit = Callable[[str, dict[str, Any], list[str]], None]
# An event ready to send: name, payload with `seq` and `prev`, rooms to deliver to.
Outgoing = tuple[str, dict[str, Any], list[str]]


class Publisher:
    def __init__(self, engine: Engine, hall: str, emit: Emit, *, sleep: Callable[[float], None] = time.sleep,
                 spawn: Callable[..., Any] | None = None, unsent: Callable[[], int | None] = lambda: None,
                 resync: Callable[[str], None] = lambda reason: None,
                 decorate: Callable[[list[str], dict[str, Any]], dict[str, Any]] | None = None,
                 yield_to_writers: Callable[[], object] | None = None) -> None:
        """`hall`: the code of the hall whose event log this publishes (its seqs are that hall's;
        `emit` sends to the protocol's room names, as logged, and puts them in the hall);
        `unsent()`: the oldest seq of the hall the message queue has not taken yet, if any;
        `resync(reason)`: tell every client of the hall to take a fresh snapshot;
        `decorate(rooms, data)`: the payload as sent, for what must reach its rooms but never rest
        in the event log (a ticket's case link); `yield_to_writers()`: let the sockets' writers
        send what is queued (eventlet: a zero sleep), after each call, before the rest of its
        change is queued behind it from a task `spawn`ed for it (None: everything at once)."""
        self._engine = engine
        self._hall = hall
        self._decorate = decorate or (lambda rooms, data: data)
        self._emit = emit
        self._unsent = unsent
        self._resync = resync
        self._sleep = sleep
        self._spawn = spawn or (lambda fn: threading.Thread(target=fn, daemon=True).start())
        self._yield = yield_to_writers
        self._lock = threading.Lock()
        self._pending: dict[int, Committed] = {}
        # Stamped events waiting to be sent, in seq order, whether a caller is sending them, and
        # the seq of the first event taken from it and not sent yet (the mark stays before it).
        self._outbox: list[Outgoing] = []
        self._sending = False
        self._first_unsent: int | None = None
        self._gap_since: float | None = None
        self._running = True
        self.tailing = False
        # The one process that emits events and runs singleton work (the print spooler). Always
        # this process on its own; with several, whichever holds the advisory lock.
        self.leader = True
        self._next = event_log.latest_seq(engine, hall) + 1
        self._chain = RoomChain(self._next - 1)
        # The last seq marked as sent (the emitter of several processes only).
        self._marked = self._next - 1

    def publish(self, committed: Committed) -> None:
        if self.tailing:
            return  # the leader's tail emits everything, in order
        with self._lock:
            if committed.seq >= self._next:
                self._pending[committed.seq] = committed
            self._outbox += self._drain()
            if self._pending and self._gap_since is None:
                self._gap_since = time.monotonic()
                self._spawn(self._fill_gap)
        self._flush()

    def _drain(self) -> list[Outgoing]:
        ready = []
        while self._next in self._pending:
            ready += self._stamp(self._pending.pop(self._next))
            self._next += 1
        if not self._pending:
            self._gap_since = None
        return ready

    def _stamp(self, c: Committed) -> list[Outgoing]:
        """The change's events as sent, in order: called once per change, in seq order."""
        out = []
        for e in c.events:
            rooms = delivery_rooms(e.rooms, e.data)
            if rooms:
                try:
                    data = self._decorate(rooms, e.data)
                except Exception:  # the event still goes, as logged
                    log.exception("decorating %s (seq %s) failed", e.event, c.seq)
                    data = e.data
                out.append((e.event, self._chain.stamp(c.seq, rooms, data), rooms))
        return out

    def _flush(self) -> None:
        """Send the outbox, in order. One caller sends at a time; a caller finding another at it
        leaves its events to that one and goes on at once, so a request never waits on another's
        sending while it holds a database connection (thirty windows calling at once)."""
        with self._lock:
            if self._sending:
                return
            self._sending = True
        self._send_outbox()

    def _send_outbox(self) -> None:
        while True:
            with self._lock:
                batch, self._outbox = self._outbox, []
                if not batch:
                    self._sending = False
                    self._first_unsent = None
                    return
                self._first_unsent = batch[0][1]["seq"]
            try:
                rest = self._send(batch)
            except BaseException:  # killed mid-send: the next caller sends what is left
                with self._lock:
                    self._sending = False
                raise
            if rest:
                # A call went out with more behind it: the rest follows once the sockets' writers
                # have sent the call, from a task of its own, so the window's own answer is not
                # held up while a thousand screens are written to.
                with self._lock:
                    self._outbox[:0] = rest
                self._spawn(self._after_writers)
                return

    def _after_writers(self) -> None:
        if self._yield is not None:
            self._yield()
        self._send_outbox()

    def _send(self, batch: list[Outgoing]) -> list[Outgoing]:
        """Send `batch` in order; with writers to yield to, stop after a call with more behind it
        and return the rest."""
        for i, (event, data, rooms) in enumerate(batch):
            try:
                self._emit(event, data, rooms)
            except Exception:  # a broken socket must not stop the next event
                log.exception("emitting %s (seq %s) failed", event, data.get("seq"))
            if i + 1 < len(batch):
                self._first_unsent = batch[i + 1][1]["seq"]
                if self._yield is not None and event in FIRST_OUT:
                    return batch[i + 1:]
        return []

    def poll(self, latest: int | None = None) -> None:
        """One process: send what another process (the command line revoking a key, say) logged
        since, when nothing here publishes after it. Cheap: one row read when nothing is new, none
        when the caller read the hall's `latest` seq already (with every other hall's)."""
        if self.tailing:
            return
        with self._lock:
            if self._pending:
                return  # the gap filler is on it
            after = self._next - 1
        if (event_log.latest_seq(self._engine, self._hall) if latest is None else latest) <= after:
            return
        for c in read_events(self._engine, self._hall, after):
            self.publish(c)

    def _fill_gap(self) -> None:
        while self._running:
            self._sleep(GAP_WAIT_S)
            with self._lock:
                if not self._pending:
                    self._gap_since = None
                    return
                missing_from = self._next
            missing = max(self._pending) - missing_from + 1
            for c in read_events(self._engine, self._hall, missing_from - 1, limit=missing):
                with self._lock:
                    if c.seq >= self._next and c.seq not in self._pending:
                        self._pending[c.seq] = c
            with self._lock:
                self._outbox += self._drain()
                if self._pending and self._next not in self._pending and self._gap_since is not None \
                        and time.monotonic() - self._gap_since > GAP_GIVE_UP_S:
                    log.warning("seq %s never appeared; skipping it", self._next)
                    self._next += 1
                    self._outbox += self._drain()
                stalled = bool(self._pending)
            self._flush()
            if not stalled:
                return

    # -- several processes -------------------------------------------------------------------

    # The tail (server/app/event_tail.py) drives these for each hall of its process.

    def lead(self) -> None:
        """This process now holds the hall's emitter lock: go on from where the last emitter left."""
        log.info("this process now emits the events of hall %s", self._hall)
        self.leader = True
        self._next, replayable = self._resume_from()
        self._chain.restart(self._next - 1)
        if not replayable:
            # What the previous emitter left unsent is not replayed: every screen on every
            # process takes a fresh snapshot instead.
            self._resync("emitter")
        self._marked = self._next - 1

    def pump(self, read: Callable[[str, int, int], list[Committed]], rounds: int = 4) -> bool:
        """Send what the hall logged since the last round; True when there may be more (a busy
        hall yields to the others after `rounds` batches). `read(hall, after, limit)`: the log's
        entries, read on the tail's own connection."""
        for _ in range(rounds):
            batch = read(self._hall, self._next - 1, READ_BATCH)
            for c in batch:
                out = self._stamp(c)
                with self._lock:
                    self._outbox += out
                self._next = c.seq + 1
            self._flush()
            # A short batch is the end of the log: no second read to find nothing. The mark is
            # the tail's to write, every hall's together (`mark_wanted`).
            if len(batch) < READ_BATCH:
                return False
        return True

    def behind(self, latest: int) -> bool:
        """Whether the hall's log, its latest seq `latest`, holds what this emitter has not sent."""
        return latest >= self._next

    @property
    def unmarked(self) -> bool:
        """Whether something was sent past the mark."""
        return self._marked < self._next - 1

    def mark_wanted(self) -> int | None:
        """Where the mark may move now, if forward: what was sent, short of anything still in the
        outbox (the rest of a call's change, sent from its own task) or the message queue has not
        taken. Written by the caller (`marked` once it is), or by `mark`."""
        upto = self._next - 1
        with self._lock:
            held = self._first_unsent if self._sending else None
            if held is None and self._outbox:
                held = self._outbox[0][1]["seq"]
        for first in (held, self._unsent()):
            if first is not None:
                upto = min(upto, first - 1)
        return upto if self._marked < upto else None

    def marked(self, upto: int) -> None:
        self._marked = upto

    def mark(self) -> None:
        """Mark what was sent now, in a transaction of its own (a hall given up)."""
        upto = self.mark_wanted()
        if upto is not None:
            self._mark_emitted(upto)
            self.marked(upto)

    def step_down(self) -> None:
        self.leader = False

    @property
    def hall(self) -> str:
        return self._hall

    @property
    def running(self) -> bool:
        return self._running

    def _resume_from(self) -> tuple[int, bool]:
        """Where a new emitter starts: after the last seq the previous one marked as sent, so
        changes committed while it died and the lock passed on still go out (its last batch may
        go out twice; clients apply only newer seqs). A log far ahead of the mark (the whole hall
        was down) starts at the end, and says so (False): the clients must resync."""
        now, sent = event_log.emitted_mark(self._engine, self._hall)
        if sent is None or not 0 <= now - sent <= REPLAY_MAX:
            return now + 1, sent is None or sent == now
        return sent + 1, True

    def _mark_emitted(self, seq: int) -> None:
        event_log.mark_emitted(self._engine, self._hall, seq)

    def stop(self) -> None:
        self._running = False
