"""Alembic environment: the engine comes from the caller (server.db.migrate), never from an ini."""

from __future__ import annotations

from alembic import context

from server.db.tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    # SQLite: batch mode, since it cannot ALTER most things in place.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    connection.info["hallq_write"] = True
    with context.begin_transaction():
        context.run_migrations()
