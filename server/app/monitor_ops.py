"""The hall monitor's actions on any of today's tickets (NovoSGA's monitor, the GA board's
force-finish): find by number, transfer, change priority, cancel, reactivate a no-show keeping its
place, force-finish a service left open. Managers act on any ticket, a chief representative on the
department's; each needs a reason and is audited with it, and emits what a window's action would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.core import tickets as tk
from server.core import windows as win
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.tickets import Priority, Ticket
from server.core.windows import Staff
from server.db import monitor_repo, queue_stats_repo, tickets_repo, windows_repo
from server.db.uow import UnitOfWork

from . import service_records as record
from .changes import Changes
from .context import Services
from .floor import department_of
from .views import HallLoad, ticket_view
from .window_ops import actor_of, live_window, receiving_window

MAX_REASON = 500


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid("a reason is required for the audit", zh="请填写操作原因（将记入审计日志）")
    return text[:MAX_REASON]


def _require_may_act(svc: Services, staff: Staff, t: Ticket, *queues: str) -> None:
    dept = department_of(staff)
    if dept is None:
        return
    for code in (t.queue, *queues):
        q = svc.hall.queue(code)
        if q is None or q.department != dept:
            raise Forbidden(f"ticket {t.number} or queue {code} is not of your department",
                            zh=f"{t.number}号或队列{code}不属于您的部门")


def search(svc: Services, staff: Staff, part: str) -> dict[str, Any]:
    """Today's tickets whose number contains `part` (a chief: the department's queues)."""
    dept = department_of(staff)
    text = part.strip()
    if not text:
        raise Invalid('give "q": a ticket number or part of one', zh="请输入号码或其中一部分")
    queues = None if dept is None else [q.code for q in svc.hall.queues if q.department == dept]
    with svc.read() as uow:
        day = svc.today(uow.now)
        found = monitor_repo.search_day(uow.conn, day, text[:16], queues)
        forced = monitor_repo.forced(uow.conn, [t.id for t in found])
        load = HallLoad.read(uow.conn, svc.hall, day, uow.now)
        return {"tickets": [{**ticket_view(uow.conn, svc.hall, t, load), "forced": t.id in forced} for t in found]}


def _act(
    svc: Services, staff: Staff, ticket_id: str, action: str, reason: str | None,
    change: Callable[[Ticket, datetime], Ticket], *, queues: tuple[str, ...] = (),
    after_save: Callable[[UnitOfWork, Ticket, Ticket], None] | None = None,
    guard: Callable[[UnitOfWork, Ticket], None] | None = None,
) -> dict[str, Any]:
    """`guard`: a check of the ticket as read, locked, before it changes."""
    why = _reason(reason)
    with svc.write(actor_of(staff)) as uow:
        seen = tickets_repo.get(uow.conn, ticket_id)
        if seen is None or seen.day != svc.today(uow.now):
            raise NotFound(f"no ticket {ticket_id!r} today", zh="今天没有这个号码")
        # The window first, then the ticket: the order every window action locks them in.
        state = windows_repo.get(uow.conn, seen.window, lock=True) if seen.window else None
        before = tickets_repo.get(uow.conn, ticket_id, lock=True)
        assert before is not None
        _require_may_act(svc, staff, before, *queues)
        if guard is not None:
            guard(uow, before)
        after = change(before, uow.now)
        tickets_repo.save(uow.conn, after)
        record.ticket_changed(svc, uow, before, after, ending="forced" if action == "monitor.force_finish" else None)
        changes = Changes(svc, uow, staff)
        if state is not None and state.current_ticket == before.id and after.status not in tk.ACTIVE_AT_WINDOW:
            windows_repo.save(uow.conn, replace(state, current_ticket=None))
            changes.window(state.window)
        if after_save:
            after_save(uow, before, after)
        uow.audit(action, after.number, ticket=after.id, reason=why, by=staff.username,
                  status_before=before.status.value, status_after=after.status.value,
                  **({"queue_before": before.queue, "queue_after": after.queue} if before.queue != after.queue else {}))
        # The rooms of the window it left, so that window's screen clears too.
        changes.ticket("ticket.updated", replace(after, window=after.window or before.window))
        if before.queue != after.queue:
            changes.queue(before.queue)
        view = changes.emit()[after.id]
        forced = bool(monitor_repo.forced(uow.conn, [after.id]))
        svc.commit(uow)
    return {"ticket": {**view, "forced": forced}}


def transfer(svc: Services, staff: Staff, ticket_id: str, *, queue: str | None, window: str | None,
             reason: str | None) -> dict[str, Any]:
    target = svc.hall.window(window) if window is not None else None
    if window is not None and target is None:
        raise NotFound(f"unknown window {window!r}", zh=f"没有{window}号窗口")
    if queue is None and target is None:
        raise Invalid('give "queue" or "window" to transfer to', zh="请指定转往的队列或窗口")
    if queue is not None and svc.hall.queue(queue) is None:
        raise NotFound(f"unknown queue {queue!r}", zh=f"没有{queue}队列")
    note = (reason or "").strip()[:MAX_REASON]
    chosen: list[str] = []

    def receiving(uow: UnitOfWork, t: Ticket) -> None:
        # As a window's own transfer: the queue the window serves now, and someone holding it, or
        # the visitor would wait for a window nobody opens.
        code = queue or t.queue
        if target is not None:
            live = live_window(svc, uow, target)
            code = win.transfer_queue(live, t.queue, queue)
            receiving_window(uow, live)
        _require_may_act(svc, staff, t, code)
        chosen.append(code)

    return _act(svc, staff, ticket_id, "monitor.transfer", reason,
                lambda t, now: tk.move(t, chosen[0], now, window=window, note=note), guard=receiving)


def set_priority(svc: Services, staff: Staff, ticket_id: str, priority: str, reason: str | None,
                 green_reason: str | None = None) -> dict[str, Any]:
    try:
        prio = Priority(priority)
    except ValueError:
        raise Invalid(f'priority must be "green" or "normal", not {priority!r}',
                      zh="优先级须为 green（绿色通道）或 normal") from None
    return _act(svc, staff, ticket_id, "monitor.priority", reason,
                lambda t, now: tk.set_priority(t, prio, now, green_reason))


def cancel(svc: Services, staff: Staff, ticket_id: str, reason: str | None) -> dict[str, Any]:
    return _act(svc, staff, ticket_id, "monitor.cancel", reason, tk.cancel)


def reactivate(svc: Services, staff: Staff, ticket_id: str, reason: str | None) -> dict[str, Any]:
    def uncount(uow: UnitOfWork, before: Ticket, after: Ticket) -> None:
        queue_stats_repo.bump_stats(uow.conn, before.queue, before.day, no_show=-1)

    return _act(svc, staff, ticket_id, "monitor.reactivate", reason, tk.reactivate, after_save=uncount)


def force_finish(svc: Services, staff: Staff, ticket_id: str, reason: str | None) -> dict[str, Any]:
    """Done, flagged forced; its duration does not enter the queue's mean service time."""
    why = _reason(reason)

    def flag(uow: UnitOfWork, before: Ticket, after: Ticket) -> None:
        # Not counted in the queue's served visits and service seconds: its duration is no service.
        monitor_repo.record_forced(uow.conn, after, uow.now, staff.username, why)

    return _act(svc, staff, ticket_id, "monitor.force_finish", why, tk.force_finish, after_save=flag)
