"""Ratings (好差评), their follow-up, and an outbox destination for the provincial rating system

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(32)),
        sa.Column("case_number", sa.String(40)),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("department", sa.String(20)),
        sa.Column("item", sa.String(32)),
        sa.Column("queue", sa.String(16)),
        sa.Column("window", sa.String(16)),
        sa.Column("staff_id", sa.Integer),
        sa.Column("excluded_at", sa.DateTime(timezone=True)),
        sa.Column("excluded_reason", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.UniqueConstraint("ticket_id", name="uq_ratings_ticket_id"),
        sa.UniqueConstraint("case_number", name="uq_ratings_case_number"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_ratings_level"),
        sa.CheckConstraint("ticket_id IS NOT NULL OR case_number IS NOT NULL", name="ck_ratings_subject"),
    )
    op.create_index("ix_ratings_day", "ratings", ["day", "department"])
    op.create_table(
        "rating_followups",
        sa.Column("rating_id", sa.Integer, nullable=False),
        sa.Column("department", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due", sa.JSON, nullable=False),
        sa.Column("next_due", sa.Date),
        sa.Column("appeal", sa.String(10)),
        sa.Column("appeal_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("warning_level", sa.String(16)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rating_id", name="pk_rating_followups"),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], name="fk_rating_followups_rating_id_ratings"),
    )
    op.create_index("ix_rating_followups_department", "rating_followups", ["department", "status", "next_due"])
    op.create_table(
        "followup_history",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("rating_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("previous", sa.String(16)),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_followup_history"),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], name="fk_followup_history_rating_id_ratings"),
    )
    op.create_index("ix_followup_history_rating_id", "followup_history", ["rating_id", "id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("destination", sa.String(16), nullable=False, server_default="platform"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("destination")
    op.drop_table("followup_history")
    op.drop_table("rating_followups")
    op.drop_index("ix_ratings_day", "ratings")
    op.drop_table("ratings")
