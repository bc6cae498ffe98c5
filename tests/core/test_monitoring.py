"""The board's pure derivations: time open, idle and paused by reason, and when alerts rise."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.core import monitoring as mon
from server.core.hall import AlertThresholds, Hours

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_pauses_are_summed_by_reason_and_open_time_excludes_them() -> None:
    events = [
        mon.WindowEvent(at(0), "window.open"),
        mon.WindowEvent(at(60), "window.pause", "午休"),
        mon.WindowEvent(at(120), "window.resume"),
        mon.WindowEvent(at(130), "window.pause", "会议"),
        mon.WindowEvent(at(140), "window.resume"),
        mon.WindowEvent(at(150), "window.pause", "午休"),
    ]
    times = mon.window_times(events, T0, at(170))
    assert times.open_s == 60 * (60 + 10 + 10)
    assert dict(times.paused_s_by_reason) == {"午休": 60 * 80, "会议": 60 * 10}
    assert times.opened


def test_a_window_never_opened_has_no_time() -> None:
    times = mon.window_times([], T0, at(60))
    assert (times.open_s, dict(times.paused_s_by_reason), times.opened) == (0, {}, False)


def test_a_window_open_before_the_span_counts_from_its_start() -> None:
    times = mon.window_times([mon.WindowEvent(at(30), "window.close")], T0, at(60), initial="open")
    assert times.open_s == 30 * 60


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 120)), max_size=20))
def test_busy_time_never_exceeds_the_span(spans: list[tuple[int, int]]) -> None:
    busy = mon.busy_seconds([(at(s), at(s + d)) for s, d in spans], T0, at(480))
    assert 0 <= busy <= 480 * 60


def test_idle_is_open_minus_busy() -> None:
    times = mon.window_times([mon.WindowEvent(at(0), "window.open")], T0, at(60))
    busy = mon.busy_seconds([(at(10), at(20)), (at(15), at(30)), (at(50), None)], T0, at(60))
    assert busy == 30 * 60
    assert mon.idle_seconds(times, busy) == 30 * 60


def test_queue_wait_alert_uses_the_queue_threshold() -> None:
    th = AlertThresholds(longest_wait_minutes=30, queue_longest_wait_minutes=(("C", 45.0),))
    assert mon.queue_wait_over("A", "甲", "A", None, 3, 31 * 60, th, T0) is not None
    assert mon.queue_wait_over("C", "丙", "C", None, 3, 31 * 60, th, T0) is None
    assert mon.queue_wait_over("A", "甲", "A", None, 0, 99 * 60, th, T0) is None
    alert = mon.queue_wait_over("A", "甲", "A", None, 3, 61 * 60, th, T0)
    assert alert and alert.level == "critical" and alert.message.startswith("甲")


def test_pause_alert_by_reason() -> None:
    th = AlertThresholds()
    assert mon.pause_too_long("1", "1号窗口", "Window 1", None, "暂时离开", 16 * 60, th, T0) is not None
    assert mon.pause_too_long("1", "1号窗口", "Window 1", None, "午休", 60 * 60, th, T0) is None
    assert mon.pause_too_long("1", "1号窗口", "Window 1", None, "其他", 31 * 60, th, T0) is not None


def test_windows_are_due_after_opening_and_grace_on_workdays_only() -> None:
    hours = Hours(periods=((time(9), time(17)),))
    assert not mon.past_opening(hours, time(9, 10), True)
    assert mon.past_opening(hours, time(9, 15), True)
    assert not mon.past_opening(hours, time(10), False)
    assert not mon.past_opening(hours, time(17, 30), True)


def test_printer_alert_only_when_it_cannot_print() -> None:
    assert mon.printer("tcp://p", "paper_out", ["kiosk-1"], T0) is not None
    assert mon.printer("tcp://p", "paper_near_end", ["kiosk-1"], T0) is None
    assert mon.printer("tcp://p", "online", [], T0) is None


def test_a_case_one_working_day_from_its_promise_or_past_it_is_said_in_the_singular() -> None:
    assert mon.case_deadline("CITY-SCJG-2026-000001", "yellow", 1, "SCJG", T0).message_en.endswith(
        ": 1 working day left")
    assert mon.case_deadline("CITY-SCJG-2026-000001", "red", -1, "SCJG", T0).message_en.endswith(
        "is 1 working day overdue")
    assert mon.case_deadline("CITY-SCJG-2026-000001", "orange", 2, "SCJG", T0).message_en.endswith(
        ": 2 working days left")
