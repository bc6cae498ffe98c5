"""What every handler needs: the hall, the database, the clock and the publisher.

Handlers take this as their first argument; the web layer builds one at start-up and tests build
one with a fixed clock and a list for a publisher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.core.hall import Hall
from server.core.numbering import service_day
from server.db.handles import Engine
from server.db.uow import Actor, Committed, UnitOfWork
from server.speech.api import Speech


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    hall: Hall
    engine: Engine
    clock: Callable[[], datetime] = utc_now
    publish: Callable[[Committed], None] = lambda committed: None
    # Hooks other layers add without the handlers knowing them (print spooler wake-up, speech).
    after_commit: list[Callable[[Committed], None]] = field(default_factory=list)
    # What the print spooler last heard from a printer: online, offline, paper_out, ...
    printer_status: Callable[[str], str] = lambda url: "unknown"
    # Announcement audio (server.speech); None: calls are shown but not spoken.
    speech: Speech | None = None
    # Signed-in staff by token digest: (staff, token expiry, monotonic time cached).
    token_cache: dict = field(default_factory=dict)
    # The last hall snapshot: (seq, monotonic time built, view).
    snapshot_cache: dict = field(default_factory=dict)
    # The live allocation this process last read (server.app.allocated), by its change id.
    allocation_cache: dict = field(default_factory=dict)

    def write(self, actor: Actor) -> UnitOfWork:
        return UnitOfWork(self.engine, actor, self.clock())

    def read(self) -> UnitOfWork:
        return UnitOfWork(self.engine, Actor("reader", None, "reader"), self.clock(), write=False)

    def today(self, now: datetime | None = None):  # noqa: ANN201
        return service_day(now or self.clock(), self.hall.timezone)

    def commit(self, uow: UnitOfWork) -> Committed:
        committed = uow.commit()
        if committed.seq:
            self.publish(committed)
            for hook in self.after_commit:
                hook(committed)
        return committed
