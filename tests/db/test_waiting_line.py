"""A queue's line as the phones see it: the numbers in calling order, and the longest wait,
which counts the tickets held for one window too (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.core.tickets import Priority, Status, Ticket
from server.db import tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.ticket_tables import tickets

DAY = date(2026, 12, 2)
T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _ticket(n: int, **changes: object) -> Ticket:
    t = Ticket(id=f"t{n}", number=f"A{n:03d}", queue="A", item=None, day=DAY, seq_no=n,
               issued_at=T0 + timedelta(minutes=n), rank_at=T0 + timedelta(minutes=n))
    return replace(t, **changes)


def test_the_line_is_in_calling_order_and_its_longest_wait_counts_a_ticket_held_for_a_window(engine):
    with engine.begin() as conn:
        tickets_repo.add(conn, _ticket(1, target_window="3"), None)  # waits for window 3 only
        tickets_repo.add(conn, _ticket(2), None)
        tickets_repo.add(conn, _ticket(3, priority=Priority.GREEN), None)
        tickets_repo.add(conn, _ticket(4, status=Status.CALLED, window="1"), None)
        tickets_repo.add(conn, _ticket(5, queue="B", number="B005"), None)
    with engine.connect() as conn:
        order, oldest = tickets_repo.waiting_line(conn, "A", DAY)
    assert order == ["A003", "A002"]
    assert oldest == T0 + timedelta(minutes=1)


def test_a_line_of_held_tickets_only_still_has_its_longest_wait(engine):
    with engine.begin() as conn:
        tickets_repo.add(conn, _ticket(7, target_window="3"), None)
    with engine.connect() as conn:
        assert tickets_repo.waiting_line(conn, "A", DAY) == ([], T0 + timedelta(minutes=7))
        assert tickets_repo.waiting_line(conn, "C", DAY) == ([], None)


# The line comes as one row, its numbers joined (making 200 rows cost more than reading them).
# Whatever the mix of classes, places and held tickets, and wherever the limit cuts it, the joined
# numbers are the line's own rows in calling order: SQLite's group_concat included, which has no
# ORDER BY of its own before 3.44 and takes the ordered subquery's rows as they come.
_places = st.lists(
    st.tuples(st.sampled_from(list(Priority)), st.integers(0, 30), st.booleans(), st.sampled_from(["A", "B"])),
    min_size=0, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(places=_places, limit=st.integers(1, 45))
def test_the_joined_line_is_the_lines_rows_in_calling_order(engine, places, limit):
    with engine.begin() as conn:
        conn.execute(tickets.delete())
        for n, (priority, minute, held, queue) in enumerate(places, start=1):
            tickets_repo.add(conn, _ticket(n, queue=queue, number=f"{queue}{n:03d}", priority=priority,
                                           rank_at=T0 + timedelta(minutes=minute),
                                           target_window="3" if held else None), None)
    with engine.connect() as conn:
        rows = conn.execute(
            select(tickets.c.number).where(tickets.c.queue == "A", tickets.c.status == "waiting",
                                           tickets.c.target_window.is_(None))
            .order_by(tickets.c.class_rank, tickets.c.rank_at, tickets.c.number).limit(limit)).scalars().all()
        oldest = min((T0 + timedelta(minutes=m) for _, m, _, q in places if q == "A"), default=None)
        assert tickets_repo.waiting_line(conn, "A", DAY, limit) == (rows, oldest)
