"""A window's working state: closed, open (staffed) or paused, and who may sign in there.

Article 26: service must not stop while the hall is open, so a pause carries its reason and a
window can be taken over by another member of staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .errors import Forbidden, Invalid, WindowStateError, WindowUnstaffed
from .hall import Window, WindowKind


class WindowStatus(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


_ZH = {WindowStatus.CLOSED: "未签到", WindowStatus.OPEN: "服务中", WindowStatus.PAUSED: "暂停中"}


class Role(StrEnum):
    WINDOW = "window"
    CHIEF = "chief"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: Role
    department: str | None = None
    display_name: str = ""
    staff_no: str = ""
    # The hall the account belongs to; None: the whole installation's (a city's manager, its admin).
    hall: str | None = None


@dataclass(frozen=True)
class WindowState:
    window: str
    status: WindowStatus = WindowStatus.CLOSED
    staff_id: int | None = None
    pause_reason: str = ""
    since: datetime | None = None
    current_ticket: str | None = None


# A paused window is still held by its staff and will be back (lunch, a meeting): it keeps the
# tickets sent to it and counts as serving its queues for issuing and for `unserved`. Only a
# closed window (nobody signed in) serves no one.
SERVING = frozenset({WindowStatus.OPEN, WindowStatus.PAUSED})


def is_serving(state: WindowState | None) -> bool:
    return state is not None and state.status in SERVING and state.staff_id is not None


def may_staff(window: Window, staff: Staff) -> bool:
    """protocol v1: a departmental user signs in at its department's windows and the proxy ones."""
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return True
    if staff.department is None:
        return staff.role is Role.WINDOW
    return window.kind is WindowKind.PROXY or window.department == staff.department


def may_oversee(window: Window, staff: Staff) -> bool:
    """A chief representative (article 15) over the department's windows; managers over all."""
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return True
    return staff.role is Role.CHIEF and (
        window.department == staff.department or window.kind is WindowKind.PROXY
    )


def open_window(state: WindowState, window: Window, staff: Staff, now: datetime) -> WindowState:
    if not may_staff(window, staff):
        raise Forbidden(
            f"{staff.username} ({staff.department or 'no department'}) may not sign in at {window.name}",
            zh=f"{staff.username} 不能在{window.name}签到：该窗口不属于您的部门",
        )
    if state.status is not WindowStatus.CLOSED and state.staff_id not in (None, staff.id):
        # Taking over a staffed window is a hand-over (article 26), not a silent sign-in.
        raise WindowStateError(
            f"{window.name} is {state.status.value} with another member of staff; ask them to hand"
            " it over or a chief representative to assign it",
            zh=f"{window.name}已由其他工作人员使用；请对方交接，或由首席代表指派",
        )
    return replace(state, status=WindowStatus.OPEN, staff_id=staff.id, pause_reason="", since=now)


def require_not_elsewhere(states: Iterable[WindowState], window_id: str, staff: Staff) -> None:
    """One person, one window: a clerk signed in at two would be called to by both screens, and
    each visit, rating and tally is put to the person at the window."""
    for s in states:
        if s.window != window_id and s.staff_id == staff.id and s.status is not WindowStatus.CLOSED:
            raise WindowStateError(
                f"{staff.username} is signed in at window {s.window}; sign off there first",
                zh=f"{staff.username} 已在{s.window}号窗口签到，请先在该窗口签退", window=s.window)


def hand_over(state: WindowState, window: Window, to: Staff, now: datetime) -> WindowState:
    if not may_staff(window, to):
        raise Forbidden(f"{to.username} may not work at {window.name}", zh=f"{to.username} 不能在{window.name}办理")
    return replace(state, status=WindowStatus.OPEN, staff_id=to.id, pause_reason="", since=now)


