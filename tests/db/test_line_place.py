"""A waiting ticket's place in its queue's line, counted from whichever end is nearer
(`server/db/line_place.py`), is the place the calling order gives it: the tickets before it
by class, place and number, leaving out those sent to one window, whatever the line holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from server.core.tickets import Priority, Status, Ticket
from server.db import line_place, tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import queue_stats, tickets

DAY = date(2026, 12, 7)
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)

# A ticket: its queue, class, place (a few minutes, so places tie), status and the window it is
# sent to. Numbers follow the order of issue, as they do in a hall.
a_ticket = st.tuples(
    st.sampled_from(["A", "A", "A", "B"]),
    st.sampled_from([Priority.NORMAL, Priority.NORMAL, Priority.GREEN, Priority.APPOINTMENT]),
    st.integers(0, 5),
    st.sampled_from([Status.WAITING, Status.WAITING, Status.WAITING, Status.CALLED, Status.DONE]),
    st.sampled_from([None, None, None, "3"]),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _line(engine, rows) -> list[Ticket]:
    with engine.begin() as conn:
        conn.execute(delete(tickets))
        conn.execute(delete(queue_stats))
        made = []
        for n, (queue, priority, minute, status, sent) in enumerate(rows):
            t = Ticket(id=f"t{n:03d}", number=f"{queue}{n:03d}", queue=queue, item=None, day=DAY, seq_no=n,
                       issued_at=T0 + timedelta(minutes=minute), rank_at=T0 + timedelta(minutes=minute),
                       priority=priority, status=status, target_window=sent,
                       window=f"w{n}" if status is Status.CALLED else None)
            tickets_repo.add(conn, t, None)
            made.append(t)
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(a_ticket, max_size=30), near=st.sampled_from([0, 1, 3, 64]))
def test_a_ticket_s_place_is_the_calling_order_s_from_either_end(engine, rows, near, monkeypatch):
    monkeypatch.setattr(line_place, "NEAR_END", near)
    made = _line(engine, rows)
    with engine.connect() as conn:
        for t in made:
            if t.status is not Status.WAITING or t.target_window is not None:
                continue
            before = [o for o in made if o.queue == t.queue and o.status is Status.WAITING
                      and o.target_window is None and o.waiting_key < t.waiting_key]
            assert line_place.ahead(conn, t) == len(before), t.number
