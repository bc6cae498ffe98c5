"""Staff naming other staff: the member a window is handed over to."""

from __future__ import annotations

from typing import Any

from server.core.errors import NotFound
from server.core.windows import Staff
from server.db import accounts_repo

from . import window_ops
from .context import Services


def active_staff(svc: Services, username: str) -> Staff:
    with svc.read() as uow:
        row = accounts_repo.user_row(uow.conn, username)
    if row is None or not row.active:
        raise NotFound(f"no active user {username!r}")
    return accounts_repo.to_staff(row)


def hand_over_to(svc: Services, staff: Staff, window_id: str, username: str) -> dict[str, Any]:
    """`staff` hands their window over to the active member of staff `username`."""
    return window_ops.hand_over(svc, staff, window_id, active_staff(svc, username))
