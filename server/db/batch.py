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
            out.append(_converters(stmt, conn.dialect, _type_codes(cursor))(rows))
    finally:
        for cursor, _ in cursors:
            cursor.close()
    for watch in watchers:
        watch([" ".join(_compiled(stmt, conn.dialect).string.split()[:4]) for stmt, _ in queries])
    return out


def _type_codes(cursor: Any) -> tuple[int, ...]:
    """The result's column type oids, straight from libpq: `cursor.description` builds a column
    object for each column of each statement of every change."""
    res = cursor.pgresult
    return tuple(res.ftype(i) for i in range(res.nfields))


# A province's thousand windows each have their own candidates' statement.
@lru_cache(maxsize=4096)
def _compiled(stmt: Select[Any], dialect: Dialect) -> Compiled:
    return stmt.compile(dialect=dialect)


@lru_cache(maxsize=4096)
def _converters(stmt: Select[Any], dialect: Dialect,
                type_codes: tuple[Any, ...]) -> Callable[[list[tuple[Any, ...]]], list[Any]]:
    """The driver's rows made SQLAlchemy's: each column converted as its type would (for the type
    the driver reported), in a named tuple of the statement's columns. Only the columns that have
    a conversion are touched: a queue's line is 200 rows on every change."""
    convert = [(i, f) for i, c, code in zip(range(len(type_codes)), stmt.selected_columns, type_codes, strict=True)
               if (f := c.type.dialect_impl(dialect).result_processor(dialect, code)) is not None]
    row = namedtuple("Row", list(stmt.selected_columns.keys()), rename=True)  # type: ignore[misc]
    make = row._make

    def rows_of(rows: list[tuple[Any, ...]]) -> list[Any]:
        if not convert:
            return [make(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for i, f in convert:
                values[i] = f(values[i])
            out.append(make(values))
        return out

    return rows_of
