"""A walk-in's estimate counts the appointments (预约) due before its turn, within the share
(server/core/estimate.py `appointments_ahead`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.core.estimate import appointments_ahead

MINUTE = 60.0


def every(minutes: float):
    """A window that calls one ticket every `minutes`: the k-th next call in k × minutes."""
    return lambda k: k * minutes * MINUTE


def test_bookings_due_before_its_turn_go_ahead_and_later_ones_do_not():
    # Third in line, a call every 10 minutes: its turn in 20 minutes.
    assert appointments_ahead(2, every(10), [5 * MINUTE], 0.5) == 1
    assert appointments_ahead(2, every(10), [25 * MINUTE], 0.5) == 0
    assert appointments_ahead(2, every(10), [], 0.5) == 0


def test_each_booking_that_passes_puts_the_turn_later_and_lets_the_next_one_in():
    # Due at 15, 25 and 35 minutes: the first pushes its turn to 30, the second to 40, so all pass.
    assert appointments_ahead(2, every(10), [15 * MINUTE, 25 * MINUTE, 35 * MINUTE], 1.0) == 3
    assert appointments_ahead(2, every(10), [15 * MINUTE, 25 * MINUTE, 45 * MINUTE], 1.0) == 2


def test_never_more_than_the_share_of_the_calls_up_to_its_own():
    due_now = [0.0] * 50
    assert appointments_ahead(0, every(10), due_now, 0.5) == 1  # 1 of 2 calls
    assert appointments_ahead(2, every(10), due_now, 0.5) == 3  # 3 of 6
    assert appointments_ahead(6, every(10), due_now, 0.3) == 3  # 3 of 10
    assert appointments_ahead(6, every(10), due_now, 0.0) == 0
    assert appointments_ahead(6, every(10), due_now, 1.0) == 50


def test_no_estimate_no_count_past_it():
    assert appointments_ahead(3, lambda k: None, [0.0, 0.0], 0.5) == 0


@given(
    ahead=st.integers(0, 40),
    gap=st.floats(0.5, 30),
    due=st.lists(st.floats(0, 600), max_size=60),
    share=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]),
)
def test_the_count_is_within_the_share_and_each_counted_booking_is_due_before_the_turn(ahead, gap, due, share):
    due_in = sorted(d * MINUTE for d in due)
    passed = appointments_ahead(ahead, every(gap), due_in, share)
    assert 0 <= passed <= len(due_in)
    assert passed <= share * (ahead + passed + 1) + 1e-9, "more than the share of the calls up to its own"
    if passed:
        # The passed-th booking falls due before the (delayed) turn it helped delay.
        assert due_in[passed - 1] <= every(gap)(ahead + passed - 1)
    # More bookings never shorten the wait.
    assert appointments_ahead(ahead, every(gap), sorted([*due_in, 0.0]), share) >= passed
