"""Each queue's cut-ins of the day kept in `queue_stats` by trigger, as its waiting count is (issue 16)

The waiting-time estimate needs how many tickets went ahead of a queue's normal tail today (green
channel, transferred in: `CUT_IN`). It counted them over a partial index on every change: one
statement more for every issue, call and finish, on the hot path issue 16 wants down to a few
round trips. Kept in the counts row every change reads anyway, it costs nothing to read; a
cut-in is rare, so keeping it costs the writes nearly nothing, and the partial index goes.

The count follows the rows whatever happens to them: a ticket issued green or transferred in
(its `origin_queue` set) counts for its queue and day, moving or deleting it moves the count.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

CUT_IN = "priority = 'green' OR origin_queue IS NOT NULL"
_OLD = "(OLD.priority = 'green' OR OLD.origin_queue IS NOT NULL)"
_NEW = "(NEW.priority = 'green' OR NEW.origin_queue IS NOT NULL)"
_SAME = "NEW.queue = OLD.queue AND NEW.day = OLD.day AND NEW.hall = OLD.hall"
# Counted out of the old row's queue and into the new one's only when that moves the count.
_LEAVES = f"{_OLD} AND NOT ({_NEW} AND {_SAME})"
_ENTERS = f"{_NEW} AND NOT ({_OLD} AND {_SAME})"

_ENTER = (
    "INSERT INTO queue_stats (hall, queue, day, served, service_s, issued, no_show, waiting, cut_ins) "
    "VALUES (NEW.hall, NEW.queue, NEW.day, 0, 0, 0, 0, 0, 1) "
    "ON CONFLICT (hall, queue, day) DO UPDATE SET cut_ins = queue_stats.cut_ins + 1"
)
_LEAVE = "UPDATE queue_stats SET cut_ins = cut_ins - 1 WHERE hall = OLD.hall AND queue = OLD.queue AND day = OLD.day"

_SQLITE_TRIGGERS = {
    "tickets_cut_in_insert": f"AFTER INSERT ON tickets WHEN {_NEW} BEGIN {_ENTER}; END",
    "tickets_cut_in_leave": f"AFTER UPDATE OF priority, origin_queue, queue, day, hall ON tickets WHEN {_LEAVES} "
                            f"BEGIN {_LEAVE}; END",
    "tickets_cut_in_enter": f"AFTER UPDATE OF priority, origin_queue, queue, day, hall ON tickets WHEN {_ENTERS} "
                            f"BEGIN {_ENTER}; END",
    "tickets_cut_in_delete": f"AFTER DELETE ON tickets WHEN {_OLD} BEGIN {_LEAVE}; END",
}

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION hallq_ticket_cut_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF {_NEW} THEN {_ENTER}; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF {_OLD} THEN {_LEAVE}; END IF;
    ELSE
        IF {_LEAVES} THEN {_LEAVE}; END IF;
        IF {_ENTERS} THEN {_ENTER}; END IF;
    END IF;
    RETURN NULL;
END
$$"""

_BACKFILL = (
    "UPDATE queue_stats SET cut_ins = (SELECT count(*) FROM tickets WHERE tickets.hall = queue_stats.hall "
    f"AND tickets.queue = queue_stats.queue AND tickets.day = queue_stats.day AND ({CUT_IN}))"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("queue_stats", sa.Column("cut_ins", sa.Integer(), nullable=False, server_default="0"))
    # Every ticket's insert made its queue's row (migration 0021's trigger), so each cut-in has one.
    op.execute(_BACKFILL)
    if sqlite:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER tickets_cut_ins AFTER INSERT OR DELETE OR UPDATE OF priority, origin_queue, "
                   "queue, day, hall ON tickets FOR EACH ROW EXECUTE FUNCTION hallq_ticket_cut_ins()")
    op.drop_index("ix_tickets_cut_ins", table_name="tickets")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_tickets_cut_ins", "tickets", ["hall", "day", "queue"], sqlite_where=sa.text(CUT_IN),
                    postgresql_where=sa.text(CUT_IN))
    if sqlite:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER tickets_cut_ins ON tickets")
        op.execute("DROP FUNCTION hallq_ticket_cut_ins()")
    # In place on SQLite too (3.35+): a batch copy of the table would trip the triggers that name it.
    op.execute("ALTER TABLE queue_stats DROP COLUMN cut_ins")
