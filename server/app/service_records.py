"""The service history statistics are computed from: each handler that changes a ticket at a
window, or a window's state, tells this module what it was before and after, in its transaction,
and the stint or period is written (server/db/service_tables.py).

`ticket_changed` reads the change off the two tickets:
- not at a window before, called after: a stint begins (at the call, by the staff given);
- called before, serving after: the service starts;
- at a window before and no longer there after: the stint ends, as `finished` (or `forced`,
  said by the monitor's force-finish), `no_show`, `suspended`, `transferred` (sent to another
  queue or window) or `released` (back to its own queue because the window closed or its staff
  signed off). A service finished without a start press is taken to have started at the call.
`window_changed` ends the window's period and begins the next whenever its state, staff or pause
reason changes; a closed window has no period.
"""

from __future__ import annotations

from server.core import tickets as tk
from server.core.tickets import Status, Ticket
from server.core.windows import WindowState, WindowStatus
from server.db import service_repo
from server.db.uow import UnitOfWork

from .context import Services


def _ending(before: Ticket, after: Ticket) -> str:
    if after.status is Status.DONE:
        return "finished"
    if after.status is Status.NO_SHOW:
        return "no_show"
    if after.status is Status.SUSPENDED:
        return "suspended"
    if after.queue != before.queue or after.target_window not in (None, before.window):
        return "transferred"
    return "released"


def ticket_changed(svc: Services, uow: UnitOfWork, before: Ticket, after: Ticket, staff_id: int | None = None,
                   *, ending: str | None = None) -> None:
    """Records what `before` → `after` did to the ticket's stint at a window (see the module doc)."""
    was = before.status in tk.ACTIVE_AT_WINDOW
    now_at = after.status in tk.ACTIVE_AT_WINDOW
    if was and (not now_at or after.window != before.window):
        ended = ending or _ending(before, after)
        began = before.started_at or before.called_at  # the stint's start, as start_segment wrote it
        service_s = max(0.0, (uow.now - began).total_seconds()) if ended == "finished" and began else None
        started = None if before.started_at is not None else before.called_at
        service_repo.end_segment(uow.conn, before.id, uow.now, ended, started, service_s,
                                 after.item if after.item != before.item else None)
    if now_at and (not was or after.window != before.window):
        queue = svc.hall.queue(after.queue)
        service_repo.open_segment(
            uow.conn, ticket_id=after.id, day=after.day, queue=after.queue, item=after.item,
            department=queue.department if queue else None, window=after.window or "", staff_id=staff_id,
            at=after.called_at or uow.now,
            # The ticket's first call from waiting (as ticket_calls numbers them): its wait.
            wait_s=max(0.0, ((after.called_at or uow.now) - after.issued_at).total_seconds())
            if after.attempts == 1 and not was else None,
        )
    elif was and now_at and before.status is Status.CALLED and after.status is Status.SERVING:
        service_repo.start_segment(uow.conn, after.id, after.started_at or uow.now)


def window_changed(svc: Services, uow: UnitOfWork, before: WindowState, after: WindowState) -> None:
    """Ends the window's period and begins the next when its state, staff or pause reason changed."""
    key = (before.status, before.staff_id, before.pause_reason)
    if key == (after.status, after.staff_id, after.pause_reason):
        return
    if before.status is not WindowStatus.CLOSED:
        service_repo.end_period(uow.conn, after.window, uow.now)
    if after.status is not WindowStatus.CLOSED:
        service_repo.begin_period(uow.conn, window=after.window, staff_id=after.staff_id, state=after.status.value,
                                  reason=after.pause_reason if after.status is WindowStatus.PAUSED else "",
                                  day=svc.today(uow.now), at=uow.now)
