"""The document registry: every printed slip, notice and decision with its number and verification code (issue 14)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("doc_number", sa.String(64), nullable=False),
        sa.Column("department", sa.String(20), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verify_code", sa.String(16), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("window", sa.String(16)),
        sa.Column("issued_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("doc_number", name="uq_documents_doc_number"),
        sa.UniqueConstraint("verify_code", name="uq_documents_verify_code"),
    )
    op.create_index("ix_documents_case_number", "documents", ["case_number", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_case_number", "documents")
    op.drop_table("documents")
