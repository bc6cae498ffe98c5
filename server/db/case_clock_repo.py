"""Extensions and suspensions of cases' time limits (server/core/case_clock.py), one row each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from .case_tables import case_clock_events
from .scope import hall_of

EXTENSION = "extension"
SUSPENSION = "suspension"


def add(conn: Connection, number: str, kind: str, state: str, *, by: str, at: datetime, days: int | None = None,
        reason: str = "", legal_basis: str = "", suspension_kind: str | None = None,
        old_promised: date | None = None) -> int:
    result = conn.execute(insert(case_clock_events).values(hall=hall_of(conn),
        case_number=number, kind=kind, state=state, days=days, reason=reason, legal_basis=legal_basis,
        suspension_kind=suspension_kind, old_promised=old_promised, requested_by=by[:80], requested_at=at,
    ))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get(conn: Connection, event_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(case_clock_events).where(
        case_clock_events.c.hall == hall_of(conn), case_clock_events.c.id == event_id)).first()
    return dict(row._mapping) if row else None


def decide(conn: Connection, event_id: int, *, from_state: str, state: str, by: str, at: datetime,
           note: str = "", days: int | None = None, new_promised: date | None = None) -> bool:
    """Move an event out of `from_state`; False when another request got there first."""
    values: dict[str, Any] = {"state": state, "decided_by": by[:80], "decided_at": at, "decision_note": note,
                              "new_promised": new_promised}
    if days is not None:
        values["days"] = days
    result = conn.execute(update(case_clock_events).where(
        case_clock_events.c.hall == hall_of(conn), case_clock_events.c.id == event_id,
        case_clock_events.c.state == from_state).values(**values))
    return result.rowcount == 1


def running_suspension(conn: Connection, number: str) -> dict[str, Any] | None:
    row = conn.execute(select(case_clock_events).where(
        case_clock_events.c.hall == hall_of(conn), case_clock_events.c.case_number == number,
        case_clock_events.c.kind == SUSPENSION,
        case_clock_events.c.state == "running")).first()
    return dict(row._mapping) if row else None


def count(conn: Connection, number: str, kind: str, state: str) -> int:
    return int(conn.execute(select(func.count()).select_from(case_clock_events).where(
        case_clock_events.c.hall == hall_of(conn), case_clock_events.c.case_number == number,
        case_clock_events.c.kind == kind,
        case_clock_events.c.state == state)).scalar_one())


def of_cases(conn: Connection, numbers: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Every event of these cases, oldest first."""
    wanted = list(numbers)
    out: dict[str, list[dict[str, Any]]] = {n: [] for n in wanted}
    if not wanted:
        return out
    for row in conn.execute(select(case_clock_events).where(
            case_clock_events.c.hall == hall_of(conn), case_clock_events.c.case_number.in_(wanted))
            .order_by(case_clock_events.c.id)):
        out[row.case_number].append(dict(row._mapping))
    return out
