"""The transport's parts: the Flask app, Socket.IO on it, and its handlers on the hall's services.

server/bootstrap.py builds the hall's services and puts them together with these. Nothing here
imports eventlet: `async_mode` is a setting, and `server.__main__` is the one place that
monkey-patches when it is "eventlet".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_socketio import SocketIO

from server.app.halls import HallSet
from server.app.rooms import SESSION_ENDED, everyone, in_hall_all
from server.core.hall import Hall
from server.settings import Settings

from . import (
    api_admin,
    api_appointments,
    api_audit,
    api_case_clock,
    api_cases,
    api_checkin,
    api_city,
    api_documents,
    api_evaluation,
    api_followups,
    api_guides,
    api_kiosk,
    api_manage,
    api_manage_appointments,
    api_monitor,
    api_progress,
    api_public,
    api_ratings,
    api_staff,
    api_stats,
    audio,
    errors,
    hall_scope,
    inputs,
    pages,
    printing,
    progress_page,
    sockets,
)
from .packets import HallPacket
from .relay import END_SESSIONS, Relay

log = logging.getLogger("hallq")

# Socket.IO messages from clients are small (rooms, acks); a cap stops a flood of large frames.
MAX_HTTP_BUFFER = 64 * 1024

# An event for the hall: name, payload, rooms (what the publisher hands over).
Emit = Callable[[str, dict[str, Any], list[str]], None]


def allowed_origins(halls: Sequence[Hall], settings: Settings) -> list[str]:
    own = {f"http://{settings.host}:{settings.port}"} | {_origin(h.public_url) for h in halls}
    if settings.host in ("127.0.0.1", "0.0.0.0"):
        own.add(f"http://localhost:{settings.port}")
        own.add(f"http://127.0.0.1:{settings.port}")
    return sorted(own | {o for h in halls for o in h.origins} | set(settings.extra_origins))


def _origin(url: str) -> str:
    """A public address's origin: a hall served under /h/CODE/ has its path in its public_url."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url.rstrip("/")


def make_app(settings: Settings) -> Flask:
    app = Flask("hallq", static_folder=None)
    app.config.update(
        JSON_AS_ASCII=False,
        HALLQ_ENFORCE_HOURS=settings.enforce_hours,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["hallq_settings"] = settings
    return app


def make_socketio(
    app: Flask, halls: Sequence[Hall], settings: Settings, *, channel: str, relay: Relay | None
) -> SocketIO:
    """Socket.IO on `app`; with a message queue, every process's emits reach every process's
    clients: through `relay` for Redis, else through the queue's own client manager."""
    queue: dict[str, Any] = {}
    if relay is not None:
        queue = {"client_manager": relay}
    elif settings.message_queue:
        queue = {"message_queue": settings.message_queue, "channel": channel}
    return SocketIO(
        app,
        async_mode=settings.async_mode,
        cors_allowed_origins=allowed_origins(halls, settings),
        max_http_buffer_size=MAX_HTTP_BUFFER,
        ping_interval=10,
        ping_timeout=10,
        json=None,
        serializer=HallPacket,
        **queue,
    )


def uses_relay(settings: Settings) -> bool:
    return bool(settings.message_queue and settings.message_queue.startswith(("redis://", "rediss://")))


def emitter(socketio: SocketIO, relay: Relay | None, end_room: Callable[[str, dict[str, Any]], None],
            hall: str) -> Emit:
    """How the publisher of `hall` sends an event: to its rooms in that hall (the protocol's
    names, as logged, become the hall's here: server.app.rooms); an ended credential's sessions
    are dropped by every process (through the relay) or by this one, the only one."""

    def emit(event: str, data: dict[str, Any], rooms: list[str]) -> None:
        if event != SESSION_ENDED:
            socketio.emit(event, data, to=in_hall_all(hall, rooms))
        elif relay is not None:
            for room in rooms:  # to every process, each dropping its own connections
                socketio.emit(END_SESSIONS, data, to=room)
        else:
            for room in rooms:
                end_room(room, data)

    return emit


def resync_hall(socketio: SocketIO, hall: str) -> Callable[[str], None]:
    """How the publisher of `hall` tells every client of that hall, on every process, and of no
    other hall, to take a fresh snapshot."""

    def resync(reason: str) -> None:
        socketio.emit("resync", {"reason": reason}, to=everyone(hall))

    return resync


def resync_after_outage(socketio: SocketIO, leader: bool, hall: str) -> None:
    """This process listens to the message queue again. Not the emitter: events went past its
    clients while it did not listen, so they take fresh snapshots (the emitter's own clients
    had every event from it directly)."""
    if not leader:
        log.warning("message queue back: telling this process's clients to resync")
        socketio.server.emit("resync", {"reason": "message_queue"}, to=everyone(hall), ignore_queue=True)


def install(app: Flask, socketio: SocketIO, halls: HallSet) -> sockets.Connections:
    """Every route and Socket.IO handler, on the services of the halls served (each request's and
    connection's own: hall_scope); returns the connections (their `sweep` drops expired sign-ins)."""
    app.extensions["hallq"] = halls.home.services
    app.extensions["hallq_halls"] = halls
    app.extensions["hallq_socketio"] = socketio
    # Outermost, so Flask and Engine.IO alike see a hall's addresses without its /h/CODE prefix.
    app.wsgi_app = hall_scope.HallPrefix(app.wsgi_app)  # type: ignore[method-assign]
    errors.install(app)
    app.before_request(inputs.check_request)
    for bp in (audio.bp, api_public.bp, api_kiosk.bp, api_staff.bp, api_cases.bp, api_manage.bp, api_monitor.bp,
                api_admin.bp, api_ratings.bp, api_followups.bp, api_case_clock.bp, api_stats.bp, api_audit.bp,
                api_evaluation.bp, api_progress.bp, progress_page.bp, api_documents.bp, api_guides.bp,
                api_appointments.bp, api_manage_appointments.bp, api_checkin.bp, api_city.bp):
        app.register_blueprint(bp)
    connections = sockets.register(socketio, halls)
    app.extensions["hallq_sweep"] = connections.sweep
    printing.register_agent_handlers(socketio, lambda: connections.served().spooler)
    pages.register(app)
    inputs.guard_socketio(socketio)  # after every handler is registered
    return connections
