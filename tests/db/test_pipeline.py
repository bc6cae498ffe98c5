"""A write transaction on PostgreSQL is pipelined (server/db/pipeline.py): the writes nobody reads
back travel with the next statement that waits, and the event log's entry with the commit. What a
change does is unchanged: its reads see its own writes, a failed write fails the whole change and
stores nothing, a savepoint still recovers, and the pooled connection is sound afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from server.core.tickets import Priority, Ticket
from server.core.windows import WindowState, WindowStatus
from server.db import batch, pipeline, queue_stats_repo, tickets_repo, windows_repo
from server.db.engine import make_engine
from server.db.log_tables import event_log
from server.db.migrate import upgrade
from server.db.uow import SYSTEM, UnitOfWork
from tests.core.halls import DAY, T0, window

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _window(state: WindowStatus, window: str = "1") -> WindowState:
    return WindowState(window=window, status=state, staff_id=None, pause_reason="", since=NOW)


def _round_trips(engine, change) -> int:
    """The statements `change` waited for, plus its commit (which carries the event log's entry)."""
    waits = []
    real = pipeline._wait_unless_queued

    def counted(conn, cursor, statement, params, context, executemany):
        if pipeline.active(conn) and (not context.execution_options.get("hallq_queued")
                                      or getattr(context.compiled, "effective_returning", None)):
            waits.append(statement)
        real(conn, cursor, statement, params, context, executemany)

    event.remove(engine, "after_cursor_execute", real)
    event.listen(engine, "after_cursor_execute", counted)
    try:
        change()
    finally:
        event.remove(engine, "after_cursor_execute", counted)
        event.listen(engine, "after_cursor_execute", real)
    return len(waits) + 1


def test_queued_writes_are_seen_by_the_change_s_next_read_and_stored_by_its_commit(engine):
    def change():
        with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
            assert pipeline.active(uow.conn)
            windows_repo.save(uow.conn, _window(WindowStatus.OPEN))
            windows_repo.save(uow.conn, _window(WindowStatus.PAUSED, "2"))
            windows_repo.save(uow.conn, _window(WindowStatus.CLOSED, "2"))  # an upsert: the row is updated
            assert {w: s.status for w, s in windows_repo.all_states(uow.conn).items()} == {
                "1": WindowStatus.OPEN, "2": WindowStatus.CLOSED}
            uow.audit("window.open", "1")
            uow.commit()

    # Three writes, one read, and the commit with its entry: two round trips.
    assert _round_trips(engine, change) == 2
    with UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        assert windows_repo.get(uow.conn, "2").status is WindowStatus.CLOSED
        entry = uow.conn.execute(select(event_log.c.seq, event_log.c.action, event_log.c.detail)).one()
    assert (entry.seq, entry.action, entry.detail) == (1, "window.open", {})


def test_the_event_log_entry_goes_with_the_commit_and_each_change_takes_the_next_seq(engine):
    seqs = []
    for n in range(3):
        with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
            uow.audit("ticket.issue", f"A00{n}", ticket=f"t{n}", names=["中文", "English"])
            uow.emit("ticket.issued", ["hall"], {"ticket": {"number": f"A00{n}"}})
            committed = uow.commit()
            seqs.append(committed.seq)
            assert committed.events[0].data["seq"] == committed.seq
    assert seqs == [1, 2, 3]
    with engine.connect() as conn:
        rows = conn.execute(select(event_log.c.seq, event_log.c.detail, event_log.c.events)
                            .order_by(event_log.c.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[2].detail == {"ticket": "t2", "names": ["中文", "English"]}
    assert rows[2].events == [{"event": "ticket.issued", "rooms": ["hall"], "data": {"ticket": {"number": "A002"}}}]


def test_a_failed_queued_write_fails_the_change_stores_nothing_and_leaves_the_connection_sound(engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO counters (hall, name, value) VALUES ('city', 'x', 1)"))
    with pytest.raises(IntegrityError), UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        windows_repo.save(uow.conn, _window(WindowStatus.OPEN))
        uow.conn.execute(text("INSERT INTO counters (hall, name, value) VALUES ('city', 'x', 2)"),
                         execution_options=pipeline.QUEUED)
        windows_repo.all_states(uow.conn)  # the next statement that waits reports the broken key
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        assert windows_repo.all_states(uow.conn) == {}
        windows_repo.save(uow.conn, _window(WindowStatus.PAUSED))
        uow.audit("window.pause", "1")
        assert uow.commit().seq == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(event_log)).scalar_one() == 1


def test_a_change_that_fails_in_python_after_queued_writes_stores_none_of_them(engine):
    with pytest.raises(RuntimeError), UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        windows_repo.save(uow.conn, _window(WindowStatus.OPEN))
        raise RuntimeError("the handler gave up")
    with UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        assert windows_repo.all_states(uow.conn) == {}


def test_a_savepoint_still_recovers_a_failed_insert_in_a_pipelined_change(engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO counters (hall, name, value) VALUES ('city', 'x', 1)"))
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        windows_repo.save(uow.conn, _window(WindowStatus.OPEN))
        with pytest.raises(IntegrityError), uow.conn.begin_nested():
            uow.conn.execute(text("INSERT INTO counters (hall, name, value) VALUES ('city', 'x', 2)"))
        uow.audit("window.open", "1")
        uow.commit()
    with UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        assert windows_repo.get(uow.conn, "1").status is WindowStatus.OPEN


def test_reads_sent_together_come_back_as_sqlalchemy_gives_them(engine):
    """The reads of a change's views and of call-next's first trip go out together, past
    SQLAlchemy: the same rows, by position and by name, with its conversions (times in UTC) and
    the IN list of the appointments' part."""
    w = window("1", "A", "B")
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        windows_repo.save(uow.conn, _window(WindowStatus.OPEN))
        for n, (queue, priority) in enumerate([("A", Priority.NORMAL), ("B", Priority.GREEN), ("A", Priority.NORMAL)]):
            tickets_repo.add(uow.conn, Ticket(id=f"t{n}", number=f"{queue}00{n}", queue=queue, item=None, day=DAY,
                                              seq_no=n, issued_at=T0, rank_at=T0, priority=priority), None)
        uow.audit("test.fill")
        uow.commit()
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        conn = uow.conn
        queries = [windows_repo.states_query(conn), queue_stats_repo.stats_query(conn, DAY),
                   tickets_repo.candidates_query(conn, w, DAY), tickets_repo.line_query(conn, "A", DAY, 200)]
        together = batch.read_all(conn, queries)
        alone = [list(conn.execute(stmt, params)) for stmt, params in queries]
    assert [[tuple(r) for r in rows] for rows in together] == [[tuple(r) for r in rows] for rows in alone]
    assert together[0][0].since == NOW and together[0][0].since.utcoffset().total_seconds() == 0
    assert sorted(r.id for r in together[2]) == ["t0", "t1", "t2"]
    assert tickets_repo.to_line(conn, together[3]) == (["A000", "A002"], T0)
