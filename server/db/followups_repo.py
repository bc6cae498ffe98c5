"""The follow-ups of poor ratings (`rating_followups`, `followup_history`) and the rating columns they
touch (`ratings.excluded_at`, `excluded_reason`). The rules are server/core/followup.py's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, or_, select, update

from server.core.followup import CLOSED, Appeal, Followup, Status

from .rating_tables import followup_history, rating_followups, ratings
from .scope import hall_of

CLOSED_VALUES = [s.value for s in CLOSED]


@dataclass(frozen=True)
class StoredFollowup:
    rating: dict[str, Any]  # the rating row, whole
    department: str
    followup: Followup
    due: dict[str, date]
    next_due: date | None
    warning_level: str | None
    version: int
    opened_at: datetime
    updated_at: datetime
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rating_id(self) -> int:
        return int(self.rating["id"])


def add_rating(conn: Connection, **values: Any) -> int:
    """A rating row as it is stored (tests and the demo; the ratings' own handlers write theirs)."""
    values.setdefault("tags", [])
    return int(conn.execute(insert(ratings).values(hall=hall_of(conn), **values).returning(ratings.c.id)).scalar_one())


def rating(conn: Connection, rating_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(ratings).where(ratings.c.hall == hall_of(conn), ratings.c.id == rating_id)).first()
    return dict(row._mapping) if row else None


def open_followup(conn: Connection, rating_id: int, department: str, due: dict[str, date], next_due: date | None,
                  now: datetime) -> None:
    conn.execute(insert(rating_followups).values(hall=hall_of(conn),
        rating_id=rating_id, department=department, status=Status.RECEIVED.value,
        due={k: d.isoformat() for k, d in due.items()}, next_due=next_due, appeal=None, appeal_reason="",
        warning_level=None, version=1, opened_at=now, updated_at=now,
    ))


def add_history(conn: Connection, rating_id: int, at: datetime, status: str, previous: str | None, actor: str,
                note: str) -> None:
    conn.execute(insert(followup_history).values(hall=hall_of(conn), rating_id=rating_id, at=at, status=status,
                                                 previous=previous, actor=actor[:80], note=note))


_COLUMNS = [rating_followups.c[c] for c in ("department", "status", "due", "next_due", "appeal", "appeal_reason",
                                            "warning_level", "version", "opened_at", "updated_at")]


def _query(conn: Connection) -> Select[Any]:
    """Ratings with their follow-up, of the connection's hall."""
    hall = hall_of(conn)
    return select(ratings, *_COLUMNS).join(
        rating_followups, (rating_followups.c.hall == ratings.c.hall) & (rating_followups.c.rating_id == ratings.c.id),
    ).where(rating_followups.c.hall == hall, ratings.c.hall == hall)


def _stored(row: Any) -> StoredFollowup:
    m = dict(row._mapping)
    f = {k: m.pop(k) for k in ("department", "status", "due", "next_due", "appeal", "appeal_reason",
                               "warning_level", "version", "opened_at", "updated_at")}
    return StoredFollowup(
        rating=m,
        department=f["department"],
        followup=Followup(Status(f["status"]), Appeal(f["appeal"]) if f["appeal"] else None, f["appeal_reason"]),
        due={k: date.fromisoformat(v) for k, v in (f["due"] or {}).items()},
        next_due=f["next_due"],
        warning_level=f["warning_level"],
        version=int(f["version"]),
        opened_at=f["opened_at"],
        updated_at=f["updated_at"],
    )


def get(conn: Connection, rating_id: int, *, lock: bool = False) -> StoredFollowup | None:
    stmt = _query(conn).where(ratings.c.id == rating_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=rating_followups)
    row = conn.execute(stmt).first()
    if row is None:
        return None
    found = _stored(row)
    found.history.extend(histories(conn, [found.rating_id]).get(found.rating_id, []))
    return found


def listing(conn: Connection, departments: Iterable[str] | None, status: str) -> list[StoredFollowup]:
    """`status`: open, closed or all; the soonest deadline first, closed ones last (newest first)."""
    stmt = _query(conn)
    if departments is not None:
        stmt = stmt.where(rating_followups.c.department.in_(list(departments)))
    if status == "open":
        stmt = stmt.where(rating_followups.c.status.not_in(CLOSED_VALUES))
    elif status == "closed":
        stmt = stmt.where(rating_followups.c.status.in_(CLOSED_VALUES))
    stmt = stmt.order_by(rating_followups.c.next_due.is_(None), rating_followups.c.next_due,
                         rating_followups.c.updated_at.desc(), ratings.c.id)
    found = [_stored(r) for r in conn.execute(stmt)]
    by_id = histories(conn, [f.rating_id for f in found])
    for f in found:
        f.history.extend(by_id.get(f.rating_id, []))
    return found


def histories(conn: Connection, rating_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not rating_ids:
        return out
    rows = conn.execute(select(followup_history).where(followup_history.c.hall == hall_of(conn),
                                                       followup_history.c.rating_id.in_(rating_ids))
                        .order_by(followup_history.c.rating_id, followup_history.c.id))
    for r in rows:
        out.setdefault(r.rating_id, []).append(dict(r._mapping))
    return out


def save(conn: Connection, before: StoredFollowup, after: Followup, next_due: date | None, now: datetime) -> bool:
    """Write the status and appeal `after` reached, if nobody changed the follow-up since `before`
    was read (its version); False otherwise. A closed follow-up has no tier left to warn of."""
    values: dict[str, Any] = {
        "status": after.status.value, "appeal": after.appeal.value if after.appeal else None,
        "appeal_reason": after.appeal_reason, "next_due": next_due,
        "version": before.version + 1, "updated_at": now,
    }
    if after.status.value in CLOSED_VALUES:
        values["warning_level"] = None
    result = conn.execute(update(rating_followups).where(
        rating_followups.c.hall == hall_of(conn), rating_followups.c.rating_id == before.rating_id,
        rating_followups.c.version == before.version,
    ).values(**values))
    return result.rowcount == 1


def open_ones(conn: Connection) -> list[StoredFollowup]:
    """Every open follow-up, for the warnings sweep (no history)."""
    stmt = _query(conn).where(rating_followups.c.status.not_in(CLOSED_VALUES)).order_by(ratings.c.id)
    return [_stored(r) for r in conn.execute(stmt)]


def set_warning(conn: Connection, rating_id: int, level: str | None, now: datetime) -> bool:
    """Record the tier announced if still open and news (another process may have got there first)."""
    news = rating_followups.c.warning_level.is_not(None) if level is None else or_(
        rating_followups.c.warning_level.is_(None), rating_followups.c.warning_level != level)
    result = conn.execute(update(rating_followups).where(
        rating_followups.c.hall == hall_of(conn), rating_followups.c.rating_id == rating_id,
        rating_followups.c.status.not_in(CLOSED_VALUES), news,
    ).values(warning_level=level, version=rating_followups.c.version + 1, updated_at=now))
    return result.rowcount == 1


def exclude_rating(conn: Connection, rating_id: int, reason: str, now: datetime) -> None:
    """The rating stays, counted apart from the statistics from now on."""
    conn.execute(update(ratings).where(ratings.c.hall == hall_of(conn), ratings.c.id == rating_id)
                 .values(excluded_at=now, excluded_reason=reason))
