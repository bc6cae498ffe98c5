"""Which queues each window serves, changed live, audited and undoable (articles 24, 26).

The hall file seeds the allocation (`initial_state`); from then on the managers own it. Every
change is first built and checked here as a `Change` (who, when, why, before, after), then
applied (`apply`) by the caller in the same transaction that stores the change, so the audit and
the state cannot disagree. `hall_with` gives the `Hall` as allocated now, so calling, estimates
and the article 26 checks follow a change without knowing that allocations move.

Who may change what: managers (and admins) any window; a chief representative (首席代表) the
department's windows and the proxy windows, and there only the department's own queues; window
staff never. A change that would leave a queue with waiting visitors and no window serving it is
refused unless forced, and a forced one names the queues so the caller raises the alert.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .errors import DomainError, Forbidden, Invalid, NotFound
from .hall import Hall, ServedQueue, Window, WindowKind
from .tickets import Status, Ticket
from .windows import Role, Staff

WindowQueues = tuple[ServedQueue, ...]
MAX_WEIGHT = 100
MAX_REASON = 500


class QueueLeftUnserved(DomainError):
    """That change would leave a queue with waiting visitors and no window serving it (article 26)."""

    kind = "conflict"
    code = "queue_left_unserved"
    zh = "该调整将使有群众等候的队列无窗口办理"


class NothingToUndo(DomainError):
    """There is no allocation change to undo."""

    kind = "conflict"
    code = "nothing_to_undo"
    zh = "没有可以撤销的调整"


class ChangeKind(StrEnum):
    WINDOW_QUEUES = "window_queues"  # before/after: the window's (queue, weight) list
    ITEM_QUEUE = "item_queue"  # before/after: the queue code the item routes to
    RESERVE = "reserve"  # before/after: whether the reserve window is open


@dataclass(frozen=True)
class AllocationState:
    windows: Mapping[str, WindowQueues]
    items: Mapping[str, str]
    reserves_open: frozenset[str] = frozenset()

    def value(self, kind: ChangeKind, subject: str) -> WindowQueues | str | bool:
        if kind is ChangeKind.WINDOW_QUEUES:
            return self.windows[subject]
        if kind is ChangeKind.ITEM_QUEUE:
            return self.items[subject]
        return subject in self.reserves_open


@dataclass(frozen=True)
class Change:
    """One audited allocation change; `id` is given by the store, in order."""

    kind: ChangeKind
    subject: str
    before: WindowQueues | str | bool
    after: WindowQueues | str | bool
    at: datetime
    actor: str  # a username, or "rule:NAME" for an automatic overflow rule
    reason: str
    actor_id: int | None = None
    departments: frozenset[str] = frozenset()
    forced: bool = False
    stranded: tuple[str, ...] = ()
    undoes: int | None = None
    id: int | None = None

    def visible_to(self, staff: Staff) -> bool:
        if staff.role in (Role.MANAGER, Role.ADMIN):
            return True
        return staff.role is Role.CHIEF and staff.department in self.departments

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "subject": self.subject,
            "before": _json_value(self.before),
            "after": _json_value(self.after),
            "at": self.at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "departments": sorted(self.departments),
            "forced": self.forced,
            "stranded": list(self.stranded),
            "undoes": self.undoes,
        }


def _json_value(value: WindowQueues | str | bool) -> object:
    if isinstance(value, tuple):
        return queues_json(value)
    return value


def queues_json(queues: Iterable[ServedQueue]) -> list[dict[str, object]]:
    return [{"queue": sq.queue, "weight": sq.weight} for sq in queues]


# --- the state and the hall it gives -----------------------------------------------------------


def initial_state(hall: Hall) -> AllocationState:
    """What the hall file says; reserve windows start closed."""
    return AllocationState(
        windows={w.id: w.queues for w in hall.windows},
        items={i.code: i.queue for i in hall.items},
    )


def hall_with(hall: Hall, state: AllocationState) -> Hall:
    """The hall as allocated now: every rule of the core that reads `Window.queues` or
    `Item.queue` then follows the live allocation."""
    windows = tuple(replace(w, queues=state.windows.get(w.id, w.queues)) for w in hall.windows)
    items = tuple(replace(i, queue=state.items.get(i.code, i.queue)) for i in hall.items)
    return replace(hall, windows=windows, items=items)


def in_service(hall: Hall, state: AllocationState) -> tuple[Window, ...]:
    """Windows that may be staffed now: all but the reserve windows not opened."""
    return tuple(w for w in hall.windows if not w.reserve or w.id in state.reserves_open)


def apply(state: AllocationState, change: Change) -> AllocationState:
    if change.kind is ChangeKind.WINDOW_QUEUES:
        assert isinstance(change.after, tuple)
        return replace(state, windows={**state.windows, change.subject: change.after})
    if change.kind is ChangeKind.ITEM_QUEUE:
        assert isinstance(change.after, str)
        return replace(state, items={**state.items, change.subject: change.after})
    opened = state.reserves_open | {change.subject} if change.after else state.reserves_open - {change.subject}
    return replace(state, reserves_open=frozenset(opened))


# --- checking a request ---------------------------------------------------------------------------


def parse_queues(hall: Hall, raw: object) -> WindowQueues:
    """The body's `queues`: a non-empty list of {"queue": CODE, "weight": N ≥ 1}, each queue once."""
    if not isinstance(raw, list) or not raw:
        raise Invalid("queues must be a non-empty list of {queue, weight}",
                      zh="须至少指定一个队列及其权重")
    out: list[ServedQueue] = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("queue"), str):
            raise Invalid(f"each entry of queues is {{queue, weight}}, not {entry!r}",
                          zh="每个队列须写明队列代码和权重")
        code, weight = entry["queue"], entry.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
            raise Invalid(f"weight of queue {code} must be a whole number from 1 to {MAX_WEIGHT}, not {weight!r}",
                          zh=f"队列{code}的权重须为1至{MAX_WEIGHT}的整数")
        if hall.queue(code) is None:
            raise NotFound(f"no queue {code}", zh=f"没有队列{code}", queue=code)
        if any(sq.queue == code for sq in out):
            raise Invalid(f"queue {code} is listed twice", zh=f"队列{code}重复")
        out.append(ServedQueue(code, weight))
    return tuple(out)


