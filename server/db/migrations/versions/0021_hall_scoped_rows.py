"""Every hall-scoped row carries its hall: several halls on one installation (issue 16)

A `hall` column (the hall file's `[hall] code`) on every table whose rows belong to one hall. Keys
that are unique only within a hall take the hall as their first part: window ids, queue codes,
ticket numbers of a day, counters (the event sequence is per hall, so halls never wait on each
other's), item revisions. The indexes a hall's screens read lead with the hall, so one hall's
reads never walk another's rows. The triggers that keep `queue_stats` count per hall.

An existing single-hall database migrates in place: its rows become the configured hall's. The
code comes from the caller (`server.db.migrate.upgrade(engine, hall=...)`); a database that holds
rows and is upgraded without one is refused rather than guessed at.

Staff rows may have no hall: staff of the whole installation (a city's manager, its admin).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

HALL_TABLES = [
    "users", "devices", "allocation_changes", "appointments", "appointment_slots", "appointment_days", "cases",
    "case_history", "outbox", "case_clock_events", "documents", "guide_revisions", "guide_forms", "counters",
    "event_log", "visitor_refusals", "forced_finishes", "hall_notice", "print_jobs", "window_settings", "ratings",
    "rating_followups", "followup_history", "service_segments", "window_periods", "tickets", "ticket_calls",
    "window_states", "queue_stats",
]
NULLABLE = {"users"}

# Primary keys that are unique only within a hall: (table, old columns).
PRIMARY_KEYS = {
    "counters": ["name"],
    "event_log": ["seq"],
    "queue_stats": ["queue", "day"],
    "window_states": ["window"],
    "window_settings": ["window"],
    "hall_notice": ["id"],
    "appointment_slots": ["queue", "start"],
    "appointment_days": ["item", "day"],
    # A change's id is the hall's `allocation` counter (allocation_repo.lock_next_id): two halls' first
    # changes are both 1.
    "allocation_changes": ["id"],
}
# Unique constraints likewise: name → (table, old columns).
UNIQUES = {
    "uq_tickets_day_number": ("tickets", ["day", "number"]),
    "uq_guide_revisions_item_revision": ("guide_revisions", ["item", "revision"]),
}

_CUT_IN = "priority = 'green' OR origin_queue IS NOT NULL"
_ACTIVE_WINDOW = "status IN ('called', 'serving')"
_ACTIVE_BOOKING = "status IN ('booked', 'checked_in')"
# Indexes that now lead with the hall: name → (table, columns without the hall, unique, where).
INDEXES: dict[str, tuple[str, list[str], bool, str | None]] = {
    "ix_event_log_at": ("event_log", ["at"], False, None),
    "ix_tickets_line": ("tickets", ["status", "day", "queue", "class_rank", "rank_at", "number", "target_window"],
                        False, None),
    "ix_tickets_waiting_counts": ("tickets", ["status", "day", "queue", "rank_at"], False, None),
    "ix_tickets_target": ("tickets", ["target_window", "status", "day", "rank_at"], False, None),
    "ix_tickets_day_status": ("tickets", ["day", "status"], False, None),
    "ix_tickets_day_called": ("tickets", ["day", "called_at"], False, None),
    "ix_tickets_finished": ("tickets", ["status", "day", "queue", "finished_at"], False, None),
    "ix_tickets_cut_ins": ("tickets", ["day", "queue"], False, _CUT_IN),
    "uq_tickets_active_window": ("tickets", ["window"], True, _ACTIVE_WINDOW),
    "ix_ticket_calls_window": ("ticket_calls", ["window", "id"], False, None),
    "ix_allocation_changes_at": ("allocation_changes", ["at"], False, None),
    "ux_appointments_active": ("appointments", ["id_number", "item", "day"], True, _ACTIVE_BOOKING),
    "ix_appointments_day": ("appointments", ["day", "queue", "start"], False, None),
    "ix_cases_updated_at": ("cases", ["updated_at", "number"], False, None),
    "ix_cases_status_department": ("cases", ["status", "department"], False, None),
    "ix_cases_accepted_on": ("cases", ["accepted_on", "department"], False, None),
    "ix_case_clock_events_state": ("case_clock_events", ["kind", "state"], False, None),
    "ix_guide_forms_item": ("guide_forms", ["item", "material"], False, None),
    "ix_visitor_refusals_day": ("visitor_refusals", ["day", "queue"], False, None),
    "ix_print_jobs_pending": ("print_jobs", ["printed_at", "next_try_at"], False, None),
    "ix_ratings_day": ("ratings", ["day", "department"], False, None),
    "ix_rating_followups_department": ("rating_followups", ["department", "status", "next_due"], False, None),
    "ix_service_segments_day": ("service_segments", ["day", "window", "called_at"], False, None),
    "ix_window_periods_day": ("window_periods", ["day", "window"], False, None),
    "ix_window_periods_open": ("window_periods", ["window", "ended_at"], False, None),
}

# queue_stats' waiting and issued counts (migration 0005), now per hall.
_LEAVES = "OLD.status = 'waiting' AND NOT (NEW.status = 'waiting' AND NEW.queue = OLD.queue AND NEW.day = OLD.day)"
_ENTERS = "NEW.status = 'waiting' AND NOT (OLD.status = 'waiting' AND NEW.queue = OLD.queue AND NEW.day = OLD.day)"
_IS_WAITING = "CASE WHEN NEW.status = 'waiting' THEN 1 ELSE 0 END"


def _enter_sql(issued: str, waiting: str, hall: bool) -> str:
    key = "hall, queue, day" if hall else "queue, day"
    values = "NEW.hall, NEW.queue, NEW.day" if hall else "NEW.queue, NEW.day"
    return (
        f"INSERT INTO queue_stats ({key}, served, service_s, issued, no_show, waiting) "
        f"VALUES ({values}, 0, 0, {issued}, 0, {waiting}) "
        f"ON CONFLICT ({key}) DO UPDATE SET issued = queue_stats.issued + {issued}, "
        f"waiting = queue_stats.waiting + {waiting}"
    )


def _leave_sql(hall: bool) -> str:
    return ("UPDATE queue_stats SET waiting = waiting - 1 WHERE queue = OLD.queue AND day = OLD.day"
            + (" AND hall = OLD.hall" if hall else ""))


def _sqlite_triggers(hall: bool) -> list[str]:
    return [
        f"CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets BEGIN {_enter_sql('1', _IS_WAITING, hall)}; END",
        f"CREATE TRIGGER tickets_waiting_leave AFTER UPDATE OF status, queue, day ON tickets WHEN {_LEAVES} "
        f"BEGIN {_leave_sql(hall)}; END",
        f"CREATE TRIGGER tickets_waiting_enter AFTER UPDATE OF status, queue, day ON tickets WHEN {_ENTERS} "
        f"BEGIN {_enter_sql('0', '1', hall)}; END",
        f"CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets WHEN OLD.status = 'waiting' "
        f"BEGIN {_leave_sql(hall)}; END",
    ]


def _postgres_function(hall: bool) -> str:
    return f"""
