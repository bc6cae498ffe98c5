"""The calling order, written twice, holds as one: the database's candidates (a few heads of each
line, server/db/tickets_repo.py) give `choose_next` (server/core/calling.py) the same choices as
every waiting ticket of the day would.

On random halls: queues with weights, green and normal visitors, appointment tickets placed in the
past and the future (some sent on to another queue since), tickets sent to this window or to
another, suspended and called ones, tickets waiting past the hall's limit, places that tie, and
tickets other windows hold (left out of the read, as call-next does after a claim finds them held),
with the window's recent calls holding appointments or not and any appointment share.
Not only the first choice: call-next ranks up to `tickets_repo.HEADS` choices to claim, so the
whole ranking must be the one the policy gives over every waiting ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert

from server.core.calling import choose_next
from server.core.hall import Window
from server.core.tickets import Priority, Status, Ticket
from server.db import tickets_repo
from server.db.appointment_tables import appointments
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import tickets
from tests.core.halls import DAY, T0, window

QUEUES = ("A", "B", "C")
NOW = T0


Recent = list[tuple[str, bool]]
Hall = tuple[Window, list[Ticket], set[str], Recent, timedelta, float]


def ranking(w: Window, pool: Iterable[Ticket], recent: Recent, max_wait: timedelta, share: float) -> list[str]:
    """What call-next claims in turn: the policy's choice, then its choice without it, and so on."""
    left, ranked = list(pool), []
    queues, appointments = [q for q, _ in recent], [a for _, a in recent]
    while len(ranked) < tickets_repo.HEADS and (
        pick := choose_next(w, left, queues, NOW, max_wait, appointments, share)
    ) is not None:
        ranked.append(pick.number)
        left.remove(pick)
        queues.insert(0, pick.queue)
        appointments.insert(0, pick.priority is Priority.APPOINTMENT)
    return ranked


@st.composite
def halls(draw: st.DrawFn) -> Hall:
    served = draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True))
    w = window("1", *[(q, draw(st.integers(1, 4))) for q in served])
    count = draw(st.integers(0, 70))
    made: list[Ticket] = []
    for n in range(count):
        # Queue D is served by no window here: only a ticket sent to window 1 from it is callable.
        q = draw(st.sampled_from((*QUEUES, "D")))
        priority = draw(st.sampled_from([Priority.NORMAL, Priority.NORMAL, Priority.GREEN, Priority.APPOINTMENT]))
        # Few distinct places, so tickets often share one and the number decides; an appointment's
        # place is its slot's start, due already or still to come.
        at = NOW - timedelta(minutes=draw(st.integers(0, 12)) * 10)
        place = NOW + timedelta(minutes=draw(st.integers(-12, 6)) * 10) if priority is Priority.APPOINTMENT else at
        made.append(Ticket(
            id=f"t{n:03d}", number=f"{q}{draw(st.integers(0, 999)):03d}-{n}", queue=q, item=None, day=DAY,
            seq_no=n, issued_at=min(at, place), rank_at=place, priority=priority,
            green_reason="elderly" if priority is Priority.GREEN else None,
            status=draw(st.sampled_from([Status.WAITING] * 4 + [Status.SUSPENDED, Status.CALLED])),
            target_window=draw(st.sampled_from([None] * 4 + ["1", "2"])),
            # Sent on from the queue it was booked for: no longer called ahead.
            origin_queue=draw(st.sampled_from([None] * 3 + ["B"])) if priority is Priority.APPOINTMENT else None,
            appointment=f"BK{n:03d}" if priority is Priority.APPOINTMENT else None,
        ))
    held = {t.id for t in made if draw(st.integers(0, 9)) == 0}
    recent = draw(st.lists(st.tuples(st.sampled_from(QUEUES), st.booleans()), max_size=12))
    max_wait = timedelta(minutes=draw(st.sampled_from([20, 45, 90, 600])))
    share = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    return w, made, held, recent, max_wait, share


