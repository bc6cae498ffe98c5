"""A single-hall database migrates in place (migration 0021): its rows become the configured hall's,
its numbering and event sequence go on where they were, and a second hall can then share it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text

from server.db.counters_repo import current_seq, next_counter
from server.db.engine import make_engine
from server.db.migrate import alembic_config
from server.db.scope import for_hall
from server.db.uow import SYSTEM, UnitOfWork
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

DAY = date(2026, 12, 7)
T0 = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def _single_hall_day(engine: Engine) -> None:
    """What a hall's database held before 0021: two tickets, a window serving one, the counters."""
    ticket = ("INSERT INTO tickets (id, number, queue, day, seq_no, priority, class_rank, status, \"window\", "
              "issued_at, rank_at) VALUES (:id, :number, 'A', :day, :n, 'normal', 2, :status, :window, :t, :t)")
    with engine.begin() as conn:
        conn.execute(text(ticket), {"id": "t1", "number": "A001", "day": DAY, "n": 1, "status": "serving",
                                    "window": "1", "t": T0})
        conn.execute(text(ticket), {"id": "t2", "number": "A002", "day": DAY, "n": 2, "status": "waiting",
                                    "window": None, "t": T0})
        conn.execute(text("INSERT INTO window_states (\"window\", status, current_ticket) VALUES ('1', 'open', 't1')"))
        conn.execute(text("UPDATE counters SET value = 41 WHERE name = 'seq'"))
        conn.execute(text(f"INSERT INTO counters (name, value) VALUES ('ticket:A:{DAY.isoformat()}', 2)"))
        conn.execute(text("INSERT INTO event_log (seq, at, actor_kind, actor_name, action, subject, detail, events) "
                          "VALUES (41, :t, 'system', 'system', 'ticket.issue', 't2', '{}', '[]')"), {"t": T0})


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request, tmp_path):
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        made = make_engine(request.getfixturevalue("pg_url"))
    command.upgrade(alembic_config(made), "0020")
    _single_hall_day(made)
    yield made
    made.dispose()


def test_an_old_database_is_not_upgraded_without_knowing_its_hall(old_engine):
    with pytest.raises(RuntimeError, match=r"table '\w+' has rows: upgrade with the hall's code"):
        command.upgrade(alembic_config(old_engine), "head")
    with old_engine.connect() as conn:  # nothing half-done: still at 0020, rows as they were
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0020"
        assert conn.execute(text("SELECT count(*) FROM tickets")).scalar_one() == 2


def test_a_single_hall_database_becomes_the_hall_s_and_goes_on_numbering(old_engine):
    command.upgrade(alembic_config(old_engine, "city"), "head")
    with old_engine.connect() as conn:
        for table in ("tickets", "window_states", "event_log", "counters", "queue_stats"):
            halls = conn.execute(text(f"SELECT DISTINCT hall FROM {table}")).scalars().all()
            assert halls == ["city"], table
        with for_hall(conn, "city"):
            assert current_seq(conn) == 41
    # The hall's next change is seq 42; its next number of queue A is the third.
    with UnitOfWork(old_engine, SYSTEM, T0, hall="city") as uow:
        assert next_counter(uow.conn, f"ticket:A:{DAY.isoformat()}") == 3
        uow.audit("ticket.issue", "t3")
        assert uow.commit().seq == 42
    # A second hall starts its own sequence and numbers at 1, beside the first's.
    with UnitOfWork(old_engine, SYSTEM, T0, hall="d1") as uow:
        assert next_counter(uow.conn, f"ticket:A:{DAY.isoformat()}") == 1
        uow.audit("ticket.issue", "x1")
        assert uow.commit().seq == 1
    with old_engine.begin() as conn:
        # The same number on the same day in another hall is allowed; in the same hall it is not.
        insert = ("INSERT INTO tickets (hall, id, number, queue, day, seq_no, priority, class_rank, status, "
                  "issued_at, rank_at) VALUES (:hall, :id, 'A001', 'A', :day, 1, 'normal', 2, 'waiting', :t, :t)")
        conn.execute(text(insert), {"hall": "d1", "id": "x1", "day": DAY, "t": T0})
        stats = {r.hall: r.waiting for r in conn.execute(text("SELECT hall, waiting FROM queue_stats"))}
        assert stats == {"city": 1, "d1": 1}  # the triggers count per hall
    with pytest.raises(Exception, match=r"(?i)unique"), old_engine.begin() as conn:
        conn.execute(text(insert), {"hall": "city", "id": "x2", "day": DAY, "t": T0})


def test_a_single_hall_database_can_go_back_to_0020(old_engine):
    cfg = alembic_config(old_engine, "city")
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "0020")
    with old_engine.connect() as conn:
        assert conn.execute(text("SELECT number FROM tickets ORDER BY number")).scalars().all() == ["A001", "A002"]
        assert conn.execute(text("SELECT value FROM counters WHERE name = 'seq'")).scalar_one() == 41
    command.upgrade(cfg, "head")
