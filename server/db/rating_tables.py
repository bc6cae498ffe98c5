"""Supervision's tables (articles 27 and 31, 国办发〔2019〕51号): the visitors' 好差评 ratings, the
follow-up of every poor one, and the record of each service and window period that statistics
and the monthly evaluation are computed from in SQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
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

# One rating per ticket ("一次一评") and one per case ("一事一评"): the unique columns make a
# second rating fail in the database, also when two posts race. Who rated is never stored; the
# window, staff and item are copied from the service rated, so statistics need no join back.
ratings = Table(
    "ratings",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), unique=True),
    Column("case_number", String(40), unique=True),
    Column("day", Date, nullable=False),  # the day of the service rated
    Column("at", TS, nullable=False),
    Column("level", Integer, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("channel", String(8), nullable=False),  # pad, phone, case
    Column("department", String(20)),
    Column("item", String(32)),
    Column("queue", String(16)),
    Column("window", String(16)),
    Column("staff_id", Integer),
    # A rating judged mistaken or malicious, on a manager's approval: kept, counted apart.
    Column("excluded_at", TS),
    Column("excluded_reason", Text, nullable=False, server_default=""),
    CheckConstraint("level BETWEEN 1 AND 5", name="ck_ratings_level"),
    CheckConstraint("ticket_id IS NOT NULL OR case_number IS NOT NULL", name="ck_ratings_subject"),
    Index("ix_ratings_day", "hall", "day", "department"),
)

# The follow-up (差评整改) of a rating of 1 or 2, owned by the chief of its department.
rating_followups = Table(
    "rating_followups",
    metadata,
    hall_column(),
    Column("rating_id", Integer, ForeignKey("ratings.id"), primary_key=True),
    Column("department", String(20), nullable=False),
    Column("status", String(16), nullable=False),
    # The deadline of each step, {"called_back": "2026-12-07", ...}, fixed when it opens.
    Column("due", JSON, nullable=False),
    # The deadline of the step now ahead (null once answered): what the chief's list sorts on.
    Column("next_due", Date),
    Column("appeal", String(10)),  # null, pending, approved, rejected
    Column("appeal_reason", Text, nullable=False, server_default=""),
    Column("warning_level", String(16)),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("opened_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_rating_followups_department", "hall", "department", "status", "next_due"),
)

followup_history = Table(
    "followup_history",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rating_id", Integer, ForeignKey("ratings.id"), nullable=False),
    Column("at", TS, nullable=False),
    Column("status", String(16), nullable=False),
    Column("previous", String(16)),
    Column("actor", String(80), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_followup_history_rating_id", "rating_id", "id"),
)
