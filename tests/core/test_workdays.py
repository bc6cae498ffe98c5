import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.hall import CalendarOverrides
from server.core.workdays import (
    ConflictingOverrides,
    NegativeWorkingDays,
    WorkCalendar,
    chinese_calendar_lookup,
)

NATIONAL = WorkCalendar(CalendarOverrides(), national=chinese_calendar_lookup)
WEEKDAYS = WorkCalendar(CalendarOverrides(national=False), national=chinese_calendar_lookup)
HALL = WorkCalendar(
    CalendarOverrides(
        holidays=frozenset({date(2026, 10, 8), date(2026, 3, 11), date(2027, 1, 1)}),
        workdays=frozenset({date(2026, 10, 3), date(2026, 3, 14)}),
    ),
    national=chinese_calendar_lookup,
)
CALENDARS = st.sampled_from([NATIONAL, WEEKDAYS, HALL])
# Across the last years the national data covers and the first it does not.
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 6, 30))
COUNTS = st.integers(min_value=0, max_value=60)

WED_SEP_30 = date(2026, 9, 30)


# --- the 2026 arrangement as chinesecalendar 1.11 publishes it ---


def test_national_day_2026_closes_october_first_to_seventh():
    for day in range(1, 8):
        assert not NATIONAL.is_workday(date(2026, 10, day))
    assert NATIONAL.is_workday(date(2026, 10, 8))


def test_national_day_2026_make_up_days_are_sunday_september_20_and_saturday_october_10():
    assert NATIONAL.is_workday(date(2026, 9, 20))
    assert NATIONAL.is_workday(date(2026, 10, 10))
    assert not NATIONAL.is_workday(date(2026, 10, 11))


def test_mid_autumn_2026_closes_friday_september_25():
    assert not NATIONAL.is_workday(date(2026, 9, 25))


def test_promise_made_before_national_day_skips_the_holiday_and_counts_the_make_up_saturday():
    assert NATIONAL.add_working_days(WED_SEP_30, 1) == date(2026, 10, 8)
    assert NATIONAL.add_working_days(WED_SEP_30, 2) == date(2026, 10, 9)
    assert NATIONAL.add_working_days(WED_SEP_30, 3) == date(2026, 10, 10)
    assert NATIONAL.add_working_days(WED_SEP_30, 4) == date(2026, 10, 12)


def test_next_workday_after_the_eve_of_national_day_is_october_eighth():
    assert NATIONAL.next_workday(WED_SEP_30) == date(2026, 10, 8)


# --- weekends and the acceptance day ---


def test_friday_plus_one_working_day_is_monday():
    assert WEEKDAYS.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)


def test_acceptance_day_is_not_counted():
    assert WEEKDAYS.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)


def test_zero_working_days_is_the_same_day_even_when_closed():
    assert NATIONAL.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_negative_working_days_are_refused():
    with pytest.raises(NegativeWorkingDays, match="-1"):
        NATIONAL.add_working_days(WED_SEP_30, -1)


def test_weekends_only_calendar_ignores_national_holidays():
    assert WEEKDAYS.is_workday(date(2026, 10, 1))
    assert not WEEKDAYS.is_workday(date(2026, 10, 10))


def test_working_days_between_is_signed():
    assert NATIONAL.working_days_between(WED_SEP_30, date(2026, 10, 12)) == 4
    assert NATIONAL.working_days_between(date(2026, 10, 12), WED_SEP_30) == -4
    assert NATIONAL.working_days_between(WED_SEP_30, WED_SEP_30) == 0


# --- hall overrides ---


def test_hall_holiday_closes_a_national_working_day():
    assert not HALL.is_workday(date(2026, 10, 8))
    assert HALL.add_working_days(WED_SEP_30, 1) == date(2026, 10, 3)


def test_hall_workday_opens_a_national_holiday():
    assert HALL.is_workday(date(2026, 10, 3))


def test_hall_make_up_saturday_opens():
    assert HALL.is_workday(date(2026, 3, 14))
    assert not HALL.is_workday(date(2026, 3, 11))


