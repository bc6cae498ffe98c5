"""Overflow rules (跨窗通办): a growing queue makes a proposal once, never for a window already
serving it, and applying one is an audited allocation change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.allocation import ChangeKind, apply, initial_state
from server.core.hall import OverflowRule, ServedQueue
from server.core.overflow import QueueSnapshot, evaluate, proposals_json, rule_change, triggered, with_proposal

from .halls import T0, make_hall, queue, window

HALL = make_hall(
    [queue("B"), queue("F", department="D2")],
    [window("11", "B", number=11), window("12", "F", department="D2", number=12),
     window("13", "F", department="D2", number=13)],
)
# "queue B has more than 10 waiting or a longest wait over 20 minutes → window 12 also serves B".
RULE = OverflowRule("B-to-12", "B", "12", weight=1, waiting_over=10, longest_wait_minutes_over=20)
ALLOCATION = initial_state(HALL).windows


def snap(waiting: int, longest_min: float = 0.0, queue_code: str = "B") -> dict[str, QueueSnapshot]:
    return {queue_code: QueueSnapshot(queue_code, waiting, 60.0 * longest_min)}


def test_a_long_line_or_a_long_wait_fires_the_rule():
    assert triggered(RULE, snap(10)[("B")]) is None
    assert "等候11人" in (triggered(RULE, snap(11)["B"]) or "")
    assert "最长等候21分钟" in (triggered(RULE, snap(3, 21)["B"]) or "")
    assert triggered(RULE, snap(3, 20)["B"]) is None
    assert triggered(RULE, None) is None


def test_the_proposal_adds_the_queue_to_the_window_with_the_rules_weight():
    [p] = evaluate([RULE], snap(12), ALLOCATION)
    assert (p.rule, p.window, p.queue, p.weight, p.automatic) == ("B-to-12", "12", "B", 1, False)
    assert "跨窗通办" in p.reason and "overflow rule B-to-12" in p.reason
    [shown] = proposals_json([p], ALLOCATION)
    assert shown["before"] == [{"queue": "F", "weight": 1}]
    assert shown["after"] == [{"queue": "F", "weight": 1}, {"queue": "B", "weight": 1}]


def test_no_proposal_once_applied_and_none_twice():
    [p] = evaluate([RULE], snap(12), ALLOCATION)
    change = rule_change(HALL, ALLOCATION, p, T0)
    assert change is not None and change.actor == "rule:B-to-12" and change.kind is ChangeKind.WINDOW_QUEUES
    assert change.after == (ServedQueue("F", 1), ServedQueue("B", 1)) and change.departments == {"D1", "D2"}
    applied = apply(initial_state(HALL), change).windows
    assert evaluate([RULE], snap(30), applied) == []
    assert rule_change(HALL, applied, p, T0) is None  # a second click changes nothing
    # Already on the board: not proposed again; two rules for one pair: one proposal.
    assert evaluate([RULE], snap(12), ALLOCATION, pending={("12", "B")}) == []
    twin = OverflowRule("B-long", "B", "12", weight=2, longest_wait_minutes_over=5)
    assert [p.rule for p in evaluate([RULE, twin], snap(12, 30), ALLOCATION)] == ["B-to-12"]


def test_a_manager_applying_a_proposal_is_audited_as_the_manager():
    [p] = evaluate([RULE], snap(12), ALLOCATION)
    change = rule_change(HALL, ALLOCATION, p, T0, actor="zhuren", actor_id=1)
    assert change is not None and (change.actor, change.actor_id) == ("zhuren", 1)


def test_automatic_rules_are_marked_so():
    auto = OverflowRule("B-auto", "B", "13", waiting_over=5, automatic=True)
    [p] = evaluate([auto], snap(6), ALLOCATION)
    assert p.automatic and rule_change(HALL, ALLOCATION, p, T0).actor == "rule:B-auto"  # type: ignore[union-attr]


def test_windows_not_in_service_get_no_proposal():
    assert evaluate([RULE], snap(12), ALLOCATION, in_service={"11", "13"}) == []
    unknown = OverflowRule("B-to-99", "B", "99", waiting_over=1)
    assert evaluate([unknown], snap(12), ALLOCATION) == []


def test_two_proposals_for_one_window_both_survive_applying():
    rule_f = OverflowRule("F-to-11", "F", "11", waiting_over=1)
    rule_b = OverflowRule("B-to-13", "B", "13", waiting_over=1)
    both = evaluate([rule_f, rule_b], {**snap(5), **snap(5, queue_code="F")}, ALLOCATION)
    assert {(p.window, p.queue) for p in both} == {("11", "F"), ("13", "B")}
    queues = ALLOCATION["11"]
    assert with_proposal(with_proposal(queues, both[0]), both[0]) == with_proposal(queues, both[0])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.floats(min_value=0, max_value=7200), st.integers(0, 20), st.integers(1, 60))
def test_evaluation_is_idempotent(waiting: int, longest_s: float, over: int, minutes: int):
    rule = OverflowRule("r", "B", "12", waiting_over=over, longest_wait_minutes_over=minutes)
    snapshot = {"B": QueueSnapshot("B", waiting, longest_s)}
    first = evaluate([rule, rule], snapshot, ALLOCATION)
    assert len(first) <= 1
    assert evaluate([rule], snapshot, ALLOCATION) == first  # same snapshot, same answer
    state = initial_state(HALL)
    for p in first:
        c = rule_change(HALL, state.windows, p, T0)
        assert c is not None
        state = apply(state, c)
    assert evaluate([rule], snapshot, state.windows) == []
    assert bool(first) == (waiting > over or (waiting > 0 and longest_s > 60 * minutes))
