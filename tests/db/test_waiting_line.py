"""A queue's line as the phones see it: the numbers in calling order, and the longest wait,
which counts the tickets held for one window too (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from server.core.tickets import Priority, Status, Ticket
from server.db import tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade

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
