"""Staff accounts, their bearer tokens and registered devices.

Tokens and device keys are stored as SHA-256 digests: they are 256-bit random strings, so a
fast digest is enough to make a stolen table useless; passwords get argon2 (server.app.auth).

A device belongs to one hall: its key works on that hall's connections only. A member of staff
belongs to one hall, or to none (`hall` NULL: staff of the whole installation, a city's manager or
its admin); a hall's connection knows its own staff and the installation's, and no one else (an
account of another hall reads as no account at all). Usernames and device names stay unique over
the whole installation: `username_taken` / `device_name_taken` ask that, for a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.core.throttle import Record
from server.core.windows import Role, Staff

from .account_tables import devices, login_throttle, tokens, users
from .scope import hall_of
from .ticket_tables import tickets


def to_staff(row: Row[Any]) -> Staff:
    return Staff(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        department=row.department,
        display_name=row.display_name,
        staff_no=row.staff_no,
        hall=row.hall,
    )


def hall_staff(conn: Connection) -> ColumnElement[bool]:
    """The accounts a hall's connection knows: its own and the whole installation's."""
    return or_(users.c.hall == hall_of(conn), users.c.hall.is_(None))


def user_row(conn: Connection, username: str) -> Row[Any] | None:
    """The account of `username` if this hall knows it (see `hall_staff`)."""
    return conn.execute(select(users).where(users.c.username == username, hall_staff(conn))).first()


def username_taken(conn: Connection, username: str) -> bool:
    """Whether any hall (or the installation) has an account of this name: names are unique over all."""
    return conn.execute(select(users.c.id).where(users.c.username == username)).first() is not None


def staff_by_id(conn: Connection, user_id: int) -> Staff | None:
    row = conn.execute(select(users).where(users.c.id == user_id, hall_staff(conn))).first()
    return to_staff(row) if row else None


def staff_many(conn: Connection, ids: set[int]) -> dict[int, Staff]:
    if not ids:
        return {}
    return {r.id: to_staff(r) for r in conn.execute(select(users).where(users.c.id.in_(ids), hall_staff(conn)))}


def add_user(conn: Connection, **values: Any) -> int:
    """A new account of this connection's hall; `hall=None` among `values` makes it the whole
    installation's, `hall="CODE"` another hall's (the `hallq user add` options)."""
    row = {"hall": hall_of(conn), **values}
    return conn.execute(insert(users).values(**row).returning(users.c.id)).scalar_one()


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.id == user_id, hall_staff(conn)).values(**values))


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
            hall_staff(conn),
        )
    ).first()
    return (to_staff(row), row.expires_at) if row else None


def revoke_token(conn: Connection, digest: str, now: datetime) -> bool:
    return bool(
        conn.execute(
            update(tokens).where(tokens.c.hash == digest, tokens.c.revoked_at.is_(None)).values(revoked_at=now)
        ).rowcount
    )


def revoke_user_tokens(conn: Connection, user_id: int, now: datetime) -> list[str]:
    """Revoke every live token of a user; the digests, so caches can forget them."""
    return list(
        conn.execute(
            update(tokens).where(tokens.c.user_id == user_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=now).returning(tokens.c.hash)
        ).scalars()
    )


def list_users(conn: Connection) -> list:
    """Every account this hall knows (its own and the installation's) with its last sign-in and its
    failure counter (None when it has none)."""
    last = (
        select(tokens.c.user_id, func.max(tokens.c.created_at).label("last_login"))
        .group_by(tokens.c.user_id).subquery()
    )
    acct = login_throttle.alias("acct")
    return list(conn.execute(
        select(users.c.username, users.c.display_name, users.c.staff_no, users.c.role, users.c.department,
               users.c.hall, users.c.active, last.c.last_login, acct.c.failures, acct.c.last_failure,
               acct.c.next_allowed)
        .outerjoin(last, last.c.user_id == users.c.id)
        .outerjoin(acct, and_(acct.c.scope == "account", acct.c.address == "", acct.c.username == users.c.username))
        .where(hall_staff(conn))
        .order_by(users.c.username)
    ))


# -- Failed sign-ins (server.core.throttle). Keys: ("address", addr, ""), ("pair", addr, name),
# ("account", "", name).

def throttle_keys(address: str, username: str) -> list[tuple[str, str, str]]:
    return [("address", address, ""), ("pair", address, username), ("account", "", username)]


def throttle_records(conn: Connection, address: str, username: str, *, lock: bool = False) -> list[Record]:
    """The three counters of an attempt, in throttle_keys' order; FRESH where none is kept.
    With `lock`, the rows are made and locked first, so concurrent failures all count."""
    keys = throttle_keys(address, username)
    if lock:
        insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(
            insert_(login_throttle).on_conflict_do_nothing(),
            [{"scope": s, "address": a, "username": u, "failures": 0, "last_failure": _EPOCH} for s, a, u in keys],
        )
    query = select(login_throttle).where(or_(*(
        and_(login_throttle.c.scope == s, login_throttle.c.address == a, login_throttle.c.username == u)
        for s, a, u in keys
    )))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = {(r.scope, r.address, r.username): r for r in conn.execute(query)}
    return [
        Record(r.failures, r.last_failure, r.next_allowed) if (r := found.get(k)) else Record() for k in keys
    ]


def save_throttle(conn: Connection, address: str, username: str, records: list[Record]) -> None:
    for (s, a, u), rec in zip(throttle_keys(address, username), records, strict=True):
        conn.execute(
            update(login_throttle)
            .where(login_throttle.c.scope == s, login_throttle.c.address == a, login_throttle.c.username == u)
            .values(failures=rec.failures, last_failure=rec.last_failure or _EPOCH, next_allowed=rec.next_allowed)
        )


def clear_throttle(conn: Connection, username: str, address: str | None = None) -> int:
    """Forget a name's failures: from one address (a good sign-in there) or from everywhere."""
    where = [login_throttle.c.username == username, login_throttle.c.scope.in_(("pair", "account"))]
    if address is not None:
        where.append(or_(login_throttle.c.scope == "account", login_throttle.c.address == address))
    return conn.execute(delete(login_throttle).where(*where)).rowcount


def prune_throttle(conn: Connection, before: datetime) -> None:
    """Counters with no failure since `before` are forgotten anyway: keep the table small."""
    conn.execute(delete(login_throttle).where(login_throttle.c.last_failure < before))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def add_device(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(devices).values(hall=hall_of(conn), **values).returning(devices.c.id)).scalar_one()


def device_by_key(conn: Connection, digest: str) -> Row[Any] | None:
    """The live device of this key, if it is this hall's: a kiosk of hall A cannot act in hall B."""
    return conn.execute(*device_by_key_query(conn, digest)).first()


def device_by_key_query(conn: Connection, digest: str) -> tuple[Any, dict[str, Any]]:
    """`device_by_key`'s statement, for a batch of reads (server/db/batch.py)."""
    return _DEVICE_BY_KEY, {"digest": digest, "hall": hall_of(conn)}


# Every kiosk ticket looks its key up: built once, as the other hot statements are.
_DEVICE_BY_KEY = select(devices).where(devices.c.key_hash == bindparam("digest"), devices.c.hall == bindparam("hall"),
                                       devices.c.revoked_at.is_(None))


def device_by_name(conn: Connection, name: str) -> Row[Any] | None:
    """This hall's device of that name."""
    return conn.execute(select(devices).where(devices.c.name == name, devices.c.hall == hall_of(conn))).first()


def device_name_taken(conn: Connection, name: str) -> bool:
    """Whether any hall has a device of this name: names are unique over the installation."""
    return conn.execute(select(devices.c.id).where(devices.c.name == name)).first() is not None


def update_device(conn: Connection, device_id: int, **values: Any) -> None:
    conn.execute(update(devices).where(devices.c.id == device_id, devices.c.hall == hall_of(conn)).values(**values))


def list_devices(conn: Connection) -> list:
    return list(conn.execute(select(devices).where(devices.c.hall == hall_of(conn)).order_by(devices.c.id)))


def device_of_ticket(conn: Connection, ticket_id: str) -> Row[Any] | None:
    """The device (kiosk) that issued one of this hall's tickets, if it still exists."""
    hall = hall_of(conn)
    return conn.execute(
        select(devices).join(tickets, and_(tickets.c.device_id == devices.c.id, tickets.c.hall == devices.c.hall))
        .where(tickets.c.hall == hall, tickets.c.id == ticket_id)
    ).first()


# Which hall a credential is of, before any hall is chosen (a process serving several halls picks
# the hall of an unscoped request by its credential): the only reads here that span the halls.
_HALL_OF_KEY = select(devices.c.hall).where(devices.c.key_hash == bindparam("digest"), devices.c.revoked_at.is_(None))
_HALL_OF_TOKEN = select(users.c.hall).join(tokens, tokens.c.user_id == users.c.id).where(
    tokens.c.hash == bindparam("digest"), tokens.c.revoked_at.is_(None))


def hall_of_device_key(conn: Connection, digest: str) -> str | None:
    """The hall of the live device with this key; None for an unknown or revoked key."""
    return conn.execute(_HALL_OF_KEY, {"digest": digest}).scalar()


def hall_of_token(conn: Connection, digest: str) -> str | None:
    """The hall of a live token's account; None for an account of the whole installation, or none."""
    return conn.execute(_HALL_OF_TOKEN, {"digest": digest}).scalar()
