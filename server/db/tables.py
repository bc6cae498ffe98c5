"""The whole schema: every table, on the one `metadata` (Alembic's env and the tests read it here).

The tables are declared by what they hold, each module importing only `server.db.metadata`:
log_tables (counters, event log), ticket_tables (tickets, calls, window states, queue counts),
account_tables (users, tokens, sign-in throttle, devices), case_tables (cases, history, outbox),
print_tables (print jobs, window printer settings), allocation_tables (allocation changes),
notice_tables (the hall notice), monitor_tables (refusals, forced finishes), rating_tables (ratings,
their follow-ups), document_tables (the document registry), service_tables (service segments and
window periods, for statistics), progress_tables (the progress query's failure counters),
guide_tables (guide revisions, uploaded sample forms), appointment_tables (bookings and their
slot and day counters). Repositories import the module they need.
"""

from __future__ import annotations

from server.db.account_tables import devices, login_throttle, tokens, users
from server.db.allocation_tables import allocation_changes
from server.db.appointment_tables import appointment_days, appointment_slots, appointments
from server.db.case_tables import case_clock_events, case_history, cases, outbox
from server.db.document_tables import documents
from server.db.guide_tables import guide_forms, guide_revisions
from server.db.log_tables import counters, event_log
from server.db.metadata import TS, metadata
from server.db.monitor_tables import forced_finishes, visitor_refusals
from server.db.notice_tables import hall_notice
from server.db.print_tables import print_jobs, window_settings
from server.db.progress_tables import lookup_throttle
from server.db.rating_tables import followup_history, rating_followups, ratings
from server.db.service_tables import service_segments, window_periods
from server.db.ticket_tables import queue_stats, ticket_calls, tickets, window_states

__all__ = [
    "TS", "allocation_changes", "appointment_days", "appointment_slots", "appointments",
    "case_clock_events", "case_history", "cases", "counters", "devices", "documents",
    "event_log", "followup_history", "forced_finishes", "guide_forms", "guide_revisions", "hall_notice",
    "login_throttle", "lookup_throttle", "metadata", "outbox",
    "print_jobs", "queue_stats", "rating_followups", "ratings", "service_segments", "ticket_calls", "tickets",
    "tokens", "users", "visitor_refusals", "window_periods", "window_settings", "window_states",
]
