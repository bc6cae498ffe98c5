"""Which waiting ticket a window calls next.

In order:
1. tickets sent to this very window (a transfer to a window, or a suspended visitor back);
2. tickets that have waited `max_wait` or longer, oldest first, so no queue and no class starves;
3. green-channel tickets of the window's queues, oldest first;
4. among the window's queues with someone waiting, the one furthest below its weighted share of
   the window's recent calls; oldest first inside it.

The share is judged over the window's recent calls rather than the whole day, so a queue a
manager adds to a window at 14:00 does not take every call until it has "caught up".

The database gives `choose_next` only the heads of each line (server/db/tickets_repo.py,
`candidates` and HEADS), chosen so that its first picks there are its first picks over every
waiting ticket. That holds because each rule below takes the minimum of one order that the query
reads the head of: sent here by (place, number), aged and green by (place, number), a queue's head
by (class, place, number). A rule that looks past such a minimum needs the query changed with it;
tests/db/test_calling_agreement.py holds the two together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from .errors import NotThisWindow
from .hall import Hall, Item, Window
from .tickets import Priority, Status, Ticket
from .windows import Staff, WindowState, is_serving, may_staff

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


def may_serve(window: Window, ticket: Ticket) -> bool:
    """Whether `window` may act on `ticket` at all (call it, call it out of turn, take it back from
    挂起, reprint it): its queue is one the window serves, or it was sent to or called at this very
    window. The one rule every window action asks, so no department sees another's visitors."""
    return window.serves(ticket.queue) or window.id in (ticket.target_window, ticket.window)


def require_may_serve(hall: Hall, window: Window, ticket: Ticket) -> None:
    if not may_serve(window, ticket):
        q = hall.queue(ticket.queue)
        raise NotThisWindow(
            f"{window.name}不办理{q.name if q else ticket.queue}（{ticket.queue}）业务，不能处理{ticket.number}号 / "
            f"{window.name_en} does not serve queue {ticket.queue} ({q.name_en if q else ticket.queue}); "
            f"ticket {ticket.number} is not for this window",
            window=window.id, queue=ticket.queue,
        )


def require_item_here(hall: Hall, window: Window, item: Item) -> None:
    """A service is recorded (and a case opened) only for an item of a queue the window serves."""
    if not window.serves(item.queue):
        q = hall.queue(item.queue)
        raise NotThisWindow(
            f"{window.name}不办理{item.name}（{item.code}，属{q.name if q else item.queue}）/ "
            f"{window.name_en} does not handle item {item.code} (queue {item.queue}); "
            "give an item of a queue this window serves, or transfer the visitor",
            window=window.id, queue=item.queue, item=item.code,
        )


def staff_may_serve(hall: Hall, staff: Staff, ticket: Ticket) -> bool:
    """Staff may handle a ticket away from a window (reprint it at its kiosk) when some window they
    may sign in at may serve it: their department's queues and the proxy windows' ones."""
    return any(may_staff(w, staff) and may_serve(w, ticket) for w in hall.windows)


def require_staff_may_serve(hall: Hall, staff: Staff, ticket: Ticket) -> None:
    if not staff_may_serve(hall, staff, ticket):
        raise NotThisWindow(
            f"{staff.username}所在部门不办理{ticket.queue}队列业务，不能处理{ticket.number}号 / "
            f"{staff.username} works at no window that serves queue {ticket.queue} (ticket {ticket.number})",
            queue=ticket.queue,
        )


def callable_by_some(ticket: Ticket, windows: Iterable[Window], states: Mapping[str, WindowState]) -> bool:
    """Some window somebody holds (open, or paused and coming back) would call this waiting ticket."""
    return any(is_serving(states.get(w.id)) and callable_at(w, ticket) for w in windows)


def unserved(ticket: Ticket, windows: Iterable[Window], states: Mapping[str, WindowState]) -> bool:
    """Article 26: a waiting ticket no held window would call. It must be shown so (no estimate,
    on the visitor's phone) and alerted, never left to wait in silence."""
    return ticket.status is Status.WAITING and not callable_by_some(ticket, windows, states)


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
