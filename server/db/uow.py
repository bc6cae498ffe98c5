"""Unit of work: one database transaction per change, with its audit entry and its events.

It rolls back unless `commit()` is called. `commit()` takes the hall's next event sequence
number as the transaction's last statement, writes the audit entry (article 31) with the events
the change produces, and commits. The counter row is locked from that update until the commit,
so sequence numbers are handed out in commit order, with no gaps, on SQLite and PostgreSQL
alike; the publisher then emits them in that order.

Every change of the hall waits for that row on PostgreSQL, so it is held as briefly as can be:
one statement takes the number and writes the entry (the events are serialised before it is
sent), then the commit. The logged events carry no `seq` of their own: it is the entry's, and
`logged()` puts it back.

Work that must follow the commit (the publisher, the print spooler's wake-up, speech synthesis)
is handed to `after_commit`: it runs once the change is durable, in the order it was added, and
never for a change that rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import pipeline, reads
from .counters_repo import SEQ, next_counter
from .counters_repo import current_seq as current_seq  # what handlers read a snapshot's seq with
from .log_tables import counters, event_log
from .scope import HALL_KEY

log = logging.getLogger("hallq.uow")

@dataclass(frozen=True)
class Actor:
    """Who did it: a member of staff, a device, the system itself or the command line."""

    kind: str
    id: int | None
    name: str


SYSTEM = Actor("system", None, "system")


@dataclass
class Emitted:
    event: str
    rooms: list[str]
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"event": self.event, "rooms": self.rooms, "data": self.data}


@dataclass
class Committed:
    seq: int
    events: list[Emitted] = field(default_factory=list)
    # The audit action that named the change (window.open, ticket.call, ...).
    action: str = ""


# What follows a commit; whatever it returns is ignored.
Follower = Callable[[Committed], object]


class UnitOfWork:
    def __init__(self, engine: Engine, actor: Actor, now: datetime, *, hall: str, write: bool = True,
                 after_commit: Iterable[Follower] = ()) -> None:
        """`hall`: the code of the hall the change is in (every statement of it reads and writes
        only that hall's rows); `after_commit`: work that follows every commit of this unit (the
        hall's followers)."""
        self._engine = engine
        self.hall = hall
        self.actor = actor
        self.now = now
        self._write = write
        self._events: list[Emitted] = []
        self._action = ""
        self._subject = ""
        self._detail: dict[str, Any] = {}
        self._followers: list[Follower] = list(after_commit)
        self.conn: Connection

    def __enter__(self) -> UnitOfWork:
        self.conn = self._engine.connect()
        self.conn.info["hallq_write"] = self._write
        self.conn.info[HALL_KEY] = self.hall
        if not self._write:
            reads.read_only(self.conn)
        self.conn.begin()
        if self._write:
            pipeline.enter(self.conn)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            pipeline.leave(self.conn)
            if not self._write and exc[0] is None:
                reads.end_read(self.conn)  # keeps the connection's prepared statements (server/db/reads.py)
            elif self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.info["hallq_write"] = False
            self.conn.info.pop(HALL_KEY, None)
            self.conn.close()

    def audit(self, action: str, subject: str = "", **detail: Any) -> None:
        """Name the change for the audit log. The first call names it; later ones add detail."""
        if not self._action:
            self._action, self._subject = action, subject
        self._detail.update(detail)

    def audit_also(self, key: str, value: Any) -> None:
        """Add `value` to the list `key` of the audit entry's detail without naming the change: for
        a step of someone else's change (a document printed as a case is opened or decided)."""
        self._detail.setdefault(key, []).append(value)

    def emit(self, event: str, rooms: list[str], data: dict[str, Any]) -> None:
        self._events.append(Emitted(event, rooms, data))

    def after_commit(self, follower: Follower) -> None:
        """Run `follower` with the committed change once `commit()` has made it durable."""
        self._followers.append(follower)

    def commit(self) -> Committed:
        committed = self._commit()
        for follower in self._followers:
            try:
                follower(committed)
            except Exception:  # the change is committed: a failed follower must not undo its answer
                log.exception("after-commit work %r failed for seq %s", follower, committed.seq)
        return committed

    def _commit(self) -> Committed:
        if not self._action and not self._events:
            self.conn.commit()
            return Committed(seq=0)
        entry = {
            "hall": self.hall,
            "at": self.now,
            "actor_kind": self.actor.kind,
            "actor_id": self.actor.id,
            "actor_name": self.actor.name,
            "action": self._action or (self._events[0].event if self._events else "change"),
            "subject": self._subject,
            "detail": self._detail,
            "events": [e.as_json() for e in self._events],
        }
        if pipeline.active(self.conn):
            # The entry and the commit in one round trip: the `seq` row is held no longer than
            # PostgreSQL takes to run them.
            seq = pipeline.commit_with(self.conn, _LOG_WITH_NEXT_SEQ_SQL, {
                **entry, "seq_name": SEQ, "detail": pipeline.json(entry["detail"]),
                "events": pipeline.json(entry["events"])})
        else:
            if self.conn.dialect.name == "postgresql":
                seq = self.conn.execute(_LOG_WITH_NEXT_SEQ, {**entry, "seq_hall": self.hall}).scalar_one()
            else:  # SQLite has no UPDATE in a WITH; the whole database is this transaction's anyway
                seq = next_counter(self.conn, SEQ)
                self.conn.execute(event_log.insert(), {"seq": seq, **entry})
            self.conn.commit()
        for e in self._events:
            e.data["seq"] = seq
        return Committed(seq=seq, events=list(self._events), action=self._action)


# The hall's next seq, made on its first change (a hall added to an installation has no row).
_NEXT_SEQ = (
    pg_insert(counters).values(hall=bindparam("seq_hall"), name=SEQ, value=1)
    .on_conflict_do_update(index_elements=[counters.c.hall, counters.c.name], set_={"value": counters.c.value + 1})
    .returning(counters.c.value)
)

_ENTRY_COLUMNS = ("hall", "at", "actor_kind", "actor_id", "actor_name", "action", "subject", "detail", "events")
_next = _NEXT_SEQ.cte("next_seq")
_LOG_WITH_NEXT_SEQ = (
    event_log.insert()
    .from_select(
        ["seq", *_ENTRY_COLUMNS],
        select(_next.c.value, *[bindparam(c, type_=event_log.c[c].type) for c in _ENTRY_COLUMNS]),
    )
    .returning(event_log.c.seq)
)


# The same as psycopg runs it, for `pipeline.commit_with` (which sends it past SQLAlchemy).
_LOG_WITH_NEXT_SEQ_SQL = """
WITH next_seq AS (
    INSERT INTO counters (hall, name, value) VALUES (%(hall)s, %(seq_name)s, 1)
    ON CONFLICT (hall, name) DO UPDATE SET value = counters.value + 1
    RETURNING value
)
INSERT INTO event_log (seq, hall, at, actor_kind, actor_id, actor_name, action, subject, detail, events)
SELECT value, %(hall)s, %(at)s, %(actor_kind)s, %(actor_id)s, %(actor_name)s, %(action)s, %(subject)s,
       %(detail)s, %(events)s
FROM next_seq
RETURNING seq
"""


def logged(seq: int, events: list[dict[str, Any]]) -> list[Emitted]:
    """The events of an event-log entry as they were emitted, `seq` included."""
    return [Emitted(e["event"], e["rooms"], {**e["data"], "seq": seq}) for e in events]
