"""Each queue's waiting count and issued count, kept in queue_stats by the database itself

Every change read the waiting count of every queue with a GROUP BY over the day's waiting tickets:
its cost grew with the line (docs/performance.md). Triggers on `tickets` now keep
`queue_stats.waiting` (and `issued`, one per inserted ticket) in the same transaction as the
change, so reading the counts is one row per queue, and no code path can forget to update them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A ticket leaves a queue's waiting line when it stops waiting or moves to another queue or day.
_LEAVES = "OLD.status = 'waiting' AND NOT (NEW.status = 'waiting' AND NEW.queue = OLD.queue AND NEW.day = OLD.day)"
_ENTERS = "NEW.status = 'waiting' AND NOT (OLD.status = 'waiting' AND NEW.queue = OLD.queue AND NEW.day = OLD.day)"


def _enter_sql(issued: str, waiting: str) -> str:
    return (
        "INSERT INTO queue_stats (queue, day, served, service_s, issued, no_show, waiting) "
        f"VALUES (NEW.queue, NEW.day, 0, 0, {issued}, 0, {waiting}) "
        f"ON CONFLICT (queue, day) DO UPDATE SET issued = queue_stats.issued + {issued}, "
        f"waiting = queue_stats.waiting + {waiting}"
    )


_LEAVE_SQL = "UPDATE queue_stats SET waiting = waiting - 1 WHERE queue = OLD.queue AND day = OLD.day"
_IS_WAITING = "CASE WHEN NEW.status = 'waiting' THEN 1 ELSE 0 END"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets
        BEGIN {_enter_sql("1", _IS_WAITING)}; END""",
    f"""CREATE TRIGGER tickets_waiting_leave AFTER UPDATE OF status, queue, day ON tickets
        WHEN {_LEAVES}
        BEGIN {_LEAVE_SQL}; END""",
    f"""CREATE TRIGGER tickets_waiting_enter AFTER UPDATE OF status, queue, day ON tickets
        WHEN {_ENTERS}
        BEGIN {_enter_sql("0", "1")}; END""",
    f"""CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets
        WHEN OLD.status = 'waiting'
        BEGIN {_LEAVE_SQL}; END""",
]

POSTGRES_FUNCTION = f"""
CREATE FUNCTION hallq_ticket_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_enter_sql("1", _IS_WAITING)};
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.status = 'waiting' THEN {_LEAVE_SQL}; END IF;
    ELSE
        IF {_LEAVES} THEN {_LEAVE_SQL}; END IF;
        IF {_ENTERS} THEN {_enter_sql("0", "1")}; END IF;
    END IF;
    RETURN NULL;
END
$$"""

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION hallq_ticket_stats()",
    "CREATE TRIGGER tickets_stats_change AFTER UPDATE OF status, queue, day OR DELETE ON tickets "
    "FOR EACH ROW EXECUTE FUNCTION hallq_ticket_stats()",
]

_BACKFILL = """
INSERT INTO queue_stats (queue, day, served, service_s, issued, no_show, waiting)
SELECT queue, day, 0, 0, 0, 0, count(*) FROM tickets WHERE status = 'waiting' GROUP BY queue, day
ON CONFLICT (queue, day) DO UPDATE SET waiting = excluded.waiting
"""


def upgrade() -> None:
    with op.batch_alter_table("queue_stats") as batch:
        batch.add_column(sa.Column("waiting", sa.Integer(), nullable=False, server_default="0"))
    op.execute(_BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for sql in POSTGRES_TRIGGERS:
            op.execute(sql)
    else:
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tickets_stats_insert ON tickets")
        op.execute("DROP TRIGGER tickets_stats_change ON tickets")
        op.execute("DROP FUNCTION hallq_ticket_stats()")
    else:
        for sql in SQLITE_TRIGGERS:
            op.execute("DROP TRIGGER " + sql.split()[2])
    with op.batch_alter_table("queue_stats") as batch:
        batch.drop_column("waiting")
