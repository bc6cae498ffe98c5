"""Who is calling: a member of staff (bearer token) or a registered device (X-Device-Key)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, request

from server.app import accounts
from server.app.accounts import Unauthorized
from server.app.context import Services
from server.core.windows import Role, Staff

from . import hall_scope
from .errors import ApiError


def services() -> Services:
    """The services of the request's hall (server/web/hall_scope.py)."""
    return hall_scope.for_request(bearer()).services


def client_address() -> str:
    """The address sign-in throttling counts by: the peer's, or, when the peer is a trusted proxy
    (HALLQ_TRUSTED_PROXIES), the one that proxy saw."""
    settings = current_app.extensions.get("hallq_settings")
    return forwarded_client(request.remote_addr or "", request.headers.getlist("X-Forwarded-For"),
                            settings.trusted_proxies if settings else ())


def forwarded_client(peer: str, forwarded: list[str], trusted: tuple[str, ...] | list[str]) -> str:
    """Walk X-Forwarded-For from the right while the hop is a trusted proxy: the first entry not
    added by one is the client. Entries to its left were written by the client itself (anyone can
    send the header), so they are never believed; nor is the header when the peer is not trusted."""
    networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def is_trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    hops = [h.strip() for line in forwarded for h in line.split(",") if h.strip()]
    client = peer
    while is_trusted(client) and hops:
        client = hops.pop()
    # A garbled entry from a trusted proxy: keep it as a key, bounded (it is still that client's).
    return client[:64]


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_staff(*roles: Role) -> Staff:
    token = bearer()
    if token is None:
        raise ApiError(401, "unauthorized", "sign in first: send Authorization: Bearer TOKEN from /api/v1/auth/login")
    staff = accounts.staff_for_token(services(), token)
    if staff is None:
        raise hall_scope.elsewhere("token", token) or ApiError(
            401, "unauthorized", "the token is unknown, expired or signed out; sign in again")
    if roles and staff.role not in roles:
        raise ApiError(403, "forbidden", f"this needs the role {' or '.join(r.value for r in roles)}")
    return staff


def require_device(*kinds: str) -> dict[str, Any]:
    key = request.headers.get("X-Device-Key")
    if not key:
        raise ApiError(401, "unauthorized", "this needs a registered device: send X-Device-Key")
    device = accounts.device_for_key(services(), key)
    if device is None:
        raise hall_scope.elsewhere("key", key) or ApiError(401, "unauthorized", "unknown or revoked device key")
    if kinds and device["kind"] not in kinds:
        raise ApiError(403, "forbidden", f"a {device['kind']} device may not do this; it needs a {' or '.join(kinds)}")
    return device


@contextmanager
def device_refusals(key: str) -> Iterator[None]:
    """For a route that checks its kiosk inside its own transaction (issuing, check-in): a key of
    another hall is refused saying whose it is, as require_device does."""
    try:
        yield
    except Unauthorized:
        other = hall_scope.elsewhere("key", key)
        if other is None:
            raise
        raise other from None
