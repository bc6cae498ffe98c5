"""Two halls on one database (issue 16): the same window ids, queue codes and ticket numbers in
both, and each hall's reads and changes of its tickets, calls, windows, counts, service records and
allocation changes are its own. Driven through the repositories on connections scoped with
`for_hall`, as a hall's unit of work scopes its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, insert, select

from server.core.calling import choose_next
from server.core.hall import Window
from server.core.numbering import format_number
from server.core.tickets import Priority, Status, Ticket, call
from server.core.windows import WindowState, WindowStatus
from server.db import (
    allocation_repo,
    counters_repo,
    line_place,
    monitor_repo,
    queue_stats_repo,
    service_repo,
    tickets_repo,
    waits_repo,
    window_calls_repo,
    windows_repo,
)
from server.db.appointment_tables import appointments
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import for_hall
from server.db.service_tables import service_segments, window_periods
from tests.core.halls import DAY, T0, window

CITY, D1 = "city", "d1"
MAX_WAIT = timedelta(hours=3)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'two.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@contextmanager
def hall(engine: Engine, code: str) -> Iterator[Connection]:
    """One transaction of hall `code`."""
    with engine.begin() as conn, for_hall(conn, code):
        yield conn


def issue(conn: Connection, queue: str = "A", *, at: datetime = T0, priority: Priority = Priority.NORMAL,
          item: str | None = None, target: str | None = None) -> Ticket:
    """A ticket numbered as issuing numbers it: the hall's counter of the queue and day."""
    seq_no = counters_repo.next_counter(conn, f"ticket:{queue}:{DAY.isoformat()}")
    t = Ticket(id=secrets.token_urlsafe(12), number=format_number(queue, seq_no), queue=queue, item=item, day=DAY,
               seq_no=seq_no, issued_at=at, rank_at=at, priority=priority,
               green_reason="elderly" if priority is Priority.GREEN else None, target_window=target)
    tickets_repo.add(conn, t, None)
    return t


def call_next(conn: Connection, w: Window, now: datetime) -> Ticket | None:
    """Call-next as window_ops does it: the window's visitor done, then the policy's choice among the
    candidates, claimed by key."""
    current = windows_repo.get(conn, w.id).current_ticket
    if current is not None:
        done = tickets_repo.get(conn, current)
        assert done is not None
        tickets_repo.save(conn, replace(done, status=Status.DONE, finished_at=now))
    recent = window_calls_repo.recent_calls(conn, w.id, 12)
    pool = tickets_repo.candidates(conn, w, DAY)
    pick = choose_next(w, pool, [q for q, _ in recent], now, MAX_WAIT, [a for _, a in recent])
    if pick is None:
        return None
    claimed = tickets_repo.claim(conn, [pick.id])
    assert claimed is not None
    called = call(claimed, w.id, now)
    tickets_repo.save(conn, called)
    tickets_repo.record_call(conn, called, None)
    windows_repo.save(conn, WindowState(window=w.id, status=WindowStatus.OPEN, staff_id=7, since=now,
                                        current_ticket=called.id))
    return called


def test_issuing_in_both_halls_gives_both_the_first_number_and_each_finds_only_its_own(engine):
    with hall(engine, CITY) as conn:
        city = issue(conn)
    with hall(engine, D1) as conn:
        d1 = issue(conn)
    assert city.number == d1.number == "A001"
    for code, own, other in ((CITY, city, d1), (D1, d1, city)):
        with hall(engine, code) as conn:
            assert tickets_repo.find_by_number(conn, DAY, "a001") == own
            assert tickets_repo.get(conn, own.id) == own
            # Another hall's ticket is not found, even by its id, and no change reaches it.
            assert tickets_repo.get(conn, other.id, lock=True) is None
            assert tickets_repo.many(conn, [own.id, other.id]) == {own.id: own}
            assert tickets_repo.claim(conn, [other.id]) is None
            tickets_repo.save(conn, replace(other, note="changed by the wrong hall"))
            tickets_repo.link_case(conn, other.id, "WRONG-1")
            assert monitor_repo.search_day(conn, DAY, "001") == [own]
            assert tickets_repo.stale_waiting(conn, DAY + timedelta(days=1)) == [own]
    with hall(engine, D1) as conn:
        assert tickets_repo.get(conn, d1.id) == d1


