"""Socket.IO: authenticate the connection, subscribe to rooms, answer with a snapshot.

A display sends `{"device_key": KEY}` and a console `{"token": TOKEN}` as its connection's
`auth`; a visitor's phone sends nothing and may only follow its own `ticket:ID`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request, session
from flask_socketio import SocketIO, join_room, leave_room

from server.app import accounts
from server.app.context import Services
from server.app.snapshots import parse_room, snapshot, ticket_queue
from server.core.errors import DomainError, Forbidden

log = logging.getLogger("hallq.sockets")


def register(socketio: SocketIO, svc: Services) -> None:
    joined: dict[str, set[str]] = {}

    @socketio.on("connect")
    def _connect(auth: Any = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        who: dict[str, Any] = {"kind": "visitor"}
        if auth.get("device_key"):
            device = accounts.device_for_key(svc, str(auth["device_key"]))
            if device is None:
                raise ConnectionRefusedError("unknown or revoked device key")
            who = {"kind": "device", "device": device}
        elif auth.get("token"):
            staff = accounts.staff_for_token(svc, str(auth["token"]))
            if staff is None:
                raise ConnectionRefusedError("the token is unknown, expired or signed out")
            who = {"kind": "staff", "staff": staff}
        # Flask-SocketIO keeps `session` per connection, server-side.
        session["hallq_who"] = who
        joined[request.sid] = set()
        return True

    @socketio.on("disconnect")
    def _disconnect(*_: Any) -> None:
        joined.pop(request.sid, None)

    @socketio.on("subscribe")
    def _subscribe(data: Any = None) -> dict[str, Any]:
        sid = request.sid
        who = identity()
        rooms = data.get("rooms") if isinstance(data, dict) else None
        if not isinstance(rooms, list) or not rooms or len(rooms) > 64:
            return _error("invalid", 'send {"rooms": [...]}: a list of 1 to 64 rooms')
        may_see = lambda kind: who["kind"] in ("device", "staff")  # noqa: E731
        wanted: set[str] = set()
        try:
            for room in rooms:
                # Checked before joining anything: a refused client must not sit in the room,
                # even for the moment the snapshot takes.
                kind = parse_room(room)[0]
                if kind != "ticket" and not may_see(kind):
                    raise Forbidden(f"room {room} needs a device key or a staff token")
            wanted = set(rooms)
            # A visitor's page also follows its queue's public progress (who is next, how fast),
            # so its "ahead" and estimate stay true without a message per waiting ticket.
            for room in rooms:
                if room.startswith("ticket:") and (queue := ticket_queue(svc, room[len("ticket:"):])):
                    wanted.add(f"progress:{queue}")
            # Join first, read second: nothing committed in between can be missed.
            for room in joined.get(sid, set()) - wanted:
                leave_room(room)
            for room in wanted:
                join_room(room)
            snap = snapshot(svc, rooms, may_see=may_see, staff=who.get("staff"))
            joined[sid] = wanted
            return snap
        except DomainError as exc:
            # A refused subscribe changes nothing: the client keeps the rooms it had before.
            before = joined.get(sid, set())
            for room in wanted - before:
                leave_room(room)
            for room in before:
                join_room(room)
            return _error(exc.code, exc.message)

    @socketio.on("unsubscribe")
    def _unsubscribe(data: Any = None) -> dict[str, Any]:
        rooms = data.get("rooms") if isinstance(data, dict) else None
        for room in rooms if isinstance(rooms, list) else []:
            if isinstance(room, str):
                leave_room(room)
                joined.get(request.sid, set()).discard(room)
        return {"ok": True}

    @socketio.on("ping_hall")
    def _ping(*_: Any) -> dict[str, Any]:
        return {"ok": True}


def identity() -> dict[str, Any]:
    """Who this Socket.IO connection is: {"kind": "device", "device": {...}}, staff, or visitor."""
    return session.get("hallq_who") or {"kind": "visitor"}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
