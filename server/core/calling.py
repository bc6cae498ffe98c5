"""Which waiting ticket a window calls next.

In order:
1. tickets sent to this very window (a transfer to a window, or a suspended visitor back);
2. tickets that have waited `max_wait` or longer, oldest first, so no queue and no class starves;
3. green-channel tickets of the window's queues, oldest first;
4. appointment (预约) tickets whose place is due (`rank_at <= now`: their slot has started, or
   they checked in late and their place is their check-in time), oldest place first, ahead of
   the walk-ins of their queue, while the window's appointment calls stay within the hall's
   `call_share` (below). An appointment ticket sent on to another queue (a transfer, its item
   moved) is not called ahead again: its slot was for the queue it booked;
5. among the window's queues with someone waiting, the one furthest below its weighted share of
   the window's recent calls; oldest first inside it. An appointment ticket is in its queue's
   walk-in line by its place: one not due yet (slot at 10:00, now 09:45) waits behind the
   walk-ins placed before 10:00, and a due one the share holds back waits there by its place, so
   with no walk-in waiting it is called all the same (no window idles while someone waits).

The share is judged over the window's recent calls rather than the whole day, so a queue a
manager adds to a window at 14:00 does not take every call until it has "caught up".

The appointment share (rule 4): let N = `appointment_window_size` (the queue share's recent
window R, but at least APPOINTMENT_WINDOW_MIN calls) and `a` the appointment tickets among the
window's last N - 1 calls (fewer on a window that has made fewer; every call of an appointment
ticket counts, whichever rule made it, so the bound errs on the walk-ins' side). Rule 4 may call
an appointment ahead when a + 1 <= call_share × N. So in any N consecutive calls of a window at
most ⌊call_share × N⌋ are appointments called ahead; the very first call of the day may take a
due appointment (1 <= 0.5 × 10); share 0 never calls one ahead, share 1 always does. N is at
least 10 because R is only 3 for a window of one queue of weight 1, and a bound over 3 calls
rounds a share of 0.5 down to one call in three.

The database gives `choose_next` only the heads of each line (server/db/tickets_repo.py,
`candidates` and HEADS), chosen so that its first picks there are its first picks over every
waiting ticket. That holds because each rule below takes the minimum of one order that the query
reads the head of: sent here by (place, number), aged and green by (place, number), due
appointments by (place, number) over the window's queues, a queue's head by (class, place,
number). A rule that looks past such a minimum needs the query changed with it;
tests/db/test_calling_agreement.py holds the two together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from .appointment_rules import AppointmentRules
from .errors import NotThisWindow
from .hall import Hall, Item, Window
from .tickets import Priority, Status, Ticket
from .windows import Staff, WindowState, is_serving, may_staff

RECENT_CALLS_PER_WEIGHT = 3
RECENT_CALLS_MAX = 60
# The appointment share is judged over at least this many recent calls (see the docstring).
APPOINTMENT_WINDOW_MIN = 10
# The hall file's default: appointments called ahead take at most half of a window's calls.
DEFAULT_CALL_SHARE = AppointmentRules().call_share


def recent_window_size(window: Window) -> int:
    return min(RECENT_CALLS_MAX, RECENT_CALLS_PER_WEIGHT * sum(sq.weight for sq in window.queues))


def appointment_window_size(window: Window) -> int:
    """How many of a window's recent calls the appointment share is judged over (N)."""
    return max(recent_window_size(window), APPOINTMENT_WINDOW_MIN)


def recent_calls_to_read(window: Window) -> int:
    """How many of its latest calls a window's call-next reads: enough for both shares."""
    return max(recent_window_size(window), appointment_window_size(window))


def may_call_appointment_ahead(window: Window, recent_appointments: Sequence[bool], call_share: float) -> bool:
    """Rule 4's bound: one more appointment called ahead keeps the window's appointment calls
    within `call_share` of its last N calls, this one included (N = `appointment_window_size`).
    `recent_appointments`: whether each of the window's latest calls was of an appointment
    ticket, newest first."""
    size = appointment_window_size(window)
    taken = sum(1 for a in recent_appointments[: size - 1] if a)
    return taken + 1 <= call_share * size + 1e-9


def due_appointment(ticket: Ticket, now: datetime) -> bool:
    """An appointment ticket rule 4 may call ahead: its place has come, and it is still in the
    queue it was booked for (not sent on, not moved with its item)."""
    return (
        ticket.priority is Priority.APPOINTMENT
        and ticket.rank_at <= now
        and ticket.target_window is None
        and ticket.origin_queue is None
    )


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
    recent_appointments: Sequence[bool] = (),
    call_share: float = DEFAULT_CALL_SHARE,
) -> Ticket | None:
    """`recent_queues`: the queues of this window's latest calls, newest first;
    `recent_appointments`: whether each of them was of an appointment ticket, in the same order
    (a missing entry counts as a walk-in); `call_share`: the hall's `appointments.call_share`."""
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
    due = [t for t in candidates if due_appointment(t, now)]
    if due and may_call_appointment_ahead(window, recent_appointments, call_share):
        return min(due, key=lambda t: (t.rank_at, t.number))
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
