"""Reading the event log, and what the one emitting process keeps in the database.

The unit of work (`server.db.uow`) appends a change's entry; the publisher (server/app/publisher.py)
reads entries back in `seq` order to emit them. With several server processes, one of them, the
holder of a PostgreSQL advisory lock, tails the log, woken by the notification migration 0007
sends on every logged commit, and keeps a mark of the last seq it sent in `counters`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, text

from .counters_repo import SEQ, current_seq, read_counter, set_counter
from .log_tables import counters, event_log
from .reads import reading, reading_together
from .scope import for_hall
from .uow import Committed, logged
from .upsert import upsert_for

# Migration 0007's trigger notifies on every commit that logs a change; since 0023 each hall's
# changes notify a channel of their own, this prefix and the hall's code (`events_channel`).
EVENTS_CHANNEL = "hallq_events"
# The advisory lock the emitting process holds (any constant no other lock of the hall uses).
LEADER_LOCK_KEY = 0x4A11_0001
# The application_name of every process's tail connection (EmitterConnection.tails counts them).
TAIL_NAME = "hallq-event-tail"
# The emitter's mark in `counters`: the last seq it has sent; a successor resumes after it.
EMITTED = "emitted"


# Built once: the emitter reads the log after nearly every change, and building the statement took
# a quarter of the read's CPU.
_AFTER = (select(event_log.c.seq, event_log.c.events)
          .where(event_log.c.hall == bindparam("hall"), event_log.c.seq > bindparam("after"))
          .order_by(event_log.c.seq).limit(bindparam("limit")))


def read_events(engine: Engine, hall: str, after: int, limit: int = 500) -> list[Committed]:
    """The hall's logged changes after seq `after`, oldest first, at most `limit`."""
    with reading(engine) as conn:
        return _read_after(conn, hall, after, limit)


def _read_after(conn: Connection, hall: str, after: int, limit: int) -> list[Committed]:
    rows = conn.execute(_AFTER, {"hall": hall, "after": after, "limit": limit}).all()
    return [Committed(seq=r.seq, events=logged(r.seq, r.events)) for r in rows]


def latest_seq(engine: Engine, hall: str) -> int:
    """The seq of the hall's latest logged change."""
    with reading(engine) as conn, for_hall(conn, hall):
        return current_seq(conn)


def latest_seqs(engine: Engine, halls: Sequence[str]) -> dict[str, int]:
    """Each of `halls`' latest seq in one read (a process of many halls polls them all at once);
    a hall with no change yet is left out."""
    with reading(engine) as conn:
        rows = conn.execute(select(counters.c.hall, counters.c.value).where(
            counters.c.name == SEQ, counters.c.hall.in_(list(halls)))).all()
    return {hall: int(value) for hall, value in rows}


def emitted_mark(engine: Engine, hall: str) -> tuple[int, int | None]:
    """The latest seq logged and the last one the previous emitter marked as sent (None: never)."""
    with reading_together(engine) as conn, for_hall(conn, hall):
        return current_seq(conn), read_counter(conn, EMITTED)


def mark_emitted(engine: Engine, hall: str, seq: int) -> None:
    with engine.begin() as conn, for_hall(conn, hall):
        set_counter(conn, EMITTED, seq)


def mark_all_emitted(engine: Engine, marks: dict[str, int]) -> None:
    """Several halls' marks (hall: last seq sent) in one statement and one commit: the emitter of
    many halls writes them together, not one transaction and WAL flush each."""
    if not marks:
        return
    with engine.begin() as conn:
        upsert = upsert_for(conn)(counters).values(
            [{"hall": hall, "name": EMITTED, "value": seq} for hall, seq in sorted(marks.items())])
        conn.execute(upsert.on_conflict_do_update(index_elements=[counters.c.hall, counters.c.name],
                                                  set_={"value": upsert.excluded.value}))


def events_channel(hall: str) -> str:
    """The channel a hall's logged commits notify (migration 0023)."""
    return f"{EVENTS_CHANNEL}:{hall}"