def pause(state: WindowState, reason: str, now: datetime) -> WindowState:
    if state.status is not WindowStatus.OPEN:
        raise WindowStateError(f"window {state.window} is {state.status.value}; only an open window pauses",
                               zh=f"{state.window}号窗口{_ZH[state.status]}，只有服务中的窗口可以暂停")
    if state.current_ticket is not None:
        # The screen still sends that visitor to this window: they would find nobody there.
        raise WindowStateError(
            f"window {state.window} still has a ticket; finish, transfer or mark it first, then pause",
            zh=f"{state.window}号窗口还有正在办理的号码，请先办结、转移或标记未到，再暂停",
        )
    reason = reason.strip()
    if not reason:
        raise Invalid("a pause needs a reason (lunch, meeting, stepped away...)",
                      zh="暂停须填写原因（午休、开会、临时离开……）")
    return replace(state, status=WindowStatus.PAUSED, pause_reason=reason[:200], since=now)


def resume(state: WindowState, now: datetime) -> WindowState:
    if state.status is not WindowStatus.PAUSED:
        raise WindowStateError(f"window {state.window} is {state.status.value}, not paused",
                               zh=f"{state.window}号窗口{_ZH[state.status]}，并未暂停")
    return replace(state, status=WindowStatus.OPEN, pause_reason="", since=now)


def close(state: WindowState, now: datetime) -> WindowState:
    if state.current_ticket is not None:
        raise WindowStateError(
            f"window {state.window} still has a ticket; finish, transfer or mark it first",
            zh=f"{state.window}号窗口还有正在办理的号码，请先办结、转移或标记未到",
        )
    return replace(state, status=WindowStatus.CLOSED, staff_id=None, pause_reason="", since=now)


def sign_off(state: WindowState, now: datetime) -> WindowState:
    """Its staff left without closing it (signed out, or the sign-in expired): closed, whatever it
    was on. The caller sends the window's tickets back to their queues (`tickets.release`)."""
    return replace(state, status=WindowStatus.CLOSED, staff_id=None, pause_reason="", since=now,
                   current_ticket=None)


def require_receiving(state: WindowState, window: Window) -> None:
    """A ticket may be sent to one window only while someone holds it: else nobody would call it."""
    if not is_serving(state):
        raise WindowUnstaffed(
            f"{window.name}当前无人值守，不能转入；请转到队列或其他窗口 / "
            f"{window.name_en} is not staffed now; transfer to a queue or another window",
            window=window.id,
        )


def transfer_queue(window: Window, ticket_queue: str, asked: str | None) -> str:
    """The queue a visitor sent to `window` waits in: the one asked for; else their own, when the
    window serves it; else the window's only queue. A window of several other queues (a
    comprehensive proxy window) needs the queue named: taking its first one would put a business
    licence visitor in the health permit line, and back there if the window closed."""
    if asked is not None:
        if not window.serves(asked):
            raise Invalid(f"{window.name_en} does not serve queue {asked}", zh=f"{window.name}不办理{asked}队列业务")
        return asked
    if window.serves(ticket_queue):
        return ticket_queue
    codes = [sq.queue for sq in window.queues]
    if len(codes) == 1:
        return codes[0]
    listed = "/".join(codes)
    raise Invalid(f"{window.name_en} does not serve queue {ticket_queue}; name which of its queues ({listed}) "
                  "the visitor joins",
                  zh=f"{window.name}不办理{ticket_queue}队列业务，请指定转入其办理的哪个队列（{listed}）")


def require_calling(state: WindowState) -> None:
    if state.status is WindowStatus.PAUSED:
        raise WindowStateError(f"window {state.window} is paused ({state.pause_reason}); resume it first",
                               zh=f"{state.window}号窗口暂停中（{state.pause_reason}），请先恢复服务")
    if state.status is not WindowStatus.OPEN:
        raise WindowStateError(f"window {state.window} is closed; open it first",
                               zh=f"{state.window}号窗口未签到，请先签到")
    if state.current_ticket is not None:
        raise WindowStateError(
            f"window {state.window} is still on a ticket; finish it, mark it no-show or transfer it first",
            zh=f"{state.window}号窗口当前号码尚未办结，请先办结、标记未到或转移",
        )


def require_staffed_by(state: WindowState, staff: Staff) -> None:
    if state.status is WindowStatus.CLOSED:
        raise WindowStateError(f"window {state.window} is closed; open it first",
                               zh=f"{state.window}号窗口未签到，请先签到")
    if state.staff_id != staff.id:
        raise Forbidden(f"{staff.username} is not signed in at window {state.window}",
                        zh=f"{staff.username} 未在{state.window}号窗口签到")
