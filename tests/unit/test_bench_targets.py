"""The bench's target table says plainly whether issue 16's call rate on PostgreSQL is met: the
calls a second of three HallQ processes against the bare app's posts a second in the same run."""

from __future__ import annotations

from bench.report import targets


def _postgres(calls_s: float, posts_s: float) -> dict:
    hallq = {"rate": calls_s, "duplicates_in_responses": 0, "tickets_called_twice_in_db": 0}
    return {"postgres": {"hallq": hallq, "bare": {"rate": posts_s}}}


def _row(rows: list[list[str]]) -> list[str]:
    return next(r for r in rows if r[0].startswith("PostgreSQL call rate"))


def test_the_call_rate_below_half_the_bare_apps_is_reported_as_missed():
    assert _row(targets(_postgres(104.3, 491.2)))[1:] == ["0.21x", "NO"]


def test_the_call_rate_at_half_the_bare_apps_is_met():
    assert _row(targets(_postgres(250.0, 500.0)))[1:] == ["0.50x", "yes"]


def test_no_bare_figure_is_no_pass():
    assert _row(targets(_postgres(100.0, 0.0)))[1:] == ["0.00x", "NO"]
