"""Reads that depend on nothing read before them, sent together (issue 16).

In a pipelined transaction on PostgreSQL (server/db/pipeline.py) they go out at once and are
waited for once: one round trip for all of them. Elsewhere (SQLite, or a read-only transaction)
they run one after the other as any statement does. Either way each comes back as its rows, plain
tuples by position, with the column types' conversions applied (a `TS` column in UTC).

Only statements with plain parameters (no expanding IN list, no parameter conversions) are
batched: they are sent past SQLAlchemy, compiled once.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.engine import Compiled

from . import pipeline

# Told of each batch sent in one round trip, as the statements' first words (the round-trip bench
# lists them; SQLAlchemy's own statement events do not see them).
watchers: list[Callable[[list[str]], None]] = []


def together(conn: Connection) -> bool:
    """Reads on `conn` go out together (a pipelined change on PostgreSQL)."""
    return pipeline.active(conn)


def read_all(conn: Connection, queries: Sequence[tuple[Select[Any], dict[str, Any]]]) -> list[list[Any]]:
    """The rows of each of `queries` (statement, parameters), in order: by position or by column
    name, as SQLAlchemy's rows are."""
    if not pipeline.active(conn) or len(queries) < 2:
        return [list(conn.execute(stmt, params)) for stmt, params in queries]
    raw = conn.connection.driver_connection
    cursors = []
    try:
        for stmt, params in queries:
            cursor = raw.cursor()  # type: ignore[union-attr]
            cursors.append((cursor, stmt))
            compiled = _compiled(stmt, conn.dialect)
            # With the values written into the statement itself (a status compared with).
            cursor.execute(compiled.string, compiled.construct_params(params))
        pipeline.sync(conn)
        out = []
        for cursor, stmt in cursors:
            rows = cursor.fetchall()
            convert, make = _converters(stmt, conn.dialect, tuple(d.type_code for d in cursor.description))
            out.append([make(f(v) if f else v for f, v in zip(convert, row, strict=True)) for row in rows])
    finally:
        for cursor, _ in cursors:
            cursor.close()
    for watch in watchers:
        watch([" ".join(_compiled(stmt, conn.dialect).string.split()[:4]) for stmt, _ in queries])
    return out


# A province's thousand windows each have their own candidates' statement.
@lru_cache(maxsize=4096)
def _compiled(stmt: Select[Any], dialect: Dialect) -> Compiled:
    return stmt.compile(dialect=dialect)


@lru_cache(maxsize=4096)
def _converters(stmt: Select[Any], dialect: Dialect,
                type_codes: tuple[Any, ...]) -> tuple[list[Any], Callable[[Any], Any]]:
    """Each column's conversion as SQLAlchemy would apply it (its type's, for the type the driver
    reported), and the row's maker (a named tuple of the statement's columns)."""
    convert = [c.type.dialect_impl(dialect).result_processor(dialect, code)
               for c, code in zip(stmt.selected_columns, type_codes, strict=True)]
    row = namedtuple("Row", list(stmt.selected_columns.keys()), rename=True)  # type: ignore[misc]
    return convert, row._make