def require_reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid("a reason is required for every allocation change", zh="调整须填写原因")
    return reason.strip()[:MAX_REASON]


def _window(hall: Hall, window_id: str) -> Window:
    window = hall.window(window_id)
    if window is None:
        raise NotFound(f"no window {window_id}", zh=f"没有{window_id}号窗口", window=window_id)
    return window


def require_may_allocate(hall: Hall, staff: Staff, window: Window, before: WindowQueues, after: WindowQueues) -> None:
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return
    if staff.role is not Role.CHIEF or staff.department is None:
        raise Forbidden(f"{staff.username} may not change which queues windows serve",
                        zh="窗口工作人员不能调整窗口办理的队列")
    if window.kind is not WindowKind.PROXY and window.department != staff.department:
        raise Forbidden(f"{window.name_en} is not a window of {staff.department}",
                        zh=f"{window.name}不属于本部门，不能调整")
    touched = set(before) ^ set(after)  # queues added, removed or re-weighted
    foreign = sorted({sq.queue for sq in touched if (q := hall.queue(sq.queue)) and q.department != staff.department})
    if foreign:
        raise Forbidden(f"queue {foreign[0]} is not of {staff.department}; ask a hall manager",
                        zh=f"队列{foreign[0]}不属于本部门，请由大厅主任调整")


def require_manager(staff: Staff, action: str, zh_action: str) -> None:
    if staff.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden(f"only hall managers may {action}", zh=f"只有大厅主任可以{zh_action}")


def stranded_by(
    before: Mapping[str, Sequence[ServedQueue]],
    after: Mapping[str, Sequence[ServedQueue]],
    waiting: Mapping[str, int],
    held: Collection[str] | None = None,
) -> tuple[str, ...]:
    """Queues with someone waiting that some held window served before and none serves after.

    `held`: the windows somebody holds (open or paused); None counts every window. A queue
    nobody served before is already unserved: this change does not leave it so."""

    def served(allocation: Mapping[str, Sequence[ServedQueue]]) -> set[str]:
        return {sq.queue for w, qs in allocation.items() if held is None or w in held for sq in qs}

    lost = served(before) - served(after)
    return tuple(sorted(q for q in lost if waiting.get(q, 0) > 0))


def _counting(hall: Hall, state: AllocationState, held: Collection[str] | None) -> set[str]:
    """The windows that count as serving: those held (all when unknown), less closed reserves."""
    ids = {w.id for w in in_service(hall, state)}
    return ids if held is None else ids & set(held)


