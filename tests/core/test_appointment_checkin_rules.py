"""When a booking may be checked in (core.appointments.check_in_refusal) and how its code is read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.core import appointment_codes as codes
from server.core import appointments as appt
from server.core.appointment_rules import AppointmentRules

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
START = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
RULES = AppointmentRules(check_in_before_minutes=30, grace_minutes=15, late_walk_in=True)


def at(hm: str) -> datetime:
    h, m = map(int, hm.split(":"))
    return datetime(2026, 11, 25, h, m, tzinfo=TZ)


def decide(now: str, *, status: str = "booked", day: date = DAY, rules: AppointmentRules = RULES):
    return appt.check_in_refusal(rules, "7N3R33NVQN", status, day, START, at(now), DAY, TZ)


@pytest.mark.parametrize("now", ["09:30", "09:59", "10:00", "10:15"])
def test_on_time_from_the_opening_to_the_end_of_the_grace(now):
    assert decide(now) is appt.CheckIn.ON_TIME


def test_early_names_the_opening_in_both_languages():
    refusal = decide("09:29")
    assert isinstance(refusal, appt.CheckInEarly) and refusal.code == "check_in_early"
    assert "09:30" in refusal.message and "请于 09:30 后签到" in refusal.message_zh


def test_late_is_a_walk_in_when_the_hall_says_so_else_refused():
    assert decide("10:16") is appt.CheckIn.LATE
    refusal = decide("10:16", rules=AppointmentRules(late_walk_in=False))
    assert isinstance(refusal, appt.CheckInLate) and "10:15" in refusal.message_zh
    said = appt.late_walk_in(RULES, START, "A012", TZ)
    assert said.code == "check_in_late" and "A012" in said.message and "A012" in said.message_zh


@pytest.mark.parametrize(("status", "day"), [("cancelled", DAY), ("no_show", date(2026, 11, 24))])
def test_only_a_booked_booking_checks_in(status, day):
    refusal = decide("10:00", status=status, day=day)
    assert isinstance(refusal, codes.NotBooked) and refusal.code == "not_booked"
    assert "7N3R3-3NVQN" in refusal.message and refusal.message_zh.startswith("该预约已")


def test_a_no_show_of_today_is_late_whenever_the_sweep_ran():
    """The sweep marks a booking no_show past its grace; a visitor coming after that is late, as
    one a minute before the sweep was."""
    assert decide("10:16", status="no_show") is decide("10:16") is appt.CheckIn.LATE
    refusal = decide("10:16", status="no_show", rules=AppointmentRules(late_walk_in=False))
    assert isinstance(refusal, appt.CheckInLate)


def test_check_in_opens_not_before_the_kiosks_issue():
    from datetime import time

    from server.core.hall import Hours
    hours = Hours(periods=((time(9), time(12)), (time(13, 30), time(17))), issue_stop_minutes=30)
    nine, half_one = datetime(2026, 11, 25, 9, 0, tzinfo=TZ), datetime(2026, 11, 25, 13, 30, tzinfo=TZ)
    assert appt.check_in_opens(RULES, nine, hours, TZ) == nine
    assert appt.check_in_opens(RULES, half_one, hours, TZ) == half_one, "after the midday break"
    assert appt.check_in_opens(RULES, nine + timedelta(hours=1), hours, TZ) == datetime(2026, 11, 25, 9, 30, tzinfo=TZ)
    early = appt.check_in_refusal(RULES, "7N3R33NVQN", "booked", DAY, half_one, at("13:10"), DAY, TZ, hours)
    assert isinstance(early, appt.CheckInEarly) and "13:30" in early.message


def test_another_day_is_refused_before_the_time_is_looked_at():
    refusal = decide("10:00", day=date(2026, 11, 26))
    assert isinstance(refusal, appt.CheckInOtherDay) and refusal.kind == "invalid"


@pytest.mark.parametrize("text", ["7N3R33NVQN", "7n3r3-3nvqn", " 7N3R3 3NVQN\n", "http://hall/a/7N3R3-3NVQN",
                                  "HTTPS://HALL.EXAMPLE/A/7N3R33NVQN/", "https://h/a/7n3r3-3nvqn?x=1"])
def test_a_code_is_read_typed_or_scanned(text):
    assert codes.canonical_code(text) == "7N3R33NVQN"


@pytest.mark.parametrize("text", ["", "7N3R3", "7N3R3-3NVQN-1", "https://hall/t/7N3R33NVQN", "UUUUU-UUUUU",
                                  "x" * 400])
def test_what_is_no_code(text):
    assert codes.canonical_code(text) is None


def test_i_l_read_as_one_and_o_as_zero():
    assert codes.canonical_code("IL0O0-11111") == "1100011111"
    assert codes.grouped("1100011111") == "11000-11111"
