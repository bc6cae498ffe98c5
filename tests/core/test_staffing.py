"""Erlang C staffing: published values, the edge cases a hall meets, and the properties that make
a recommendation trustworthy (more windows never hurt, the number needed is the least that will do)."""

from __future__ import annotations

import math
from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.hall import Hours, ServedQueue, StaffingTarget
from server.core.staffing import (
    IntervalLoad,
    QueueLoad,
    backlog_service_level,
    backlog_wait_s,
    backlog_windows_needed,
    blend_weight,
    blended_rate,
    blended_service_s,
    erlang_b,
    erlang_c,
    expected_wait_s,
    forecast,
    intervals,
    offered_load,
    recommendations,
    service_level,
    what_if,
    window_shares,
    windows_needed,
    windows_per_queue,
)

TARGET = StaffingTarget(share=0.8, wait_minutes=15)


def sq(*pairs: tuple[str, int]) -> tuple[ServedQueue, ...]:
    return tuple(ServedQueue(q, w) for q, w in pairs)


# --- published values ---------------------------------------------------------------------------


def test_textbook_twenty_an_hour_at_three_minutes_with_two_windows():
    # λ = 20/h, S = 3 min → a = 1 erlang; C(2, 1) = 1/3, Wq = C·S/(c − a) = 1 min.
    assert offered_load(20, 180) == pytest.approx(1.0)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert expected_wait_s(2, 20, 180) == pytest.approx(60.0)
    # One window: M/M/1, every visitor waits with probability ρ; a = 1 means no end to the line.
    assert expected_wait_s(1, 20, 180) is None


def test_mm1_matches_its_closed_form():
    # M/M/1 with ρ = 0.5: P(wait) = ρ, Wq = ρ·S/(1 − ρ), P(W ≤ t) = 1 − ρ·e^(−(1−ρ)t/S).
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert expected_wait_s(1, 10, 180) == pytest.approx(180.0)
    assert service_level(1, 10, 180, 60) == pytest.approx(1 - 0.5 * math.exp(-0.5 * 60 / 180))


def test_erlang_b_table_values():
    # Erlang B tables: B(1, 1) = 0.5, B(2, 1) = 0.2, B(5, 2) ≈ 0.0367, B(10, 5) ≈ 0.0184.
    assert erlang_b(1, 1) == pytest.approx(0.5)
    assert erlang_b(2, 1) == pytest.approx(0.2)
    assert erlang_b(5, 2) == pytest.approx(0.03670, abs=1e-5)
    assert erlang_b(10, 5) == pytest.approx(0.01838, abs=1e-5)


def test_call_centre_example_100_calls_per_half_hour():
    # The Erlang calculators' and pyworkforce's example: 100 calls in 30 minutes, AHT 180 s,
    # target 80% answered within 20 s → 14 agents, service level 0.888 there (0.796 at 13).
    assert offered_load(200, 180) == pytest.approx(10.0)
    assert windows_needed(200, 180, 0.8, 20) == 14
    assert service_level(14, 200, 180, 20) == pytest.approx(0.8884, abs=1e-4)
    assert service_level(13, 200, 180, 20) == pytest.approx(0.7956, abs=1e-4)
    assert erlang_c(14, 10) == pytest.approx(0.1741, abs=1e-4)


def test_large_halls_stay_finite_and_fast():
    # Factorials of 1000 overflow a float; the recursion does not.
    c = erlang_c(1000, 950)
    assert 0 < c < 1
    assert windows_needed(3600 * 900 / 60, 60, 0.8, 20) > 900


# --- fractional windows (proxy shares) ----------------------------------------------------------


@pytest.mark.parametrize("a", [0.2, 1.0, 3.7, 40.0])
@pytest.mark.parametrize("c", [1, 2, 5, 17])
def test_real_c_meets_whole_c_continuously(a: float, c: int):
    assert erlang_b(c - 1e-9, a) == pytest.approx(erlang_b(c, a), abs=1e-6)
    assert erlang_b(c + 1e-9, a) == pytest.approx(erlang_b(c, a), abs=1e-6)


