"""The rules of the progress query by case number (server/core/progress_lookup.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.core import progress_lookup as rules
from server.core.throttle import Record

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "number"), [
    ("CITY-SCJG-2026-000123", "CITY-SCJG-2026-000123"),
    (" city - scjg - 2026 - 000123 ", "CITY-SCJG-2026-000123"),
    ("ＣＩＴＹ－ＳＣＪＧ－２０２６－０００１２３", "CITY-SCJG-2026-000123"),  # full-width, as a Chinese IME types it
    ("city-scjg-2026-123", "CITY-SCJG-2026-000123"),
    ("CITY—SCJG—2026—123", "CITY-SCJG-2026-000123"),
    ("east-1-scjg-2026-7", "EAST-1-SCJG-2026-000007"),  # a hall code may hold "-"
    ("scjg-2026-123", "SCJG-2026-000123"),  # printed before the hall's code led the number (issue 16)
])
def test_a_number_is_read_as_a_visitor_types_it(typed, number):
    assert rules.normal_number(typed) == number


@pytest.mark.parametrize("typed", ["", "SCJG", "SCJG-26-1", "SCJG-2026-0", "SCJG-2026-1234567", "SC JG 2026 1x",
                                   "A" * 65, 123, None])
def test_a_malformed_number_names_the_field(typed):
    with pytest.raises(rules.MalformedLookup) as err:
        rules.normal_number(typed)
    assert err.value.where == "number" and err.value.kind == "invalid" and "办件编号" in err.value.message_zh


@pytest.mark.parametrize(("typed", "last4"), [("1234", "1234"), ("123x", "123X"), (" １２ ３Ｘ", "123X")])
def test_the_last_four_may_end_in_x(typed, last4):
    assert rules.normal_last4(typed) == last4


@pytest.mark.parametrize("typed", ["123", "12345", "X123", "12X3", "abcd", "", None])
def test_a_malformed_last_four_names_the_field(typed):
    with pytest.raises(rules.MalformedLookup) as err:
        rules.normal_last4(typed)
    assert err.value.where == "last4"


def test_the_last_four_match_the_id_number_or_the_phone_and_nothing_else():
    assert rules.matches("11010519491231002X", "13800138000", "002X")
    assert rules.matches("11010519491231002x", "13800138000", "002X")
    assert rules.matches("110105194912310021", "13800138000", "8000")
    assert not rules.matches("110105194912310021", "13800138000", "1234")
    assert not rules.matches(None, None, "0000")
    assert not rules.matches(None, None, "\x00\x00\x00\x00"[:4])  # the stand-in never matches


def test_failures_are_refused_past_the_free_ones_per_counter():
    policy = rules.DEFAULT
    case = Record()
    for _ in range(5):
        assert rules.retry_after([(case, policy.case)], NOW) is None
        [case] = rules.failed([(case, policy.case)], NOW)
    assert rules.retry_after([(case, policy.case)], NOW) == 60
    assert rules.retry_after([(case, policy.case)], NOW + timedelta(seconds=61)) is None
    [case] = rules.failed([(case, policy.case)], NOW + timedelta(seconds=61))
    assert rules.retry_after([(case, policy.case)], NOW + timedelta(seconds=61)) == 120
    # Forgotten a day after the last failure.
    assert rules.retry_after([(case, policy.case)], NOW + timedelta(days=1, minutes=2)) is None
    # The longest wait of several counters holds.
    address = Record(failures=10, last_failure=NOW, next_allowed=NOW + timedelta(seconds=30))
    assert rules.retry_after([(address, policy.address), (case, policy.case)], NOW + timedelta(seconds=61)) == 120


def test_an_ipv6_client_is_counted_by_its_64_and_ipv4_by_its_address():
    from server.core.progress_lookup import address_key

    # Any address of one /64 (what a home or a phone is given) is one counter.
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2::ffff") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("2001:DB8:1:2:0:0:0:1") == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.1") == address_key("192.0.2.1") == "192.0.2.1"
    assert address_key("192.0.2.1") != address_key("192.0.2.2")
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("not an address" * 10) == ("not an address" * 10)[:64]
