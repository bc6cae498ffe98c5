"""Call-next's reads and choice: which waiting ticket a window calls, by the core's policy.

On PostgreSQL the first reads (the allocation's version, the window's state, locked, its latest
calls and the candidates) go out in one round trip (server/db/batch.py). The latest calls and the
candidates depend on the queues the window serves, which the allocation read in the same trip
decides: they are read for the window as this process last knew it allocated, and read again in
the rare change where a manager has moved it since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from server.core import calling
from server.core.hall import Window
from server.core.tickets import Priority, Ticket
from server.core.windows import WindowState
from server.db import batch, tickets_repo, window_calls_repo, windows_repo
from server.db.uow import UnitOfWork

from . import allocated
from .context import Services

# How many of the policy's choices call-next tries to claim before it looks again: a window
# that loses a race on PostgreSQL takes the next best ticket rather than failing. As many as the
# candidates keep in the policy's order (tickets_repo.HEADS).
RANKED = tickets_repo.HEADS


@dataclass(frozen=True)
class FirstReads:
    window: Window  # as allocated now
    state: WindowState
    recent: list[tuple[str, bool]]
    pool: list[Ticket]


def first_reads(svc: Services, uow: UnitOfWork, w: Window, day: date) -> FirstReads:
    guess = allocated.last_known(svc).window(w.id) or w
    versions, state, recent, pool = batch.read_all(uow.conn, [
        allocated.versions_query(uow),
        windows_repo.state_query(uow.conn, w.id, lock=True),
        window_calls_repo.recent_calls_query(uow.conn, w.id, calling.recent_calls_to_read(guess)),
        tickets_repo.candidates_query(uow.conn, guess, day)])
    live = allocated.current(svc, uow, allocated.to_versions(versions)).hall.window(w.id) or w
    if live != guess:  # a manager moved it since this process last looked
        return FirstReads(live, windows_repo.to_state(state, w.id),
                          window_calls_repo.recent_calls(uow.conn, w.id, calling.recent_calls_to_read(live)),
                          tickets_repo.candidates(uow.conn, live, day))
    return FirstReads(live, windows_repo.to_state(state, w.id), window_calls_repo.to_recent_calls(recent),
                      tickets_repo.to_candidates(pool))


def choose(svc: Services, uow: UnitOfWork, reads: FirstReads, day: date) -> Ticket | None:
    """The ticket `reads.window` calls, claimed; None when nobody waits for it."""
    w, pool = reads.window, reads.pool
    max_wait = timedelta(minutes=svc.hall.max_wait_minutes)
    chosen: Ticket | None = None
    held: set[str] = set()
    # Each round that claims nothing excludes its ranked tickets (all held by other windows)
    # from the next read, so the rounds end: with a ticket, or when the line runs out.
    while chosen is None and pool:
        ranked = _rank(w, pool, reads.recent, uow, max_wait, svc.hall.appointments.call_share)
        chosen = tickets_repo.claim(uow.conn, ranked)
        if held.issuperset(ranked):
            break
        held.update(ranked)
        if chosen is None:
            pool = tickets_repo.candidates(uow.conn, w, day, exclude=held)
    return chosen


def _rank(
    w: Window, pool: list[Ticket], recent: list[tuple[str, bool]], uow: UnitOfWork, max_wait: timedelta,
    call_share: float,
) -> list[str]:
    """The policy's first RANKED choices, each taken out (and counted as the window's latest call,
    of its queue and whether an appointment) before the next."""
    ranked: list[str] = []
    pool = list(pool)
    queues, appointments = [q for q, _ in recent], [a for _, a in recent]
    while pool and len(ranked) < RANKED:
        pick = calling.choose_next(w, pool, queues, uow.now, max_wait, appointments, call_share)
        if pick is None:
            break
        ranked.append(pick.id)
        pool.remove(pick)
        queues.insert(0, pick.queue)
        appointments.insert(0, pick.priority is Priority.APPOINTMENT)
    return ranked
