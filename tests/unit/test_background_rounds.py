"""The periodic rounds of a process of many halls (issue 16): each hall's rounds start at its own
phase of the period, so fifty halls' rounds are spread over it instead of landing together."""

from __future__ import annotations

from typing import Any

import pytest

from server.web import background


class Stop(Exception):
    pass


class FakeSocketIO:
    """Runs a background task at once and records its sleeps; the third sleep ends it."""

    def __init__(self) -> None:
        self.timeline: list[Any] = []

    def start_background_task(self, fn: Any) -> None:
        with pytest.raises(Stop):
            fn()

    def sleep(self, seconds: float) -> None:
        self.timeline.append(seconds)
        if len([t for t in self.timeline if not isinstance(t, str)]) >= 3:
            raise Stop


def test_a_round_starts_at_its_phase_of_the_period_then_keeps_the_period():
    sio = FakeSocketIO()
    background.every(sio, 30.0, "board", lambda: sio.timeline.append("round"), phase=0.25)  # type: ignore[arg-type]
    assert sio.timeline == [7.5, "round", 30.0, "round", 30.0]


def test_the_home_hall_s_round_runs_at_once():
    sio = FakeSocketIO()
    background.every(sio, 30.0, "board", lambda: sio.timeline.append("round"))  # type: ignore[arg-type]
    assert sio.timeline[:2] == ["round", 30.0]


def test_a_failed_round_does_not_end_the_loop():
    sio = FakeSocketIO()

    def fails() -> None:
        sio.timeline.append("round")
        raise RuntimeError("database away")

    background.every(sio, 5.0, "spooler", fails)  # type: ignore[arg-type]
    assert sio.timeline == ["round", 5.0, "round", 5.0, "round", 5.0]
