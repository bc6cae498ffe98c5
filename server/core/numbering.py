"""Ticket numbers: the queue's prefix and zero-padded digits, gapless per queue and day.

The day is the hall's local day, so numbering restarts at the hall's midnight whatever the
server's zone. The counter itself lives in the database (one row per queue and day, updated in
the ticket's transaction); this module only says what the next number looks like.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import Invalid


def service_day(now: datetime, timezone: str) -> date:
    if now.tzinfo is None:
        raise Invalid("time must carry its offset")
    return now.astimezone(ZoneInfo(timezone)).date()


def format_number(prefix: str, seq_no: int, digits: int = 3) -> str:
    """A007; past 999 the number grows a digit (A1000) rather than wrap onto a used one."""
    if seq_no < 1:
        raise Invalid(f"ticket sequence must start at 1, got {seq_no}")
    return f"{prefix}{seq_no:0{digits}d}"