def test_call_next_at_window_1_calls_only_its_own_hall_s_tickets(engine):
    w = window("1", "A")
    with hall(engine, D1) as conn:
        # D1's line is older, greener and longer: a call that saw it would take one of them.
        d1_green = issue(conn, at=T0 - timedelta(hours=2), priority=Priority.GREEN)
        d1_sent = issue(conn, at=T0 - timedelta(hours=2), target="1")
        d1_line = [issue(conn, at=T0 - timedelta(hours=1, minutes=n)) for n in range(3)]
        booked = issue(conn, at=T0 - timedelta(minutes=90), priority=Priority.APPOINTMENT)
        conn.execute(insert(appointments).values(
            hall=D1, id="ap1", code="BK001", item="X", queue="A", day=DAY, start=booked.rank_at,
            end=booked.rank_at + timedelta(minutes=30), minutes=10, name="张三", id_number="110101199001010000",
            phone="13800000000", status="checked_in", created_at=T0 - timedelta(days=1), address="127.0.0.1",
            checked_in_at=booked.issued_at, ticket=booked.id,
        ))
    d1_all = {d1_green.id, d1_sent.id, booked.id, *(t.id for t in d1_line)}
    with hall(engine, CITY) as conn:
        city_tickets = [issue(conn, at=T0 + timedelta(minutes=n)) for n in range(2)]
        assert {t.id for t in tickets_repo.candidates(conn, w, DAY)} == {t.id for t in city_tickets}
        first = call_next(conn, w, T0 + timedelta(minutes=5))
        assert first is not None and first.id == city_tickets[0].id
    with hall(engine, D1) as conn:
        pool = {t.id for t in tickets_repo.candidates(conn, w, DAY)}
        assert pool == d1_all
        called = [call_next(conn, w, T0 + timedelta(minutes=6 + n)) for n in range(2)]
        assert all(t is not None and t.id in d1_all for t in called)
        assert windows_repo.get(conn, "1").current_ticket == called[-1].id
        assert [q for q, _ in window_calls_repo.recent_calls(conn, "1", 12)] == ["A", "A"]
    with hall(engine, CITY) as conn:
        assert windows_repo.get(conn, "1").current_ticket == first.id
        assert window_calls_repo.recent_calls(conn, "1", 12) == [("A", False)]
        assert [t.id for t in tickets_repo.latest_calls(conn, DAY)] == [first.id]
        # The ticket a window of D1 called is still waiting in the city's line, and the other way.
        assert tickets_repo.get(conn, city_tickets[1].id).status is Status.WAITING
        assert call_next(conn, w, T0 + timedelta(minutes=9)).id == city_tickets[1].id
        assert call_next(conn, w, T0 + timedelta(minutes=10)) is None
    with hall(engine, D1) as conn:
        assert {t.id for t in tickets_repo.latest_calls(conn, DAY)} == {t.id for t in called if t}


def test_the_line_views_and_counts_of_one_hall_never_show_the_other_s(engine):
    with hall(engine, D1) as conn:
        for n in range(4):
            issue(conn, at=T0 - timedelta(hours=1, minutes=n))
        issue(conn, at=T0 - timedelta(hours=3), priority=Priority.GREEN)
        issue(conn, at=T0 - timedelta(hours=3), target="1")
        queue_stats_repo.bump_stats(conn, "A", DAY, served=5, service_s=500.0, no_show=2)
    with hall(engine, CITY) as conn:
        mine = [issue(conn, at=T0 + timedelta(minutes=n)) for n in range(2)]
        queue_stats_repo.bump_stats(conn, "A", DAY, served=1, service_s=60.0)
        assert tickets_repo.waiting_line(conn, "A", DAY) == ([t.number for t in mine], T0)
        assert tickets_repo.oldest_waiting(conn, "A", DAY) == T0
        assert line_place.ahead(conn, mine[1]) == 1
        assert queue_stats_repo.stats(conn, DAY) == {
            "A": {"issued": 2, "served": 1, "service_s": 60.0, "no_show": 0, "waiting": 2, "cut_ins": 0}}
        assert tickets_repo.sent_to_window(conn, "1") == []
        assert tickets_repo.targeted_windows(conn) == []
        assert waits_repo.calls_since(conn, []) == {}
    with hall(engine, D1) as conn:
        numbers, oldest = tickets_repo.waiting_line(conn, "A", DAY)
        assert len(numbers) == 5 and oldest == T0 - timedelta(hours=3)
        stats = queue_stats_repo.stats(conn, DAY)
        assert stats == {"A": {"issued": 6, "served": 5, "service_s": 500.0, "no_show": 2, "waiting": 6,
                               "cut_ins": 1}}
        assert tickets_repo.targeted_windows(conn) == ["1"]
        assert len(tickets_repo.sent_to_window(conn, "1")) == 1