def _listen(verb: str, halls: Iterable[str]) -> Iterator[Any]:
    for hall in halls:  # LISTEN takes a name, never a parameter; a hall's code is [A-Za-z0-9_-], no quote
        yield text(f'{verb} "{events_channel(hall)}"')


def leader_lock_key(hall: str) -> int:
    """The advisory lock of the hall's emitter: each hall has its own, one 64-bit key with the lock's
    constant in its high half and a stable hash of the hall's code in its low half."""
    return (LEADER_LOCK_KEY << 32) | (zlib.crc32(hall.encode()) & 0x7FFF_FFFF)


class EmitterConnection:
    """The one connection of a process's event tail (PostgreSQL only): it holds the advisory lock
    of each hall this process emits for, and listens for those halls' logged commits only (a
    process woken by every commit of halls another process emits for spent its CPU for nothing).
    Advisory locks and LISTENs are per session, so one connection holds any number of halls' (a
    process serving fifty halls keeps one connection for all of them, not fifty), and they all
    end with it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._listener: Any = conn.connection.dbapi_connection  # psycopg's, which has `notifies`

    def read_events(self, hall: str, after: int, limit: int = 500) -> list[Committed]:
        """`read_events` on this connection: the tail reads after nearly every change, and a pooled
        connection's checkout and return cost about as much as the read."""
        return _read_after(self._conn, hall, after, limit)

    def try_lead_all(self, halls: Sequence[str]) -> set[str]:
        """Take the emitter locks of those of `halls` no other process holds, in one statement (a
        process waiting for fifty halls asks once a second, not fifty times); the halls won. It
        listens for the halls won before the caller first reads their logs: a commit after that
        read wakes a wait, even one that lands before the wait starts."""
        if not halls:
            return set()
        keys = {leader_lock_key(h): h for h in halls}
        rows = self._conn.execute(text("SELECT k, pg_try_advisory_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                                  {"keys": list(keys)}).all()
        won = {keys[k] for k, got in rows if got}
        for listen in _listen("LISTEN", sorted(won)):
            self._conn.execute(listen)  # in force at once: the connection is in autocommit
        return won

    def release(self, halls: Sequence[str]) -> None:
        """Give these halls' emitter locks up, and stop listening for them: other processes take
        them at their next try."""
        if halls:
            self._conn.execute(text("SELECT pg_advisory_unlock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                               {"keys": [leader_lock_key(h) for h in halls]})
            for unlisten in _listen("UNLISTEN", halls):
                self._conn.execute(unlisten)

    def tails(self) -> int:
        """How many processes' tails listen on this database now (this one's included)."""
        n = self._conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND application_name = :name"), {"name": TAIL_NAME}).scalar()
        return max(1, int(n or 0))

    def wait(self, timeout: float) -> set[str] | None:
        """The halls whose commits were notified, waiting up to `timeout` seconds for the first;
        None when none came."""
        heard = list(self._listener.notifies(timeout=timeout, stop_after=1))
        if not heard:
            return None
        # What arrived with it or right after: one wake-up for a burst of commits.
        heard += list(self._listener.notifies(timeout=0.001))
        return {n.channel.removeprefix(EVENTS_CHANNEL + ":") for n in heard}


@contextmanager
def emitter_connection(engine: Engine) -> Iterator[EmitterConnection]:
    """The tail's connection: it listens for the halls whose locks it takes (`try_lead_all`)."""
    with engine.connect() as conn:
        # Every statement on it is its own transaction: a notification is held back while its
        # listener is inside one, and the tail reads the log here after nearly every change.
        conn.execution_options(isolation_level="AUTOCOMMIT")
        # Named, so each process's tail can count the others and take only its share of the halls.
        conn.execute(text("SELECT set_config('application_name', :name, false)"), {"name": TAIL_NAME})
        try:
            yield EmitterConnection(conn)
        finally:
            # Never back in the pool as a tail: its locks, its LISTEN and its name (a request's
            # connection counted as a tail would shrink every process's share) end with it.
            conn.invalidate()
