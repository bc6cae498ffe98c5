"""The database keeps each queue's waiting, issued and cut-in counts itself (the triggers of
migrations 0005 and 0022): whatever a change does to tickets, `queue_stats` agrees with counting
the tickets."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, or_, select

from server.core.tickets import Priority, Status, Ticket
from server.db import tickets_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import metadata, queue_stats, tickets

QUEUES = ["A", "B", "C"]
DAYS = [date(2026, 11, 24), date(2026, 11, 25)]
STATUSES = [s for s in Status]
PRIORITIES = [Priority.NORMAL, Priority.GREEN]
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)

# An operation: (kind, index of an existing ticket or new ticket's fields, new value).
ops = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.sampled_from(QUEUES), st.sampled_from(DAYS), st.sampled_from(STATUSES),
                  st.sampled_from(PRIORITIES), st.sampled_from([None, *QUEUES])),
        st.tuples(st.just("status"), st.integers(0, 40), st.sampled_from(STATUSES)),
        st.tuples(st.just("queue"), st.integers(0, 40), st.sampled_from(QUEUES)),
        st.tuples(st.just("day"), st.integers(0, 40), st.sampled_from(DAYS)),
        st.tuples(st.just("priority"), st.integers(0, 40), st.sampled_from(PRIORITIES)),
        st.tuples(st.just("origin_queue"), st.integers(0, 40), st.sampled_from([None, *QUEUES])),
        st.tuples(st.just("delete"), st.integers(0, 40)),
    ),
    max_size=40,
)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _apply(engine, steps) -> Counter:
    """Run the steps through the repository in one transaction per step; return the issued counts
    they should have left."""
    issued: Counter = Counter()
    live: list[Ticket] = []
    for n, step in enumerate(steps):
        with engine.begin() as conn:
            if step[0] == "insert":
                _, queue, day, status, priority, origin = step
                t = Ticket(id=f"t{n:03d}", number=f"{queue}{n:04d}", queue=queue, item=None, day=day, seq_no=n,
                           issued_at=T0 + timedelta(seconds=n), rank_at=T0 + timedelta(seconds=n),
                           priority=priority, status=status, origin_queue=origin)
                tickets_repo.add(conn, t, None)
                issued[(queue, day)] += 1
                live.append(t)
                continue
            if not live:
                continue
            i = step[1] % len(live)
            t = live[i]
            if step[0] == "delete":
                conn.execute(delete(tickets).where(tickets.c.id == t.id))
                live.pop(i)
                continue
            field = step[0]
            changed = replace(t, **{field: step[2]})
            tickets_repo.save(conn, changed)
            live[i] = changed
    return issued


def _check(engine, issued: Counter) -> None:
    with engine.connect() as conn:
        counted = Counter({
            (q, d): n for q, d, n in conn.execute(
                select(tickets.c.queue, tickets.c.day, func.count())
                .where(tickets.c.status == Status.WAITING.value).group_by(tickets.c.queue, tickets.c.day)
            )
        })
        cut_ins = Counter({
            (q, d): n for q, d, n in conn.execute(
                select(tickets.c.queue, tickets.c.day, func.count())
                .where(or_(tickets.c.priority == Priority.GREEN.value, tickets.c.origin_queue.is_not(None)))
                .group_by(tickets.c.queue, tickets.c.day)
            )
        })
        kept = {(r.queue, r.day): (r.waiting, r.issued, r.cut_ins) for r in conn.execute(select(queue_stats))}
    for key in set(counted) | set(kept) | set(issued) | set(cut_ins):
        waiting, got_issued, got_cut_ins = kept.get(key, (0, 0, 0))
        assert waiting == counted[key], f"{key}: queue_stats says {waiting} waiting, the tickets {counted[key]}"
        assert got_cut_ins == cut_ins[key], f"{key}: queue_stats says {got_cut_ins} cut in, the tickets {cut_ins[key]}"
        assert got_issued == issued[key], f"{key}: queue_stats says {got_issued} issued, {issued[key]} were"


def _reset(engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(tickets))
        conn.execute(delete(queue_stats))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_sqlite_keeps_waiting_and_issued_counts_whatever_happens_to_tickets(sqlite_engine, steps):
    _reset(sqlite_engine)
    _check(sqlite_engine, _apply(sqlite_engine, steps))


@pytest.mark.postgres
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_postgres_keeps_waiting_and_issued_counts_whatever_happens_to_tickets(pg_engine, steps):
    _reset(pg_engine)
    _check(pg_engine, _apply(pg_engine, steps))


def test_the_counts_start_right_on_a_database_that_had_tickets_before_the_triggers(tmp_path):
    """Migration 0005 counts the tickets already waiting when it adds the column."""
    from alembic import command

    from server.db.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0004")
    with engine.begin() as conn:
        for n, status in enumerate([Status.WAITING, Status.WAITING, Status.DONE]):
            t = Ticket(id=f"t{n}", number=f"A{n:04d}", queue="A", item=None, day=DAYS[1], seq_no=n, issued_at=T0,
                       rank_at=T0, priority=Priority.NORMAL, status=status)
            conn.execute(tickets.insert(), {"id": t.id, "device_id": None, "request_key": None,
                                            **tickets_repo._values(t)})
    upgrade(engine, "city")
    with engine.connect() as conn:
        assert conn.execute(select(queue_stats.c.waiting).where(queue_stats.c.queue == "A")).scalar_one() == 2
    engine.dispose()


def test_the_cut_ins_start_right_on_a_database_that_had_tickets_before_their_triggers(tmp_path):
    """Migration 0022 counts the day's green and transferred-in tickets already there."""
    from alembic import command

    from server.db.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0021")
    with engine.begin() as conn:
        kinds = [(Priority.GREEN, None), (Priority.NORMAL, "B"), (Priority.NORMAL, None), (Priority.GREEN, "C")]
        for n, (priority, origin) in enumerate(kinds):
            t = Ticket(id=f"t{n}", number=f"A{n:04d}", queue="A", item=None, day=DAYS[1], seq_no=n, issued_at=T0,
                       rank_at=T0, priority=priority, origin_queue=origin)
            conn.execute(tickets.insert(), {"hall": "city", "id": t.id, "device_id": None, "request_key": None,
                                            **tickets_repo._values(t)})
    upgrade(engine, "city")
    with engine.connect() as conn:
        assert conn.execute(select(queue_stats.c.cut_ins).where(queue_stats.c.queue == "A")).scalar_one() == 3
    engine.dispose()


@pytest.mark.postgres
def test_migrating_postgres_from_nothing_gives_the_declared_schema(pg_engine):
    with pg_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
