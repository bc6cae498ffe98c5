"""Time limits to the end (articles 14 and 16): the receipt's five working days, extensions and
suspensions on the hall calendar, and the clock running until delivery."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.case_clock import (
    ExtensionRequest,
    answer_received,
    check_extension,
    extended,
    resumed,
    suspended,
    suspended_days,
)
from server.core.case_errors import (
    ClockNotRunning,
    ClockSuspended,
    EmptyNotice,
    ExtensionRefused,
    IllegalCaseTransition,
    MissingReason,
    NotSuspended,
    ReceiptNeedsAnswer,
)
from server.core.cases import NumberKind, Outcome, Status, advance, number_kind, public_view, working_days_left
from server.core.deadlines import time_left, warning_level
from server.core.hall import CaseClockRules, Hours, WarningTier
from tests.core.test_cases import BEIJING, CALENDAR, HOURS, ITEM, at, moved, opened

RULES = CaseClockRules(receipt_days=5, max_extensions=1, max_extension_days=20)
TIERS = (WarningTier("yellow", 1 / 3), WarningTier("orange", 0.1), WarningTier("red", 0.0))


def received(when=None):
    return opened(Outcome.RECEIVED, when=when, materials=("M1", "M2"))


# --- the receipt (收件): five working days -------------------------------------------------------


def test_a_receipt_on_the_eve_of_national_day_is_answered_five_working_days_later_counting_the_make_up_day():
    case = received(at(2026, 9, 30))
    assert case.status is Status.RECEIVED and case.outcome is Outcome.RECEIVED
    # Oct 1-7 closed, then Thu 8, Fri 9, make-up Sat 10, Mon 12, Tue 13.
    assert case.promised == date(2026, 10, 13)
    assert working_days_left(case, date(2026, 10, 5), CALENDAR) == 5
    assert number_kind(case) is NumberKind.RECORD  # nothing accepted yet


def test_a_receipt_is_answered_not_moved():
    with pytest.raises(ReceiptNeedsAnswer):
        advance(received(), Status.ACCEPTED, at=at(2026, 10, 8), actor="x")
    with pytest.raises(IllegalCaseTransition):
        advance(received(), Status.IN_REVIEW, at=at(2026, 10, 8), actor="x")


def test_an_accepted_receipt_counts_the_items_promise_from_the_acceptance_day():
    case = answer_received(received(), Status.ACCEPTED, item=ITEM, at=at(2026, 10, 9), actor="a",
                           calendar=CALENDAR)
    # 5 working days from Friday Oct 9: Sat 10 (make-up), Mon 12, Tue 13, Wed 14, Thu 15.
    assert case.status is Status.ACCEPTED and case.promised == date(2026, 10, 15)
    assert number_kind(case) is NumberKind.ACCEPTANCE
    # The warning share counts from the acceptance, not the receipt: whole at that moment.
    assert time_left(case, at(2026, 10, 9), _hours(), CALENDAR, BEIJING).share == pytest.approx(1.0)
    assert moved(case, Status.IN_REVIEW).status is Status.IN_REVIEW


def test_a_receipt_answered_by_a_notice_lists_every_missing_material_and_stops_the_clock():
    case = answer_received(received(), Status.NOTICED, item=ITEM, at=at(2026, 10, 9), actor="a",
                           calendar=CALENDAR, missing=("M3",), note="缺平面图")
    assert case.status is Status.NOTICED and case.missing == ("M3",) and case.promised is None
    assert working_days_left(case, date(2026, 10, 9), CALENDAR) is None
    assert public_view(case).reason == "缺平面图"
    with pytest.raises(EmptyNotice):
        answer_received(received(), Status.NOTICED, item=ITEM, at=at(2026, 10, 9), actor="a", calendar=CALENDAR)


# --- delivery within the promise ---------------------------------------------------------------


def test_the_clock_runs_until_delivery():
    decided = moved(opened(), Status.IN_REVIEW, Status.DECIDED_APPROVED)
    assert working_days_left(decided, date(2026, 10, 12), CALENDAR) == 1
    assert warning_level(decided, at(2026, 10, 14), _hours(), CALENDAR, BEIJING, TIERS) == "red"
    delivered = moved(decided, Status.DELIVERED)
    assert working_days_left(delivered, date(2026, 10, 12), CALENDAR) is None


# --- extensions --------------------------------------------------------------------------------


def test_an_extension_across_national_day_moves_the_promise_in_working_days():
    # Thursday; Friday 25 is the Mid-Autumn Festival, Oct 1-7 National Day: Mon 28, Tue 29, Wed 30, Thu 8, Fri 9.
    case = opened(when=at(2026, 9, 24))
    assert case.promised == date(2026, 10, 9)
    asked = check_extension(case, ExtensionRequest(3, " 需现场核查 ", "《行政许可法》第四十二条"), granted=0,
                            pending=0, rules=RULES)
    assert asked.reason == "需现场核查"
    # The make-up Saturday 10 counts, Sunday 11 does not: Sat 10, Mon 12, Tue 13.
    assert extended(case, asked.days, CALENDAR).promised == date(2026, 10, 13)


@pytest.mark.parametrize(("asked", "granted", "pending", "error"), [
    (ExtensionRequest(3, "", "《行政许可法》第四十二条"), 0, 0, MissingReason),
    (ExtensionRequest(3, "核查", ""), 0, 0, ExtensionRefused),
    (ExtensionRequest(21, "核查", "依据"), 0, 0, ExtensionRefused),
    (ExtensionRequest(0, "核查", "依据"), 0, 0, ExtensionRefused),
    (ExtensionRequest(3, "核查", "依据"), 1, 0, ExtensionRefused),
    (ExtensionRequest(3, "核查", "依据"), 0, 1, ExtensionRefused),
])
def test_an_extension_states_reason_and_basis_within_the_configured_bounds(asked, granted, pending, error):
    with pytest.raises(error):
        check_extension(opened(), asked, granted=granted, pending=pending, rules=RULES)


def test_no_extension_once_delivered_or_while_suspended():
    ok = ExtensionRequest(3, "核查", "依据")
    done = moved(opened(), Status.IN_REVIEW, Status.DECIDED_APPROVED, Status.DELIVERED)
    with pytest.raises(ClockNotRunning):
        check_extension(done, ok, granted=0, pending=0, rules=RULES)
    with pytest.raises(ClockNotRunning):
        check_extension(opened(Outcome.NOTICE, missing=("M3",)), ok, granted=0, pending=0, rules=RULES)
    with pytest.raises(ClockSuspended):
        check_extension(suspended(opened(), at(2026, 10, 8)), ok, granted=0, pending=0, rules=RULES)


# --- suspensions -------------------------------------------------------------------------------


def test_a_suspension_moves_the_promise_by_the_working_days_it_covered_and_silences_warnings():
    case = opened(when=at(2026, 10, 8))  # Thursday; 5 working days: Fri 9, Sat 10, Mon 12, Tue 13, Wed 14
    assert case.promised == date(2026, 10, 14)
    stopped = suspended(case, at(2026, 10, 12))  # Monday 10:00: expert review
    assert working_days_left(stopped, date(2026, 10, 20), CALENDAR) is None
    assert warning_level(stopped, at(2026, 10, 20), _hours(), CALENDAR, BEIJING, TIERS) is None
    with pytest.raises(ClockSuspended):
        advance(stopped, Status.IN_REVIEW, at=at(2026, 10, 13), actor="x")
    with pytest.raises(ClockSuspended):
        suspended(stopped, at(2026, 10, 13))
    running, days = resumed(stopped, at(2026, 10, 16), CALENDAR)  # ended Friday: Mon, Tue, Wed, Thu suspended
    assert days == 4 and running.suspended_since is None
    assert running.promised == date(2026, 10, 20)  # Wed 14 + Thu 15, Fri 16, Mon 19, Tue 20
    with pytest.raises(NotSuspended):
        resumed(running, at(2026, 10, 16), CALENDAR)


def test_a_suspension_ended_the_day_it_started_moves_nothing():
    stopped = suspended(opened(), at(2026, 10, 8, 9))
    running, days = resumed(stopped, at(2026, 10, 8, 16), CALENDAR)
    assert days == 0 and running.promised == opened().promised


# --- properties --------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 12, 20))


def _opened_on(d: date):
    return opened(when=datetime(d.year, d.month, d.day, 10, tzinfo=BEIJING))


@given(DAYS, st.integers(min_value=1, max_value=20))
def test_an_extension_never_brings_the_promise_earlier_and_adds_exactly_its_working_days(day, days):
    case = _opened_on(day)
    later = extended(case, days, CALENDAR)
    assert later.promised >= case.promised
    assert CALENDAR.working_days_between(case.promised, later.promised) == days


@given(DAYS, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_suspended_working_days_are_never_counted_against_the_promise(day, start_after, length):
    case = _opened_on(day)
    first = day + timedelta(days=start_after)
    ended = first + timedelta(days=length)
    stopped = suspended(case, datetime(first.year, first.month, first.day, 9, tzinfo=BEIJING))
    running, n = resumed(stopped, datetime(ended.year, ended.month, ended.day, 15, tzinfo=BEIJING), CALENDAR)
    assert running.promised >= case.promised
    assert n == sum(CALENDAR.is_workday(first + timedelta(days=i)) for i in range(length))
    assert n == suspended_days(first, ended, CALENDAR)
    # The working days from acceptance to the new promise, less those suspended, are the item's limit.
    assert CALENDAR.working_days_between(case.accepted_on, running.promised) - n == 5


def _hours() -> Hours:
    return HOURS
