"""What every handler needs: the hall, the database, the clock and what follows a commit.

Handlers take this as their first argument. The composition root (server/bootstrap.py) builds
one at start-up with the publisher, the print spooler and speech; tests build one with a fixed
clock and a list for a follower.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from server.core.hall import Hall
from server.core.numbering import service_day
from server.db.handles import Engine
from server.db.uow import Actor, Committed, Follower, UnitOfWork
from server.speech.api import Speech

log = logging.getLogger("hallq.app")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Followers:
    """The work that follows every committed change of the hall, in order: the publisher first,
    so events leave in seq order; then the rest (unserved-queue alerts, the outbox's wake-up).

    The composition root adds them while it builds the app (some need the services this belongs
    to, so they come after) and seals the list before the first request: nothing joins later.
    """

    def __init__(self, *followers: Follower) -> None:
        self._followers = list(followers)
        self._sealed = False

    def add(self, follower: Follower) -> None:
        if self._sealed:
            raise RuntimeError("the hall's followers are sealed once the app is built")
        self._followers.append(follower)

    def seal(self) -> None:
        self._sealed = True

    def __call__(self, committed: Committed) -> None:
        if not committed.seq:
            return  # nothing was logged: nothing to publish or react to
        for follower in self._followers:
            try:
                follower(committed)
            except Exception:  # one failed follower must not keep the change from the others
                log.exception("follower %r failed for seq %s", follower, committed.seq)


class Printers(Protocol):
    """The print spooler as handlers see it."""

    def status_of(self, url: str) -> str:
        """What the spooler last heard from a printer: online, offline, paper_out, ..."""
        ...

    def wake(self, printer: str) -> None:
        """A job for `printer` was just committed: send it now rather than at the next round."""
        ...


class NoPrinters:
    """No spooler runs (tests, the command line): jobs wait in the table for one that does."""

    def status_of(self, url: str) -> str:
        return "unknown"

    def wake(self, printer: str) -> None:
        return None


@dataclass
class Services:
    hall: Hall
    engine: Engine
    clock: Callable[[], datetime] = utc_now
    followers: Followers = field(default_factory=Followers)
    printers: Printers = field(default_factory=NoPrinters)
    # Announcement audio (server.speech); None: calls are shown but not spoken.
    speech: Speech | None = None
    # Signed-in staff by token digest: (staff, token expiry, monotonic time cached).
    token_cache: dict[str, Any] = field(default_factory=dict)
    # The last hall snapshot: (seq, monotonic time built, view).
    snapshot_cache: dict[str, Any] = field(default_factory=dict)
    # The live allocation this process last read (server.app.allocated), by its change id.
    allocation_cache: dict[str, Any] = field(default_factory=dict)
    # Case changes are queued for the applicant's SMS gateway (server.app.applicant_notify) only
    # when the hall has one (HALLQ_APPLICANT_WEBHOOK).
    notify_applicants: bool = False

    def write(self, actor: Actor) -> UnitOfWork:
        return UnitOfWork(self.engine, actor, self.clock(), hall=self.hall.code, after_commit=[self.followers])

    def read(self) -> UnitOfWork:
        return UnitOfWork(self.engine, Actor("reader", None, "reader"), self.clock(), hall=self.hall.code, write=False)

    def today(self, now: datetime | None = None) -> date:
        return service_day(now or self.clock(), self.hall.timezone)

    def commit(self, uow: UnitOfWork) -> Committed:
        """Commit; the hall's followers, then the change's own after-commit work, run after it."""
        return uow.commit()