def test_a_hall_s_finished_services_and_window_day_are_its_own(engine):
    w = window("1", "A")
    done_at = T0 + timedelta(minutes=20)
    for code, n in ((CITY, 1), (D1, 3)):
        with hall(engine, code) as conn:
            for k in range(n):
                issue(conn, at=T0 + timedelta(minutes=k), item="X")
            for k in range(n):
                t = call_next(conn, w, T0 + timedelta(minutes=10 + k))
                assert t is not None
                tickets_repo.save(conn, replace(t, status=Status.DONE, finished_at=done_at + timedelta(minutes=k)))
                monitor_repo.record_forced(conn, t, done_at, "monitor", "test")
            issue(conn, at=T0 + timedelta(minutes=30), item="X")
    with hall(engine, CITY) as conn:
        assert len(waits_repo.recent_services(conn, "A", DAY, 40)) == 1
        outcomes, no_shows, suspended = tickets_repo.window_day(conn, "1", DAY)
        assert (outcomes, no_shows, suspended) == ({"done": 1}, 0, [])
        assert len(tickets_repo.still_to_call_of_item(conn, DAY, "X")) == 1
        mine = {t.id for t in monitor_repo.search_day(conn, DAY, "A")}
        assert len(mine) == 2
    with hall(engine, D1) as conn:
        theirs = {t.id for t in monitor_repo.search_day(conn, DAY, "A")}
        assert len(waits_repo.recent_services(conn, "A", DAY, 40)) == 3
        assert tickets_repo.window_day(conn, "1", DAY)[0] == {"done": 3}
        assert len(monitor_repo.forced(conn, mine | theirs)) == 3
        assert set(waits_repo.calls_since(conn, mine | theirs)) <= theirs
    with hall(engine, CITY) as conn:
        assert len(monitor_repo.forced(conn, mine | theirs)) == 1
        assert set(waits_repo.calls_since(conn, mine | theirs)) <= mine


def test_window_states_and_service_records_of_one_hall_never_touch_the_other_s(engine):
    for code, staff in ((CITY, 7), (D1, 8)):
        with hall(engine, code) as conn:
            windows_repo.save(conn, WindowState(window="1", status=WindowStatus.OPEN, staff_id=staff, since=T0))
            service_repo.begin_period(conn, window="1", staff_id=staff, state="open", reason="", day=DAY, at=T0)
            t = issue(conn)
            service_repo.open_segment(conn, ticket_id=t.id, day=DAY, queue="A", item=None, department=None,
                                      window="1", staff_id=staff, at=T0, wait_s=0.0)
    with hall(engine, CITY) as conn:
        windows_repo.save(conn, WindowState(window="1", status=WindowStatus.PAUSED, staff_id=7, since=T0))
        windows_repo.save(conn, WindowState(window="2", status=WindowStatus.OPEN, staff_id=7, since=T0))
        service_repo.end_period(conn, "1", T0 + timedelta(minutes=5))
        assert set(windows_repo.all_states(conn)) == {"1", "2"}
        # Nobody holds a sign-in: both of the city's windows are held without one, none of D1's.
        assert sorted(windows_repo.held_without_sign_in(conn, T0)) == ["1", "2"]
    with hall(engine, D1) as conn:
        assert windows_repo.all_states(conn) == {
            "1": WindowState(window="1", status=WindowStatus.OPEN, staff_id=8, since=T0)}
        assert windows_repo.get(conn, "2") == WindowState(window="2")
        assert windows_repo.held_without_sign_in(conn, T0) == ["1"]
        t_d1 = conn.execute(select(service_segments.c.ticket_id).where(service_segments.c.hall == D1)).scalar_one()
        service_repo.start_segment(conn, t_d1, T0 + timedelta(minutes=1))
    with engine.connect() as conn:
        periods = {r.hall: r.ended_at for r in conn.execute(select(window_periods))}
        segments = {r.hall: r.started_at for r in conn.execute(select(service_segments))}
    assert periods[CITY] is not None and periods[D1] is None
    assert segments[CITY] is None and segments[D1] is not None


def _change(change_id: int, state: dict) -> dict:
    return {
        "id": change_id, "at": T0, "actor_id": None, "actor_name": "manager", "actor_role": "manager",
        "kind": "window", "reason": "test", "window": "1", "item": None, "before": [], "after": [],
        "state": state, "departments": [], "forced": False, "stranded": [], "undoes": None,
    }


def test_the_allocation_changes_of_one_hall_never_show_the_other_s(engine):
    for code, n in ((CITY, 1), (D1, 2)):
        for k in range(n):
            with hall(engine, code) as conn:
                change_id = allocation_repo.lock_next_id(conn)
                allocation_repo.add(conn, _change(change_id, {"hall": code, "k": k}))
    with hall(engine, CITY) as conn:
        assert allocation_repo.latest_id(conn) == 1
        assert allocation_repo.state_of(conn, 1) == {"hall": CITY, "k": 0}
        assert allocation_repo.state_of(conn, 2) is None
        assert [r.state["hall"] for r in allocation_repo.history(conn)] == [CITY]
    with hall(engine, D1) as conn:
        assert allocation_repo.latest_id(conn) == 2
        assert allocation_repo.latest_id_and(conn, select(1).scalar_subquery()) == (2, 1)
        assert allocation_repo.state_of(conn, 1) == {"hall": D1, "k": 0}
        assert [r.state["hall"] for r in allocation_repo.history(conn, T0)] == [D1, D1]
