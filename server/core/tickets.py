"""A queue ticket and its life cycle.

waiting → called → serving → done, with recall (counted) while called, no_show from called,
cancelled from waiting, transfer back to waiting in another queue keeping number and place, and
suspension (挂起) for a visitor who must fetch a missing paper and rejoins without a new number.
Every function returns a new ticket; an action the status does not allow raises
`IllegalTransition` naming the ticket, its status and the action.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import IllegalTransition, Invalid
from .labels import TICKET_STATUS, words


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    SUSPENDED = "suspended"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ACTIVE_AT_WINDOW = frozenset({Status.CALLED, Status.SERVING})
FINAL = frozenset({Status.DONE, Status.NO_SHOW, Status.CANCELLED})


class Priority(StrEnum):
    NORMAL = "normal"
    # 绿色通道: elderly, disabled, military, pregnant visitors are called first; staff verify.
    GREEN = "green"
    # 预约: checked in for a booked slot; placed in line as if come at the slot's start, and called
    # at that time ahead of walk-ins within the hall's share (server/core/calling.py).
    APPOINTMENT = "appointment"


GREEN_REASONS = ("elderly", "disabled", "military", "pregnant")

# Calling order of the classes within a queue: lower first.
# An appointment is in the walk-ins' line by its place; calling.py decides when it goes ahead.
CLASS_RANKS = {Priority.GREEN: 0, Priority.NORMAL: 1, Priority.APPOINTMENT: 1}


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    RECEIVED = "received"  # 收件: materials taken in for a completeness review (article 14)
    NOTICE = "notice"
    REFUSED = "refused"
    CONCLUDED = "concluded"
    CONSULTED = "consulted"


@dataclass(frozen=True)
class Ticket:
    id: str
    number: str
    queue: str
    item: str | None
    day: date
    seq_no: int
    issued_at: datetime
    # Place in the queue. Equal to issued_at, and kept through transfer and suspension so a
    # visitor sent elsewhere is not put at the back (issue #2: "keeping its place by issue time").
    rank_at: datetime
    priority: Priority = Priority.NORMAL
    green_reason: str | None = None
    status: Status = Status.WAITING
    window: str | None = None
    target_window: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    # How many times it has been called from waiting; the database keys each call on
    # (ticket, attempt) so two windows can never both take the same attempt.
    attempts: int = 0
    outcome: Outcome | None = None
    note: str = ""
    origin_queue: str | None = None
    # The booking (预约) this ticket was checked in for, by its code.
    appointment: str | None = None
    follows_case: str | None = None  # the notice whose missing papers the visitor brings (article 14)

    @property
    def class_rank(self) -> int:
        return CLASS_RANKS[self.priority]

    @property
    def cuts_in(self) -> bool:
        """It went ahead of its queue's normal tail today: green channel, or transferred in keeping
        the place it took at issue (what the waiting-time estimate counts; migration 0022 keeps
        the same count in the database)."""
        return self.priority is Priority.GREEN or self.origin_queue is not None

    @property
    def waiting_key(self) -> tuple[int, datetime, str]:
        """Calling order within one queue: green first, then by place, then by number."""
        return (self.class_rank, self.rank_at, self.number)


def _refuse(ticket: Ticket, action: str, zh_action: str = "进行此操作") -> IllegalTransition:
    return IllegalTransition(
        f"ticket {ticket.number} is {ticket.status.value}; cannot {action}",
        zh=f"{ticket.number}号{words(TICKET_STATUS, ticket.status)[0]}，不能{zh_action}",
        ticket=ticket.id,
        status=ticket.status.value,
        action=action,
    )


def call(ticket: Ticket, window: str, now: datetime) -> Ticket:
    if ticket.status is not Status.WAITING:
        raise _refuse(ticket, f"call it at window {window}", "叫号")
    if ticket.target_window is not None and ticket.target_window != window:
        raise _refuse(ticket, f"call it at window {window} (it was sent to window {ticket.target_window})",
                      f"在{window}号窗口叫号（已转给{ticket.target_window}号窗口）")
    return replace(
        ticket,
        status=Status.CALLED,
        window=window,
        called_at=now,
        started_at=None,
        recalls=0,
        attempts=ticket.attempts + 1,
    )


def recall(ticket: Ticket, now: datetime) -> Ticket:
    if ticket.status is not Status.CALLED:
        raise _refuse(ticket, "recall it", "重呼")
    return replace(ticket, recalls=ticket.recalls + 1, called_at=now)


def start(ticket: Ticket, now: datetime) -> Ticket:
    if ticket.status is not Status.CALLED:
        raise _refuse(ticket, "start serving it", "开始办理")
    return replace(ticket, status=Status.SERVING, started_at=now)


def no_show(ticket: Ticket, now: datetime) -> Ticket:
    if ticket.status is not Status.CALLED:
        raise _refuse(ticket, "mark it as not come", "标记未到")
    return replace(ticket, status=Status.NO_SHOW, finished_at=now)


def finish(ticket: Ticket, now: datetime, outcome: Outcome | None = None, item: str | None = None) -> Ticket:
    """`item`: the item the service turned out to be for, when not the one the number was taken
    for: the visitor's phone and the day's figures then say what was done."""
    if ticket.status not in ACTIVE_AT_WINDOW:
        raise _refuse(ticket, "finish it", "办结")
    return replace(
        ticket,
        status=Status.DONE,
        started_at=ticket.started_at or now,
        finished_at=now,
        outcome=outcome,
        item=item or ticket.item,
    )


def cancel(ticket: Ticket, now: datetime) -> Ticket:
    if ticket.status not in (Status.WAITING, Status.SUSPENDED):
        raise _refuse(ticket, "cancel it", "作废")
    return replace(ticket, status=Status.CANCELLED, finished_at=now)


def transfer(
    ticket: Ticket, queue: str, now: datetime, *, window: str | None = None, note: str = ""
) -> Ticket:
    """Send the visitor to another queue (or one window), keeping number and place."""
    if ticket.status not in ACTIVE_AT_WINDOW:
        raise _refuse(ticket, f"transfer it to queue {queue}", "转移")
    if queue == ticket.queue and window is None:
        raise Invalid(f"ticket {ticket.number} is already in queue {queue}", zh=f"{ticket.number}号已在该队列中")
    return replace(
        ticket,
        status=Status.WAITING,
        queue=queue,
        window=None,
        target_window=window,
        called_at=None,
        started_at=None,
        recalls=0,
        note=note or ticket.note,
        origin_queue=ticket.origin_queue or ticket.queue,
    )


def suspend(ticket: Ticket, now: datetime, note: str = "") -> Ticket:
    """挂起: the visitor leaves to fetch a paper; the same window takes them back later."""
    if ticket.status not in ACTIVE_AT_WINDOW:
        raise _refuse(ticket, "suspend it", "挂起")
    return replace(
        ticket,
        status=Status.SUSPENDED,
        target_window=ticket.window,
        window=None,
        called_at=None,
        started_at=None,
        recalls=0,
        note=note or ticket.note,
    )


def resume(ticket: Ticket, now: datetime, window: str | None = None) -> Ticket:
    """The suspended visitor is back: waiting again, at the head of the line of `window` (where
    they came back to), else of the window that suspended them."""
    if ticket.status is not Status.SUSPENDED:
        raise _refuse(ticket, "put it back in the queue", "放回队列")
    return replace(ticket, status=Status.WAITING, target_window=window or ticket.target_window)


def held_by(window: str, ticket: Ticket) -> bool:
    """The ticket depends on `window` being held: called or served there, or sent to it."""
    if ticket.status in ACTIVE_AT_WINDOW:
        return ticket.window == window
    return ticket.status in (Status.WAITING, Status.SUSPENDED) and ticket.target_window == window


def release(ticket: Ticket, window: str, now: datetime) -> Ticket:
    """Article 26: `window` stopped being held (closed, or its staff signed out). A ticket sent to
    it goes back to its queue, and one it had called goes back to waiting: either way keeping its
    place (`rank_at`), so whichever window of the queue calls next takes it first in its turn."""
    if ticket.status in ACTIVE_AT_WINDOW and ticket.window == window:
        return replace(ticket, status=Status.WAITING, window=None, target_window=None, called_at=None,
                       started_at=None, recalls=0)
    if ticket.status in (Status.WAITING, Status.SUSPENDED) and ticket.target_window == window:
        return replace(ticket, target_window=None)
    raise _refuse(ticket, f"release it from window {window}", f"从{window}号窗口放回")


# --- the hall monitor's corrections (大厅监控): each needs a manager or a chief, and a reason ------


def move(ticket: Ticket, queue: str, now: datetime, *, window: str | None = None, note: str = "") -> Ticket:
    """The monitor sends a ticket to another queue (or one window): a waiting or suspended one keeps
    its number and its place; one at a window leaves it as by `transfer`."""
    if ticket.status in ACTIVE_AT_WINDOW:
        return transfer(ticket, queue, now, window=window, note=note)
    if ticket.status not in (Status.WAITING, Status.SUSPENDED):
        raise _refuse(ticket, f"move it to queue {queue}", "转移")
    if queue == ticket.queue and window in (None, ticket.target_window):
        raise Invalid(f"ticket {ticket.number} is already in queue {queue}", zh=f"{ticket.number}号已在该队列中")
    return replace(
        ticket, status=Status.WAITING, queue=queue, target_window=window, note=note or ticket.note,
        origin_queue=ticket.origin_queue or (ticket.queue if queue != ticket.queue else None),
    )


def set_priority(ticket: Ticket, priority: Priority, now: datetime, green_reason: str | None = None) -> Ticket:
    """绿色通道 given or taken away while the visitor still waits; the place (`rank_at`) stays."""
    if ticket.status not in (Status.WAITING, Status.SUSPENDED):
        raise _refuse(ticket, "change its priority", "更改优先级")
    if green_reason is not None and green_reason not in GREEN_REASONS:
        raise Invalid(f"green channel reason must be one of {', '.join(GREEN_REASONS)}",
                      zh="绿色通道原因须为 elderly、disabled、military 或 pregnant")
    if priority is ticket.priority:
        raise Invalid(f"ticket {ticket.number} already has priority {priority.value}",
                      zh=f"{ticket.number}号已是该优先级")
    return replace(ticket, priority=priority, green_reason=green_reason if priority is Priority.GREEN else None)


def reactivate(ticket: Ticket, now: datetime) -> Ticket:
    """A no-show who turned up after all: waiting again with the same number and the same place
    (`rank_at` from the ticket's issue or transfer), so the next call of its queue takes it in turn."""
    if ticket.status is not Status.NO_SHOW:
        raise _refuse(ticket, "reactivate it (only a no-show can be)", "恢复（仅过号未到的号码可恢复）")
    return replace(ticket, status=Status.WAITING, window=None, target_window=None, called_at=None,
                   started_at=None, finished_at=None, recalls=0)


def force_finish(ticket: Ticket, now: datetime) -> Ticket:
    """A service left open (the staff forgot to finish, the window was abandoned): done now, with no
    outcome; the caller records it as forced so statistics leave its duration out."""
    if ticket.status not in ACTIVE_AT_WINDOW:
        raise _refuse(ticket, "force-finish it (only a called or serving ticket can be)", "强制办结")
    return replace(ticket, status=Status.DONE, started_at=ticket.started_at or ticket.called_at or now,
                   finished_at=now, outcome=None)
