"""Time limits to the end (issue 14): a case's receipt, the notice a returning visitor follows, the
clock's suspension, and the extensions and suspensions of every case

Revision ID: 0016
Revises: 0015 (0014 as assigned; chained after docs14's 0015 once merged here)
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default): SQLite needs no table rebuild, which the foreign
    # keys into cases and tickets would refuse on a hall with data.
    op.add_column("cases", sa.Column("follows", sa.String(40)))
    op.add_column("cases", sa.Column("suspended_since", sa.DateTime(timezone=True)))
    op.add_column("tickets", sa.Column("follows_case", sa.String(40)))
    op.create_table(
        "case_clock_events",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("days", sa.Integer),
        sa.Column("suspension_kind", sa.String(20)),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
        sa.Column("old_promised", sa.Date),
        sa.Column("new_promised", sa.Date),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(80)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_case_clock_events"),
        sa.ForeignKeyConstraint(["case_number"], ["cases.number"], name="fk_case_clock_events_case_number_cases"),
    )
    op.create_index("ix_case_clock_events_case", "case_clock_events", ["case_number", "id"])
    op.create_index("ix_case_clock_events_state", "case_clock_events", ["kind", "state"])


def downgrade() -> None:
    op.drop_index("ix_case_clock_events_state", "case_clock_events")
    op.drop_index("ix_case_clock_events_case", "case_clock_events")
    op.drop_table("case_clock_events")
    op.drop_column("tickets", "follows_case")
    op.drop_column("cases", "suspended_since")
    op.drop_column("cases", "follows")
