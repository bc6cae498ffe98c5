"""The service guides as edited at runtime (article 7): every revision an admin saved, and the
sample forms (示范文本) an admin uploaded in place of the hall file's.

A revision is the item's whole guide as JSON, numbered per item; the guide in force is the item's
latest revision, else the hall file's. Nothing is ever updated or deleted: the list of revisions is
the guide's history, with its date, author and what changed. A process caches the guides by the
`guides` counter every save bumps (server.db.guides_repo), not by these tables' ids.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, String, Table, UniqueConstraint

from server.db.metadata import TS, hall_column, metadata

guide_revisions = Table(
    "guide_revisions",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item", String(32), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("guide", JSON, nullable=False),
    Column("author_id", Integer),
    Column("author", String(80), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("note", String(500), nullable=False),
    UniqueConstraint("hall", "item", "revision"),
)

guide_forms = Table(
    "guide_forms",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item", String(32), nullable=False),
    Column("material", String(32), nullable=False),
    Column("filename", String(120), nullable=False),
    Column("content_type", String(80), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("author", String(80), nullable=False),
    Column("created_at", TS, nullable=False),
    Index("ix_guide_forms_item", "hall", "item", "material"),
)
