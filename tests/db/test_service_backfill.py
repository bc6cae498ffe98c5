"""Migration 0013 backfills the service history from a database holding old-style rows: one
segment per ticket done (forced when the monitor finished it) or no-show at a window, an open one
per ticket still at a window, an open period per window open or paused; nothing for the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, column, insert, select, table

from server.db.engine import make_engine
from server.db.migrate import alembic_config
from server.db.tables import forced_finishes, service_segments, ticket_calls, tickets, window_periods
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

# window_states as revision 0012 has it: its key is the window alone (the model's leads with the hall now).
window_states = table("window_states", *(column(c) for c in (
    "window", "status", "staff_id", "pause_reason", "since", "current_ticket")))

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _old_rows(engine: Engine) -> None:
    def ticket(tid: str, status: str, window: str | None, **times: datetime) -> dict:
        return {"id": tid, "number": tid.upper(), "queue": "A", "item": "SCJG-001", "day": DAY, "seq_no": 1,
                "priority": "normal", "class_rank": 1, "status": status, "window": window, "issued_at": at(0),
                "rank_at": at(0), "called_at": None, "started_at": None, "finished_at": None, **times}

    with engine.begin() as conn:
        conn.execute(insert(tickets), [
            ticket("a1", "done", "1", called_at=at(5), started_at=at(6), finished_at=at(16)),
            ticket("a2", "done", "1", called_at=at(20), started_at=at(20), finished_at=at(50)),  # forced
            ticket("a3", "no_show", "2", called_at=at(7), finished_at=at(9)),
            ticket("a4", "serving", "2", called_at=at(30), started_at=at(31)),
            ticket("a5", "waiting", None),
            ticket("a6", "done", "3", called_at=at(8), finished_at=at(12)),  # finished without a start
        ])
        conn.execute(insert(ticket_calls), [
            {"ticket_id": "a1", "attempt": 1, "window": "2", "queue": "A", "staff_id": 7, "called_at": at(2)},
            {"ticket_id": "a1", "attempt": 2, "window": "1", "queue": "A", "staff_id": 5, "called_at": at(5)},
            {"ticket_id": "a2", "attempt": 1, "window": "1", "queue": "A", "staff_id": 5, "called_at": at(20)},
            {"ticket_id": "a3", "attempt": 1, "window": "2", "queue": "A", "staff_id": 7, "called_at": at(7)},
            {"ticket_id": "a4", "attempt": 1, "window": "2", "queue": "A", "staff_id": 7, "called_at": at(30)},
        ])
        conn.execute(insert(forced_finishes).values(ticket_id="a2", at=at(50), day=DAY, actor="boss", reason="忘记"))
        conn.execute(insert(window_states), [
            {"window": "1", "status": "paused", "staff_id": 5, "pause_reason": "午休", "since": at(55),
             "current_ticket": None},
            {"window": "2", "status": "open", "staff_id": 7, "pause_reason": "", "since": at(1),
             "current_ticket": "a4"},
            {"window": "3", "status": "closed", "staff_id": None, "pause_reason": "", "since": at(13),
             "current_ticket": None},
        ])


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        made = make_engine(request.getfixturevalue("pg_url"))
    yield made
    made.dispose()


def test_the_migration_backfills_what_old_rows_tell(engine):
    # Rows of a single-hall database: migration 0021 gives them the hall the upgrade names.
    cfg = alembic_config(engine, "city")
    command.upgrade(cfg, "0012")
    _old_rows(engine)
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        segs = {s.ticket_id: s for s in conn.execute(select(service_segments))}
        periods = conn.execute(select(window_periods).order_by(window_periods.c.window)).all()
    assert set(segs) == {"a1", "a2", "a3", "a4", "a6"}
    assert (segs["a1"].window, segs["a1"].staff_id, segs["a1"].ending) == ("1", 5, "finished")
    assert (segs["a1"].started_at, segs["a1"].ended_at) == (at(6), at(16))
    assert segs["a2"].ending == "forced"
    assert (segs["a3"].ending, segs["a3"].started_at, segs["a3"].ended_at) == ("no_show", None, at(9))
    assert (segs["a4"].ending, segs["a4"].ended_at, segs["a4"].started_at) == (None, None, at(31))
    assert (segs["a6"].started_at, segs["a6"].ended_at, segs["a6"].staff_id) == (at(8), at(12), None)
    assert all(s.department is None and s.day == DAY for s in segs.values())
    # The wait of the first call (a1: called first at window 2 after 2 minutes), service if finished.
    assert [(segs[t].wait_s, segs[t].service_s) for t in ("a1", "a2", "a3", "a4", "a6")] == [
        (120, 600), (1200, None), (420, None), (1800, None), (None, 240)]
    assert [(p.window, p.staff_id, p.state, p.reason, p.started_at, p.ended_at) for p in periods] == [
        ("1", 5, "paused", "午休", at(55), None), ("2", 7, "open", "", at(1), None)]
    command.downgrade(cfg, "0012")  # and back: the tables go
    command.upgrade(cfg, "head")
