"""PostgreSQL: a change's writes whose answers nobody reads cost no round trip of their own (issue 16).

A write unit of work on PostgreSQL runs in psycopg's pipeline mode, where a statement is sent
without waiting for its answer. Every statement still waits for its answer (and every answer
before it) as it always did, except those run with `QUEUED`: the writes whose outcome the code
never looks at (no rows returned, no row count). They travel with the next statement that
waits, so a call-next's four writes ride with the read that follows them, and BEGIN with the
first statement.

What changes for the code: an error in a queued write (a broken constraint) is raised by the next
statement that waits, not by the write; the change then fails and rolls back as any failed change
does. A write whose failure is caught and handled (an insert under a savepoint) is not queued.
SQLite has no pipeline: there `QUEUED` changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.util import immutabledict

log = logging.getLogger("hallq.db")

QUEUED = immutabledict({"hallq_queued": True})
_PIPE = "hallq_pipeline"


def install(engine: Engine) -> None:
    """Have `engine`'s statements wait for their answers in a pipelined transaction, but the queued."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "after_cursor_execute", _wait_unless_queued)


def _wait_unless_queued(conn: Connection, _cursor: Any, _statement: str, _params: Any, context: Any,
                        _executemany: bool) -> None:
    found = conn.info.get(_PIPE)
    if found is None:
        return
    # A queued INSERT that fetches its new key (SQLAlchemy adds RETURNING unless `.inline()`) is
    # read as it returns: it waits.
    if not context.execution_options.get("hallq_queued") or getattr(context.compiled, "effective_returning", None):
        found[1].sync()


def enter(conn: Connection) -> None:
    """Run `conn`'s statements in pipeline mode until `leave` (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return
    manager = conn.connection.driver_connection.pipeline()  # type: ignore[union-attr]
    conn.info[_PIPE] = (manager, manager.__enter__())


def active(conn: Connection) -> bool:
    return _PIPE in conn.info


def leave(conn: Connection) -> None:
    """Back to one statement at a time: whatever is still queued is sent and waited for. After a
    failed statement the pipeline reports it again here: the change failed already, and the
    caller rolls it back."""
    found = conn.info.pop(_PIPE, None)
    if found is None:
        return
    try:
        found[0].__exit__(None, None, None)
    except conn.dialect.loaded_dbapi.Error as e:
        log.debug("a failed change's pipeline: %s", e)


def json(value: Any) -> Any:
    """`value` as a JSON parameter of a statement `commit_with` runs."""
    from psycopg.types.json import Json

    return Json(value)


def commit_with(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    """Run `sql` (with psycopg's own `%(name)s` parameters) last in `conn`'s pipelined transaction
    and commit, in one round trip: the statement is queued past SQLAlchemy, which would wait for its
    rows, and its answer arrives with the commit's. Returns the first column of its first row."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        conn.commit()
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise RuntimeError("the statement committed with the change returned no row")
    return row[0]


def sync(conn: Connection) -> None:
    """Send what is queued and wait for every answer (`conn` pipelined)."""
    conn.info[_PIPE][1].sync()
