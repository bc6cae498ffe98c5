"""On PostgreSQL, the reads that name a window's tickets find them by key, before the planner has
statistics on the day's tickets.

A hall's tables are analysed only now and then: in a new installation not at all for the first
minute, and every morning the day's tickets are rows the statistics have never seen. Planned on
those estimates, the joins from the windows' states to their tickets scanned every ticket of the
hall once per window or per call: 9 ms a change for the windows' current calls once 600 tickets
were called, a third of PostgreSQL's work in the bench (issue 16). These run the statements on a
database never analysed and count the tickets each plan touched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from server.core.tickets import Status, Ticket
from server.core.windows import WindowState, WindowStatus
from server.db import tickets_repo, waits_repo, window_calls_repo, windows_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import for_hall
from tests.support.plans import selects_sent
from tests.support.services import fresh_pg_database

DAY = date(2026, 12, 7)
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
WINDOWS = 30
DONE = 600


@pytest.fixture(scope="module")
def busy_day() -> Iterator[Engine]:
    with fresh_pg_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn, for_hall(conn, "city"):
            for n in range(DONE + WINDOWS + 400):
                _add(conn, n)
        yield engine
        engine.dispose()


def _add(conn: Any, n: int) -> None:
    """Ticket n of the day: done, then one called at each window, then waiting."""
    window = str(n % WINDOWS + 1)
    called = T0 + timedelta(seconds=30 * n)
    status = Status.DONE if n < DONE else Status.CALLED if n < DONE + WINDOWS else Status.WAITING
    t = Ticket(id=f"t{n:05d}", number=f"A{n:04d}", queue="A", item=None, day=DAY, seq_no=n,
               issued_at=T0 + timedelta(seconds=n), rank_at=T0 + timedelta(seconds=n), status=status,
               window=window if status is not Status.WAITING else None,
               called_at=called if status is not Status.WAITING else None,
               finished_at=called + timedelta(minutes=5) if status is Status.DONE else None,
               attempts=1 if status is not Status.WAITING else 0)
    tickets_repo.add(conn, t, None)
    if status is not Status.WAITING:
        tickets_repo.record_call(conn, t, None)
    if status is Status.CALLED:
        windows_repo.save(conn, WindowState(window, WindowStatus.OPEN, current_ticket=t.id))


def _explained(engine: Any, read: Any) -> list[dict[str, Any]]:
    """The executed plan (EXPLAIN ANALYZE) of every SELECT `read(conn)` sends."""
    with engine.begin() as conn:
        return [conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + s, p).scalar()[0]["Plan"]
                for s, p in selects_sent(engine, read)]


def tickets_touched(plan: dict[str, Any]) -> int:
    """Rows of `tickets` the plan read, kept or thrown away, and rows a join threw away."""
    loops = plan.get("Actual Loops", 1)
    n = plan.get("Rows Removed by Join Filter", 0) * loops
    if plan.get("Relation Name") == "tickets":
        n += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
              + plan.get("Rows Removed by Index Recheck", 0)) * loops
    return n + sum(tickets_touched(p) for p in plan.get("Plans", []))


def test_the_windows_current_calls_touch_one_ticket_each(busy_day):
    plans = _explained(busy_day, lambda conn: waits_repo.to_calls(conn.execute(*waits_repo.current_calls_query(conn))))
    assert len(plans) == 1
    assert tickets_touched(plans[0]) <= 2 * WINDOWS, plans
    with busy_day.begin() as conn, for_hall(conn, "city"):
        calls = waits_repo.to_calls(conn.execute(*waits_repo.current_calls_query(conn)))
    assert sorted(calls) == [f"t{n:05d}" for n in range(DONE, DONE + WINDOWS)]
    assert calls[f"t{DONE:05d}"] == ("A", T0 + timedelta(seconds=30 * DONE))


def test_a_window_s_current_ticket_is_read_by_its_key(busy_day):
    plans = _explained(busy_day, lambda conn: conn.execute(*window_calls_repo.current_of_window_query(conn, "1")))
    assert len(plans) == 1
    assert tickets_touched(plans[0]) <= 1, plans
    with busy_day.begin() as conn, for_hall(conn, "city"):
        row = conn.execute(*window_calls_repo.current_of_window_query(conn, "1")).one()
    assert row.id == f"t{DONE:05d}" and row.window == "1"


def test_a_window_s_latest_calls_read_one_ticket_each(busy_day):
    plans = _explained(busy_day, lambda conn: window_calls_repo.recent_calls(conn, "1", 10))
    assert len(plans) == 1
    assert tickets_touched(plans[0]) <= 10, plans
    with busy_day.begin() as conn, for_hall(conn, "city"):
        assert window_calls_repo.recent_calls(conn, "1", 10) == [("A", False)] * 10
