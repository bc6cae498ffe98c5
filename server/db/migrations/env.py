"""Alembic environment: the engine comes from the caller (server.db.migrate), never from an ini."""

from __future__ import annotations

from alembic import context

from server.db.tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Rebuilding a table other tables point at (batch mode) drops it first, which SQLite's
        # foreign keys refuse; they are off for the migration, outside its transaction (SQLite
        # ignores the pragma inside one), checked after it and on again before the pool gets it.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
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
    if sqlite:
        raw = connection.connection.dbapi_connection
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
