"""Tables of the acceptance flow: cases (articles 12-17), their history and the outbox to the
approval platform (articles 10, 21)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from server.db.metadata import TS, hall_column, metadata

# One row per case. The applicant's ID number and phone are kept in full: the department needs
# them to decide (article 14) and the platform to share (article 21); every view beyond the
# department masks them (article 20).
cases = Table(
    "cases",
    metadata,
    hall_column(),
    Column("number", String(40), primary_key=True),
    # What the progress page's URL and the slip's QR code carry: unguessable, unlike the number.
    Column("token", String(64), nullable=False, unique=True),
    Column("item", String(32), nullable=False),
    Column("department", String(20), nullable=False),  # the lead department (article 17)
    Column("copied_departments", JSON, nullable=False),
    Column("applicant_name", String(64), nullable=False),
    Column("applicant_id_number", String(18), nullable=False),
    Column("applicant_phone", String(20), nullable=False),
    Column("materials", JSON, nullable=False),
    Column("missing", JSON, nullable=False),
    # {code: {"name", "name_en"}} of the materials and missing ones as the guide named them when the
    # case was opened or answered: a notice keeps its words after an admin renames a material.
    # NULL on cases opened before (0019): their names come from the hall as allocated now.
    Column("material_names", JSON),
    Column("outcome", String(16), nullable=False),
    Column("status", String(20), nullable=False),
    Column("accepted_on", Date, nullable=False),
    Column("promised", Date),
    Column("reason", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("ticket_id", String(32)),
    Column("window", String(16)),
    Column("opened_by", Integer),
    # The notice (一次性告知) whose missing papers this visit brought (article 14).
    Column("follows", String(40)),
    # The clock stopped (中止计时) since then; null while it runs (server/core/case_clock.py).
    Column("suspended_since", TS),
    # The article 16 tier last announced, so each change of tier is announced once.
    Column("warning_level", String(16)),
    # Bumped by every change: a puller de-duplicates on (number, version).
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_cases_updated_at", "hall", "updated_at", "number"),
    Index("ix_cases_status_department", "hall", "status", "department"),
    # Statistics count cases by the day they were opened (server/db/stats_sql.py).
    Index("ix_cases_accepted_on", "hall", "accepted_on", "department"),
)

case_history = Table(
    "case_history",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(40), ForeignKey("cases.number"), nullable=False),
    Column("at", TS, nullable=False),
    Column("status", String(20), nullable=False),
    Column("previous", String(20)),
    Column("actor", String(80), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_case_history_case_number", "case_number", "id"),
)

# Every case change, written in the transaction that made it and delivered to the approval
# platform's webhook afterwards, in `id` order per case, until it is acknowledged.
outbox = Table(
    "outbox",
    metadata,
    hall_column(),
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    # The ordering key: a case's number, or "rating-ID" for a rating's follow-up.
    Column("case_number", String(40), nullable=False),
    # Whose webhook: "platform" (the approval platform) or "ratings" (the provincial 好差评 system).
    Column("destination", String(16), nullable=False, server_default="platform"),
    Column("event", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    # Sent as the Idempotency-Key header: the same on every retry, so the platform applies a
    # change once even when an acknowledgement was lost.
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try_at", TS, nullable=False),
    Column("delivered_at", TS),
    Column("last_error", Text, nullable=False, server_default=""),
    Index("ix_outbox_pending", "delivered_at", "id"),
    Index("ix_outbox_case_number", "case_number", "id"),
)

# Every extension (延长) and suspension (中止计时) of a case's time limit (article 16): an
# extension is requested, then approved or rejected by the department's chief or a manager; a
# suspension runs until it is ended. Each row is what the printed notice to the applicant states.
case_clock_events = Table(
    "case_clock_events",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(40), ForeignKey("cases.number"), nullable=False),
    Column("kind", String(12), nullable=False),  # extension | suspension
    # extension: requested | approved | rejected; suspension: running | ended
    Column("state", String(12), nullable=False),
    Column("days", Integer),  # working days asked (extension) or suspended (once ended)
    Column("suspension_kind", String(20)),
    Column("reason", Text, nullable=False, server_default=""),
    Column("legal_basis", Text, nullable=False, server_default=""),
    Column("old_promised", Date),
    Column("new_promised", Date),
    Column("requested_by", String(80), nullable=False),
    Column("requested_at", TS, nullable=False),
    Column("decided_by", String(80)),
    Column("decided_at", TS),
    Column("decision_note", Text, nullable=False, server_default=""),
    Index("ix_case_clock_events_case", "case_number", "id"),
    Index("ix_case_clock_events_state", "hall", "kind", "state"),
)
