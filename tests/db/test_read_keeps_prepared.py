"""A read on PostgreSQL leaves its pooled connection's prepared statements in place (server/db/
reads.py): psycopg forgets them all at a rollback, and the next change on that connection then had
every statement parsed and planned again. A read cannot write, and a failed read still rolls back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text
from sqlalchemy.exc import InternalError

from server.core.windows import WindowState, WindowStatus
from server.db import engine as engine_mod
from server.db import event_log, windows_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.reads import reading
from server.db.uow import SYSTEM, UnitOfWork

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(pg_url):
    engine = make_engine(pg_url, pool_size=1)  # one connection: every unit below runs on it
    upgrade(engine)
    yield engine
    engine.dispose()


def _open_window(engine) -> None:
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        windows_repo.save(uow.conn, WindowState(window="1", status=WindowStatus.OPEN, staff_id=None,
                                                pause_reason="", since=NOW))
        uow.audit("window.open", "1")
        uow.commit()


def _prepared(engine) -> int:
    """The statements the pool's one connection holds prepared, as PostgreSQL sees them."""
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        conn.commit()
        return int(n)


def test_a_read_unit_and_the_event_tail_s_reads_keep_the_connection_s_prepared_statements(engine):
    for _ in range(2):  # prepared from a statement's second use on a connection
        _open_window(engine)
    held = _prepared(engine)
    assert held >= 2
    with UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        assert windows_repo.all_states(uow.conn)["1"].status is WindowStatus.OPEN
    assert _prepared(engine) >= held  # a rollback here left none
    assert [c.seq for c in event_log.read_events(engine, "city", 0)] == [1, 2]
    assert event_log.latest_seq(engine, "city") == 2
    assert event_log.latest_seqs(engine, ["city"]) == {"city": 2}
    assert _prepared(engine) >= held


def test_a_connection_pinged_after_sitting_in_the_pool_keeps_its_prepared_statements(engine, monkeypatch):
    monkeypatch.setattr(engine_mod, "PING_AFTER_IDLE_S", 0.0)  # every checkout pings
    for _ in range(2):
        _open_window(engine)
    held = _prepared(engine)
    assert held >= 2 and _prepared(engine) >= held


def test_a_read_unit_cannot_write_and_its_connection_writes_again_afterwards(engine):
    _open_window(engine)
    with pytest.raises(InternalError, match="read-only transaction"), \
            UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        windows_repo.save(uow.conn, WindowState(window="2", status=WindowStatus.OPEN, staff_id=None,
                                                pause_reason="", since=NOW))
        windows_repo.all_states(uow.conn)  # the write goes out with the next read
    _open_window(engine)  # the same pooled connection, no longer read-only
    with UnitOfWork(engine, SYSTEM, NOW, hall="city", write=False) as uow:
        assert set(windows_repo.all_states(uow.conn)) == {"1"}


def test_a_one_statement_read_opens_no_transaction_and_leaves_its_connection_as_it_was(engine):
    with reading(engine) as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        dbapi = conn.connection.dbapi_connection
        assert dbapi.info.transaction_status is TransactionStatus.IDLE  # no BEGIN went before it, no end after
    with engine.connect() as conn:  # the pool's one connection, back in its usual mode
        assert conn.connection.dbapi_connection is dbapi and not dbapi.autocommit
        conn.execute(text("SELECT 1"))
        assert dbapi.info.transaction_status is TransactionStatus.INTRANS
        conn.rollback()
