"""Searching the event log for the readable audit log (issue #12 point 5): who did what and when.

Every filter is SQL over the log's plain columns, the same on SQLite and PostgreSQL: a time range
on `at` (indexed), an action name or prefix, part of the actor's name, and a text matched against
the subject, the actor's name and the action (any case). The JSON `detail` is returned as stored
and never searched: no JSON functions, which the two databases spell differently. Pages are
newest first and continue below a `seq` (keyset paging: a page does not shift when the hall logs
more meanwhile). Only the connection's hall's entries are searched (`hall_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, or_, select

from .log_tables import event_log
from .scope import hall_of


@dataclass(frozen=True)
class AuditQuery:
    """`since` inclusive, `until` exclusive; `actions`: exact names or prefixes ending in "."
    (any of them); `also_actions`: exact names the text search matches too (by their labels)."""

    since: datetime | None = None
    until: datetime | None = None
    actions: Sequence[str] = ()
    actor: str | None = None
    text: str | None = None
    also_actions: Sequence[str] = ()
    before_seq: int | None = None
    limit: int = 100


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _action_is(names: Sequence[str]) -> ColumnElement[bool]:
    c = event_log.c.action
    return or_(*[c.startswith(n, autoescape=True) if n.endswith(".") else c == n for n in names])


def search(conn: Connection, q: AuditQuery) -> list[Row[Any]]:
    """Entries matching every filter given, newest first, at most `q.limit`."""
    log = event_log.c
    where: list[ColumnElement[bool]] = [log.hall == hall_of(conn)]
    if q.since is not None:
        where.append(log.at >= q.since)
    if q.until is not None:
        where.append(log.at < q.until)
    if q.actions:
        where.append(_action_is(q.actions))
    if q.actor:
        where.append(_contains(log.actor_name, q.actor))
    if q.text:
        found = [_contains(log.subject, q.text), _contains(log.actor_name, q.text), _contains(log.action, q.text)]
        if q.also_actions:
            found.append(log.action.in_(list(q.also_actions)))
        where.append(or_(*found))
    if q.before_seq is not None:
        where.append(log.seq < q.before_seq)
    stmt = (
        select(log.seq, log.at, log.actor_kind, log.actor_name, log.action, log.subject, log.detail)
        .where(and_(*where))
        .order_by(log.seq.desc())
        .limit(q.limit)
    )
    return list(conn.execute(stmt))
