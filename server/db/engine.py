"""Engines for SQLite (the embedded default) and PostgreSQL, set up the way the field notes say.

SQLite: WAL so readers never block the writer; every write transaction starts with
`BEGIN IMMEDIATE` (a deferred read-then-write fails with "database is locked" under contention);
`synchronous=FULL`, because `NORMAL` can lose the last commits on power loss and a hall that
loses a committed ticket prints the same number twice (docs/persistence.md).
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from . import pipeline

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A pooled PostgreSQL connection unused for this long is pinged before it is handed out.
PING_AFTER_IDLE_S = 2.0


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 10, durable: bool = True) -> Engine:
    """`durable=False`: an SQLite scratch database (the day simulator's), `synchronous=OFF`: a
    replayed day is made again from its seed, so no commit needs to survive a power loss."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _setup_sqlite(engine, durable)
        return engine
    # Prepared from a statement's first use on a connection, not its fifth (psycopg's default): a
    # busy hall's connections each see a statement a few times a minute, and every unprepared
    # use is parsed and planned again (a quarter of PostgreSQL's work in the bench, issue 16).
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, connect_args={"prepare_threshold": 1})
    _ping_after_idle(engine)
    pipeline.install(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Ping a connection only when it sat unused in the pool, where a restarted or failed-over
    PostgreSQL leaves dead ones. `pool_pre_ping` would ping on every checkout: a round trip on
    every transaction, a tenth of a busy hall's statements, to guard connections that were in
    use a moment ago. A dead one is dropped here and the pool hands out (or opens) another."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["hallq_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object) -> None:
        since = record.info.get("hallq_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SELECT 1")
            finally:
                cur.close()
            dbapi_conn.commit()  # a rollback would cost it its prepared statements (server/db/reads.py)
        except engine.dialect.loaded_dbapi.Error as e:
            raise exc.DisconnectionError(f"pooled connection is gone: {e}") from e


def _setup_sqlite(engine: Engine, durable: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's begin hook, not pysqlite, decide when transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=OFF")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("hallq_write") else "BEGIN")
