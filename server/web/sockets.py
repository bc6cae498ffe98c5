"""Socket.IO: authenticate the connection, subscribe to rooms, answer with a snapshot.

A display sends `{"device_key": KEY}` and a console `{"token": TOKEN}` as its connection's
`auth`; a visitor's phone sends nothing and may only follow its own `ticket:ID`. The credential
is checked again on every subscribe, and the connection sits in its credential's rooms
(server.app.rooms) so that revoking the key or signing out drops it on every process.

A connection is of one hall, chosen when it connects (server/web/hall_scope.py: the address's
`/h/CODE/` or `?hall=`, else its credential's hall): it sits in that hall's `*` room, and the rooms
it subscribes to are that hall's (`city/queue:A` inside, `queue:A` to the client; server.app.rooms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError as Refused
from flask_socketio import SocketIO, join_room, leave_room

from server.app import sessions
from server.app.context import Services
from server.app.halls import HallSet, Served
from server.app.outage import database_unavailable, log_failure
from server.app.rooms import (
    CASES,
    FOLLOWUPS,
    RATINGS,
    SESSION_ENDED,
    case_rooms_for,
    everyone,
    followup_rooms_for,
    in_hall,
    is_credential_room,
    rating_rooms,
    rating_rooms_for,
)
from server.app.snapshots import parse_room, snapshot, ticket_queue
from server.core.errors import DomainError, Forbidden

from . import hall_scope

log = logging.getLogger("hallq.sockets")

REFUSED = {
    "device": "unknown or revoked device key 设备密钥无效或已吊销",
    "staff": "the token is unknown, expired or signed out 登录已失效，请重新登录",
}
# Refused for now, not for good: the credential could not be checked (the database restarting, or
# a pooled connection it dropped). `data.retry` tells the page to connect again (docs/api.md); a
# refusal is never retried by Socket.IO itself, and an unanswered connect left a screen dark.
UNAVAILABLE = ("the server cannot check credentials just now; connecting again shortly "
               "服务器暂时无法核验身份，稍后自动重连")
# The same for a subscribe: its snapshot could not be read (`retry` in the error, docs/api.md).
UNAVAILABLE_NOW = ("the hall's database is not answering just now; asking again shortly "
                   "大厅数据库暂时无法访问，稍后自动重试")


class Connections:
    """This process's Socket.IO connections: who each is, and the rooms each has joined (by the
    protocol's names; joined as the hall's, `in_hall`)."""

    def __init__(self, socketio: SocketIO, halls: HallSet) -> None:
        self.socketio, self.halls = socketio, halls
        self.joined: dict[str, set[str]] = {}
        # Every connection of this process with a credential, by sid: for the expiry sweep.
        self.live: dict[str, dict[str, Any]] = {}

    def register(self) -> None:
        on = self.socketio.on
        on("connect")(self.connect)
        on("disconnect")(self.disconnect)
        on("subscribe")(self.subscribe)
        on("unsubscribe")(self.unsubscribe)
        on("ping_hall")(self.ping)

    def served(self) -> Served:
        """This connection's hall."""
        return self.halls.get(session.get("hallq_hall", "")) or self.halls.home

    @property
    def svc(self) -> Services:
        return self.served().services

    @property
    def hall(self) -> str:
        return self.svc.hall.code

    def connect(self, auth: Any = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        # python-socketio's refusal (flask_socketio's export), not the builtin of the same name:
        # only its arguments reach the client, the builtin's become "Connection refused by server".
        try:
            svc = hall_scope.for_connection(auth).services
            who = sessions.identify(svc, auth)
        except DomainError as exc:
            raise Refused(exc.message) from None
        except Exception:
            log_failure(log, "could not check a Socket.IO connection's credential")
            raise Refused(UNAVAILABLE, {"retry": True}) from None
        if who is None:
            raise Refused(REFUSED["device" if auth.get("device_key") else "staff"])
        # Flask-SocketIO keeps `session` per connection, server-side.
        session["hallq_who"] = who
        session["hallq_hall"] = svc.hall.code
        self.joined[_sid()] = set()
        join_room(everyone(svc.hall.code))
        for room in who["rooms"]:
            join_room(in_hall(svc.hall.code, room))
        if who["kind"] != "visitor":
            self.live[_sid()] = who
        return True

    def disconnect(self, *_: Any) -> None:
        self.joined.pop(_sid(), None)
        self.live.pop(_sid(), None)

    def subscribe(self, data: Any = None) -> dict[str, Any]:
        try:
            return self._subscribe(data)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            # Not answered, the page would wait out its 8 s before asking again, and the server
            # would log a traceback for each page that asks while the database is away.
            log_failure(log, "a subscribe could not read what it needs")
            return _error("unavailable", UNAVAILABLE_NOW, retry=True)

    def _subscribe(self, data: Any) -> dict[str, Any]:
        sid = _sid()
        who = self._recheck(sid)
        if who is None:
            return _error("unauthorized", REFUSED[identity()["kind"]])
        rooms = data.get("rooms") if isinstance(data, dict) else None
        if not isinstance(rooms, list) or not rooms or len(rooms) > 64:
            return _error("invalid", 'send {"rooms": [...]}: a list of 1 to 64 rooms')
        before = self.joined.get(sid, set())
        wanted: set[str] = set()
        try:
            wanted = self._wanted(who, rooms)
            # Join first, read second: nothing committed in between can be missed.
            for room in before - wanted:
                leave_room(in_hall(self.hall, room))
            for room in wanted:
                join_room(in_hall(self.hall, room))
            snap = snapshot(self.svc, rooms, may_see=_may_see(who), staff=who.get("staff"))
        except Exception as exc:
            # A refused or failed subscribe changes nothing: the client keeps the rooms it had.
            for room in wanted - before:
                leave_room(in_hall(self.hall, room))
            for room in before:
                join_room(in_hall(self.hall, room))
            if isinstance(exc, DomainError):
                return _error(exc.code, exc.message)
            raise
        self.joined[sid] = wanted
        # The rooms events reach this connection through: the keys of an event's `prev` that the
        # gap rule (docs/api.md) checks.
        return {**snap, "rooms": sorted(wanted)}

    def _recheck(self, sid: str) -> dict[str, Any] | None:
        """Who the connection is now; None, and the connection dropped, once its credential ended."""
        who = identity()
        if who["kind"] == "visitor":
            return who
        fresh = sessions.recheck(self.svc, who)
        if fresh is None or sessions.expired(fresh, self.svc.clock()):
            # The ack goes out first; the drop follows once this handler has returned.
            self.socketio.start_background_task(self.socketio.server.disconnect, sid)
            return None
        session["hallq_who"] = self.live[sid] = fresh
        return fresh

    def _wanted(self, who: dict[str, Any], rooms: list[Any]) -> set[str]:
        """The rooms a subscribe joins; refused (Forbidden) before joining anything."""
        may_see = _may_see(who)
        for room in rooms:
            # Checked before joining anything: a refused client must not sit in the room, even
            # for the moment the snapshot takes.
            kind = parse_room(room)[0]
            if kind != "ticket" and not may_see(kind):
                raise Forbidden(f"room {room} needs a device key or a staff token")
        wanted = set(rooms) - {CASES, RATINGS, FOLLOWUPS}
        # 好差评: `ratings` for managers and chiefs only; a rating pad in its own `rater:WINDOW`.
        wanted.update(rating_rooms(who, rooms))
        if CASES in rooms:
            # Only the departments the snapshot shows (a chief's own; all for managers).
            wanted.update(case_rooms_for(who.get("staff")))
        if FOLLOWUPS in rooms:
            wanted.update(followup_rooms_for(who.get("staff")))
        # A visitor's page also follows its queue's public progress (who is next, how fast), so
        # its "ahead" and estimate stay true without a message per waiting ticket.
        for room in rooms:
            if room.startswith("ticket:") and (queue := ticket_queue(self.svc, room[len("ticket:"):])):
                wanted.add(f"progress:{queue}")
        return wanted

    def unsubscribe(self, data: Any = None) -> dict[str, Any]:
        rooms = data.get("rooms") if isinstance(data, dict) else None
        joined = self.joined.get(_sid(), set())
        for room in rooms if isinstance(rooms, list) else []:
            if isinstance(room, str):
                for r in _logical(room, identity()):
                    if r in joined:
                        leave_room(in_hall(self.hall, r))
                        joined.discard(r)
        return {"ok": True}

    def ping(self, *_: Any) -> dict[str, Any]:
        return {"ok": True}

    def sweep(self) -> int:
        """Drop this process's connections whose sign-in has expired (run every few seconds)."""
        now = self.halls.home.services.clock()
        gone = [sid for sid, who in list(self.live.items()) if sessions.expired(who, now)]
        for sid in gone:
            self.live.pop(sid, None)
            end_connection(self.socketio, sid, "expired", "登录已过期 The sign-in has expired")
        return len(gone)


def register(socketio: SocketIO, halls: HallSet) -> Connections:
    """Registers the handlers; the connections' `sweep` drops those whose token has expired."""
    connections = Connections(socketio, halls)
    connections.register()
    return connections


def _logical(room: str, who: dict[str, Any]) -> list[str]:
    """The rooms a client's room name stands for (the logical `cases`, `ratings` and `followups` expand)."""
    if room == CASES:
        return case_rooms_for(who.get("staff"))
    if room == RATINGS:
        return rating_rooms_for(who.get("staff")) or []
    if room == FOLLOWUPS:
        return followup_rooms_for(who.get("staff"))
    return [room]


def _may_see(who: dict[str, Any]) -> Callable[[str], bool]:
    """Rooms other than a ticket's need a device key or a staff token, whatever their kind."""
    return lambda kind: who["kind"] in ("device", "staff")


def end_room(socketio: SocketIO, halls: HallSet, room: str, data: dict[str, Any]) -> int:
    """A credential ended (server.app.rooms.end_sessions): drop this process's connections in
    its room, and forget the token here at once rather than when its cache entry ages out."""
    kind, _, key = room.partition(":")
    if not is_credential_room(room):
        log.warning("asked to end the sessions of %r, which is no credential's room", room)
        return 0
    if kind == "token":
        halls.forget(key)
    sids = [sid for sid, _ in socketio.server.manager.get_participants("/", room)]
    for sid in sids:
        end_connection(socketio, sid, str(data.get("reason") or "ended"), str(data.get("message") or ""))
    if sids:
        log.info("ended %d connection(s) of %s", len(sids), kind)
    return len(sids)


def end_connection(socketio: SocketIO, sid: str, reason: str, message: str) -> None:
    """Tell one connection of this process why, then drop it."""
    socketio.server.emit(SESSION_ENDED, {"reason": reason, "message": message}, to=sid, ignore_queue=True)
    socketio.server.disconnect(sid, ignore_queue=True)


def identity() -> dict[str, Any]:
    """Who this Socket.IO connection is: {"kind": "device", "device": {...}}, staff, or visitor."""
    return session.get("hallq_who") or dict(sessions.VISITOR)


def _sid() -> str:
    """This Socket.IO connection's id, which Flask-SocketIO sets on the request."""
    return request.sid  # type: ignore[attr-defined]


def _error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}
