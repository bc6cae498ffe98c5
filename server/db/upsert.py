"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL spell the same but SQLAlchemy builds per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect: str) -> Any:
    """The `insert` of a dialect (by name) that has `on_conflict_do_update`."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert_for(conn: Connection) -> Any:
    """The `insert` with `on_conflict_do_update` for the database `conn` talks to."""
    return insert_for(conn.dialect.name)
