"""Reads that leave their connection's prepared statements in place.

psycopg forgets every statement it has prepared on a connection whenever that connection rolls
back (it cannot tell whether the rollback undid a schema change a statement depends on), and
sends DEALLOCATE ALL. A read ended the usual way, by a rollback, so cost its pooled connection
every prepared statement: the next change there had each statement parsed and planned again,
twice (run once unnamed, then prepared). With three processes calling, one change in eight came
after such a read (the emitter's tail reads the log between changes; a hall's screens and boards
read far more often than that).

On PostgreSQL a read unit therefore runs READ ONLY, so a write slipped into one fails instead of
being committed, and ends with a commit, which leaves psycopg's cache alone. A read of one
statement (the emitter's tail reads the log after nearly every change) runs in autocommit: no
BEGIN and no end, one round trip where it took three. SQLite's statement cache outlives a rollback,
and a read there ends as it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


def read_only(conn: Connection) -> None:
    """Make `conn`'s next transaction a read-only one on PostgreSQL (before it begins); the pool
    puts the connection back as it was when it is returned."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(postgresql_readonly=True)


def end_read(conn: Connection) -> None:
    """End a read-only transaction without costing the connection its prepared statements."""
    if not conn.in_transaction():
        return
    if conn.dialect.name == "postgresql":
        conn.commit()
    else:
        conn.rollback()


@contextmanager
def reading_together(engine: Engine) -> Iterator[Connection]:
    """A pooled connection for reads that must see one moment: one read-only transaction."""
    with engine.connect() as conn:
        read_only(conn)
        yield conn
        end_read(conn)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A pooled connection for one statement that only reads (it is its own transaction on
    PostgreSQL); the pool puts it back as it was."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
        end_read(conn)
