"""The hall notice set from the admin page (issue 11, point 8)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_notice",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("text", sa.String(500), nullable=False, server_default=""),
        sa.Column("text_en", sa.String(500), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_hall_notice"),
    )


def downgrade() -> None:
    op.drop_table("hall_notice")
