"""Twelve windows calling one queue at once: every call-next finds a ticket while one waits
that nobody else holds, in the queue's order, and none is handed out twice.

On PostgreSQL a window's claim skips the rows other windows hold; it once re-read the same six
heads every round, found them all held, and answered 204 "nobody waiting" to 100 of 119 calls
with 600 waiting. Real threads on one engine, through the handlers the HTTP API calls."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.app import window_ops
from server.app.context import Services
from server.core.tickets import Priority, Status, Ticket
from server.core.windows import Role, Staff
from server.db import tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import for_hall
from server.db.tables import tickets
from tests.core.halls import DAY, T0, make_hall, queue, window
from tests.support.clock import FakeClock

WINDOWS = 12
WAITING = 240


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url, pool_size=WINDOWS + 2)
    upgrade(engine)
    yield engine
    engine.dispose()


def waiting_now(svc: Services) -> int:
    with svc.engine.connect() as conn:
        return conn.execute(select(func.count()).where(tickets.c.status == Status.WAITING.value)).scalar_one()


def one_queue_hall(engine, waiting: int, green: frozenset[int] = frozenset()) -> tuple[Services, dict[str, Staff]]:
    """WINDOWS windows open on queue A, where tickets A001..`waiting` wait in that order."""
    hall = make_hall([queue("A")], [window(str(n), "A", number=n) for n in range(1, WINDOWS + 1)])
    svc = Services(hall=hall, engine=engine, clock=FakeClock(T0))
    with engine.begin() as conn, for_hall(conn, hall.code):
        for n in range(1, waiting + 1):
            at = T0 - timedelta(minutes=30) + timedelta(seconds=n)
            tickets_repo.add(conn, Ticket(
                id=f"t{n:04d}", number=f"A{n:03d}", queue="A", item="A-001", day=DAY, seq_no=n, issued_at=at,
                rank_at=at, priority=Priority.GREEN if n in green else Priority.NORMAL,
                green_reason="elderly" if n in green else None), None)
    staff = {w.id: Staff(id=int(w.id), username=f"s{w.id}", role=Role.WINDOW) for w in hall.windows}
    for wid, s in staff.items():
        window_ops.open_window(svc, s, wid)
    return svc, staff


def test_a_window_calls_the_best_ticket_nobody_holds_behind_those_other_windows_hold(pg_url):
    """Eleven windows mid-call hold the green ticket and A001..A010: the twelfth gets A011, the
    best free ticket in the policy's order (green first, then by place), not 204."""
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        svc, staff = one_queue_hall(engine, 20, green=frozenset({15}))
        held = [f"t{n:04d}" for n in (15, *range(1, 11))]
        with engine.connect() as others:
            others.begin()
            got = others.execute(select(tickets.c.id).where(tickets.c.id.in_(held)).with_for_update()).scalars()
            assert sorted(got) == sorted(held)
            assert window_ops.call_next(svc, staff["12"], "12")["number"] == "A011"
            assert window_ops.call_next(svc, staff["11"], "11")["number"] == "A012"
            others.rollback()
        # Released (those windows failed), the green ticket is first again, then the oldest.
        assert window_ops.call_next(svc, staff["10"], "10")["number"] == "A015"
        assert window_ops.call_next(svc, staff["9"], "9")["number"] == "A001"
    finally:
        engine.dispose()


def test_a_window_reads_past_any_number_of_held_tickets(pg_url):
    """Fifty tickets held at once (a burst of transactions mid-call, a stuck one): the window still
    gets A051. Call-next once gave up after five rounds of eight, 204 with tickets free behind."""
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        svc, staff = one_queue_hall(engine, 60)
        held = [f"t{n:04d}" for n in range(1, 51)]
        with engine.connect() as others:
            others.begin()
            others.execute(select(tickets.c.id).where(tickets.c.id.in_(held)).with_for_update()).all()
            called = window_ops.call_next(svc, staff["12"], "12")
            others.rollback()
        assert called is not None and called["number"] == "A051"
    finally:
        engine.dispose()


def test_twelve_windows_on_one_queue_each_get_a_ticket_while_one_waits(engine):
    svc, staff = one_queue_hall(engine, WAITING)

    start = threading.Barrier(WINDOWS)
    lock = threading.Lock()
    calls: list[tuple[str, str]] = []  # (window, ticket number)
    refused_while_waiting: list[tuple[str, int]] = []
    failures: list[str] = []

    def work(wid: str) -> None:
        try:
            start.wait(30)
            while True:
                called = window_ops.call_next(svc, staff[wid], wid)
                if called is None:
                    # Fine only when what still waits is held by the windows calling it right now.
                    left = waiting_now(svc)
                    if left >= WINDOWS:
                        refused_while_waiting.append((wid, left))
                    return
                with lock:
                    calls.append((wid, called["number"]))
                window_ops.finish(svc, staff[wid], wid)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failures.append(f"window {wid}: {exc!r}")

    threads = [threading.Thread(target=work, args=(wid,)) for wid in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a window hung"
    assert not failures, failures
    assert not refused_while_waiting, f"204 'nobody waiting' while tickets waited: {refused_while_waiting}"
    numbers = [number for _, number in calls]
    assert [n for n, k in Counter(numbers).items() if k > 1] == [], "a ticket was handed to two windows"
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, WAITING + 1)]
