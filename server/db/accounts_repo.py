"""Staff accounts, their bearer tokens and registered devices.

Tokens and device keys are stored as SHA-256 digests: they are 256-bit random strings, so a
fast digest is enough to make a stolen table useless; passwords get argon2 (server.app.auth).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from server.core.windows import Role, Staff

from .tables import devices, tickets, tokens, users


def to_staff(row) -> Staff:  # noqa: ANN001
    return Staff(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        department=row.department,
        display_name=row.display_name,
        staff_no=row.staff_no,
    )


def user_row(conn: Connection, username: str):  # noqa: ANN201
    return conn.execute(select(users).where(users.c.username == username)).first()


def staff_by_id(conn: Connection, user_id: int) -> Staff | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return to_staff(row) if row else None


def staff_many(conn: Connection, ids: set[int]) -> dict[int, Staff]:
    if not ids:
        return {}
    return {r.id: to_staff(r) for r in conn.execute(select(users).where(users.c.id.in_(ids)))}


def add_user(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(users).values(**values).returning(users.c.id)).scalar_one()


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def add_token(conn: Connection, digest: str, user_id: int, now: datetime, expires: datetime) -> None:
    conn.execute(insert(tokens).values(hash=digest, user_id=user_id, created_at=now, expires_at=expires))


def staff_for_token(conn: Connection, digest: str, now: datetime) -> tuple[Staff, datetime] | None:
    """The staff a live token belongs to, with the token's expiry."""
    row = conn.execute(
        select(users, tokens.c.expires_at)
        .join(tokens, tokens.c.user_id == users.c.id)
        .where(
            tokens.c.hash == digest,
            tokens.c.revoked_at.is_(None),
            tokens.c.expires_at > now,
            users.c.active.is_(True),
        )
    ).first()
    return (to_staff(row), row.expires_at) if row else None


def revoke_token(conn: Connection, digest: str, now: datetime) -> bool:
    return bool(
        conn.execute(
            update(tokens).where(tokens.c.hash == digest, tokens.c.revoked_at.is_(None)).values(revoked_at=now)
        ).rowcount
    )


def add_device(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(devices).values(**values).returning(devices.c.id)).scalar_one()


def device_by_key(conn: Connection, digest: str):  # noqa: ANN201
    return conn.execute(_DEVICE_BY_KEY, {"digest": digest}).first()


# Every kiosk ticket looks its key up: built once, as the other hot statements are.
_DEVICE_BY_KEY = select(devices).where(devices.c.key_hash == bindparam("digest"), devices.c.revoked_at.is_(None))


def device_by_name(conn: Connection, name: str):  # noqa: ANN201
    return conn.execute(select(devices).where(devices.c.name == name)).first()


def update_device(conn: Connection, device_id: int, **values: Any) -> None:
    conn.execute(update(devices).where(devices.c.id == device_id).values(**values))


def list_devices(conn: Connection) -> list:
    return list(conn.execute(select(devices).order_by(devices.c.id)))


def device_of_ticket(conn: Connection, ticket_id: str):  # noqa: ANN201
    """The device (kiosk) that issued a ticket, if it still exists."""
    return conn.execute(
        select(devices).join(tickets, tickets.c.device_id == devices.c.id).where(tickets.c.id == ticket_id)
    ).first()
