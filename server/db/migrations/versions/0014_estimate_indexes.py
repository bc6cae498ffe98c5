"""Indexes for the waiting-time estimate's reads on every change

The estimate (issue 13) reads a queue's latest finished services and counts the green-channel and
transferred-in tickets of the day per queue; without these indexes the first sorts and the second
reads every ticket of the day.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHERE = "priority = 'green' OR origin_queue IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_tickets_cut_ins", "tickets", ["day", "queue"], sqlite_where=sa.text(WHERE),
                    postgresql_where=sa.text(WHERE))
    op.create_index("ix_tickets_finished", "tickets", ["status", "day", "queue", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_finished", "tickets")
    op.drop_index("ix_tickets_cut_ins", "tickets")