def _require_not_stranding(stranded: tuple[str, ...], force: bool) -> None:
    if stranded and not force:
        shown = "、".join(stranded)
        raise QueueLeftUnserved(
            f"queue {', '.join(stranded)} would have waiting visitors and no window; "
            'send "force": true to do it anyway (the article 26 alert is raised)',
            zh=f"队列{shown}仍有群众等候，调整后将无窗口办理；确需调整请确认强制执行",
            queues=list(stranded),
        )


def _departments(hall: Hall, window: Window | None, *queue_lists: Iterable[str]) -> frozenset[str]:
    found = {window.department} if window and window.department else set()
    for codes in queue_lists:
        found |= {q.department for c in codes if (q := hall.queue(c))}
    return frozenset(found)


# --- building changes ---------------------------------------------------------------------------------


def change_window(
    hall: Hall, state: AllocationState, staff: Staff, window_id: str, raw_queues: object, reason: object,
    now: datetime, *, waiting: Mapping[str, int], held: Collection[str] | None = None, force: bool = False,
    actor: str | None = None,
) -> Change:
    """`PUT /api/v1/windows/{id}/queues`, checked: the change to store and apply."""
    window = _window(hall, window_id)
    why = require_reason(reason)
    after = parse_queues(hall, raw_queues)
    before = state.windows[window.id]
    require_may_allocate(hall, staff, window, before, after)
    stranded = stranded_by(state.windows, {**state.windows, window.id: after}, waiting, _counting(hall, state, held))
    _require_not_stranding(stranded, force)
    return Change(
        ChangeKind.WINDOW_QUEUES, window.id, before, after, now, actor or staff.username, why, staff.id,
        _departments(hall, window, (sq.queue for sq in before), (sq.queue for sq in after)),
        forced=bool(stranded), stranded=stranded,
    )


def move_item(
    hall: Hall, state: AllocationState, staff: Staff, item_code: str, queue: object, reason: object,
    now: datetime, *, waiting_of_item: int = 0, held: Collection[str] | None = None, force: bool = False,
) -> Change:
    """`PUT /api/v1/items/{code}/queue`: the item routes to `queue` from now on (article 24)."""
    require_manager(staff, "move a service item to another queue", "调整事项所属队列")
    item = hall.item(item_code)
    if item is None:
        raise NotFound(f"no item {item_code}", zh=f"没有事项{item_code}", item=item_code)
    why = require_reason(reason)
    if not isinstance(queue, str) or hall.queue(queue) is None:
        raise NotFound(f"no queue {queue}", zh=f"没有队列{queue}", queue=str(queue))
    before = state.items[item.code]
    if queue == before:
        raise Invalid(f"item {item.code} already routes to queue {queue}", zh=f"事项{item.code}已属队列{queue}")
    counting = _counting(hall, state, held)
    served = {sq.queue for w, qs in state.windows.items() if w in counting for sq in qs}
    stranded = (queue,) if waiting_of_item > 0 and queue not in served else ()
    _require_not_stranding(stranded, force)
    return Change(
        ChangeKind.ITEM_QUEUE, item.code, before, queue, now, staff.username, why, staff.id,
        _departments(hall, None, (before, queue)) | {item.department}, forced=bool(stranded), stranded=stranded,
    )


def set_reserve(
    hall: Hall, state: AllocationState, staff: Staff, window_id: str, open_: bool, reason: object,
    now: datetime, *, waiting: Mapping[str, int] | None = None, held: Collection[str] | None = None,
    force: bool = False,
) -> Change:
    """A manager opens a reserve window at a peak, or closes it again."""
    require_manager(staff, "open or close reserve windows", "启用或停用备用窗口")
    window = _window(hall, window_id)
    if not window.reserve:
        raise Invalid(f"{window.name_en} is not a reserve window", zh=f"{window.name}不是备用窗口")
    why = require_reason(reason)
    before = window.id in state.reserves_open
    if before == open_:
        raise Invalid(f"{window.name_en} is already {'open' if open_ else 'closed'}",
                      zh=f"{window.name}已{'启用' if open_ else '停用'}")
    stranded: tuple[str, ...] = ()
    if not open_:
        rest = {w: qs for w, qs in state.windows.items() if w != window.id}
        stranded = stranded_by(state.windows, rest, waiting or {}, _counting(hall, state, held))
        _require_not_stranding(stranded, force)
    return Change(
        ChangeKind.RESERVE, window.id, before, open_, now, staff.username, why, staff.id,
        _departments(hall, window, (sq.queue for sq in state.windows[window.id])),
        forced=bool(stranded), stranded=stranded,
    )


