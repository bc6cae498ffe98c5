"""Indexes that hold each queue's waiting line, each window's held tickets and the day's calls in order

The old line index (status, queue, class_rank, rank_at) lacked the day and the number that
breaks ties, so reading the first 200 numbers of a queue sorted every waiting ticket of it
first; and call-next found the tickets held for its window by scanning the day's waiting
tickets. The cost of every change grew with the line (docs/performance.md). The hall screen's
latest calls sorted every ticket of the day.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_line", "tickets", ["status", "day", "queue", "class_rank", "rank_at", "number", "target_window"]
    )
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    op.drop_index("ix_tickets_target", table_name="tickets")
    op.create_index("ix_tickets_target", "tickets", ["target_window", "status", "day", "rank_at"])
    op.create_index("ix_tickets_day_called", "tickets", ["day", "called_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_day_called", table_name="tickets")
    op.drop_index("ix_tickets_target", table_name="tickets")
    op.create_index("ix_tickets_target", "tickets", ["target_window", "status"])
    op.create_index("ix_tickets_waiting", "tickets", ["status", "queue", "class_rank", "rank_at"])
    op.drop_index("ix_tickets_line", table_name="tickets")