def test_fractional_erlang_b_matches_its_integral():
    # 1/B(x, a) = a·∫₀^∞ e^(−a·t)(1+t)^x dt; B(0.5, 1) by quadrature is 0.7251968.
    assert erlang_b(0.5, 1.0) == pytest.approx(0.7251968, abs=1e-6)
    assert erlang_b(0.9, 5.0) == pytest.approx(0.8496336, abs=1e-6)


# --- edge cases ---------------------------------------------------------------------------------


def test_nobody_arriving_needs_no_window_and_waits_nothing():
    assert windows_needed(0, 300, 0.8, 900) == 0
    assert expected_wait_s(1, 0, 300) == 0.0
    assert service_level(0, 0, 300, 900) == 1.0
    # No window at all: no figure, as a ticket's estimate is null then.
    assert expected_wait_s(0, 0, 300) is None


def test_overload_has_no_finite_wait_and_the_need_brings_rho_below_one():
    lam, s = 30, 600  # a = 5 erlangs
    for c in (0, 1, 4.5, 5):
        assert expected_wait_s(c, lam, s) is None
        assert service_level(c, lam, s, 900) == 0.0
    needed = windows_needed(lam, s, 0.8, 900)
    assert needed > offered_load(lam, s)
    assert expected_wait_s(needed, lam, s) is not None


def test_a_waiting_line_needs_a_window_even_when_no_rate_is_known_yet():
    # Before opening the day's rate is 0, but two visitors who came early are waiting.
    body = recommendations([QueueLoad("C", 0, None, waiting=2), QueueLoad("D", 0, None)], {}, TARGET)
    rows = {r["queue"]: r for r in body["queues"]}
    assert rows["C"]["windows_now"] == 0 and rows["C"]["windows_needed"] == 1
    # No window: the wait has no end and nobody is called; one window calls both within 15 min.
    assert rows["C"]["expected_wait_s_now"] is None and rows["C"]["service_level_now"] == 0
    assert rows["C"]["expected_wait_s_needed"] == 300 and rows["C"]["service_level_needed"] == 1  # (0 + 600) / 2
    assert rows["D"]["windows_needed"] == 0  # nobody waiting, nobody coming: no window


def test_the_9_oclock_line_needs_windows_to_call_its_share_within_the_target():
    # 20 in line at 10 minutes each, 80% within 15 minutes: the 16th (k = 15) must be called at
    # ⌊15/c⌋·600 ≤ 900, so c = 8.
    assert backlog_windows_needed(20, 600, 0.8, 900) == 8
    assert backlog_service_level(8, 20, 600, 900) >= 0.8 > backlog_service_level(7, 20, 600, 900)
    assert backlog_wait_s(20, 20, 600) == 0.0 and backlog_windows_needed(3, 60, 0.99, 0) == 3


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200), st.floats(30, 3600), st.floats(0, 7200), st.floats(0.05, 0.95))
def test_backlog_windows_needed_is_the_least_that_meets_the_target(n: int, s: float, t: float, share: float):
    c = backlog_windows_needed(n, s, share, t)
    assert 1 <= c <= n
    assert c == n or backlog_service_level(c, n, s, t) >= share
    assert c == 1 or backlog_service_level(c - 1, n, s, t) < share
    wait = backlog_wait_s(c, n, s)
    assert wait is not None and wait <= (n - 1) * s


def test_a_missing_service_time_takes_the_typical_duration():
    body = recommendations([QueueLoad("A", 12, None)], {"1": sq(("A", 1))}, TARGET, {"A": 1200})
    row = body["queues"][0]
    assert row["service_s"] == 1200
    assert row["windows_needed"] == windows_needed(12, 1200, 0.8, 900)


def test_target_share_outside_zero_one_is_refused():
    with pytest.raises(ValueError):
        windows_needed(10, 300, 1.0, 900)


# --- blending today with history ------------------------------------------------------------------