def moved_window(
    allocation: Mapping[str, WindowQueues], window_id: str, from_queue: str, to_queue: str
) -> dict[str, WindowQueues]:
    """The allocation with `window_id` serving `to_queue` in place of `from_queue`, at its weight
    (added to `to_queue`'s if the window already serves it): the what-if "move window 12 from
    queue B to queue F"."""
    queues = allocation.get(window_id)
    if queues is None:
        raise NotFound(f"no window {window_id}", zh=f"没有{window_id}号窗口", window=window_id)
    weight = next((sq.weight for sq in queues if sq.queue == from_queue), None)
    if weight is None:
        raise Invalid(f"window {window_id} does not serve queue {from_queue}",
                      zh=f"{window_id}号窗口未办理队列{from_queue}")
    kept = [sq for sq in queues if sq.queue not in (from_queue, to_queue)]
    weight += next((sq.weight for sq in queues if sq.queue == to_queue), 0)
    return {**allocation, window_id: (*kept, ServedQueue(to_queue, min(weight, MAX_WEIGHT)))}


# --- undo -----------------------------------------------------------------------------------------------


def latest_undoable(history: Sequence[Change]) -> Change | None:
    """The latest change not undone yet, undos themselves excepted: undo steps back one change at
    a time (undo, undo: the last two changes are gone), never redoes."""
    undone = {c.undoes for c in history if c.undoes is not None}
    for change in reversed(history):
        if change.undoes is None and change.id not in undone:
            return change
    return None


def undo(
    hall: Hall, state: AllocationState, history: Sequence[Change], staff: Staff, now: datetime,
    reason: str = "", *, waiting: Mapping[str, int] | None = None, held: Collection[str] | None = None,
    force: bool = False,
) -> Change:
    """`POST /api/v1/allocation/undo`: the change restoring what was before the latest one."""
    require_manager(staff, "undo allocation changes", "撤销调整")
    target = latest_undoable(history)
    if target is None:
        raise NothingToUndo("there is no allocation change to undo")
    current = state.value(target.kind, target.subject)
    stranded: tuple[str, ...] = ()
    if target.kind is ChangeKind.WINDOW_QUEUES:
        assert isinstance(target.before, tuple)
        after = {**state.windows, target.subject: target.before}
        stranded = stranded_by(state.windows, after, waiting or {}, _counting(hall, state, held))
    elif target.kind is ChangeKind.RESERVE and target.before is False:
        rest = {w: qs for w, qs in state.windows.items() if w != target.subject}
        stranded = stranded_by(state.windows, rest, waiting or {}, _counting(hall, state, held))
    _require_not_stranding(stranded, force)
    why = reason.strip() if isinstance(reason, str) else ""
    why = why or f"撤销第{target.id}号调整 / undo change {target.id}"
    return Change(
        target.kind, target.subject, current, target.before, now, staff.username, why[:MAX_REASON], staff.id,
        target.departments, forced=bool(stranded), stranded=stranded, undoes=target.id,
    )


# --- moving an item's tickets ------------------------------------------------------------------------------

_MOVING = frozenset({Status.WAITING, Status.SUSPENDED})


def move_item_tickets(tickets: Iterable[Ticket], item: str, queue: str) -> list[Ticket]:
    """The item's tickets still to be called (waiting, or suspended and coming back), now in
    `queue`: same number, same place (`rank_at`, the issue time kept through transfers), so they
    fall into the new queue among its own tickets by when they were issued. In calling order."""
    moved = [
        replace(t, queue=queue, origin_queue=t.origin_queue or t.queue)
        for t in tickets
        if t.item == item and t.status in _MOVING and t.queue != queue
    ]
    return sorted(moved, key=lambda t: t.waiting_key)


@dataclass(frozen=True)
class History:
    """The audit trail as the store hands it back, oldest first, with its filters."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    def since(self, at: datetime) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.at >= at)

    def visible_to(self, staff: Staff) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.visible_to(staff))
