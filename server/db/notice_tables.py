"""The hall notice that scrolls along the foot of the hall screens, set from the admin page.

One row at most (id 1): while it holds a text, the screens show it instead of the hall config's
`notices`; cleared, they fall back to the config's. In the database so that a restart, a second
process and a display that connects later all show the same notice.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from server.db.metadata import TS, hall_column, metadata

hall_notice = Table(
    "hall_notice",
    metadata,
    hall_column(primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("text", String(500), nullable=False, server_default=""),
    Column("text_en", String(500), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
    Column("updated_by", String(64), nullable=False, server_default=""),
)
