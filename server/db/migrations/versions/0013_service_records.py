"""Service segments and window periods: the history statistics are computed from (issue #12)

Tickets keep only their final state and window_states only the present one. This adds a row per
stint of a ticket at a window and a row per period a window is open or paused, written from now
on by the handlers, and an index for the statistics of cases by the day they were opened.

Backfilled from what the database already holds:
- every ticket done or no-show at a window: one segment, ended `finished` (`forced` when the
  monitor finished it), `no_show`; a ticket still called or serving: one open segment. Its staff
  is the one of the ticket's latest call (ticket_calls); `department` is left null (the
  statistics take the queue's department from the hall config);
- every window open or paused now: one open period since its `since`.
Not derivable, so not backfilled: the earlier stints of a ticket transferred, suspended or
released before this migration (only its last one is kept by the ticket; ticket_calls has when
and where each was called, not how it ended), and the past open/paused periods of windows (the
event log holds them only as audit entries with JSON details). Statistics of days before this
migration therefore count no transfers, suspensions, pauses or idle time.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_LAST_STAFF = (
    "(SELECT c.staff_id FROM ticket_calls c WHERE c.ticket_id = t.id ORDER BY c.attempt DESC LIMIT 1)"
)


def upgrade() -> None:
    op.create_table(
        "service_segments",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("item", sa.String(32)),
        sa.Column("department", sa.String(20)),
        sa.Column("window", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ending", sa.String(12)),
        sa.PrimaryKeyConstraint("id", name="pk_service_segments"),
    )
    op.create_index("ix_service_segments_day", "service_segments", ["day", "window"])
    op.create_index("ix_service_segments_ticket", "service_segments", ["ticket_id", "ended_at"])
    op.create_table(
        "window_periods",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("window", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_window_periods"),
    )
    op.create_index("ix_window_periods_day", "window_periods", ["day", "window"])
    op.create_index("ix_window_periods_open", "window_periods", ["window", "ended_at"])
    op.create_index("ix_cases_accepted_on", "cases", ["accepted_on", "department"])
    _backfill()


def _backfill() -> None:
    columns = 'ticket_id, day, queue, item, "window", staff_id, called_at, started_at, ended_at, ending'
    began = "COALESCE(t.called_at, t.started_at, t.finished_at)"
    # Ended stints: done (forced when the monitor finished it) and no-show.
    op.execute(
        f"INSERT INTO service_segments ({columns}) "
        f"SELECT t.id, t.day, t.queue, t.item, t.\"window\", {_LAST_STAFF}, {began}, "
        f"CASE WHEN t.status = 'done' THEN COALESCE(t.started_at, {began}) END, t.finished_at, "
        "CASE WHEN t.status = 'no_show' THEN 'no_show' "
        "WHEN EXISTS (SELECT 1 FROM forced_finishes f WHERE f.ticket_id = t.id) THEN 'forced' "
        "ELSE 'finished' END "
        "FROM tickets t WHERE t.status IN ('done', 'no_show') AND t.\"window\" IS NOT NULL "
        f"AND t.finished_at IS NOT NULL AND {began} IS NOT NULL"
    )
    # Stints still going on.
    op.execute(
        f"INSERT INTO service_segments ({columns}) "
        f"SELECT t.id, t.day, t.queue, t.item, t.\"window\", {_LAST_STAFF}, t.called_at, t.started_at, NULL, NULL "
        "FROM tickets t WHERE t.status IN ('called', 'serving') AND t.\"window\" IS NOT NULL "
        "AND t.called_at IS NOT NULL"
    )
    # Windows open or paused now. The day is the UTC date of `since`: the hall's time zone is in its
    # config, not in the database (a period begun before 08:00 in Beijing counts on the day before).
    day = "CAST(since AS DATE)" if op.get_context().dialect.name == "postgresql" else "DATE(since)"
    op.execute(
        'INSERT INTO window_periods ("window", staff_id, state, reason, day, started_at, ended_at) '
        f'SELECT "window", staff_id, status, pause_reason, {day}, since, NULL FROM window_states '
        "WHERE status IN ('open', 'paused') AND since IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_cases_accepted_on", "cases")
    op.drop_index("ix_window_periods_open", "window_periods")
    op.drop_index("ix_window_periods_day", "window_periods")
    op.drop_table("window_periods")
    op.drop_index("ix_service_segments_ticket", "service_segments")
    op.drop_index("ix_service_segments_day", "service_segments")
    op.drop_table("service_segments")
