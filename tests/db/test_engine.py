"""A PostgreSQL connection that died while it sat in the pool (a restarted or failed-over server)
is replaced before a request gets it; connections in steady use are not pinged."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from server.db import engine as engine_mod
from server.db.engine import make_engine
from tests.support.services import PG_ADMIN


def _kill_backends(database: str) -> int:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()[0]


def test_a_connection_killed_while_idle_in_the_pool_is_replaced(pg_url, monkeypatch):
    monkeypatch.setattr(engine_mod, "PING_AFTER_IDLE_S", 0.0)
    engine = make_engine(pg_url, pool_size=1)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert _kill_backends(engine.url.database) == 1
        with engine.connect() as conn:
            after = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert after != before
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_trusted_and_a_dead_one_fails_once(pg_url, monkeypatch):
    # No ping on a connection used a moment ago: if the server dropped it meanwhile, that one
    # statement fails (the kiosk retries with its request id) and the pool reconnects.
    monkeypatch.setattr(engine_mod, "PING_AFTER_IDLE_S", 3600.0)
    engine = make_engine(pg_url, pool_size=1)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert _kill_backends(engine.url.database) == 1
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 2")).scalar_one() == 2
    finally:
        engine.dispose()
