"""Socket.IO room names: the ones clients ask for, and the ones events are delivered to.

Clients subscribe to `hall`, `queue:CODE`, `window:ID`, `ticket:ID`, `cases`, `followups` and
`ratings` (managers and chiefs) and `rater:WINDOW` (that window's rating pad). Most are
delivered as named. `cases` is not: a chief representative may see only the cases of the
department (lead or copied, article 17) the `cases` snapshot shows them, so case events go to
one room per department and one for everyone who sees all of them, and a subscriber joins the
room of what it may see. The event log keeps the logical room (`cases`); the publisher expands
it when it emits. `followups` (poor ratings' follow-ups, 差评整改) is expanded the same way, by
the follow-up's department; window staff join none of its rooms.

A connection also sits, unasked, in the rooms of its credential (`device-key:ID`, `token:DIGEST`,
`staff:ID`): ending the credential ends every connection in its room, on every process.

Several halls share one installation: one database, one Redis, and Socket.IO rooms that are one
namespace for every process the message queue joins. Inside the server a hall's rooms carry its
code (`city/queue:A`, `city/agent:kiosk-1`, and `city/*`, which every connection of the hall sits
in): the names clients send, the `prev` keys and the event log keep the protocol's (`queue:A`),
and the hall is added where a room is joined, left or emitted to (`in_hall`). A connection's
hall is its process's. Credential rooms stay the installation's: their keys (device and staff
ids, token digests) are unique across it, and ending a credential ends it wherever it connected.
"""

from __future__ import annotations

from typing import Any

from server.core.errors import Forbidden
from server.core.windows import Role, Staff
from server.db.uow import UnitOfWork

CASES = "cases"
ALL_CASES = "cases:*"
# Poor ratings' follow-ups (差评整改), expanded like `cases`: one room per department, one for all.
FOLLOWUPS = "followups"
ALL_FOLLOWUPS = "followups:*"
# The event a credential's connections get just before the server drops them.
SESSION_ENDED = "session.ended"
# `device-key:`, not `device:`: printer.updated names `device:NAME` rooms, and a device may be
# named with digits.
CREDENTIAL_KINDS = ("device-key", "token", "staff")


def cases_room(department: str) -> str:
    return f"cases:{department}"


def case_rooms_for(staff: Staff | None) -> list[str]:
    """Where `cases` puts a subscriber: the same rule as the `cases` snapshot (cases.warnings)."""
    if staff is None:
        return []
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return [ALL_CASES]
    if staff.role is Role.CHIEF and staff.department:
        return [cases_room(staff.department)]
    return []


def followups_room(department: str) -> str:
    return f"followups:{department}"


def followup_rooms_for(staff: Staff | None) -> list[str]:
    """Where `followups` puts a subscriber: a chief their department's poor ratings, managers and
    admins all; window staff none (whom a rating is about never learns of it here)."""
    if staff is None:
        return []
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return [ALL_FOLLOWUPS]
    if staff.role is Role.CHIEF and staff.department:
        return [followups_room(staff.department)]
    return []


def delivery_rooms(rooms: list[str], data: dict[str, Any]) -> list[str]:
    """The rooms an event is sent to, for the logical rooms it was logged with."""
    logical = (CASES, RATINGS, FOLLOWUPS)
    if not any(r in rooms for r in logical):
        return list(rooms)
    out = [r for r in rooms if r not in logical]
    if CASES in rooms:
        found = data.get("case")
        case: dict[str, Any] = found if isinstance(found, dict) else {}
        departments = [case.get("department"), *(case.get("copied_departments") or [])]
        out.append(ALL_CASES)
        out += [cases_room(d) for d in dict.fromkeys(departments) if isinstance(d, str) and d]
    for room, key, everyone, per_department in (
        (RATINGS, "rating", ALL_RATINGS, ratings_room), (FOLLOWUPS, "followup", ALL_FOLLOWUPS, followups_room),
    ):
        if room in rooms:
            found = data.get(key)
            department = found.get("department") if isinstance(found, dict) else None
            out.append(everyone)
            if isinstance(department, str) and department:
                out.append(per_department(department))
    return out


# 好差评: a rating's level reaches the hall's managers and its department's chief only, never the
# staff rated (who learn that a rating came in, on `window:ID`, without its value). `ratings` is
# logical like `cases`; a rating pad (a `rater` device) sits in `rater:WINDOW` of its window only.
RATINGS = "ratings"
ALL_RATINGS = "ratings:*"


def ratings_room(department: str) -> str:
    return f"ratings:{department}"


def rating_rooms_for(staff: Staff | None) -> list[str] | None:
    """Where `ratings` puts a subscriber; None: it may not subscribe to ratings at all."""
    if staff is None:
        return None
    if staff.role in (Role.MANAGER, Role.ADMIN):
        return [ALL_RATINGS]
    if staff.role is Role.CHIEF and staff.department:
        return [ratings_room(staff.department)]
    return None


def rater_room(window: str) -> str:
    return f"rater:{window}"


def rating_rooms(who: dict[str, Any], rooms: list[str]) -> set[str]:
    """The rooms a subscribe to `rooms` joins for ratings (`ratings` expanded, `rater:W` as is);
    Forbidden when the caller may not have one of them. A rating pad may have its own
    `rater:WINDOW` and nothing else: it faces the public and needs nothing more."""
    device = who.get("device") if who.get("kind") == "device" else None
    if device is not None and device.get("kind") == "rater":
        own = rater_room(str((device.get("settings") or {}).get("window", "")))
        if any(r != own for r in rooms):
            raise Forbidden(f"a rating pad may subscribe to {own} only (its settings name its window)",
                            zh="评价器只能订阅其配对窗口的评价请求")
        return {own}
    joined: set[str] = set()
    for room in rooms:
        if isinstance(room, str) and room.startswith("rater:"):
            raise Forbidden(f"room {room} is for that window's rating pad only", zh="该房间仅供窗口评价器使用")
        if room == RATINGS:
            found = rating_rooms_for(who.get("staff"))
            if found is None:
                raise Forbidden("room ratings needs a manager or a chief representative: the staff rated never "
                                "see a rating's value", zh="评价结果仅大厅主任和首席代表可见")
            joined.update(found)
    return joined


def device_room(device_id: int) -> str:
    return f"device-key:{device_id}"


def token_room(token_digest: str) -> str:
    return f"token:{token_digest}"


def staff_room(staff_id: int) -> str:
    return f"staff:{staff_id}"


def is_credential_room(room: str) -> bool:
    return room.partition(":")[0] in CREDENTIAL_KINDS


def in_hall(hall: str, room: str) -> str:
    """The Socket.IO room a protocol room of `hall` is joined and emitted as."""
    return room if is_credential_room(room) else f"{hall}/{room}"


def in_hall_all(hall: str, rooms: list[str]) -> list[str]:
    return [in_hall(hall, room) for room in rooms]


def everyone(hall: str) -> str:
    """The room every Socket.IO connection of `hall` sits in (a `resync` goes there): `*` is no
    protocol room's name."""
    return f"{hall}/*"


def agent_room(hall: str, device: str) -> str:
    """Where a kiosk agent of `hall` waits for its print jobs."""
    return in_hall(hall, f"agent:{device}")


def end_sessions(uow: UnitOfWork, room: str, reason: str, message: str) -> None:
    """Record, in the change that ended a credential, that its live connections must go: the
    publisher emits it from the event log like any change, so every process hears of it, once,
    in order, even when the command line made the change."""
    uow.emit(SESSION_ENDED, [room], {"reason": reason, "message": message})
