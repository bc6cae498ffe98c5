"""A partial index of the day's tickets that went ahead of their queue's tail

The waiting-time estimate (issue 13) counts, on every change, the green-channel and transferred-in
tickets of the day per queue; without this index that count reads every ticket of the day.

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


def downgrade() -> None:
    op.drop_index("ix_tickets_cut_ins", "tickets")
