"""The sign-in throttle: spraying from one address is refused for every name, an account is only
ever slowed (never locked) by failures from elsewhere, and every wait is bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.core.throttle import DEFAULT, FRESH, Record, after_failure, current, decide

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
P = DEFAULT

# Gaps between attempts: mostly quick (an attack), sometimes long (a person coming back later).
gaps = st.lists(st.floats(min_value=0, max_value=4000, allow_nan=False), min_size=1, max_size=60)


def test_spraying_names_from_one_address_is_refused_for_every_name():
    address, now = FRESH, T0
    for _ in range(P.address.free):
        assert not decide(address, FRESH, FRESH, now).refused
        address = after_failure(address, P.address, now)
        now += timedelta(milliseconds=200)
    # A name never tried before, from that address: refused all the same, with a wait to announce.
    decision = decide(address, FRESH, FRESH, now)
    assert decision.refused and decision.retry_after_s >= 1


def test_one_address_guessing_one_name_is_refused_sooner():
    pair, address, now = FRESH, FRESH, T0
    for _ in range(P.pair.free):
        address = after_failure(address, P.address, now)
        pair = after_failure(pair, P.pair, now)
    assert decide(address, pair, FRESH, now).refused
    assert not decide(address, FRESH, FRESH, now).refused  # another name from there still goes on


@given(gaps)
def test_failures_elsewhere_never_refuse_a_fresh_address(steps):
    """Whatever an attacker does to an account from other addresses, its owner at an address of
    their own is let through, after at most the account's cap."""
    account, now = FRESH, T0
    for gap in steps:
        now += timedelta(seconds=gap)
        account = after_failure(account, P.account, now)
        decision = decide(FRESH, FRESH, account, now)
        assert not decision.refused
        assert timedelta(0) <= decision.delay <= P.account.cap


@given(gaps, st.sampled_from(["address", "pair"]))
def test_refusals_are_bounded_by_the_cap(steps, scope):
    rule = getattr(P, scope)
    record, now = FRESH, T0
    for gap in steps:
        now += timedelta(seconds=gap)
        record = after_failure(record, rule, now)
        d = decide(record, FRESH, FRESH, now) if scope == "address" else decide(FRESH, record, FRESH, now)
        assert d.retry_after_s is None or 1 <= d.retry_after_s <= rule.cap.total_seconds()


@given(st.integers(min_value=0, max_value=500))
def test_waits_grow_with_failures_and_stop_at_the_cap(n):
    for rule in (P.address, P.pair, P.account):
        assert rule.wait_after(n) <= rule.wait_after(n + 1) <= rule.cap
        assert rule.wait_after(n) == timedelta(0) or n >= rule.free


@given(gaps)
def test_a_counter_is_forgotten_after_a_quiet_while(steps):
    record, now = FRESH, T0
    for gap in steps:
        now += timedelta(seconds=gap)
        record = after_failure(record, P.address, now)
    later = now + P.address.forget
    assert current(record, P.address, later) == FRESH
    assert not decide(record, record, record, later).refused
    assert decide(record, record, record, later).delay == timedelta(0)


def test_the_wait_is_over_when_next_allowed_has_passed():
    record = Record(failures=P.address.free, last_failure=T0, next_allowed=T0 + timedelta(seconds=30))
    assert decide(record, FRESH, FRESH, T0 + timedelta(seconds=10)).retry_after_s == 20
    assert not decide(record, FRESH, FRESH, T0 + timedelta(seconds=30)).refused
