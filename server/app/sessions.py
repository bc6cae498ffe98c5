"""Who a Socket.IO connection is: checked when it connects and again on every subscribe.

Read from the database each time, not from the token cache of the HTTP side: a subscribe is
rare (once per connection, again after a gap), and a revoked key or signed-out token must not
buy a few more seconds of events. Only the digest of the secret is kept with the connection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.db import accounts_repo

from .accounts import device_json, digest
from .context import Services
from .rooms import device_room, staff_room, token_room

VISITOR: dict[str, Any] = {"kind": "visitor", "rooms": []}


def identify(svc: Services, auth: dict[str, Any]) -> dict[str, Any] | None:
    """The connection's identity from its `auth`; None for a credential that is not (or no
    longer) valid. A connection with no credential is a visitor."""
    if auth.get("device_key"):
        return _device(svc, digest(str(auth["device_key"])))
    if auth.get("token"):
        return _staff(svc, digest(str(auth["token"])))
    return dict(VISITOR)


def recheck(svc: Services, who: dict[str, Any]) -> dict[str, Any] | None:
    """The same identity, read again; None when its credential has since ended."""
    if who.get("kind") == "device":
        return _device(svc, who["digest"])
    if who.get("kind") == "staff":
        return _staff(svc, who["digest"])
    return who


def _device(svc: Services, key_digest: str) -> dict[str, Any] | None:
    with svc.read() as uow:
        row = accounts_repo.device_by_key(uow.conn, key_digest)
        if row is None:
            return None
        return {"kind": "device", "device": device_json(row), "digest": key_digest,
                "rooms": [device_room(row.id)]}


def _staff(svc: Services, token_digest: str) -> dict[str, Any] | None:
    with svc.read() as uow:
        found = accounts_repo.staff_for_token(uow.conn, token_digest, uow.now)
    if found is None:
        return None
    staff, expires = found
    return {"kind": "staff", "staff": staff, "digest": token_digest, "expires": expires,
            "rooms": [token_room(token_digest), staff_room(staff.id)]}


def expired(who: dict[str, Any], now: datetime) -> bool:
    expires = who.get("expires")
    return expires is not None and expires <= now
