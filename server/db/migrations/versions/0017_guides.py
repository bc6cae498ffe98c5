"""Service guides edited at runtime: their revisions and uploaded sample forms (issue 14, point 5)

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_revisions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("guide", sa.JSON, nullable=False),
        sa.Column("author_id", sa.Integer),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guide_revisions"),
        sa.UniqueConstraint("item", "revision", name="uq_guide_revisions_item_revision"),
    )
    op.create_table(
        "guide_forms",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("material", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("content_type", sa.String(80), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guide_forms"),
    )
    op.create_index("ix_guide_forms_item", "guide_forms", ["item", "material"])


def downgrade() -> None:
    op.drop_index("ix_guide_forms_item", table_name="guide_forms")
    op.drop_table("guide_forms")
    op.drop_table("guide_revisions")
