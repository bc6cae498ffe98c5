"""A covering index for the waiting count and longest wait of every queue, read on each change

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_waiting_counts", "tickets", ["status", "day", "queue", "rank_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_waiting_counts", table_name="tickets")
