"""How long a visitor will wait: mean service time, effective windows, the estimate itself."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.estimate import PRIOR_WEIGHT, effective_windows, estimate_wait_s, mean_service_s

from .halls import make_hall, proxy_window, queue, window

TYPICAL = 600.0

# ---------------------------------------------------------------- mean service time


def test_with_no_measurement_the_mean_is_the_items_typical_duration():
    assert mean_service_s(0.0, 0, TYPICAL) == TYPICAL


def test_the_first_visits_of_the_day_only_nudge_the_estimate():
    # One 30-minute visit moves a 10-minute prior by a quarter of the difference, not all of it.
    assert mean_service_s(1800.0, 1, TYPICAL) == pytest.approx(900.0)
    assert PRIOR_WEIGHT == 3.0


def test_with_as_many_measurements_as_the_prior_weight_it_is_halfway():
    measured_mean = 300.0
    n = int(PRIOR_WEIGHT)
    assert mean_service_s(measured_mean * n, n, TYPICAL) == pytest.approx((measured_mean + TYPICAL) / 2)


def test_many_measurements_outweigh_the_prior():
    assert mean_service_s(300.0 * 1000, 1000, TYPICAL) == pytest.approx(300.0, rel=0.01)


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 7200), st.integers(1, 500), st.floats(1, 7200))
def test_the_mean_lies_between_the_measured_mean_and_the_typical_one(measured, count, typical):
    mean = mean_service_s(measured * count, count, typical)
    assert min(measured, typical) - 1e-6 <= mean <= max(measured, typical) + 1e-6
    # and one more measurement of the same length moves it towards the measured mean
    closer = mean_service_s(measured * (count + 1), count + 1, typical)
    assert abs(closer - measured) <= abs(mean - measured) + 1e-6


def test_the_hall_falls_back_to_ten_minutes_for_a_queue_without_items():
    hall = make_hall([queue("a")], [window("w1", "a")], typical_minutes=4)
    assert hall.typical_service_s("a") == 240.0
    assert hall.typical_service_s("nobody") == 600.0


# ---------------------------------------------------------------- effective windows


def test_a_window_serving_only_this_queue_counts_fully():
    assert effective_windows("a", [window("w1", "a"), window("w2", "a")], {"a": 5}) == 2.0


def test_a_window_not_serving_the_queue_counts_zero():
    assert effective_windows("a", [window("w1", "b")], {"a": 5, "b": 5}) == 0.0


def test_a_shared_window_counts_by_its_weights_share_among_queues_with_people_waiting():
    shared = window("w1", ("a", 2), ("b", 1))
    assert effective_windows("a", [shared], {"a": 3, "b": 4}) == pytest.approx(2 / 3)
    assert effective_windows("b", [shared], {"a": 3, "b": 4}) == pytest.approx(1 / 3)


def test_a_shared_window_counts_fully_while_its_other_queues_are_empty():
    shared = window("w1", ("a", 2), ("b", 1))
    assert effective_windows("a", [shared], {"a": 3, "b": 0}) == 1.0
    assert effective_windows("a", [shared], {"a": 3}) == 1.0


def test_the_queue_asked_about_counts_even_when_nobody_else_waits_in_it():
    # A visitor asking before taking a ticket: their queue is empty, the other one is not.
    shared = window("w1", "a", "b")
    assert effective_windows("a", [shared], {"a": 0, "b": 2}) == 0.5


def test_a_proxy_window_serving_several_departments_counts_by_share():
    proxy = proxy_window("p1", ("a", 1), ("b", 1), ("c", 2))
    dedicated = window("w1", "a")
    waiting = {"a": 4, "b": 1, "c": 0}
    assert effective_windows("a", [dedicated, proxy], waiting) == pytest.approx(1 + 1 / 2)
    waiting["c"] = 6
    assert effective_windows("a", [dedicated, proxy], waiting) == pytest.approx(1 + 1 / 4)


def test_a_paused_window_is_not_passed_in_so_it_counts_zero():
    w1, w2 = window("w1", "a"), window("w2", "a", "b")
    all_open = effective_windows("a", [w1, w2], {"a": 6, "b": 2})
    w2_paused = effective_windows("a", [w1], {"a": 6, "b": 2})
    assert (all_open, w2_paused) == (1.5, 1.0)
    assert effective_windows("a", [], {"a": 6}) == 0.0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from("abcd"), st.integers(1, 3)), min_size=1, max_size=4, unique_by=lambda x: x[0]
        ),
        max_size=5,
    ),
    st.dictionaries(st.sampled_from("abcd"), st.integers(0, 5)),
)
def test_effective_windows_never_exceed_the_windows_serving_the_queue(served_lists, waiting):
    windows = [window(f"w{i}", *served) for i, served in enumerate(served_lists)]
    serving_a = sum(1 for w in windows if w.serves("a"))
    value = effective_windows("a", windows, waiting)
    assert 0.0 <= value <= serving_a + 1e-9
    assert (value > 0) == (serving_a > 0)


# ---------------------------------------------------------------- the estimate


def test_with_no_open_window_there_is_no_estimate():
    assert estimate_wait_s(5, TYPICAL, 0.0) is None
    assert estimate_wait_s(0, TYPICAL, 0.0) is None
    assert estimate_wait_s(5, TYPICAL, effective_windows("a", [], {"a": 5})) is None


def test_nobody_ahead_means_no_wait():
    assert estimate_wait_s(0, TYPICAL, 1.0) == 0


def test_the_estimate_is_ahead_times_mean_over_windows():
    assert estimate_wait_s(4, 600.0, 2.0) == 1200
    assert estimate_wait_s(3, 600.0, 1.5) == 1200
    assert estimate_wait_s(1, 100.0, 3.0) == 33


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.floats(1, 7200), st.floats(0.01, 20))
def test_the_estimate_never_falls_as_more_people_are_ahead(ahead, mean, windows):
    here = estimate_wait_s(ahead, mean, windows)
    behind = estimate_wait_s(ahead + 1, mean, windows)
    assert here is not None and behind is not None
    assert 0 <= here <= behind
    assert math.isclose(here, ahead * mean / windows, abs_tol=0.5 + 1e-6 * ahead * mean / windows)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 500), st.floats(1, 7200), st.floats(0.01, 10), st.floats(0.01, 10))
def test_more_windows_never_lengthen_the_estimate(ahead, mean, fewer, extra):
    assert estimate_wait_s(ahead, mean, fewer + extra) <= estimate_wait_s(ahead, mean, fewer)