def test_hall_overrides_apply_without_the_national_calendar():
    cal = WorkCalendar(CalendarOverrides(holidays=frozenset({date(2026, 3, 11)}), national=False))
    assert not cal.is_workday(date(2026, 3, 11))


def test_a_day_both_closed_and_open_by_the_hall_is_refused():
    with pytest.raises(ConflictingOverrides, match="2026-03-11"):
        WorkCalendar(
            CalendarOverrides(
                holidays=frozenset({date(2026, 3, 11)}), workdays=frozenset({date(2026, 3, 11)})
            )
        )


# --- years without national data ---


def test_covers_the_years_the_package_knows():
    assert NATIONAL.covers(2026)
    assert NATIONAL.covers(2004)
    assert not NATIONAL.covers(2027)
    assert not NATIONAL.covers(2003)


def test_year_without_national_data_falls_back_to_weekdays():
    assert NATIONAL.is_workday(date(2027, 1, 1))  # a Friday; only the hall config can close it
    assert not NATIONAL.is_workday(date(2027, 1, 2))
    assert NATIONAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_hall_config_fills_a_year_without_national_data():
    assert not HALL.is_workday(date(2027, 1, 1))
    assert HALL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_hall_without_national_calendar_is_always_covered():
    assert WEEKDAYS.covers(2030)


def test_no_lookup_injected_covers_nothing_and_counts_weekdays():
    cal = WorkCalendar()
    assert not cal.covers(2026)
    assert cal.is_workday(date(2026, 10, 1))


def test_an_injected_lookup_is_used():
    closed_thursdays = WorkCalendar(national=lambda d: d.weekday() not in (3, 5, 6))
    assert not closed_thursdays.is_workday(date(2026, 3, 12))
    assert closed_thursdays.covers(2099)


def test_core_imports_without_loading_chinese_calendar():
    code = "import sys, server.core.workdays; assert 'chinese_calendar' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- properties ---


@given(CALENDARS, DAYS, st.integers(min_value=1, max_value=60))
def test_promised_date_is_a_working_day(cal, start, n):
    assert cal.is_workday(cal.add_working_days(start, n))


@given(CALENDARS, DAYS, COUNTS)
def test_add_working_days_is_strictly_monotone_in_n(cal, start, n):
    assert cal.add_working_days(start, n) < cal.add_working_days(start, n + 1)


@given(CALENDARS, DAYS, COUNTS)
def test_between_counts_back_what_add_added(cal, start, n):
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@given(CALENDARS, DAYS, COUNTS)
def test_no_working_day_is_skipped(cal, start, n):
    end = cal.add_working_days(start, n)
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(cal.is_workday(d) for d in days) == n


@given(CALENDARS, DAYS, DAYS, DAYS)
def test_between_is_antisymmetric_and_additive(cal, a, b, c):
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


@given(CALENDARS, DAYS)
def test_next_workday_is_one_working_day_later(cal, d):
    assert cal.next_workday(d) == cal.add_working_days(d, 1)


# --- years nobody told the hall about ---


def _knows_2026(d: date) -> bool | None:
    return _weekday(d) if d.year == 2026 else None


def _weekday(d: date) -> bool:
    return d.weekday() < 5


def test_years_the_national_table_lacks_are_named_until_the_hall_lists_their_holidays():
    bare = WorkCalendar(CalendarOverrides(), national=_knows_2026)
    assert bare.uncovered_years(date(2026, 12, 2), date(2028, 2, 1)) == [2027, 2028]
    listed = WorkCalendar(CalendarOverrides(holidays=frozenset({date(2027, 1, 1)})), national=_knows_2026)
    assert listed.uncovered_years(date(2026, 12, 2), date(2028, 2, 1)) == [2028]
    assert bare.uncovered_years(date(2026, 1, 5), date(2026, 12, 31)) == []


def test_a_hall_without_the_national_calendar_is_never_short_of_a_year():
    own = WorkCalendar(CalendarOverrides(national=False), national=_knows_2026)
    assert own.uncovered_years(date(2030, 1, 1), date(2031, 1, 1)) == []
