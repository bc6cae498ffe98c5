"""Record visitors refused for lack of a window, and services finished by force

The manager's board (issue #11) counts the visitors a kiosk turned away (or warned) because no
window served their queue, and statistics must tell a forced finish from a real service.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visitor_refusals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("device_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_visitor_refusals"),
    )
    op.create_index("ix_visitor_refusals_day", "visitor_refusals", ["day", "queue"])
    op.create_table(
        "forced_finishes",
        sa.Column("ticket_id", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name="pk_forced_finishes"),
    )


def downgrade() -> None:
    op.drop_table("forced_finishes")
    op.drop_index("ix_visitor_refusals_day", "visitor_refusals")
    op.drop_table("visitor_refusals")
