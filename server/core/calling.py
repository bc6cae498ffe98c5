"""Which waiting ticket a window calls next.

In order:
1. tickets sent to this very window (a transfer to a window, or a suspended visitor back);
2. tickets that have waited `max_wait` or longer, oldest first, so no queue and no class starves;
3. green-channel tickets of the window's queues, oldest first;
4. among the window's queues with someone waiting, the one furthest below its weighted share of
   the window's recent calls; oldest first inside it.

The share is judged over the window's recent calls rather than the whole day, so a queue a
manager adds to a window at 14:00 does not take every call until it has "caught up".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .hall import Window
from .tickets import Priority, Status, Ticket

RECENT_CALLS_PER_WEIGHT = 3
RECENT_CALLS_MAX = 60


def recent_window_size(window: Window) -> int:
    return min(RECENT_CALLS_MAX, RECENT_CALLS_PER_WEIGHT * sum(sq.weight for sq in window.queues))


def callable_at(window: Window, ticket: Ticket) -> bool:
    if ticket.status is not Status.WAITING:
        return False
    if ticket.target_window is not None:
        return ticket.target_window == window.id
    return window.serves(ticket.queue)


def choose_next(
    window: Window,
    waiting: Iterable[Ticket],
    recent_queues: Sequence[str],
    now: datetime,
    max_wait: timedelta,
) -> Ticket | None:
    """`recent_queues`: the queues of this window's latest calls, newest first."""
    candidates = [t for t in waiting if callable_at(window, t)]
    if not candidates:
        return None
    targeted = [t for t in candidates if t.target_window == window.id]
    if targeted:
        return min(targeted, key=lambda t: (t.rank_at, t.number))
    aged = [t for t in candidates if now - t.rank_at >= max_wait]
    if aged:
        return min(aged, key=lambda t: (t.rank_at, t.number))
    green = [t for t in candidates if t.priority is Priority.GREEN]
    if green:
        return min(green, key=lambda t: (t.rank_at, t.number))
    heads: dict[str, Ticket] = {}
    for t in candidates:
        head = heads.get(t.queue)
        if head is None or t.waiting_key < head.waiting_key:
            heads[t.queue] = t
    # Judged over the last R - 1 calls, R = recent_window_size: when the last R calls match the
    # weights exactly, this leaves one queue below its share, the one whose call is about to leave
    # the window, so the calls repeat with period R. Counting all R made every queue tie there and
    # the tie-break (the older head, usually the lighter queue's) took one extra call per R + 1:
    # weights 2:1 gave 60:40, not 67:33 (tests/core/test_calling.py).
    recent = Counter(recent_queues[: recent_window_size(window) - 1])

    def share_key(queue: str) -> tuple[float, datetime, str]:
        return (recent[queue] / window.weight(queue), heads[queue].rank_at, queue)

    return heads[min(heads, key=share_key)]
