"""The progress query by case number (article 21): its failure counters (server/core/progress_lookup.py)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from server.db.metadata import TS, metadata

# One counter per client address ("address", ADDR) and per case number ("case", NUMBER), of
# failed lookups only; a number is counted whether or not a case has it. The kiosk's notice
# lookup (server/app/returning.py) counts per kiosk ("notice", DEVICE NAME). A scope fits 8.
lookup_throttle = Table(
    "lookup_throttle",
    metadata,
    Column("scope", String(8), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", TS, nullable=False),
    Column("next_allowed", TS),
    Index("ix_lookup_throttle_last_failure", "last_failure"),
)
