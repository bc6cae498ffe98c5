"""The poor-rating follow-up (差评整改): its steps in order, the appeal, deadlines and tiers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core import followup as fu
from server.core.errors import Forbidden
from server.core.followup import Appeal, Followup, Status
from server.core.hall import CalendarOverrides, FollowupLimits, Hours, WarningTier
from server.core.windows import Role, Staff
from server.core.workdays import WorkCalendar, chinese_calendar_lookup

NATIONAL = WorkCalendar(CalendarOverrides(), national=chinese_calendar_lookup)
TZ = ZoneInfo("Asia/Shanghai")
HOURS = Hours(periods=((time(9), time(17)),))
TIERS = (WarningTier("yellow", 1 / 3), WarningTier("orange", 0.1), WarningTier("red", 0.0))

# One action on a follow-up: a step by name, an appeal, or a manager's decision.
ACTIONS = st.one_of(
    st.tuples(st.just("step"), st.sampled_from([s.value for s in fu.STEPS])),
    st.tuples(st.just("appeal"), st.just("")),
    st.tuples(st.just("decide"), st.booleans()),
)


def act(f: Followup, action: tuple[str, object]) -> tuple[Followup, str]:
    """The follow-up after `action`, and what it was ("" when refused)."""
    kind, arg = action
    try:
        if kind == "step":
            return fu.advance(f, fu.step_named(arg), "done"), str(arg)
        if kind == "appeal":
            return fu.request_appeal(f, "mistaken"), "appeal"
        return fu.decide_appeal(f, bool(arg), "because"), "approve" if arg else "reject"
    except fu.FollowupError:
        return f, ""


@given(st.lists(ACTIONS, max_size=30))
def test_no_path_reaches_the_answer_without_every_step_in_order(actions):
    f, taken = Followup(), []
    for a in actions:
        f, done = act(f, a)
        if done:
            taken.append(done)
    steps = [t for t in taken if t in {s.value for s in fu.STEPS}]
    assert len(steps) == len(set(steps))  # no step twice
    if f.status is Status.ANSWERED:
        assert steps in (["called_back", "verified", "rectified", "answered"],
                         ["called_back", "verified", "explained", "answered"])
        assert "approve" not in taken
    # Every step accepted was the next one of the order from where the follow-up stood.
    order = ["called_back", "verified", "rectified|explained", "answered"]
    for i, s in enumerate(steps):
        assert s in order[i].split("|")


@given(st.lists(ACTIONS, max_size=30))
def test_excluded_only_through_an_approved_appeal(actions):
    f, taken = Followup(), []
    for a in actions:
        before = f
        f, done = act(f, a)
        taken.append(done)
        if f.status is Status.EXCLUDED and before.status is not Status.EXCLUDED:
            assert done == "approve" and before.appeal is Appeal.PENDING
    if f.status is Status.EXCLUDED:
        assert f.appeal is Appeal.APPROVED and "appeal" in taken
    assert taken.count("appeal") <= 1  # once


def test_a_skipped_or_repeated_step_is_refused_naming_the_state():
    f = fu.advance(Followup(), Status.CALLED_BACK, "called the visitor")
    with pytest.raises(fu.StepOutOfOrder) as skipped:
        fu.advance(f, Status.RECTIFIED, "x")
    assert skipped.value.kind == "conflict" and "called_back" in str(skipped.value) and "verified" in str(skipped.value)
    assert "已回访" in skipped.value.message_zh
    with pytest.raises(fu.StepOutOfOrder, match="called_back"):
        fu.advance(f, Status.CALLED_BACK, "again")


def test_a_step_needs_a_note_and_a_known_name():
    with pytest.raises(fu.NoteRequired) as e:
        fu.advance(Followup(), Status.CALLED_BACK, "   ")
    assert e.value.kind == "invalid" and e.value.where == "note"
    with pytest.raises(fu.UnknownStep):
        fu.step_named("received")
    with pytest.raises(fu.UnknownStep):
        fu.step_named(3)


def test_an_appeal_pauses_the_steps_and_a_rejection_goes_on_where_it_stood():
    f = fu.advance(Followup(), Status.CALLED_BACK, "x")
    with pytest.raises(fu.NoteRequired):
        fu.request_appeal(f, "")
    f = fu.request_appeal(f, "the visitor rated the wrong window")
    with pytest.raises(fu.AppealPending):
        fu.advance(f, Status.VERIFIED, "x")
    with pytest.raises(fu.AppealNotAllowed):
        fu.request_appeal(f, "again")
    f = fu.decide_appeal(f, False, "the window is right")
    assert f.status is Status.CALLED_BACK and f.appeal is Appeal.REJECTED
    assert fu.advance(f, Status.VERIFIED, "x").status is Status.VERIFIED
    with pytest.raises(fu.NoAppealPending):
        fu.decide_appeal(f, True, "x")


def test_no_appeal_once_answered():
    f = Followup(Status.ANSWERED)
    with pytest.raises(fu.AppealNotAllowed):
        fu.request_appeal(f, "too late")


def test_deadlines_count_working_days_from_the_eve_of_national_day_with_the_make_up_saturday():
    due = fu.due_dates(date(2026, 9, 30), FollowupLimits(1, 3, 5, 5), NATIONAL)
    # October 1-7 closed; Saturday October 10 is a make-up working day (调休), Sunday 11 is not.
    assert due == {"called_back": date(2026, 10, 8), "verified": date(2026, 10, 10),
                   "rectified": date(2026, 10, 13), "answered": date(2026, 10, 13)}
    assert fu.next_due(Followup(), due) == date(2026, 10, 8)
    assert fu.next_due(Followup(Status.VERIFIED), due) == date(2026, 10, 13)  # rectified or explained
    assert fu.next_due(Followup(Status.ANSWERED), due) is None


def test_the_step_ahead_turns_yellow_orange_red_as_a_case_would():
    received = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
    due = fu.due_dates(date(2026, 11, 25), FollowupLimits(), NATIONAL)  # called back by Thursday

    def at(hours: float) -> str | None:
        return fu.tier(Followup(), due, received, received + timedelta(hours=hours), HOURS, NATIONAL, TZ, TIERS)

    assert at(0) is None and at(24) is None  # Thursday 10:00: 7 of 15 working hours ahead
    assert at(27) == "yellow" and at(30) == "orange" and at(38) == "red"
    assert fu.tier(Followup(Status.EXCLUDED), due, received, received, HOURS, NATIONAL, TZ, TIERS) is None


def test_who_may():
    chief = Staff(1, "c", Role.CHIEF, "SCJG")
    manager = Staff(2, "m", Role.MANAGER)
    window = Staff(3, "w", Role.WINDOW, "SCJG")
    admin = Staff(4, "a", Role.ADMIN)
    assert fu.departments_seen(chief) == ("SCJG",) and fu.departments_seen(manager) is None
    with pytest.raises(Forbidden):
        fu.departments_seen(window)
    fu.require_step(chief, "SCJG")
    fu.require_step(manager, "CRJ")
    for who, dept in ((chief, "CRJ"), (window, "SCJG"), (admin, "SCJG")):
        with pytest.raises(Forbidden):
            fu.require_step(who, dept)
    fu.require_appeal(chief, "SCJG")
    with pytest.raises(Forbidden):
        fu.require_appeal(manager, "SCJG")
    fu.require_decide(manager)
    with pytest.raises(Forbidden):
        fu.require_decide(chief)
