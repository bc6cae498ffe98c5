"""The SELECTs a read sends, for the tests that pin their query plans (SQLite's in
tests/db/test_query_plans.py, PostgreSQL's in tests/db/test_pg_plans.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event

from server.db.scope import for_hall


def selects_sent(engine: Engine, read: Callable[[Connection], object], hall: str = "city") -> list[tuple[str, Any]]:
    """Every SELECT `read(conn)` sends on a connection of `hall`, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, params, context, executemany) -> None:
        if statement.lstrip().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with engine.connect() as conn, for_hall(conn, hall):
            read(conn)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements
