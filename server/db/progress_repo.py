"""The progress query by case number (article 21): what it reads of a case, and its failure
counters (the `lookup_throttle` table; the rules are server/core/progress_lookup.py's).

The cases and tickets read are the connection's hall's (a case number of another hall is not
found); the failure counters are the installation's (the table has no hall: a client guessing
numbers is slowed down whichever hall it asks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.core.throttle import Record

from .case_tables import cases
from .progress_tables import lookup_throttle
from .scope import hall_of
from .ticket_tables import tickets

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Secrets:
    """What proves a lookup, and what it then opens: one primary-key read, the same whether the
    last four match or not."""

    token: str
    id_number: str
    phone: str


def secrets_of(conn: Connection, number: str) -> Secrets | None:
    row = conn.execute(
        select(cases.c.token, cases.c.applicant_id_number, cases.c.applicant_phone)
        .where(cases.c.hall == hall_of(conn), cases.c.number == number)
    ).first()
    return Secrets(row.token, row.applicant_id_number, row.applicant_phone) if row else None


def case_token_of_ticket(conn: Connection, ticket_id: str) -> str | None:
    """The progress token of the case a ticket's visit opened, if one was (tickets.case_number)."""
    return conn.execute(_CASE_TOKEN_OF_TICKET, {"hall": hall_of(conn), "ticket_id": ticket_id}).scalar()


# Asked at every finish of a visit whose outcome may have opened a case: built once.
_CASE_TOKEN_OF_TICKET = (
    select(cases.c.token)
    .join(tickets, and_(tickets.c.case_number == cases.c.number, tickets.c.hall == cases.c.hall))
    .where(tickets.c.hall == bindparam("hall"), tickets.c.id == bindparam("ticket_id"),
           cases.c.hall == bindparam("hall"))
)


def records(conn: Connection, keys: list[tuple[str, str]], *, lock: bool = False) -> list[Record]:
    """The counters of `keys` ((scope, key) pairs), in their order; a fresh one where none is kept.
    With `lock`, the rows are made and locked first, so concurrent failures all count."""
    if not keys:
        return []
    if lock:
        insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(
            insert_(lookup_throttle).on_conflict_do_nothing(),
            [{"scope": s, "key": k, "failures": 0, "last_failure": _EPOCH} for s, k in keys],
        )
    query = select(lookup_throttle).where(or_(*(
        and_(lookup_throttle.c.scope == s, lookup_throttle.c.key == k) for s, k in keys
    )))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = {(r.scope, r.key): r for r in conn.execute(query)}
    return [Record(r.failures, r.last_failure, r.next_allowed) if (r := found.get(k)) else Record() for k in keys]


def save(conn: Connection, keys: list[tuple[str, str]], values: list[Record]) -> None:
    for (s, k), rec in zip(keys, values, strict=True):
        conn.execute(
            update(lookup_throttle).where(lookup_throttle.c.scope == s, lookup_throttle.c.key == k)
            .values(failures=rec.failures, last_failure=rec.last_failure or _EPOCH, next_allowed=rec.next_allowed)
        )


def prune(conn: Connection, before: datetime) -> None:
    """Counters with no failure since `before` are forgotten anyway: keep the table small."""
    conn.execute(delete(lookup_throttle).where(lookup_throttle.c.last_failure < before))
