"""Count failed progress queries by case number, per client address and per case number

Article 21's query by case number plus the last four characters of the applicant's ID number or
phone: four characters are guessable, so failures are counted and refused for a while
(server/core/progress_lookup.py), in their own table beside the sign-in throttle's.

Revision ID: 0018
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_throttle",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_allowed", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_lookup_throttle"),
    )
    op.create_index("ix_lookup_throttle_last_failure", "lookup_throttle", ["last_failure"])


def downgrade() -> None:
    op.drop_table("lookup_throttle")
