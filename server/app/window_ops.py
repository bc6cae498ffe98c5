"""What window staff do: open, call next, recall, start, no-show, finish, pause, transfer, suspend.

Each function is one transaction: lock the window's state, check who may act, let the core
decide, write, emit, commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.core import calling
from server.core import tickets as tk
from server.core import windows as win
from server.core.errors import Forbidden, Invalid, NotFound, WindowStateError
from server.core.hall import Window
from server.core.tickets import Status, Ticket
from server.core.windows import Staff, WindowState
from server.db import batch, queue_stats_repo, tickets_repo, window_calls_repo, windows_repo
from server.db.uow import Actor, UnitOfWork

from . import allocated, next_call
from . import service_records as record
from .allocated import current, current_hall
from .changes import Changes
from .context import Services
from .ratings import request_rating
from .views import HallLoad, ticket_view, window_views


def actor_of(staff: Staff) -> Actor:
    return Actor("staff", staff.id, staff.username)


def window_of(svc: Services, window_id: str) -> Window:
    w = svc.hall.window(str(window_id))
    if w is None:
        raise NotFound(f"unknown window {window_id!r}")
    return w


def live_window(svc: Services, uow: UnitOfWork, w: Window) -> Window:
    """`w` as allocated now, read in the transaction: the queues it serves at this moment."""
    return current_hall(svc, uow).window(w.id) or w


def _held_now(state: WindowState, current: list[Ticket]) -> Ticket:
    """The window's current ticket, read with its state."""
    if state.current_ticket is None:
        raise tk.IllegalTransition(f"window {state.window} has no current ticket; call one first")
    if not current:  # the unique index and foreign rules make this a corrupted database
        raise NotFound(f"window {state.window}'s current ticket is missing")
    return current[0]


