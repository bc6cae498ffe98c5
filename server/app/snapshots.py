"""What a screen shows, read in one transaction together with the `seq` it is as of.

A client joins its rooms first and reads its snapshot second: every event it then receives
with a larger `seq` is newer than the snapshot, every one with a smaller or equal `seq` is
already in it.
"""

from __future__ import annotations

import time
from typing import Any

from server.core.errors import Forbidden, Invalid, NotFound
from server.core.tickets import Status
from server.core.windows import Staff
from server.db import tickets_repo
from server.db.uow import current_seq

from .allocated import current_hall
from .cases import warnings as case_warnings
from .context import Services
from .followups import list_followups
from .hall_notice import notices
from .rating_views import rating_snapshot
from .views import HallLoad, iso, may_have_case, public_ticket, queue_view, ticket_view, window_views, with_case_url

LATEST_CALLS = 12


def parse_room(room: Any) -> tuple[str, str]:
    if not isinstance(room, str) or not room:
        raise Invalid(f"room must be a non-empty string, got {room!r}")
    kind, _, key = room.partition(":")
    if kind in ("hall", "cases", "ratings", "followups") and not key:
        return kind, ""
    if kind in ("queue", "window", "ticket", "rater") and key:
        return kind, key
    raise Invalid(
        f"unknown room {room!r}; use hall, queue:CODE, window:ID, ticket:ID, cases, followups, ratings or rater:ID"
    )


def snapshot(svc: Services, rooms: list[str], *, may_see: Any, staff: Staff | None = None) -> dict[str, Any]:
    """`may_see(kind)`: whether the caller may join a room of that kind."""
    parsed = [parse_room(r) for r in rooms]
    for kind, key in parsed:
        if kind in ("cases", "followups") and staff is None:
            raise Forbidden(f"room {kind} needs a staff token: it lists the {kind} near or past their time limit")
        if kind != "ticket" and not may_see(kind):
            raise Forbidden(f"room {kind}{':' + key if key else ''} needs a device key or a staff token")
        if kind == "queue" and svc.hall.queue(key) is None:
            raise NotFound(f"unknown queue {key!r}")
        if kind in ("window", "rater") and svc.hall.window(key) is None:
            raise NotFound(f"unknown window {key!r}")
    with svc.read() as uow:
        conn, hall = uow.conn, current_hall(svc, uow)
        seq = current_seq(conn)
        out: dict[str, Any] = {"seq": seq, "now": iso(hall, uow.now)}
        if all(kind == "hall" for kind, _ in parsed) and (cached := _cached_hall(svc, seq)) is not None:
            # A reconnect storm (every display after a restart) costs one build, not one each.
            return {**out, "hall": cached}
        load = HallLoad.read(conn, hall, svc.today(uow.now), uow.now)
        for kind, key in parsed:
            if kind == "hall":
                out["hall"] = hall_view(svc, conn, load)
                svc.snapshot_cache["hall"] = (seq, time.monotonic(), out["hall"])
            elif kind == "queue":
                out.setdefault("queues", {})[key] = queue_view(conn, hall, key, load)
            elif kind == "cases":
                assert staff is not None  # refused above before anything is read
                out["cases"] = case_warnings(svc, staff)
            elif kind == "followups":
                assert staff is not None
                out["followups"] = list_followups(svc, staff, "open")
            elif kind == "window":
                out.setdefault("windows", {})[key] = window_views(conn, hall, load.states, [key])[0]
            elif kind in ("rater", "ratings"):
                out[kind] = rating_snapshot(hall, key)
            else:
                t = tickets_repo.get(conn, key)
                if t is None:
                    raise NotFound("unknown ticket")
                # The visitor's own page: the public view and the case's link.
                own = public_ticket(ticket_view(conn, hall, t, load))
                out.setdefault("tickets", {})[key] = with_case_url(conn, hall, own)
                out.setdefault("queues", {})[t.queue] = queue_view(conn, hall, t.queue, load)
        return out


# The last hall snapshot built is reused while no change came after it, and for a moment only,
# since the waits it shows grow by the second.
HALL_CACHE_S = 2.0


def _cached_hall(svc: Services, seq: int) -> dict[str, Any] | None:
    cached = svc.snapshot_cache.get("hall")
    if cached and cached[0] == seq and time.monotonic() - cached[1] < HALL_CACHE_S:
        return cached[2]
    return None


def hall_view(svc: Services, conn: Any, load: HallLoad) -> dict[str, Any]:
    hall = load.hall  # as allocated now
    calls = [
        {
            "ticket": t.id, "number": t.number, "queue": t.queue, "window": t.window,
            "window_name": w.name if (w := hall.window(t.window) if t.window else None) else t.window,
            "window_number": w.number if w else None,
            "called_at": iso(hall, t.called_at), "status": t.status.value,
        }
        for t in tickets_repo.latest_calls(conn, load.day, LATEST_CALLS)
        if t.status in (Status.CALLED, Status.SERVING, Status.DONE, Status.NO_SHOW)
    ]
    return {
        "code": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "day": load.day.isoformat(),
        "queues": [queue_view(conn, hall, q.code, load) for q in hall.queues],
        "windows": window_views(conn, hall, load.states, [w.id for w in hall.windows]),
        "latest_calls": calls,
        "notices": notices(conn, hall),
    }


def hall_snapshot(svc: Services) -> dict[str, Any]:
    with svc.read() as uow:
        load = HallLoad.read(uow.conn, current_hall(svc, uow), svc.today(uow.now), uow.now)
        return {"seq": current_seq(uow.conn), **hall_view(svc, uow.conn, load)}


def get_ticket(svc: Services, ticket_id: str, *, staff: bool = False) -> dict[str, Any]:
    """The ticket by its unguessable id, with its case's link (the visitor's page asks); `staff`:
    a signed-in caller (a window's console) also gets what only staff see (`follows_case`)."""
    with svc.read() as uow:
        t = tickets_repo.get(uow.conn, ticket_id)
        if t is None:
            raise NotFound("unknown ticket")
        hall = current_hall(svc, uow)
        load = HallLoad.read(uow.conn, hall, svc.today(uow.now), uow.now)
        view = ticket_view(uow.conn, hall, t, load)
        return with_case_url(uow.conn, hall, view if staff else public_ticket(view))


def ticket_room_payload(svc: Services, rooms: list[str], data: dict[str, Any]) -> dict[str, Any]:
    """What a ticket event is sent to a visitor's own `ticket:ID` room with: its case's link added
    as it is sent, so the secret link never rests in the event log nor reaches another room."""
    view = data.get("ticket")
    if len(rooms) != 1 or not rooms[0].startswith("ticket:") or not isinstance(view, dict) or "id" not in view:
        return data
    if not may_have_case(view):
        # The emitter sends every change of the hall: a transaction for each ticket event, to
        # learn a call or an issue has no case, held up every event behind it.
        return {**data, "ticket": {**view, "case_url": None}}
    with svc.read() as uow:
        return {**data, "ticket": with_case_url(uow.conn, svc.hall, view)}

def ticket_queue(svc: Services, ticket_id: str) -> str | None:
    with svc.read() as uow:
        t = tickets_repo.get(uow.conn, ticket_id)
        return t.queue if t else None
