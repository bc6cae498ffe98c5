"""The hall as allocated now: the hall file's windows and items with the live allocation applied.

Calling, issuing, estimates, snapshots and alerts ask `current_hall` instead of reading
`svc.hall`, so a manager's change governs the next call-next on every process at once. The
allocation is cached per process by the id of the latest change: a transaction pays one indexed
read of that id (and the state itself only when it moved), and asks once however often it asks.

The service guides ride along the same way (server.app.guide_overlay): the hall as allocated is
built over the hall file with every guide revision applied, cached by the guides' version (a
counter every guide write bumps), read in the same SELECT as the allocation's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from server.core.allocation import AllocationState, hall_with, initial_state
from server.core.hall import Hall, ServedQueue
from server.db import allocation_repo, guides_repo
from server.db.uow import UnitOfWork

from . import guide_overlay
from .context import Services


class Allocated:
    """One version of the allocation: its change id (0: the hall file's), state and hall, over
    the guides in force (`guides`)."""

    __slots__ = ("version", "base", "state", "hall", "guides")

    def __init__(self, version: int, base: Hall, state: AllocationState, hall: Hall,
                 guides: guide_overlay.GuidesInForce) -> None:
        self.version, self.base, self.state, self.hall, self.guides = version, base, state, hall, guides


# What a transaction already read: asked again (a handler, then its events), it costs nothing.
_seen: WeakKeyDictionary[UnitOfWork, Allocated] = WeakKeyDictionary()


def state_json(state: AllocationState) -> dict[str, Any]:
    return {
        "windows": {w: [{"queue": sq.queue, "weight": sq.weight} for sq in qs] for w, qs in state.windows.items()},
        "items": dict(state.items),
        "reserves_open": sorted(state.reserves_open),
    }


def state_from_json(hall: Hall, raw: Mapping[str, Any]) -> AllocationState:
    """A stored state, over the hall file's: windows or items the file added since start from it,
    and those it dropped are left out."""
    base = initial_state(hall)
    windows = {w: tuple(ServedQueue(e["queue"], int(e["weight"])) for e in qs)
               for w, qs in raw.get("windows", {}).items() if w in base.windows}
    items = {i: q for i, q in raw.get("items", {}).items() if i in base.items and hall.queue(q) is not None}
    reserves = frozenset(w for w in raw.get("reserves_open", []) if w in base.windows)
    return AllocationState({**base.windows, **windows}, {**base.items, **items}, reserves)


def current(svc: Services, uow: UnitOfWork, versions: tuple[int, int] | None = None) -> Allocated:
    """The allocation in force for this transaction. `versions`: the allocation's and the guides'
    (`versions_query`), when the caller read them with its own first reads."""
    seen = _seen.get(uow)
    if seen is not None and seen.base is svc.hall:
        return seen
    version, guides_version = versions or allocation_repo.latest_id_and(uow.conn, guides_repo.VERSION)
    guides = _guides(svc, uow, guides_version)
    cached: Allocated | None = svc.allocation_cache.get("current")
    if cached is None or cached.version != version or cached.base is not svc.hall or cached.guides is not guides:
        cached = _load(svc, uow, version, guides)
        svc.allocation_cache["current"] = cached
    _seen[uow] = cached
    return cached


def versions_query(uow: UnitOfWork) -> tuple[Any, dict[str, Any]]:
    """What `current` reads, for a change that sends it with its other first reads (server/db/batch.py)."""
    return allocation_repo.latest_id_and_query(uow.conn, guides_repo.VERSION)


def to_versions(rows: Any) -> tuple[int, int]:
    return allocation_repo.to_latest_id_and(rows)


def last_known(svc: Services) -> Hall:
    """The hall as this process last found it allocated (the hall file's before any): what a change
    guesses its window serves when it sends the reads that depend on it with the allocation's own,
    checked against `current` once they are back."""
    cached: Allocated | None = svc.allocation_cache.get("current")
    return cached.hall if cached is not None and cached.base is svc.hall else svc.hall


def _guides(svc: Services, uow: UnitOfWork, version: int | None = None) -> guide_overlay.GuidesInForce:
    """The guides in force at `version` (read here when not given); the revisions only when it moved."""
    if version is None:
        version = guides_repo.version(uow.conn)
    cached: Allocated | None = svc.allocation_cache.get("current")
    if cached is not None and cached.base is svc.hall and cached.guides.version == version:
        return cached.guides
    return guide_overlay.load(svc.hall, uow.conn, version)


def _load(svc: Services, uow: UnitOfWork, version: int, guides: guide_overlay.GuidesInForce) -> Allocated:
    raw = allocation_repo.state_of(uow.conn, version) if version else None
    state = state_from_json(svc.hall, raw) if raw else initial_state(svc.hall)
    return Allocated(version, svc.hall, state, hall_with(guides.hall, state), guides)


def install(svc: Services, uow: UnitOfWork, version: int, state: AllocationState) -> Allocated:
    """The change `version` was just written in this transaction: the rest of it (its events)
    sees the new allocation, and so does this process once it commits."""
    guides = _guides(svc, uow)
    made = Allocated(version, svc.hall, state, hall_with(guides.hall, state), guides)
    _seen[uow] = made
    return made


def forget(uow: UnitOfWork) -> None:
    """This transaction changed the guides: what it reads next is read again."""
    _seen.pop(uow, None)


def guides_in_force(svc: Services, uow: UnitOfWork) -> guide_overlay.GuidesInForce:
    return current(svc, uow).guides


def current_hall(svc: Services, uow: UnitOfWork) -> Hall:
    return current(svc, uow).hall


def live_hall(svc: Services) -> Hall:
    """The allocated hall, outside any transaction of the caller's (the catalogue)."""
    with svc.read() as uow:
        return current_hall(svc, uow)


def guided_hall(svc: Services) -> tuple[Hall, guide_overlay.GuidesInForce]:
    """The allocated hall and the guides in force, outside any transaction of the caller's."""
    with svc.read() as uow:
        made = current(svc, uow)
        return made.hall, made.guides
