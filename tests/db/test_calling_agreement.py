"""The calling order, written twice, holds as one: the database's candidates (a few heads of each
line, server/db/tickets_repo.py) give `choose_next` (server/core/calling.py) the same choices as
every waiting ticket of the day would.

On random halls: queues with weights, green and normal visitors, tickets sent to this window or to
another, suspended and called ones, tickets waiting past the hall's limit, places that tie, and
tickets other windows hold (left out of the read, as call-next does after a claim finds them held).
Not only the first choice: call-next ranks up to `tickets_repo.HEADS` choices to claim, so the
whole ranking must be the one the policy gives over every waiting ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from server.core.calling import choose_next
from server.core.hall import Window
from server.core.tickets import Priority, Status, Ticket
from server.db import tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import tickets
from tests.core.halls import DAY, T0, window

QUEUES = ("A", "B", "C")
NOW = T0


def ranking(w: Window, pool: Iterable[Ticket], recent: list[str], max_wait: timedelta) -> list[str]:
    """What call-next claims in turn: the policy's choice, then its choice without it, and so on."""
    left, recent, ranked = list(pool), list(recent), []
    while len(ranked) < tickets_repo.HEADS and (pick := choose_next(w, left, recent, NOW, max_wait)) is not None:
        ranked.append(pick.number)
        left.remove(pick)
        recent.insert(0, pick.queue)
    return ranked


@st.composite
def halls(draw: st.DrawFn) -> tuple[Window, list[Ticket], set[str], list[str], timedelta]:
    served = draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True))
    w = window("1", *[(q, draw(st.integers(1, 4))) for q in served])
    count = draw(st.integers(0, 45))
    made: list[Ticket] = []
    for n in range(count):
        # Queue D is served by no window here: only a ticket sent to window 1 from it is callable.
        q = draw(st.sampled_from((*QUEUES, "D")))
        green = draw(st.booleans())
        # Few distinct places, so tickets often share one and the number decides.
        at = NOW - timedelta(minutes=draw(st.integers(0, 12)) * 10)
        made.append(Ticket(
            id=f"t{n:03d}", number=f"{q}{draw(st.integers(0, 999)):03d}-{n}", queue=q, item=None, day=DAY,
            seq_no=n, issued_at=at, rank_at=at, priority=Priority.GREEN if green else Priority.NORMAL,
            green_reason="elderly" if green else None,
            status=draw(st.sampled_from([Status.WAITING] * 4 + [Status.SUSPENDED, Status.CALLED])),
            target_window=draw(st.sampled_from([None] * 4 + ["1", "2"])),
        ))
    held = {t.id for t in made if draw(st.integers(0, 9)) == 0}
    recent = draw(st.lists(st.sampled_from(QUEUES), max_size=12))
    max_wait = timedelta(minutes=draw(st.sampled_from([20, 45, 90, 600])))
    return w, made, held, recent, max_wait


def check_agreement(engine: Engine, hall: tuple[Window, list[Ticket], set[str], list[str], timedelta]) -> None:
    w, made, held, recent, max_wait = hall
    with engine.begin() as conn:
        conn.execute(delete(tickets))
        for t in made:
            tickets_repo.add(conn, t, None)
    with engine.connect() as conn:
        pool = tickets_repo.candidates(conn, w, DAY, exclude=held)
    everyone = [t for t in made if t.status is Status.WAITING and t.id not in held]
    assert {t.id for t in pool} <= {t.id for t in everyone}, "a candidate that is not a free waiting ticket"
    expected = ranking(w, everyone, recent, max_wait)
    assert ranking(w, pool, recent, max_wait) == expected
    first = choose_next(w, pool, recent, NOW, max_wait)
    assert (first.number if first else None) == (expected[0] if expected else None)


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
