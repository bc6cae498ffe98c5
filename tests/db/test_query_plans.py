"""The reads every change makes stay index walks that stop early, whatever the line's length.

SQLite's planner has no statistics on a new hall's database and once chose a status index for a
lookup by key, walking every waiting ticket of the day on every call (docs/performance.md). These
pin the plans on a database holding a long line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.core.tickets import Priority, Ticket
from server.db import allocation_repo, line_place, queue_stats_repo, stats_sql, tickets_repo, waits_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.plans import selects_sent

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def long_line(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'p.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        for n in range(2000):
            queue = "AB"[n % 2]
            tickets_repo.add(conn, Ticket(
                id=f"t{n:05d}", number=f"{queue}{n:04d}", queue=queue, item=None, day=DAY, seq_no=n,
                issued_at=T0 + timedelta(seconds=n), rank_at=T0 + timedelta(seconds=n),
                priority=Priority.GREEN if n % 50 == 0 else Priority.NORMAL,
            ), None)
    yield engine
    engine.dispose()


def plans_of(engine, read) -> list[str]:
    """The query plan of every SELECT `read(conn)` runs."""
    statements = selects_sent(engine, read)
    with engine.connect() as conn:
        return [" / ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + s, p)) for s, p in statements]


def assert_no_walk_of_the_line(plans: list[str]) -> None:
    for plan in plans:
        assert "SCAN tickets" not in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "(status=?)" not in plan, f"walks every waiting ticket: {plan}"


def test_call_next_reads_the_heads_of_lines_and_claims_by_key(long_line):
    hall = load_hall(DEFAULT_CONFIG)
    window = hall.window("1")

    def read(conn):
        pool = tickets_repo.candidates(conn, window, DAY)
        tickets_repo.claim(conn, [t.id for t in pool][:8])

    plans = plans_of(long_line, read)
    # The appointment tickets (a part of their own, server/db/appointment_load.py) come from the
    # day's bookings of the window's queues, each joined to its ticket by key, and are sorted by
    # place: a sort of those bookings (bounded by the daily caps), never of the walk-in line.
    bookings = ("SEARCH appointments USING INDEX ix_appointments_day (hall=? AND day=? AND queue=?) / "
                "SEARCH tickets USING INDEX sqlite_autoindex_tickets_1 (id=?) / USE TEMP B-TREE FOR ORDER BY")
    assert any(bookings in p for p in plans), plans
    assert_no_walk_of_the_line([p.replace(bookings, "") for p in plans])
    assert any("sqlite_autoindex_tickets_1 (id=?)" in p for p in plans), plans


def test_a_queue_view_reads_its_first_numbers_and_oldest_place_from_indexes(long_line):
    plans = plans_of(long_line, lambda conn: tickets_repo.waiting_line(conn, "A", DAY, 200))
    assert_no_walk_of_the_line(plans)
    assert all("COVERING INDEX" in p for p in plans), plans


def test_the_place_of_a_ticket_at_the_end_of_a_long_line_is_read_from_the_end(long_line):
    # Issuing at the end of a line of thousands counted every ticket before it (issue 16).
    with long_line.connect() as conn:
        last = tickets_repo.find_by_number(conn, DAY, "A1998")
        assert last is not None and line_place.ahead(conn, last) == 999
    plans = plans_of(long_line, lambda conn: line_place.ahead(conn, last))
    assert len(plans) == 1, plans
    assert "ix_tickets_target (hall=? AND target_window>?)" in plans[0], plans
    assert "ix_tickets_line (hall=? AND status=? AND day=? AND queue=? AND (class_rank,rank_at,number)>(?,?,?))" \
        in plans[0], plans
    assert "SCAN tickets" not in plans[0] and "TEMP B-TREE" not in plans[0], plans


def test_the_latest_calls_are_read_newest_first_from_an_index(long_line):
    plans = plans_of(long_line, lambda conn: tickets_repo.latest_calls(conn, DAY))
    assert plans == ["SEARCH tickets USING INDEX ix_tickets_day_called (hall=? AND day=? AND called_at>?)"], plans


def test_the_day_s_cut_ins_come_with_the_queue_s_counts_in_one_key_read(long_line):
    # The waiting-time estimate needs them on every change: kept by trigger (migration 0022) in
    # the counts row every change reads anyway, so no change counts them over the day's tickets.
    plans = plans_of(long_line, lambda conn: queue_stats_repo.stats(conn, DAY))
    assert plans and all("USING INDEX sqlite_autoindex_queue_stats_1" in p for p in plans), plans
    with long_line.connect() as conn:
        assert queue_stats_repo.stats(conn, DAY)["A"]["cut_ins"] == 40


def test_a_queue_s_latest_services_are_read_newest_first_without_a_sort(long_line):
    plans = plans_of(long_line, lambda conn: waits_repo.recent_services(conn, "A", DAY, 40))
    walk = ("SEARCH tickets USING INDEX ix_tickets_finished "
            "(hall=? AND status=? AND day=? AND queue=? AND finished_at>?)")
    assert plans == [walk], plans


def test_a_hall_s_latest_allocation_change_is_a_walk_of_its_key(long_line):
    # Read on every request: the last of the hall's changes, never a sort of them.
    plans = plans_of(long_line, allocation_repo.latest_id)
    assert plans == ["SEARCH allocation_changes USING COVERING INDEX sqlite_autoindex_allocation_changes_1 (hall=?)"]


def test_a_window_s_busy_time_meets_each_period_with_its_own_day_s_stints(long_line):
    """The statistics' idle time joins each open period to the stints of its window and day. With
    the periods' day range carried over to the stints through the join, the planner walked every
    stint of the month and, for each, every period of the month: 28 s for a month of 100,000
    tickets by window (docs/performance.md). Each period must find its stints by key."""
    scope = stats_sql.Scope(first=DAY, last=DAY + timedelta(days=30), now=T0 + timedelta(days=31),
                            offset_s=8 * 3600, queue_departments={})
    plans = plans_of(long_line, lambda conn: stats_sql.period_figures(conn, scope, "window"))
    joins = [p for p in plans if "service_segments" in p]
    assert joins, plans
    for plan in joins:
        assert "ix_service_segments_day (hall=? AND day=? AND window=?" in plan, plan