CREATE OR REPLACE FUNCTION hallq_ticket_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_enter_sql("1", _IS_WAITING, hall)};
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.status = 'waiting' THEN {_leave_sql(hall)}; END IF;
    ELSE
        IF {_LEAVES} THEN {_leave_sql(hall)}; END IF;
        IF {_ENTERS} THEN {_enter_sql("0", "1", hall)}; END IF;
    END IF;
    RETURN NULL;
END
$$"""


# The emitter's wake-up (migration 0007), once per logged change and naming its hall, so a hall's
# emitter sleeps through the other halls' commits.
def _notify_function(payload: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION hallq_event_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallq_events', {payload});
    RETURN NULL;
END
$$"""


def _notify_trigger(per_row: bool) -> None:
    op.execute("DROP TRIGGER event_log_notify ON event_log")
    op.execute(_notify_function("NEW.hall" if per_row else "''"))
    op.execute("CREATE TRIGGER event_log_notify AFTER INSERT ON event_log "
               f"FOR EACH {'ROW' if per_row else 'STATEMENT'} EXECUTE FUNCTION hallq_event_logged()")


def _drop_sqlite_triggers() -> None:
    for name in ("tickets_stats_insert", "tickets_waiting_leave", "tickets_waiting_enter", "tickets_waiting_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _hall_code(bind: sa.Connection) -> str | None:
    config = op.get_context().config
    code = config.attributes.get("hall") if config is not None else None
    if code:
        return str(code)
    for table in HALL_TABLES:
        if table != "counters" and bind.execute(sa.text(f'SELECT 1 FROM "{table}" LIMIT 1')).first():
            raise RuntimeError(
                f"migration 0021 gives every row of this database a hall, and table {table!r} has rows: "
                "upgrade with the hall's code (hallq serve does, from the hall file's [hall] code)")
    return None


def _create_indexes(hall: bool) -> None:
    for name, (table, columns, unique, where) in INDEXES.items():
        cols = (["hall"] if hall else []) + columns
        kw: dict[str, Any] = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, table, cols, unique=unique, **kw)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    code = _hall_code(bind)
    if sqlite:
        _drop_sqlite_triggers()
    for name, (table, _cols, _u, _w) in INDEXES.items():
        op.drop_index(name, table_name=table)
    for table in HALL_TABLES:
        op.add_column(table, sa.Column("hall", sa.String(32), nullable=True))
        if code is not None:
            op.execute(sa.text(f'UPDATE "{table}" SET hall = :code').bindparams(code=code))
    if code is None:  # a new database: its hall's event sequence starts with its first change
        op.execute("DELETE FROM counters")
    for table in HALL_TABLES:
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            if table not in NULLABLE:
                batch.alter_column("hall", existing_type=sa.String(32), nullable=False)
            if table in PRIMARY_KEYS:
                batch.drop_constraint(f"pk_{table}", type_="primary")
                batch.create_primary_key(f"pk_{table}", ["hall", *PRIMARY_KEYS[table]])
            for name, (owner, cols) in UNIQUES.items():
                if owner == table:
                    batch.drop_constraint(name, type_="unique")
                    batch.create_unique_constraint(f"uq_{table}_hall_{'_'.join(cols)}", ["hall", *cols])
    _create_indexes(hall=True)
    if sqlite:
        for sql in _sqlite_triggers(hall=True):
            op.execute(sql)
    else:
        op.execute(_postgres_function(hall=True))
        _notify_trigger(per_row=True)


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    halls = bind.execute(sa.text("SELECT count(DISTINCT hall) FROM tickets")).scalar_one()
    if halls > 1:
        raise RuntimeError("this database holds several halls: one hall's rows cannot be told from another's "
                           "without the hall column")
    if sqlite:
        _drop_sqlite_triggers()
    for name, (table, _cols, _u, _w) in INDEXES.items():
        op.drop_index(name, table_name=table)
    for table in HALL_TABLES:
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            for name, (owner, cols) in UNIQUES.items():
                if owner == table:
                    batch.drop_constraint(f"uq_{table}_hall_{'_'.join(cols)}", type_="unique")
                    batch.create_unique_constraint(name, cols)
            if table in PRIMARY_KEYS:
                if not sqlite:
                    batch.drop_constraint(f"pk_{table}", type_="primary")
                batch.drop_column("hall")
                if not sqlite:
                    batch.create_primary_key(f"pk_{table}", PRIMARY_KEYS[table])
            else:
                batch.drop_column("hall")
    _create_indexes(hall=False)
    if sqlite:
        for sql in _sqlite_triggers(hall=False):
            op.execute(sql)
    else:
        op.execute(_postgres_function(hall=False))
        _notify_trigger(per_row=False)
