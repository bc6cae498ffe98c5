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
        if connection.dialect.name == "postgresql":
            # Several processes starting at once on one database: the first migrates, the others
            # wait here, then find the database at head (else: "alembic_version already exists").
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(1242628098)")  # 0x4A110002
        context.run_migrations()
