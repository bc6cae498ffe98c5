"""Each hall's logged changes notify a channel of the hall's own (issue 16)

Since 0021 every logged change notified `hallq_events` with its hall as the payload, and every
process's event tail listened there: a process woke for every commit of every hall, including
halls it does not emit for (with three processes calling at one hall, each of the two that only
serve spent 0.6–0.9 ms of CPU a call waking for nothing). A change now notifies
`hallq_events:HALL`, and a tail listens to the channels of the halls it emits for only.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _function(notify: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION hallq_event_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM {notify};
    RETURN NULL;
END
$$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A hall's code is at most 32 of [A-Za-z0-9_-]: the channel's name stays under PostgreSQL's 63.
        op.execute(_function("pg_notify('hallq_events:' || NEW.hall, '')"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function("pg_notify('hallq_events', NEW.hall)"))