def test_blend_moves_from_history_to_today_as_the_day_fills():
    assert blend_weight(0) == 0
    assert blend_weight(20) == pytest.approx(0.5)
    assert blend_weight(180) == pytest.approx(0.9)
    # At opening: the history alone; today twice as busy as usual → the forecast leans to double.
    assert blended_rate(30, 0, 0.0, 0.0) == 30
    early = blended_rate(30, 4, 0.25, expected_so_far=2)
    late = blended_rate(30, 200, 4.0, expected_so_far=100)
    assert 30 < early < late < 60
    assert late == pytest.approx(30 + (200 / 220) * 30)


def test_blend_without_history_uses_todays_rate():
    assert blended_rate(None, 12, 2.0) == 6.0
    assert blended_rate(None, 0, 0.0) == 0.0
    # History but nothing expected yet (no history for the elapsed part): today's flat rate.
    assert blended_rate(10, 20, 1.0) == pytest.approx(0.5 * 20 + 0.5 * 10)


def test_service_time_is_shrunk_towards_history_then_the_typical_duration():
    assert blended_service_s(600) == 600
    assert blended_service_s(600, history_mean_s=400) == 400
    assert blended_service_s(600, today_total_s=10 * 300, today_count=10, history_mean_s=500) == 400
    assert blended_service_s(600, today_total_s=1000 * 300, today_count=1000) == pytest.approx(303, abs=1)


# --- proxy windows and the payload ------------------------------------------------------------------


def test_proxy_windows_count_by_their_weight_share():
    assert window_shares(sq(("L", 2), ("M", 2), ("Q", 1))) == {"L": 0.4, "M": 0.4, "Q": 0.2}
    allocation = {"1": sq(("A", 1)), "2": sq(("A", 2), ("B", 1)), "31": sq(("A", 1), ("L", 3))}
    assert windows_per_queue(allocation) == pytest.approx({"A": 1 + 2 / 3 + 1 / 4, "B": 1 / 3, "L": 3 / 4})


def test_recommendations_payload_has_the_protocol_shape():
    loads = [QueueLoad("A", 20, 180), QueueLoad("B", 0, 300), QueueLoad("C", 30, 600)]
    body = recommendations(loads, {"1": sq(("A", 1)), "2": sq(("A", 1), ("C", 1))}, TARGET)
    assert body["method"] == "erlang_c"
    fixed = {"queue", "arrivals_per_hour", "service_s", "windows_now", "windows_needed",
             "expected_wait_s_now", "expected_wait_s_needed"}
    rows = {r["queue"]: r for r in body["queues"]}
    assert all(fixed <= set(r) for r in rows.values())
    assert rows["A"]["windows_now"] == 1.5 and rows["A"]["expected_wait_s_now"] is not None
    assert rows["B"]["windows_needed"] == 0 and rows["B"]["expected_wait_s_now"] is None  # no window
    assert rows["C"]["windows_now"] == 0.5 and rows["C"]["expected_wait_s_now"] is None  # a = 5 > 0.5
    assert rows["C"]["windows_needed"] >= 6 and isinstance(rows["C"]["expected_wait_s_needed"], int)


def test_recommendations_per_interval():
    load = QueueLoad("A", 20, 180, (IntervalLoad(time(9), time(9, 30), 40), IntervalLoad(time(12), time(12, 30), 4)))
    row = recommendations([load], {"1": sq(("A", 1))}, TARGET)["queues"][0]
    peak, lunch = row["intervals"]
    assert (peak["start"], peak["end"]) == ("09:00", "09:30")
    assert peak["windows_needed"] > lunch["windows_needed"] >= 1
    assert peak["expected_wait_s_now"] is None  # 2 erlangs on one window


def test_intervals_cover_the_opening_hours():
    hours = Hours(periods=((time(9), time(12)), (time(13, 30), time(17, 15))))
    cut = intervals(hours, 30)
    assert cut[0] == (time(9), time(9, 30)) and cut[5] == (time(11, 30), time(12))
    assert cut[6] == (time(13, 30), time(14)) and cut[-1] == (time(17), time(17, 15))
    assert len(cut) == 6 + 8


