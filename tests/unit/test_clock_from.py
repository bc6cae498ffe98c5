"""`hallq serve --clock-from`: the demo hall's clock starts at a given moment and runs on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from server.bootstrap import running_from
from server.cli import parser, settings_from


def test_the_clock_starts_at_the_moment_given_and_runs_in_real_time():
    start = datetime(2026, 12, 7, 1, 40, tzinfo=UTC)
    clock = running_from(start)
    first = clock()
    assert abs(first - start) < timedelta(seconds=1)
    time.sleep(0.05)
    assert clock() > first


def test_serve_reads_an_iso_moment_with_its_offset():
    args = parser().parse_args(["serve", "--clock-from", "2026-12-07T09:40+08:00"])
    assert settings_from(args).clock_from == datetime(2026, 12, 7, 1, 40, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-12-07T09:40", "tomorrow"])
def test_a_moment_without_offset_or_not_a_moment_is_refused_by_name(text, capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--clock-from", text])
    assert text in capsys.readouterr().err
