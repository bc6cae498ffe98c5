"""Count failed sign-ins per client address, per address and username, and per username

The old rule locked an account after five failures: anyone could lock anyone, and only real
accounts answered 429, which told who exists. The counters now live in their own table, kept
for unknown names as for real ones (server/core/throttle.py).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_allowed", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("scope", "address", "username", name="pk_login_throttle"),
    )
    op.create_index("ix_login_throttle_last_failure", "login_throttle", ["last_failure"])
    op.create_index("ix_login_throttle_username", "login_throttle", ["username"])


def downgrade() -> None:
    op.drop_table("login_throttle")
