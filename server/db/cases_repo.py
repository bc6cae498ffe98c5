"""Cases in the database, read and written as the core's `Case` values (server.core.cases)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, or_, select, update

from server.core.cases import CLOCKED, Applicant, Case, Outcome, Status, StatusChange

from .case_tables import case_history, cases
from .counters_repo import next_counter
from .scope import hall_of


@dataclass(frozen=True)
class StoredCase:
    """A case with what the database keeps around it."""

    case: Case
    token: str
    ticket_id: str | None
    window: str | None
    opened_by: int | None
    warning_level: str | None
    note: str
    version: int
    created_at: datetime
    updated_at: datetime
    # The materials' names as the case was opened or answered (code → name, name_en).
    material_names: dict[str, dict[str, str]] | None = None

    @property
    def number(self) -> str:
        return self.case.number


def next_case_seq(conn: Connection, department: str, year: int) -> int:
    """The department's next case sequence of the year, gapless (taken in the opening transaction)."""
    return next_counter(conn, f"case:{department}:{year}")


def add(
    conn: Connection,
    case: Case,
    *,
    token: str,
    ticket_id: str | None,
    window: str | None,
    opened_by: int | None,
    note: str,
    now: datetime,
    material_names: dict[str, dict[str, str]] | None = None,
) -> None:
    a = case.applicant
    conn.execute(
        insert(cases).values(hall=hall_of(conn),
            number=case.number,
            token=token,
            item=case.item,
            department=case.department,
            copied_departments=list(case.copied_departments),
            applicant_name=a.name,
            applicant_id_number=a.id_number,
            applicant_phone=a.phone,
            materials=list(case.materials),
            missing=list(case.missing),
            material_names=material_names,
            outcome=case.outcome.value,
            status=case.status.value,
            accepted_on=case.accepted_on,
            promised=case.promised,
            reason=case.reason,
            follows=case.follows,
            note=note,
            ticket_id=ticket_id,
            window=window,
            opened_by=opened_by,
            warning_level=None,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    _add_history(conn, case.number, case.history)


def _add_history(conn: Connection, number: str, changes: Iterable[StatusChange]) -> None:
    rows = [
        {
            "case_number": number,
            "at": c.at,
            "status": c.status.value,
            "previous": c.previous.value if c.previous else None,
            "actor": c.actor[:80],
            "note": c.note,
        }
        for c in changes
    ]
    if rows:
        conn.execute(insert(case_history), [{**row, "hall": hall_of(conn)} for row in rows])


def save_transition(conn: Connection, before: StoredCase, after: Case, now: datetime,
                    material_names: dict[str, dict[str, str]] | None = None) -> int:
    """Write the status `after` reached and its new history entry (and the materials' names, when
    the answer names them anew); returns the new version."""
    new = after.history[len(before.case.history):]
    version = before.version + 1
    values: dict = {"status": after.status.value, "reason": after.reason, "version": version, "updated_at": now,
                    "promised": after.promised, "missing": list(after.missing),
                    "suspended_since": after.suspended_since}
    if material_names is not None:
        values["material_names"] = material_names
    if not after.clock_running:
        values["warning_level"] = None  # delivered, a notice, or the clock stopped: no tier
    conn.execute(update(cases).where(cases.c.hall == hall_of(conn), cases.c.number == after.number).values(**values))
    _add_history(conn, after.number, new)
    return version


def set_warning(conn: Connection, number: str, level: str | None, now: datetime) -> bool:
    """Record the tier announced, if the case is still undecided and the tier is news; a tier
    change is a case change (version bumped). False when another process got there first (the
    row lock makes the second update see the first's value) or the case was decided meanwhile."""
    news = cases.c.warning_level.is_not(None) if level is None else or_(
        cases.c.warning_level.is_(None), cases.c.warning_level != level
    )
    result = conn.execute(
        update(cases)
        .where(cases.c.hall == hall_of(conn), cases.c.number == number,
               cases.c.status.in_([s.value for s in CLOCKED]),
               cases.c.suspended_since.is_(None), news)
        .values(warning_level=level, version=cases.c.version + 1, updated_at=now)
    )
    return result.rowcount == 1


def _locked(stmt: Select[Any], conn: Connection, lock: bool) -> Select[Any]:
    return stmt.with_for_update() if lock and conn.dialect.name == "postgresql" else stmt


def get(conn: Connection, number: str, *, lock: bool = False) -> StoredCase | None:
    stmt = select(cases).where(cases.c.hall == hall_of(conn), cases.c.number == number)
    row = conn.execute(_locked(stmt, conn, lock)).first()
    return _with_history(conn, [row])[0] if row else None


def by_token(conn: Connection, token: str) -> StoredCase | None:
    row = conn.execute(select(cases).where(cases.c.hall == hall_of(conn), cases.c.token == token)).first()
    return _with_history(conn, [row])[0] if row else None


def by_ticket(conn: Connection, ticket_id: str) -> StoredCase | None:
    row = conn.execute(select(cases).where(cases.c.hall == hall_of(conn), cases.c.ticket_id == ticket_id)).first()
    return _with_history(conn, [row])[0] if row else None


def updated_since(conn: Connection, since: datetime | None, limit: int) -> list[StoredCase]:
    """Cases changed at or after `since`, oldest change first."""
    stmt = select(cases).where(cases.c.hall == hall_of(conn))
    if since is not None:
        stmt = stmt.where(cases.c.updated_at >= since)
    rows = conn.execute(stmt.order_by(cases.c.updated_at, cases.c.number).limit(limit)).all()
    return _with_history(conn, rows)


def clocked(conn: Connection, departments: Iterable[str] | None = None) -> list[StoredCase]:
    """Cases whose article 16 promise is still to keep (to delivery, suspended ones too),
    optionally of some departments."""
    stmt = select(cases).where(cases.c.hall == hall_of(conn), cases.c.status.in_([s.value for s in CLOCKED]))
    if departments is not None:
        stmt = stmt.where(cases.c.department.in_(list(departments)))
    return _with_history(conn, conn.execute(stmt.order_by(cases.c.promised, cases.c.number)).all())


def _with_history(conn: Connection, rows: Sequence[Row[Any]]) -> list[StoredCase]:
    if not rows:
        return []
    numbers = [r.number for r in rows]
    history: dict[str, list[StatusChange]] = {n: [] for n in numbers}
    for h in conn.execute(
        select(case_history).where(case_history.c.hall == hall_of(conn), case_history.c.case_number.in_(numbers))
        .order_by(case_history.c.id)
    ):
        history[h.case_number].append(
            StatusChange(
                at=h.at,
                status=Status(h.status),
                previous=Status(h.previous) if h.previous else None,
                actor=h.actor,
                note=h.note,
            )
        )
    return [_stored(r, tuple(history[r.number])) for r in rows]


def _stored(row: Row[Any], history: tuple[StatusChange, ...]) -> StoredCase:
    case = Case(
        number=row.number,
        item=row.item,
        department=row.department,
        copied_departments=tuple(row.copied_departments or ()),
        applicant=Applicant(row.applicant_name, row.applicant_id_number, row.applicant_phone),
        materials=tuple(row.materials or ()),
        outcome=Outcome(row.outcome),
        status=Status(row.status),
        accepted_on=row.accepted_on,
        promised=row.promised,
        history=history,
        missing=tuple(row.missing or ()),
        reason=row.reason,
        follows=row.follows,
        suspended_since=row.suspended_since,
    )
    return StoredCase(
        case=case,
        token=row.token,
        ticket_id=row.ticket_id,
        window=row.window,
        opened_by=row.opened_by,
        warning_level=row.warning_level,
        note=row.note,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        material_names=row.material_names,
    )
