"""Cases keep their materials' names; the guides' version is a counter

A case shows the materials' names as the service guide gave them when it was opened or answered
(`cases.material_names`; NULL on older cases, which take the hall's names as allocated now), so a
notice keeps its words after an admin renames or adds a material. The guides in force are cached
per process by the `guides` counter, which every guide write bumps under its row lock: seeded here
from the revisions and uploads already stored, so a database with some does not read as version 0.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("material_names", sa.JSON))
    conn = op.get_bind()
    written = conn.execute(sa.text(
        "SELECT (SELECT COUNT(*) FROM guide_revisions) + (SELECT COUNT(*) FROM guide_forms)")).scalar() or 0
    if written:
        conn.execute(sa.text("DELETE FROM counters WHERE name = 'guides'"))
        conn.execute(sa.text("INSERT INTO counters (name, value) VALUES ('guides', :v)"), {"v": int(written)})


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("material_names")
    op.execute("DELETE FROM counters WHERE name = 'guides'")