def booking(t: Ticket) -> dict[str, object]:
    """The checked-in booking an appointment ticket was issued for, in the queue it booked."""
    return {
        "hall": "city", "id": f"a{t.id}", "code": t.appointment, "item": "X", "queue": t.origin_queue or t.queue,
        "day": DAY,
        "start": t.rank_at, "end": t.rank_at + timedelta(minutes=30), "minutes": 10, "name": "张三",
        "id_number": f"11010119900101{t.seq_no:04d}", "phone": "13800000000", "status": "checked_in",
        "created_at": NOW - timedelta(days=1), "address": "127.0.0.1", "checked_in_at": t.issued_at,
        "ticket": t.id,
    }


def check_agreement(engine: Engine, hall: Hall) -> None:
    w, made, held, recent, max_wait, share = hall
    with engine.begin() as conn:
        conn.execute(delete(appointments))
        conn.execute(delete(tickets))
        for t in made:
            tickets_repo.add(conn, t, None)
            if t.appointment:
                conn.execute(insert(appointments).values(**booking(t)))
    with engine.connect() as conn:
        pool = tickets_repo.candidates(conn, w, DAY, exclude=held)
    everyone = [t for t in made if t.status is Status.WAITING and t.id not in held]
    assert {t.id for t in pool} <= {t.id for t in everyone}, "a candidate that is not a free waiting ticket"
    expected = ranking(w, everyone, recent, max_wait, share)
    assert ranking(w, pool, recent, max_wait, share) == expected
    first = choose_next(w, pool, [q for q, _ in recent], NOW, max_wait, [a for _, a in recent], share)
    assert (first.number if first else None) == (expected[0] if expected else None)


def test_a_due_appointment_behind_thirty_earlier_walk_ins_is_among_the_candidates(sqlite_engine):
    """Placed at 10:00 behind thirty walk-ins placed before it: far past the first HEADS of its class
    line, yet the policy calls it first at 10:00, so the database must give it."""
    w = window("1", "A")
    walk_ins = [
        Ticket(id=f"w{n:03d}", number=f"A{n:03d}", queue="A", item=None, day=DAY, seq_no=n,
               issued_at=NOW - timedelta(minutes=60 - n), rank_at=NOW - timedelta(minutes=60 - n))
        for n in range(30)
    ]
    slot = NOW - timedelta(minutes=5)
    booked = Ticket(id="b001", number="A900", queue="A", item=None, day=DAY, seq_no=900, issued_at=slot - timedelta(
        minutes=20), rank_at=slot, priority=Priority.APPOINTMENT, appointment="BK001")
    # Walk-ins placed after 09:55 too, and no recent call of an appointment: the share allows it.
    later = [replace(walk_ins[-1], id="w900", number="A901", seq_no=901, rank_at=NOW, issued_at=NOW)]
    check_agreement(sqlite_engine, (w, [*walk_ins, booked, *later], set(), [], timedelta(hours=3), 0.5))
    with sqlite_engine.connect() as conn:
        pool = tickets_repo.candidates(conn, w, DAY)
    assert choose_next(w, pool, [], NOW, timedelta(hours=3), [], 0.5).number == "A900"


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('agree') / 'a.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hall=halls())
def test_the_candidates_give_the_policy_the_choices_every_waiting_ticket_would_on_sqlite(sqlite_engine, hall):
    check_agreement(sqlite_engine, hall)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hall=halls())
def test_the_candidates_give_the_policy_the_choices_every_waiting_ticket_would_on_postgresql(pg_url, hall):
    engine = _pg_engines.get(pg_url)
    if engine is None:
        engine = _pg_engines[pg_url] = make_engine(pg_url)
        upgrade(engine)
    check_agreement(engine, hall)


_pg_engines: dict[str, Engine] = {}


@pytest.fixture(autouse=True, scope="module")
def _dispose_pg_engines():
    yield
    for engine in _pg_engines.values():
        engine.dispose()
    _pg_engines.clear()