def test_what_if_moving_a_window_between_queues():
    before = {"11": sq(("B", 1)), "12": sq(("B", 1)), "13": sq(("F", 1))}
    after = {**before, "12": sq(("F", 1))}
    loads = [QueueLoad("B", 10, 300), QueueLoad("F", 20, 300), QueueLoad("K", 5, 300)]
    rows = {r["queue"]: r for r in what_if(loads, before, after, TARGET)}
    assert set(rows) == {"B", "F"}  # K's windows do not change
    b, f = rows["B"], rows["F"]
    assert (b["windows_before"], b["windows_after"], f["windows_before"], f["windows_after"]) == (2, 1, 1, 2)
    assert b["expected_wait_s_after"] > b["expected_wait_s_before"]
    assert f["expected_wait_s_before"] is None  # a = 1.67 erlangs on one window
    assert f["expected_wait_s_after"] is not None and f["service_level_after"] > f["service_level_before"]


# --- properties --------------------------------------------------------------------------------------

RATE = st.floats(min_value=0.5, max_value=600)
SERVICE = st.floats(min_value=30, max_value=3600)
WAIT = st.floats(min_value=0, max_value=3600)
SHARE = st.floats(min_value=0.05, max_value=0.99)


@settings(max_examples=200, deadline=None)
@given(RATE, SERVICE, WAIT, st.integers(0, 200))
def test_service_level_rises_and_wait_falls_with_each_window(lam: float, s: float, t: float, c: int):
    assert service_level(c + 1, lam, s, t) >= service_level(c, lam, s, t) - 1e-12
    w0, w1 = expected_wait_s(c, lam, s), expected_wait_s(c + 1, lam, s)
    if w0 is not None:
        assert w1 is not None and w1 <= w0 + 1e-9


@settings(max_examples=200, deadline=None)
@given(RATE, SERVICE, WAIT, SHARE)
def test_windows_needed_is_the_least_that_meets_the_target(lam: float, s: float, t: float, share: float):
    n = windows_needed(lam, s, share, t)
    assert n > offered_load(lam, s)
    assert service_level(n, lam, s, t) >= share
    assert n - 1 <= offered_load(lam, s) or service_level(n - 1, lam, s, t) < share


@settings(max_examples=200, deadline=None)
@given(RATE, SERVICE, st.integers(1, 200))
def test_wait_grows_with_arrivals(lam: float, s: float, c: int):
    w0, w1 = expected_wait_s(c, lam, s), expected_wait_s(c, lam * 1.1, s)
    if w1 is not None:
        assert w0 is not None and w0 <= w1 + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.01, max_value=500), st.floats(min_value=0, max_value=600))
def test_erlang_b_and_c_are_probabilities_falling_in_c(a: float, c: float):
    b0, b1 = erlang_b(c, a), erlang_b(c + 0.5, a)
    assert 0 <= b1 <= b0 <= 1
    assert 0 <= erlang_c(c, a) <= 1
    if c > a:
        assert erlang_c(c, a) >= erlang_b(c, a) - 1e-12  # waiting is likelier than being blocked


def test_forecast_scales_the_weekdays_shape_by_todays_level():
    cut = intervals(Hours(periods=((time(9), time(11)),)), 30)
    history = {time(9): 20.0, time(9, 30): 40.0, time(10): 40.0, time(10, 30): 20.0}
    at_opening = forecast(cut, history, 0, time(9))
    assert [i.arrivals_per_hour for i in at_opening] == [20, 40, 40, 20]
    # By 10:00 history expected 10 + 20 = 30; 60 came: twice as busy, weighted 60/80.
    busy = forecast(cut, history, 60, time(10))
    assert [i.arrivals_per_hour for i in busy] == pytest.approx([20 * 1.75, 40 * 1.75, 40 * 1.75, 20 * 1.75])
    # No history: today's flat rate, 60 in the first hour.
    assert {i.arrivals_per_hour for i in forecast(cut, {}, 60, time(10))} == {60.0}
