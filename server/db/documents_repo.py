"""The document registry's queries: number a document, register it, find it by id, case or code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from .counters_repo import next_counter
from .document_tables import documents
from .scope import hall_of


@dataclass(frozen=True)
class StoredDocument:
    id: int
    case_number: str
    kind: str
    number: str
    department: str
    issued_on: date
    issued_at: datetime
    verify_code: str
    fields: dict[str, Any]
    window: str | None
    issued_by: str


def next_number(conn: Connection, counter: str) -> int:
    """The next number of a department, family and year, taken in the issuing transaction: the
    counter row's upsert holds its lock until commit, so two windows never get the same one."""
    return next_counter(conn, counter)


def add(
    conn: Connection,
    *,
    case_number: str,
    kind: str,
    number: str,
    department: str,
    issued_on: date,
    issued_at: datetime,
    verify_code: str,
    fields: dict[str, Any],
    window: str | None,
    issued_by: str,
) -> int:
    result = conn.execute(
        insert(documents).values(hall=hall_of(conn),
            case_number=case_number, kind=kind, doc_number=number, department=department, issued_on=issued_on,
            issued_at=issued_at, verify_code=verify_code, fields=fields, window=window, issued_by=issued_by[:80],
        ).returning(documents.c.id)
    )
    return int(result.scalar_one())


def _stored(row: Any) -> StoredDocument:
    return StoredDocument(
        id=row.id, case_number=row.case_number, kind=row.kind, number=row.doc_number, department=row.department,
        issued_on=row.issued_on, issued_at=row.issued_at, verify_code=row.verify_code, fields=dict(row.fields),
        window=row.window, issued_by=row.issued_by,
    )


def get(conn: Connection, doc_id: int) -> StoredDocument | None:
    row = conn.execute(select(documents).where(documents.c.hall == hall_of(conn), documents.c.id == doc_id)).first()
    return _stored(row) if row else None


def by_code(conn: Connection, code: str) -> StoredDocument | None:
    row = conn.execute(select(documents).where(documents.c.hall == hall_of(conn),
                                               documents.c.verify_code == code)).first()
    return _stored(row) if row else None


def for_case(conn: Connection, case_number: str) -> list[StoredDocument]:
    """The case's documents, in the order they were issued."""
    rows = conn.execute(select(documents).where(documents.c.hall == hall_of(conn),
                                                documents.c.case_number == case_number).order_by(documents.c.id))
    return [_stored(r) for r in rows]


def by_number(conn: Connection, number: str) -> StoredDocument | None:
    """The document with this printed number (文号), the first registered if ever two."""
    row = conn.execute(select(documents).where(documents.c.hall == hall_of(conn), documents.c.doc_number == number)
                       .order_by(documents.c.id)).first()
    return _stored(row) if row else None
