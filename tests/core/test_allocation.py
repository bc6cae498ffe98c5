"""Windows moved between queues at runtime: who may, what is refused, the article 26 guard,
the audit record, undo restoring exactly, and an item's tickets moving without losing their place."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.allocation import (
    AllocationState,
    Change,
    ChangeKind,
    History,
    NothingToUndo,
    QueueLeftUnserved,
    apply,
    change_window,
    hall_with,
    in_service,
    initial_state,
    latest_undoable,
    move_item,
    move_item_tickets,
    moved_window,
    set_reserve,
    undo,
)
from server.core.calling import choose_next
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.hall import ServedQueue
from server.core.tickets import Priority, Status, Ticket
from server.core.windows import Role, Staff

from .halls import T0, make_hall, minutes, proxy_window, queue, ticket, window

HALL = make_hall(
    [queue("A"), queue("B"), queue("C", department="D2")],
    [
        window("1", "A", number=1),
        window("2", "A", ("B", 2), number=2),
        window("3", "C", department="D2", number=3),
        proxy_window("9", "B", "C", number=9),
        replace(window("8", "A", "B", number=8), reserve=True),
    ],
)
MANAGER = Staff(1, "zhuren", Role.MANAGER)
CHIEF_D1 = Staff(2, "shouxi1", Role.CHIEF, "D1")
CHIEF_D2 = Staff(3, "shouxi2", Role.CHIEF, "D2")
CLERK = Staff(4, "chuangkou", Role.WINDOW, "D1")
NOBODY_WAITING: dict[str, int] = {}


def change(staff: Staff, window_id: str, queues: object, *, state: AllocationState | None = None,
           waiting: dict[str, int] | None = None, force: bool = False, reason: object = "高峰调配") -> Change:
    return change_window(HALL, state or initial_state(HALL), staff, window_id, queues, reason, T0,
                         waiting=waiting or NOBODY_WAITING, force=force)


def body(*pairs: tuple[str, int]) -> list[dict[str, object]]:
    return [{"queue": q, "weight": w} for q, w in pairs]


# --- the change and what the hall then does --------------------------------------------------------


def test_a_manager_moves_a_window_and_the_next_call_there_follows_it():
    state = initial_state(HALL)
    waiting = [ticket("A", 1), ticket("C", 1, issued_at=T0 + minutes(5))]
    hall = hall_with(HALL, state)
    assert choose_next(hall.window("1"), waiting, [], T0 + minutes(10), timedelta(minutes=90)).queue == "A"
    c = change(MANAGER, "1", body(("C", 1)))
    assert (c.kind, c.subject, c.before, c.after) == (
        ChangeKind.WINDOW_QUEUES, "1", (ServedQueue("A", 1),), (ServedQueue("C", 1),))
    hall = hall_with(HALL, apply(state, c))
    assert choose_next(hall.window("1"), waiting, [], T0 + minutes(10), timedelta(minutes=90)).queue == "C"
    assert [w.id for w in hall.windows_serving("C")] == ["1", "3", "9"]


def test_the_audit_record_says_who_when_why_before_and_after():
    c = change(MANAGER, "2", body(("A", 3), ("B", 1)), reason="  B队列减少  ")
    record = c.to_json()
    assert record["actor"] == "zhuren" and record["at"] == T0.isoformat() and record["reason"] == "B队列减少"
    assert record["before"] == [{"queue": "A", "weight": 1}, {"queue": "B", "weight": 2}]
    assert record["after"] == [{"queue": "A", "weight": 3}, {"queue": "B", "weight": 1}]
    assert record["kind"] == "window_queues" and record["subject"] == "2" and record["forced"] is False
    assert record["departments"] == ["D1"]


# --- permissions --------------------------------------------------------------------------------------


def test_a_chief_changes_the_departments_windows_only():
    assert change(CHIEF_D1, "1", body(("A", 1), ("B", 1))).actor == "shouxi1"
    with pytest.raises(Forbidden) as info:
        change(CHIEF_D1, "3", body(("C", 2)))
    assert "不属于本部门" in info.value.message_zh


def test_a_chief_changes_only_the_departments_queues_at_a_proxy_window():
    assert change(CHIEF_D1, "9", body(("B", 3), ("C", 1))).after == (ServedQueue("B", 3), ServedQueue("C", 1))
    with pytest.raises(Forbidden) as info:
        change(CHIEF_D1, "9", body(("B", 1)))  # would take D2's queue C off the proxy window
    assert "队列C不属于本部门" in info.value.message_zh
    with pytest.raises(Forbidden):
        change(CHIEF_D1, "1", body(("A", 1), ("C", 1)))  # nor put D2's queue on a D1 window


def test_window_staff_never_change_allocations():
    with pytest.raises(Forbidden) as info:
        change(CLERK, "1", body(("A", 2)))
    assert info.value.kind == "forbidden" and info.value.message_zh


def test_only_managers_move_items_open_reserves_and_undo():
    state = initial_state(HALL)
    with pytest.raises(Forbidden):
        move_item(HALL, state, CHIEF_D1, "A-001", "B", "合并", T0)
    with pytest.raises(Forbidden):
        set_reserve(HALL, state, CHIEF_D1, "8", True, "高峰", T0)
    history = [replace(change(MANAGER, "1", body(("B", 1))), id=1)]
    with pytest.raises(Forbidden):
        undo(HALL, state, history, CHIEF_D1, T0)


def test_chiefs_see_the_audit_of_their_department():
    c = change(MANAGER, "9", body(("B", 1)), waiting={})
    assert c.departments == {"D1", "D2"}  # C left the proxy window: D2 is concerned too
    assert c.visible_to(CHIEF_D1) and c.visible_to(CHIEF_D2) and c.visible_to(MANAGER)
    c3 = change(MANAGER, "3", body(("C", 2)))
    assert not c3.visible_to(CHIEF_D1) and not c3.visible_to(CLERK)


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("queues", "error", "zh"),
    [
        ([], Invalid, "至少"),
        ("A", Invalid, "至少"),
        (body(("A", 0)), Invalid, "权重"),
        ([{"queue": "A", "weight": True}], Invalid, "权重"),
        ([{"queue": "A", "weight": 1.5}], Invalid, "权重"),
        (body(("A", 101)), Invalid, "权重"),
        ([{"weight": 1}], Invalid, "队列代码"),
        (body(("A", 1), ("A", 2)), Invalid, "重复"),
        (body(("Z", 1)), NotFound, "没有队列Z"),
    ],
)
def test_bad_allocations_are_refused_in_chinese(queues: object, error: type[Exception], zh: str):
    with pytest.raises(error) as info:
        change(MANAGER, "1", queues)
    assert zh in info.value.message_zh  # type: ignore[attr-defined]


def test_a_weight_may_be_left_out_and_counts_one():
    assert change(MANAGER, "1", [{"queue": "B"}]).after == (ServedQueue("B", 1),)


def test_unknown_window_and_missing_reason():
    with pytest.raises(NotFound):
        change(MANAGER, "77", body(("A", 1)))
    for reason in ("", "   ", None):
        with pytest.raises(Invalid) as info:
            change(MANAGER, "1", body(("A", 1)), reason=reason)
        assert "原因" in info.value.message_zh


# --- article 26 ----------------------------------------------------------------------------------------


def test_leaving_a_waiting_queue_without_a_window_needs_force():
    state = apply(initial_state(HALL), change(MANAGER, "1", body(("B", 1))))
    with pytest.raises(QueueLeftUnserved) as info:
        change(MANAGER, "2", body(("B", 1)), state=state, waiting={"A": 3})
    assert info.value.kind == "conflict" and info.value.details["queues"] == ["A"]
    forced = change(MANAGER, "2", body(("B", 1)), state=state, waiting={"A": 3}, force=True)
    assert forced.forced and forced.stranded == ("A",)
    # Nobody waiting in A: no guard needed.
    assert not change(MANAGER, "2", body(("B", 1)), state=state, waiting={"B": 5}).forced


def test_only_held_windows_count_as_serving():
    # Window 2 is closed: taking A off window 1 leaves A unserved although window 2 lists it.
    state = initial_state(HALL)
    with pytest.raises(QueueLeftUnserved):
        change_window(HALL, state, MANAGER, "1", body(("B", 1)), "r", T0, waiting={"A": 1}, held={"1", "3"})
    # A queue no held window served before is not this change's doing.
    assert not change_window(HALL, state, MANAGER, "1", body(("B", 1)), "r", T0, waiting={"A": 1},
                             held={"3"}).forced


# --- undo ------------------------------------------------------------------------------------------------


def stored(history: list[Change], c: Change) -> Change:
    c = replace(c, id=len(history) + 1)
    history.append(c)
    return c


def test_undo_restores_the_state_before_the_latest_change_step_by_step():
    state0 = initial_state(HALL)
    history: list[Change] = []
    state1 = apply(state0, stored(history, change(MANAGER, "1", body(("B", 2)))))
    state2 = apply(state1, stored(history, change(MANAGER, "9", body(("C", 1)), state=state1)))
    u1 = undo(HALL, state2, history, MANAGER, T0 + minutes(1))
    assert (u1.undoes, u1.subject, u1.after) == (2, "9", (ServedQueue("B", 1), ServedQueue("C", 1)))
    assert "撤销" in u1.reason
    state3 = apply(state2, stored(history, u1))
    assert state3 == state1
    state4 = apply(state3, stored(history, undo(HALL, state3, history, MANAGER, T0 + minutes(2))))
    assert state4 == state0
    with pytest.raises(NothingToUndo) as info:
        undo(HALL, state4, history, MANAGER, T0 + minutes(3))
    assert info.value.kind == "conflict" and info.value.message_zh == "没有可以撤销的调整"


def test_nothing_to_undo_on_an_empty_history():
    assert latest_undoable([]) is None
    with pytest.raises(NothingToUndo):
        undo(HALL, initial_state(HALL), [], MANAGER, T0)


# A step: (kind, subject, value) with value drawn to be valid for the hall above.
STEP = st.one_of(
    st.tuples(
        st.just("window"), st.sampled_from(["1", "2", "3", "9", "8"]),
        st.lists(st.tuples(st.sampled_from("ABC"), st.integers(1, 5)), min_size=1, max_size=3,
                 unique_by=lambda p: p[0]),
    ),
    st.tuples(st.just("item"), st.sampled_from(["A-001", "B-001", "C-001"]), st.sampled_from("ABC")),
    st.tuples(st.just("reserve"), st.just("8"), st.booleans()),
)


def build(state: AllocationState, step: tuple[str, str, object]) -> Change | None:
    kind, subject, value = step
    try:
        if kind == "window":
            return change_window(HALL, state, MANAGER, subject, body(*value), "r", T0, waiting={})  # type: ignore[misc]
        if kind == "item":
            return move_item(HALL, state, MANAGER, subject, value, "r", T0)
        return set_reserve(HALL, state, MANAGER, subject, bool(value), "r", T0)
    except Invalid:  # already so: no change to record
        return None


@settings(max_examples=150, deadline=None)
@given(st.lists(STEP, max_size=12), st.integers(0, 12))
def test_undo_restores_exactly_whatever_the_changes(steps: list[tuple[str, str, object]], undos: int):
    history: list[Change] = []
    states = [initial_state(HALL)]
    for step in steps:
        c = build(states[-1], step)
        if c is not None:
            states.append(apply(states[-1], stored(history, c)))
    state = states[-1]
    for _ in range(min(undos, len(states) - 1)):
        state = apply(state, stored(history, undo(HALL, state, history, MANAGER, T0)))
        states.pop()
        assert state == states[-1]
    if len(states) == 1:
        with pytest.raises(NothingToUndo):
            undo(HALL, state, history, MANAGER, T0)


# --- reserve windows ------------------------------------------------------------------------------------


def test_reserve_windows_are_closed_until_a_manager_opens_one():
    state = initial_state(HALL)
    assert "8" not in {w.id for w in in_service(HALL, state)}
    opened = apply(state, set_reserve(HALL, state, MANAGER, "8", True, "上午高峰", T0))
    assert "8" in {w.id for w in in_service(HALL, opened)}
    with pytest.raises(Invalid):
        set_reserve(HALL, opened, MANAGER, "8", True, "again", T0)
    with pytest.raises(Invalid):
        set_reserve(HALL, state, MANAGER, "1", True, "not a reserve", T0)
    closed = apply(opened, set_reserve(HALL, opened, MANAGER, "8", False, "高峰已过", T0))
    assert closed == state


# --- what-if helper -----------------------------------------------------------------------------------------


def test_moved_window_swaps_one_queue_for_another_at_its_weight():
    allocation = initial_state(HALL).windows
    assert moved_window(allocation, "2", "B", "C")["2"] == (ServedQueue("A", 1), ServedQueue("C", 2))
    assert moved_window(allocation, "2", "B", "A")["2"] == (ServedQueue("A", 3),)
    with pytest.raises(Invalid):
        moved_window(allocation, "1", "B", "C")
    with pytest.raises(NotFound):
        moved_window(allocation, "77", "A", "C")


# --- moving a service item ------------------------------------------------------------------------------------


def test_moving_an_item_routes_it_and_is_audited():
    state = initial_state(HALL)
    c = move_item(HALL, state, MANAGER, "C-001", "B", "并入综合窗口", T0, waiting_of_item=2)
    assert (c.kind, c.before, c.after, c.departments) == (ChangeKind.ITEM_QUEUE, "C", "B", {"D1", "D2"})
    assert hall_with(HALL, apply(state, c)).item("C-001").queue == "B"
    with pytest.raises(NotFound):
        move_item(HALL, state, MANAGER, "Z-001", "B", "r", T0)
    with pytest.raises(NotFound):
        move_item(HALL, state, MANAGER, "C-001", "Z", "r", T0)
    with pytest.raises(Invalid):
        move_item(HALL, state, MANAGER, "C-001", "C", "r", T0)


def test_moving_an_item_with_waiting_tickets_to_an_unserved_queue_needs_force():
    state = initial_state(HALL)
    with pytest.raises(QueueLeftUnserved):
        move_item(HALL, state, MANAGER, "A-001", "C", "r", T0, waiting_of_item=4, held={"1", "2"})
    assert move_item(HALL, state, MANAGER, "A-001", "C", "r", T0, waiting_of_item=4, held={"1", "2"},
                     force=True).stranded == ("C",)


def test_moved_tickets_keep_their_number_and_place():
    a1, a2 = ticket("A", 1, issued_at=T0), ticket("A", 2, issued_at=T0 + minutes(10))
    b1 = ticket("B", 1, issued_at=T0 + minutes(5))
    done = replace(ticket("A", 3, issued_at=T0 + minutes(1)), status=Status.DONE)
    moved = move_item_tickets([a2, b1, a1, done], "A-001", "B")
    assert [(t.number, t.queue, t.rank_at, t.origin_queue) for t in moved] == [
        ("A001", "B", T0, "A"), ("A002", "B", T0 + minutes(10), "A")]
    # In B the moved tickets fall in by issue time among B's own: A001, B001, A002.
    queue_b = sorted([*moved, b1], key=lambda t: t.waiting_key)
    assert [t.number for t in queue_b] == ["A001", "B001", "A002"]
    hall = hall_with(HALL, initial_state(HALL))
    assert choose_next(hall.window("9"), queue_b, [], T0 + minutes(20), timedelta(minutes=90)).number == "A001"


ISSUED = st.lists(
    st.tuples(st.sampled_from("AB"), st.integers(0, 240), st.booleans(), st.sampled_from(list(Status))),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(ISSUED)
def test_moved_tickets_keep_their_relative_order(issued: list[tuple[str, int, bool, Status]]):
    tickets: list[Ticket] = []
    for n, (q, offset, green, status) in enumerate(issued, start=1):
        t = ticket(q, n, issued_at=T0 + minutes(offset), priority=Priority.GREEN if green else Priority.NORMAL)
        tickets.append(replace(t, status=status))
    moved = move_item_tickets(tickets, "A-001", "B")
    before = sorted((t for t in tickets if t.item == "A-001" and t.status in (Status.WAITING, Status.SUSPENDED)),
                    key=lambda t: t.waiting_key)
    assert [t.id for t in moved] == [t.id for t in before]
    for m, b in zip(moved, before, strict=True):
        assert (m.number, m.rank_at, m.queue) == (b.number, b.rank_at, "B")
    # The merged queue is ordered by class then issue time, whichever queue a ticket came from.
    merged = sorted([*moved, *(t for t in tickets if t.queue == "B" and t.status is Status.WAITING)],
                    key=lambda t: t.waiting_key)
    assert [(t.class_rank, t.rank_at) for t in merged] == sorted((t.class_rank, t.rank_at) for t in merged)


def test_the_history_lists_changes_since_a_time_for_whom_may_see_them():
    early = replace(change(MANAGER, "1", body(("B", 1))), id=1)
    late = replace(change(MANAGER, "3", body(("C", 2))), id=2, at=T0 + minutes(30))
    history = History((early, late))
    assert history.since(T0 + minutes(1)) == (late,)
    assert history.visible_to(CHIEF_D1) == (early,) and history.visible_to(CHIEF_D2) == (late,)
    assert history.visible_to(MANAGER) == (early, late) and history.visible_to(CLERK) == ()
