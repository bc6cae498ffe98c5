"""Allocation changes: which queues each window serves, changed live, audited and undoable

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allocation_changes",
        sa.Column("id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer),
        sa.Column("actor_name", sa.String(80), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("window", sa.String(16)),
        sa.Column("item", sa.String(32)),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("departments", sa.JSON, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("stranded", sa.JSON, nullable=False),
        sa.Column("undoes", sa.BigInteger),
        sa.PrimaryKeyConstraint("id", name="pk_allocation_changes"),
    )
    op.create_index("ix_allocation_changes_at", "allocation_changes", ["at"])


def downgrade() -> None:
    op.drop_table("allocation_changes")
