"""Wake the event emitter when a change is logged, instead of having it poll the log

With several processes the leader tailed `event_log` every 10 ms: a hundred queries a second,
a sixth of a core on an idle hall. Every insert into the log now notifies the channel
`hallq_events`, delivered when its transaction commits; the leader LISTENs and reads the log
when woken (server/app/publisher.py). SQLite runs one process, which needs no tail.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE FUNCTION hallq_event_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallq_events', '');
    RETURN NULL;
END
$$"""
_TRIGGER = (
    "CREATE TRIGGER event_log_notify AFTER INSERT ON event_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION hallq_event_logged()"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER event_log_notify ON event_log")
        op.execute("DROP FUNCTION hallq_event_logged()")
