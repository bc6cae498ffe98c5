"""Ticket numbers and the hall's service day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.errors import Invalid
from server.core.numbering import format_number, service_day

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("prefix", "seq", "digits", "expected"),
    [
        ("A", 1, 3, "A001"),
        ("A", 7, 3, "A007"),
        ("A", 999, 3, "A999"),
        ("A", 1000, 3, "A1000"),
        ("A", 12345, 3, "A12345"),
        ("GA", 7, 3, "GA007"),
        ("SW", 42, 4, "SW0042"),
        ("B", 5, 1, "B5"),
    ],
)
def test_numbers_are_the_prefix_and_zero_padded_digits(prefix, seq, digits, expected):
    assert format_number(prefix, seq, digits) == expected


def test_past_999_the_number_grows_a_digit_rather_than_wrap_onto_a_used_one():
    assert format_number("A", 1000) == "A1000"
    assert format_number("A", 1000) != format_number("A", 0 + 1)


@pytest.mark.parametrize("seq", [0, -1, -1000])
def test_sequences_start_at_one(seq):
    with pytest.raises(Invalid, match=f"start at 1, got {seq}"):
        format_number("A", seq)


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=1, max_size=2),
    st.integers(1, 4),
    st.integers(1, 3000),
)
def test_numbers_of_a_day_are_unique_and_parse_back_to_their_sequence(prefix, digits, n):
    numbers = [format_number(prefix, seq, digits) for seq in range(1, n + 1)]
    assert len(set(numbers)) == n
    for seq, number in enumerate(numbers, start=1):
        assert number.startswith(prefix)
        tail = number[len(prefix) :]
        assert tail.isdigit() and tail.isascii()
        assert len(tail) >= digits
        assert int(tail) == seq


# ---------------------------------------------------------------- the hall's midnight


def test_the_service_day_is_the_halls_local_day_not_utcs():
    now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert service_day(now, SHANGHAI) == date(2026, 11, 25)
    assert service_day(now, "UTC") == date(2026, 11, 24)


def test_the_day_turns_at_the_halls_midnight():
    midnight_in_shanghai = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert service_day(midnight_in_shanghai - timedelta(microseconds=1), SHANGHAI) == date(2026, 11, 24)
    assert service_day(midnight_in_shanghai, SHANGHAI) == date(2026, 11, 25)


def test_the_offset_the_time_arrives_in_does_not_matter():
    utc = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    new_york = utc.astimezone(timezone(timedelta(hours=-5)))
    assert new_york.date() == date(2026, 11, 24)
    assert service_day(new_york, SHANGHAI) == service_day(utc, SHANGHAI) == date(2026, 11, 25)


def test_a_time_without_offset_is_refused():
    with pytest.raises(Invalid, match="offset"):
        service_day(datetime(2026, 11, 25, 10, 0), SHANGHAI)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
def test_shanghai_has_no_daylight_saving_so_its_day_is_utc_plus_eight(now):
    assert service_day(now, SHANGHAI) == (now + timedelta(hours=8)).date()
