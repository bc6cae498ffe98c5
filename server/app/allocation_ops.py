"""What managers and chief representatives change at runtime: which queues a window serves
(point 1), which queue a service item routes to (point 2, article 24), reserve windows opened at a
peak; every change audited and undoable (point 3). server.core.allocation decides; here each is
one transaction: lock, read the allocation in force, check, store, apply, emit.

Two managers at once (point 7): each change first takes the `allocation` counter's row (its id),
so the second waits for the first to commit and then reads the allocation the first left: it
gets a clear answer about that state, and the audit lists both in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.core import allocation as core
from server.core.allocation import AllocationState, Change, ChangeKind
from server.core.hall import Hall
from server.core.windows import Role, Staff, is_serving
from server.db import allocation_repo, tickets_repo
from server.db.uow import Actor, UnitOfWork

from .allocated import Allocated, current, install, state_json
from .changes import Changes
from .context import Services
from .views import HallLoad, iso


@dataclass(frozen=True)
class Checked:
    """What a change is checked against: the allocation in force, the waiting counts and the
    windows somebody holds, all read after the lock."""

    allocated: Allocated
    waiting: dict[str, int]
    held: list[str]
    load: HallLoad


# Who an automatic overflow rule acts as: the hall itself, with a manager's reach.
RULES = Staff(id=0, username="rules", role=Role.MANAGER, display_name="跨窗通办规则")


def _actor(staff: Staff, name: str | None) -> Actor:
    if staff is RULES:
        return Actor("system", None, name or staff.username)
    return Actor("staff", staff.id, name or staff.username)


def change_json(hall: Hall, row: Any) -> dict[str, Any]:
    """CHANGE as the API shows it (docs/api.md)."""
    out: dict[str, Any] = {
        "id": row.id, "at": iso(hall, row.at), "actor": {"name": row.actor_name, "role": row.actor_role},
        "kind": row.kind, "reason": row.reason, "before": row.before, "after": row.after,
        "forced": bool(row.forced), "stranded": list(row.stranded),
    }
    if row.window is not None:
        out["window"] = row.window
    if row.item is not None:
        out["item"] = row.item
    if row.undoes is not None:
        out["undoes"] = row.undoes
    return out


def _value_json(value: object) -> object:
    return core.queues_json(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class _Row:
    """A stored change as `change_json` reads it, before it is read back."""

    id: int
    at: datetime
    actor_name: str
    actor_role: str
    kind: str
    reason: str
    window: str | None
    item: str | None
    before: object
    after: object
    forced: bool
    stranded: list[str]
    undoes: int | None


def _run(
    svc: Services, staff: Staff, build: Callable[[Checked, UnitOfWork], Change], *, actor: str | None = None,
    moving: Callable[[UnitOfWork, Changes, Change], int] | None = None,
) -> tuple[dict[str, Any], AllocationState, Hall, int]:
    """One change in one transaction; returns (CHANGE, the new state, the new hall, tickets moved)."""
    with svc.write(_actor(staff, actor)) as uow:
        change_id = allocation_repo.lock_next_id(uow.conn)  # waits for a concurrent change to commit
        allocated = current(svc, uow)
        load = HallLoad.read(uow.conn, allocated.hall, svc.today(uow.now), uow.now)
        held = [w for w, s in load.states.items() if is_serving(s)]
        change = build(Checked(allocated, load.waiting_counts(), held, load), uow)
        state = core.apply(allocated.state, change)
        kind = change.kind
        row = _Row(
            change_id, uow.now, actor or staff.username, staff.role.value, kind.value, change.reason,
            change.subject if kind is not ChangeKind.ITEM_QUEUE else None,
            change.subject if kind is ChangeKind.ITEM_QUEUE else None,
            _value_json(change.before), _value_json(change.after), change.forced, list(change.stranded), change.undoes,
        )
        allocation_repo.add(uow.conn, {
            **row.__dict__, "actor_id": staff.id, "state": state_json(state),
            "departments": sorted(change.departments),
        })
        made = install(svc, uow, change_id, state)
        cj = change_json(made.hall, row)
        uow.audit("allocation.change", change.subject, change=cj)
        changes = Changes(svc, uow, staff)
        moved = moving(uow, changes, change) if moving else 0
        _touch(changes, allocated.hall, made.hall, change)
        changes.emit()
        uow.emit("allocation.changed", ["hall"], {"change": cj})
        svc.commit(uow)
    svc.allocation_cache["current"] = made
    return cj, state, made.hall, moved


def _touch(changes: Changes, before: Hall, after: Hall, change: Change) -> None:
    """The windows and queues whose views the change alters."""
    if change.kind is ChangeKind.ITEM_QUEUE:
        for q in (change.before, change.after):
            changes.queue(str(q))
        return
    changes.window(change.subject)
    for hall in (before, after):
        w = hall.window(change.subject)
        for sq in w.queues if w else ():
            changes.queue(sq.queue)


def _window_answer(hall: Hall, window_id: str) -> dict[str, Any]:
    w = hall.window(window_id)
    return {"window": window_id, "queues": core.queues_json(w.queues if w else ())}


def window_queues(svc: Services, staff: Staff, window_id: str) -> dict[str, Any]:
    """GET /api/v1/windows/{id}/queues: what the window serves now."""
    with svc.read() as uow:
        hall = current(svc, uow).hall
    if hall.window(window_id) is None:
        raise core.NotFound(f"no window {window_id}", zh=f"没有{window_id}号窗口", window=window_id)
    return _window_answer(hall, window_id)


def set_window_queues(
    svc: Services, staff: Staff, window_id: str, queues: object, reason: object, force: bool = False,
    *, actor: str | None = None,
) -> dict[str, Any]:
    """PUT /api/v1/windows/{id}/queues; also what a recommendation or an overflow rule applies
    (`actor` "rule:NAME" for an automatic one)."""

    def build(c: Checked, uow: UnitOfWork) -> Change:
        return core.change_window(svc.hall, c.allocated.state, staff, window_id, queues, reason, uow.now,
                                  waiting=c.waiting, held=c.held, force=force, actor=actor)

    cj, _, hall, _ = _run(svc, staff, build, actor=actor)
    return {**_window_answer(hall, window_id), "change": cj}


def move_item_queue(svc: Services, staff: Staff, item_code: str, queue: object, reason: object,
                    force: bool = False) -> dict[str, Any]:
    """PUT /api/v1/items/{code}/queue: the item routes to `queue`; its tickets still to be called
    move along keeping their number and their place (article 24)."""

    def build(c: Checked, uow: UnitOfWork) -> Change:
        of_item = tickets_repo.still_to_call_of_item(uow.conn, c.load.day, item_code)
        waiting = sum(1 for t in of_item if t.queue != queue)
        return core.move_item(svc.hall, c.allocated.state, staff, item_code, queue, reason, uow.now,
                              waiting_of_item=waiting, held=c.held, force=force)

    cj, _, _, moved = _run(svc, staff, build, moving=_move_tickets)
    return {"item": item_code, "queue": queue, "moved": moved, "change": cj}


def _move_tickets(uow: UnitOfWork, changes: Changes, change: Change) -> int:
    """An item routed elsewhere (or back, by an undo) takes its tickets still to be called along:
    same number, same place by issue time."""
    if change.kind is not ChangeKind.ITEM_QUEUE:
        return 0
    day = changes.svc.today(uow.now)
    moved = core.move_item_tickets(tickets_repo.still_to_call_of_item(uow.conn, day, change.subject),
                                   change.subject, str(change.after))
    for t in moved:
        tickets_repo.save(uow.conn, t)
        changes.ticket("ticket.updated", t)
    changes.queue(str(change.before))  # the line it left changed too
    return len(moved)


def set_reserve_open(svc: Services, staff: Staff, window_id: str, open_: bool, reason: object,
                     force: bool = False) -> dict[str, Any]:
    """POST /api/v1/windows/{id}/reserve: a reserve window opened for service at a peak, or closed."""

    def build(c: Checked, uow: UnitOfWork) -> Change:
        return core.set_reserve(svc.hall, c.allocated.state, staff, window_id, open_, reason, uow.now,
                                waiting=c.waiting, held=c.held, force=force)

    cj, state, _, _ = _run(svc, staff, build)
    return {"window": window_id, "open": window_id in state.reserves_open, "change": cj}


def _history(rows: list[Any]) -> list[Change]:
    return [
        Change(ChangeKind(r.kind), r.window or r.item, _value(r.before), _value(r.after), r.at, r.actor_name,
               r.reason, r.actor_id, frozenset(r.departments), r.forced, tuple(r.stranded), r.undoes, r.id)
        for r in rows
    ]


def _value(raw: object) -> Any:
    if isinstance(raw, list):
        return tuple(core.ServedQueue(e["queue"], int(e["weight"])) for e in raw)
    return raw


def undo(svc: Services, staff: Staff, reason: str = "", force: bool = False) -> dict[str, Any]:
    """POST /api/v1/allocation/undo: the allocation as it was before the latest change not undone."""

    def build(c: Checked, uow: UnitOfWork) -> Change:
        history = _history(allocation_repo.history(uow.conn))
        return core.undo(svc.hall, c.allocated.state, history, staff, uow.now, reason,
                         waiting=c.waiting, held=c.held, force=force)

    cj, _, _, _ = _run(svc, staff, build, moving=_move_tickets)
    subject = cj.get("window") or cj.get("item")
    restored: dict[str, Any] = {"kind": cj["kind"], "value": cj["after"]}
    if "window" in cj:
        restored["window"] = subject
    else:
        restored["item"] = subject
    return {"change": cj, "restored": restored}


def allocation(svc: Services, staff: Staff) -> dict[str, Any]:
    """GET /api/v1/allocation: the whole allocation in force."""
    require_overseer(staff)
    with svc.read() as uow:
        made = current(svc, uow)
    body = state_json(made.state)
    return {"windows": body["windows"], "items": body["items"], "reserve_open": body["reserves_open"],
            "version": made.version}


def require_overseer(staff: Staff) -> None:
    if staff.role not in (Role.MANAGER, Role.ADMIN, Role.CHIEF):
        raise core.Forbidden(f"{staff.username} may not see the allocation audit",
                             zh="只有大厅主任和首席代表可以查看调整记录")


def audit(svc: Services, staff: Staff, since: datetime | None = None) -> dict[str, Any]:
    """GET /api/v1/audit: changes at or after `since`, oldest first; a chief sees the department's."""
    require_overseer(staff)
    with svc.read() as uow:
        rows = allocation_repo.history(uow.conn, since)
    visible = [r for r, c in zip(rows, _history(rows), strict=True) if c.visible_to(staff)]
    return {"changes": [change_json(svc.hall, r) for r in visible]}