def open_window(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        allocated = current(svc, uow)
        w = allocated.hall.window(w.id) or w
        if w.reserve and w.id not in allocated.state.reserves_open:
            raise WindowStateError(
                f"{w.name}是备用窗口，须由大厅主任启用后才能登录 / {w.name_en} is a reserve window; "
                "a hall manager opens it for service first", window=w.id)
        state = windows_repo.get(uow.conn, w.id, lock=True)
        new = win.open_window(state, w, staff, uow.now)
        win.require_not_elsewhere(windows_repo.all_states(uow.conn).values(), w.id, staff)
        windows_repo.save(uow.conn, new)
        record.window_changed(svc, uow, state, new)
        uow.audit("window.open", w.id, staff=staff.username)
        return _finish_window_change(svc, uow, w, new, staff)


def _finish_window_change(
    svc: Services, uow: UnitOfWork, w: Window, state: WindowState, staff: Staff | None = None,
    changes: Changes | None = None,
) -> dict[str, Any]:
    changes = changes or Changes(svc, uow, staff)
    changes.window(w.id)
    for sq in w.queues:
        changes.queue(sq.queue)
    changes.emit()
    svc.commit(uow)
    return window_state_view(svc, w.id)


def window_state_view(svc: Services, window_id: str) -> dict[str, Any]:
    with svc.read() as uow:
        return window_views(uow.conn, current_hall(svc, uow), windows_repo.all_states(uow.conn), [window_id])[0]


def _window_action(
    svc: Services, staff: Staff, window_id: str, action: str, change: Callable[[WindowState, Any], WindowState]
) -> dict[str, Any]:
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        w = live_window(svc, uow, w)
        state = windows_repo.get(uow.conn, w.id, lock=True)
        win.require_staffed_by(state, staff)
        new = change(state, uow.now)
        changes = Changes(svc, uow, staff)
        released = _release_held(uow, changes, w, state) if new.status is win.WindowStatus.CLOSED else []
        windows_repo.save(uow.conn, new)
        record.window_changed(svc, uow, state, new)
        uow.audit(action, w.id, reason=new.pause_reason, **({"released": released} if released else {}))
        return _finish_window_change(svc, uow, w, new, staff, changes)


def pause(svc: Services, staff: Staff, window_id: str, reason: str) -> dict[str, Any]:
    return _window_action(svc, staff, window_id, "window.pause", lambda s, now: win.pause(s, reason, now))


def resume(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    return _window_action(svc, staff, window_id, "window.resume", win.resume)


def close(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    return _window_action(svc, staff, window_id, "window.close", win.close)


def _release_held(uow: UnitOfWork, changes: Changes, w: Window, state: WindowState) -> list[str]:
    """Article 26: `w` is no longer held. Its current ticket and every ticket sent to it (a transfer
    there, a visitor it suspended) go back to their queues keeping their place: nobody is left
    waiting for a window nobody will open. Returns the numbers released."""
    held = tickets_repo.sent_to_window(uow.conn, w.id, lock=True)
    if state.current_ticket is not None:
        current = tickets_repo.get(uow.conn, state.current_ticket, lock=True)
        if current is not None and tk.held_by(w.id, current):
            held.insert(0, current)
    for t in held:
        back = tk.release(t, w.id, uow.now)
        tickets_repo.save(uow.conn, back)
        record.ticket_changed(changes.svc, uow, t, back)
        # Rooms of the window it leaves, so that window's screen clears too.
        changes.ticket("ticket.updated", replace(back, window=back.window or t.window))
    return [t.number for t in held]


def _unheld(svc: Services, uow: UnitOfWork) -> list[str]:
    """Windows held by nobody signed in, and closed windows tickets still wait for (a transfer that
    raced the window's closing on PostgreSQL)."""
    absent = windows_repo.held_without_sign_in(uow.conn, uow.now)
    states = windows_repo.all_states(uow.conn)
    waited_for = [i for i in tickets_repo.targeted_windows(uow.conn) if not win.is_serving(states.get(i))]
    return [i for i in dict.fromkeys([*absent, *waited_for]) if svc.hall.window(i) is not None]


def sign_off_absent(svc: Services) -> list[str]:
    """Windows left open or paused by staff who are no longer signed in (signed out without closing,
    or the sign-in expired) are closed, and their tickets go back to their queues. Run on sign-out
    and periodically; returns the windows closed or released. One transaction per window, so each
    has its own audit entry (one transaction keeps one entry: a sweep of several windows named
    only the first, with the last one's staff and tickets)."""
    with svc.read() as uow:
        found = _unheld(svc, uow)
    done: list[str] = []
    for window_id in found:
        with svc.write(Actor("system", None, "sign-off")) as uow:
            if window_id not in _unheld(svc, uow):
                continue  # another process's sweep got there first, or its staff came back
            changes = Changes(svc, uow)
            w = live_window(svc, uow, window_of(svc, window_id))
            state = windows_repo.get(uow.conn, w.id, lock=True)
            released = _release_held(uow, changes, w, state)
            if state.status is win.WindowStatus.CLOSED and not released:
                continue
            if state.status is not win.WindowStatus.CLOSED:
                windows_repo.save(uow.conn, off := win.sign_off(state, uow.now))
                record.window_changed(svc, uow, state, off)
            uow.audit("window.sign_off", w.id, staff=state.staff_id, released=released)
            changes.window(w.id)
            for sq in w.queues:
                changes.queue(sq.queue)
            changes.emit()
            svc.commit(uow)
            done.append(w.id)
    return done


def hand_over(svc: Services, by: Staff, window_id: str, to: Staff) -> dict[str, Any]:
    """Article 26: another member of staff covers the window.

    Allowed to the staff handing it over, to a chief representative or manager assigning it, and
    to anyone allowed at the window taking over one that was left paused."""
    w = window_of(svc, window_id)
    with svc.write(actor_of(by)) as uow:
        w = live_window(svc, uow, w)
        state = windows_repo.get(uow.conn, w.id, lock=True)
        left_paused = by.id == to.id and state.status is win.WindowStatus.PAUSED
        if not (by.id == state.staff_id or win.may_oversee(w, by) or left_paused):
            raise Forbidden(f"{by.username} may not assign {w.name}; its staff or a chief representative can")
        new = win.hand_over(state, w, to, uow.now)
        win.require_not_elsewhere(windows_repo.all_states(uow.conn).values(), w.id, to)
        windows_repo.save(uow.conn, new)
        record.window_changed(svc, uow, state, new)
        uow.audit("window.hand_over", w.id, to=to.username, previous=state.staff_id)
        return _finish_window_change(svc, uow, w, new, to)


def call_next(svc: Services, staff: Staff, window_id: str) -> dict[str, Any] | None:
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        day = svc.today(uow.now)
        # With the queues and weights in force now (a manager may have just moved this window).
        reads = next_call.first_reads(svc, uow, w, day)
        win.require_staffed_by(reads.state, staff)
        win.require_calling(reads.state)
        chosen = next_call.choose(svc, uow, reads, day)
        if chosen is None:
            return None
        return _call(svc, uow, staff, reads.window, reads.state, chosen, "ticket.call")


def _call(
    svc: Services, uow: UnitOfWork, staff: Staff, w: Window, state: WindowState, t: Ticket, action: str
) -> dict[str, Any]:
    called = tk.call(t, w.id, uow.now)
    tickets_repo.save(uow.conn, called)
    tickets_repo.record_call(uow.conn, called, staff.id)
    record.ticket_changed(svc, uow, t, called, staff.id)
    windows_repo.save(uow.conn, replace(state, current_ticket=called.id))
    uow.audit(action, called.number, ticket=called.id, window=w.id)
    changes = Changes(svc, uow, staff)
    changes.ticket("ticket.called", called, window=w.id, window_name=w.name, window_number=w.number, recall=False)
    changes.window(w.id)
    view = changes.emit()[called.id]
    svc.commit(uow)
    return view


def call_number(svc: Services, staff: Staff, window_id: str, number: str) -> dict[str, Any]:
    """特呼: call a given waiting number out of turn (a visitor who came back, a special case)."""
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        w = live_window(svc, uow, w)
        state = windows_repo.get(uow.conn, w.id, lock=True)
        win.require_staffed_by(state, staff)
        win.require_calling(state)
        t = tickets_repo.find_by_number(uow.conn, svc.today(uow.now), number.strip())
        if t is None:
            raise NotFound(f"no ticket {number!r} today")
        calling.require_may_serve(current_hall(svc, uow), w, t)
        if t.status is Status.WAITING and t.target_window not in (None, w.id):
            t = replace(t, target_window=None)
        if tickets_repo.claim(uow.conn, [t.id]) is None and t.status is Status.WAITING:
            raise tk.IllegalTransition(f"ticket {t.number} is being called at another window")
        return _call(svc, uow, staff, w, state, t, "ticket.call_number")


def _ticket_action(
    svc: Services,
    staff: Staff,
    window_id: str,
    action: str,
    change: Callable[[Ticket, Any], Ticket],
    *,
    releases: bool,
    event: str = "ticket.updated",
    on_change: Callable[[UnitOfWork, Ticket, Ticket], dict[str, Any]] | None = None,
    guard: Callable[[UnitOfWork], None] | None = None,
) -> dict[str, Any]:
    """`guard`: a check in the transaction, after the window's own, before the ticket changes."""
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        # The allocation's version, the window's state and its current ticket, both locked: one
        # round trip on PostgreSQL (server/db/batch.py).
        versions, state_rows, current_rows = batch.read_all(uow.conn, [
            allocated.versions_query(uow), windows_repo.state_query(uow.conn, w.id, lock=True),
            window_calls_repo.current_of_window_query(uow.conn, w.id)])
        w = allocated.current(svc, uow, allocated.to_versions(versions)).hall.window(w.id) or w
        state = windows_repo.to_state(state_rows, w.id)
        win.require_staffed_by(state, staff)
        if guard is not None:
            guard(uow)
        before = _held_now(state, [tickets_repo.to_ticket(r) for r in current_rows])
        after = change(before, uow.now)
        tickets_repo.save(uow.conn, after)
        record.ticket_changed(svc, uow, before, after)
        if releases:
            windows_repo.save(uow.conn, replace(state, current_ticket=None))
        extra = on_change(uow, before, after) if on_change else {}
        uow.audit(action, after.number, ticket=after.id, window=w.id, **_moved(before, after),
                  **{k: v for k, v in extra.items() if k != "view"})
        changes = Changes(svc, uow, staff)
        if event == "ticket.called":
            changes.ticket(event, after, window=w.id, window_name=w.name, window_number=w.number, recall=True)
        else:
            # Rooms of the window it left, so that window's screen clears too.
            changes.ticket(event, replace(after, window=after.window or before.window))
        changes.window(w.id)
        if after.queue != before.queue:
            changes.queue(before.queue)
        view = changes.emit()[after.id]
        svc.commit(uow)
        return {"ticket": view, **extra.get("view", {})}


def _moved(before: Ticket, after: Ticket) -> dict[str, str]:
    """Where a transfer sent the visitor, for the audit log: a trail that says only "window 1"
    cannot answer a visitor asking where they were sent."""
    out = {"queue_before": before.queue, "queue_after": after.queue} if after.queue != before.queue else {}
    if after.target_window and after.target_window != before.target_window:
        out["to_window"] = after.target_window
    return out


def recall(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    return _ticket_action(svc, staff, window_id, "ticket.recall", tk.recall, releases=False, event="ticket.called")


def start(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    return _ticket_action(svc, staff, window_id, "ticket.start", tk.start, releases=False)


def no_show(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    def counted(uow: UnitOfWork, before: Ticket, after: Ticket) -> dict[str, Any]:
        queue_stats_repo.bump_stats(uow.conn, after.queue, after.day, no_show=1)
        return {}

    return _ticket_action(svc, staff, window_id, "ticket.no_show", tk.no_show, releases=True, on_change=counted)


def finish(
    svc: Services,
    staff: Staff,
    window_id: str,
    outcome: tk.Outcome | None = None,
    on_finish: Callable[[UnitOfWork, Ticket], dict[str, Any]] | None = None,
    item: str | None = None,
) -> dict[str, Any]:
    """`on_finish` runs in the same transaction (the acceptance flow opens its case there, and
    refuses an `item` the window does not serve)."""

    def measured(uow: UnitOfWork, before: Ticket, after: Ticket) -> dict[str, Any]:
        began = before.called_at or after.finished_at
        seconds = max(0.0, (after.finished_at - began).total_seconds()) if began and after.finished_at else 0.0
        queue_stats_repo.bump_stats(uow.conn, after.queue, after.day, served=1, service_s=seconds)
        extra = on_finish(uow, after) if on_finish else {}
        request_rating(svc, uow, window_id, after, staff)  # 好差评: the window's pad asks the visitor
        return extra

    return _ticket_action(
        svc, staff, window_id, "ticket.finish", lambda t, now: tk.finish(t, now, outcome, item), releases=True,
        on_change=measured,
    )


def transfer(
    svc: Services, staff: Staff, window_id: str, *, queue: str | None, to_window: str | None, note: str
) -> dict[str, Any]:
    if queue is None and to_window is None:
        raise Invalid('give "queue" or "window" to transfer to')
    target = window_of(svc, to_window) if to_window is not None else None
    if queue is not None and svc.hall.queue(queue) is None:
        raise NotFound(f"unknown queue {queue!r}")
    live: Window | None = None

    def receiving(uow: UnitOfWork) -> None:
        nonlocal live
        if target is None:
            return
        live = live_window(svc, uow, target)  # the queues it serves now
        if queue is not None:
            win.transfer_queue(live, queue, queue)
        receiving_window(uow, live)

    def moved(t: Ticket, now: datetime) -> Ticket:
        to = win.transfer_queue(live, t.queue, queue) if live is not None else queue or t.queue
        return tk.transfer(t, to, now, window=to_window, note=note)

    return _ticket_action(svc, staff, window_id, "ticket.transfer", moved, releases=True, guard=receiving)


def receiving_window(uow: UnitOfWork, w: Window) -> None:
    """Sent to one window, the visitor waits for that window alone: someone must hold it. Read
    without a lock (two windows sending to each other must not deadlock); a close that races the
    commit is caught by `sign_off_absent`'s sweep."""
    win.require_receiving(windows_repo.get(uow.conn, w.id), w)


def suspend(svc: Services, staff: Staff, window_id: str, note: str) -> dict[str, Any]:
    return _ticket_action(
        svc, staff, window_id, "ticket.suspend", lambda t, now: tk.suspend(t, now, note), releases=True
    )


def resume_ticket(svc: Services, staff: Staff, window_id: str, number: str) -> dict[str, Any]:
    """A suspended visitor is back: waiting again, first in line at this window (the one that
    suspended them, or another window of their queue when that one has closed since)."""
    w = window_of(svc, window_id)
    with svc.write(actor_of(staff)) as uow:
        w = live_window(svc, uow, w)
        state = windows_repo.get(uow.conn, w.id, lock=True)
        win.require_staffed_by(state, staff)
        t = tickets_repo.find_by_number(uow.conn, svc.today(uow.now), number.strip())
        if t is None:
            raise NotFound(f"no ticket {number!r} today")
        calling.require_may_serve(current_hall(svc, uow), w, t)
        # The visitor is back at this window: its staff calls them first.
        back = tk.resume(t, uow.now, window=w.id)
        tickets_repo.save(uow.conn, back)
        uow.audit("ticket.resume", back.number, ticket=back.id, window=w.id)
        changes = Changes(svc, uow)
        changes.ticket("ticket.updated", back)
        view = changes.emit()[back.id]
        svc.commit(uow)
        return {"ticket": view}


def window_today(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    """Today's tally of a window, from the database: what its console shows whoever sits there."""
    w = window_of(svc, window_id)
    with svc.read() as uow:
        state = windows_repo.get(uow.conn, w.id)
        if state.staff_id != staff.id and not win.may_oversee(w, staff):
            raise Forbidden(f"{staff.username} is neither at {w.name} nor overseeing it")
        day = svc.today(uow.now)
        outcomes, no_shows, suspended = tickets_repo.window_day(uow.conn, w.id, day)
        hall = current_hall(svc, uow)
        load = HallLoad.read(uow.conn, hall, day, uow.now)
        return {
            "window": w.id,
            "day": day.isoformat(),
            "finished": sum(outcomes.values()),
            "outcomes": outcomes,
            "no_show": no_shows,
            "suspended": [ticket_view(uow.conn, hall, t, load) for t in suspended],
        }
