"""The application factory: Flask app + Flask-SocketIO, wired to one hall and one database.

Nothing here imports eventlet: `async_mode` is a setting, and `server.__main__` is the one place
that monkey-patches when it is "eventlet".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from server.app.context import Services
from server.app.rooms import SESSION_ENDED
from server.core.hall import Hall
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.hallconfig import load_hall
from server.settings import Settings
from server.speech import SpeechService

from . import api_cases, api_kiosk, api_monitor, api_public, api_staff, audio, background, errors, inputs, sockets
from .printing import Printing
from .publisher import Publisher
from .relay import END_SESSIONS, Relay

log = logging.getLogger("hallq")

# Socket.IO messages from clients are small (rooms, acks); a cap stops a flood of large frames.
MAX_HTTP_BUFFER = 64 * 1024
# How often a process drops its connections whose sign-in has expired, and (one process) looks
# for changes another process (the command line) logged.
SWEEP_EVERY_S = 5.0
POLL_EVERY_S = 1.0


@dataclass
class HallQ:
    app: Flask
    socketio: SocketIO
    services: Services
    publisher: Publisher
    settings: Settings


def allowed_origins(hall: Hall, settings: Settings) -> list[str]:
    own = {f"http://{settings.host}:{settings.port}", hall.public_url.rstrip("/")}
    if settings.host in ("127.0.0.1", "0.0.0.0"):
        own.add(f"http://localhost:{settings.port}")
        own.add(f"http://127.0.0.1:{settings.port}")
    return sorted(own | set(hall.origins) | set(settings.extra_origins))


def create_app(settings: Settings, *, hall: Hall | None = None, services: Services | None = None) -> HallQ:
    hall = hall or load_hall(settings.config)
    if services is None:
        if settings.db_url.startswith("sqlite:///"):
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.db_url)
        upgrade(engine)
        services = Services(hall=hall, engine=engine)
    if settings.message_queue and services.engine.dialect.name != "postgresql":
        raise ValueError("several processes (--message-queue) need PostgreSQL: SQLite is for one process")

    app = Flask("hallq", static_folder=None)
    app.config.update(
        JSON_AS_ASCII=False,
        HALLQ_ENFORCE_HOURS=settings.enforce_hours,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["hallq"] = services
    app.extensions["hallq_settings"] = settings
    # Redis channels are global to the Redis server: one per hall and database, so two halls
    # (or a test next to a live hall) sharing a Redis never receive each other's events.
    channel = f"hallq:{hall.code}:{services.engine.url.database}"
    queue: dict[str, Any] = {}
    relay: Relay | None = None
    if settings.message_queue and settings.message_queue.startswith(("redis://", "rediss://")):
        relay = Relay(settings.message_queue, channel,
                      on_back=lambda: _resync_after_outage(socketio, publisher),
                      on_end_sessions=lambda room, data: sockets.end_room(socketio, services, room, data))
        queue = {"client_manager": relay}
    elif settings.message_queue:
        queue = {"message_queue": settings.message_queue, "channel": channel}
    socketio = SocketIO(
        app,
        async_mode=settings.async_mode,
        cors_allowed_origins=allowed_origins(hall, settings),
        max_http_buffer_size=MAX_HTTP_BUFFER,
        ping_interval=10,
        ping_timeout=10,
        json=None,
        **queue,
    )
    app.extensions["hallq_socketio"] = socketio

    def emit(event: str, data: dict[str, Any], rooms: list[str]) -> None:
        if event != SESSION_ENDED:
            socketio.emit(event, data, to=rooms)
        elif relay is not None:
            for room in rooms:  # to every process, each dropping its own connections
                socketio.emit(END_SESSIONS, data, to=room)
        else:
            for room in rooms:
                sockets.end_room(socketio, services, room, data)

    def resync(reason: str) -> None:
        socketio.emit("resync", {"reason": reason})

    publisher = Publisher(
        services.engine, emit, sleep=socketio.sleep, spawn=lambda fn: socketio.start_background_task(fn),
        unsent=relay.unsent_seq if relay else lambda: None, resync=resync,
    )
    services.publish = publisher.publish
    if settings.message_queue:
        socketio.start_background_task(publisher.run_tail)

    errors.install(app)
    app.before_request(inputs.check_request)
    for bp in (audio.bp, api_public.bp, api_kiosk.bp, api_staff.bp, api_cases.bp):
        app.register_blueprint(bp)
    _start_case_tasks(settings, services, socketio)
    sweep = sockets.register(socketio, services)
    app.extensions["hallq_sweep"] = sweep
    printing = Printing(socketio, services, is_leader=lambda: publisher.leader)
    printing.register_agent_handlers()
    app.extensions["hallq_printing"] = printing
    api_monitor.install(app, socketio, services, testing=settings.testing, is_leader=lambda: publisher.leader)
    _register_pages(app)
    inputs.guard_socketio(socketio)  # after every handler is registered
    if settings.speech and services.speech is None and not settings.testing:
        services.speech = SpeechService(settings.var_dir / "audio", voice=hall.voice)
    if not settings.testing:
        background.start(socketio, services)
        background.every(socketio, SWEEP_EVERY_S, "expired sign-ins", sweep)
        if not settings.message_queue:
            background.every(socketio, POLL_EVERY_S, "event log", publisher.poll)
        if settings.printing:
            printing.start()
    return HallQ(app=app, socketio=socketio, services=services, publisher=publisher, settings=settings)


def _resync_after_outage(socketio: SocketIO, publisher: Publisher) -> None:
    """This process listens to the message queue again. Not the emitter: events went past its
    clients while it did not listen, so they take fresh snapshots (the emitter's own clients
    had every event from it directly)."""
    if not publisher.leader:
        log.warning("message queue back: telling this process's clients to resync")
        socketio.server.emit("resync", {"reason": "message_queue"}, ignore_queue=True)


def _start_case_tasks(settings: Settings, services: Services, socketio: SocketIO) -> None:
    """Article 26 alerts on every relevant commit; and, outside tests, the outbox worker that hands
    cases to the approval platform (articles 10, 21) and the article 16 warning check."""
    from server.app.alerts import UnservedAlerts
    from server.app.cases import WARNING_CHECK_EVERY_S, check_warnings
    from server.app.outbox import OutboxWorker

    services.after_commit.append(UnservedAlerts(services).on_commit)
    if settings.testing:
        return
    if settings.platform_webhook:
        worker = OutboxWorker(services, settings.platform_webhook, sleep=socketio.sleep)
        services.after_commit.append(worker.wake)
        socketio.start_background_task(worker.run)
    else:
        log.info("no HALLQ_PLATFORM_WEBHOOK: case changes wait in the outbox; platforms may pull /api/v1/cases")
    background.every(socketio, WARNING_CHECK_EVERY_S, "case warnings", lambda: check_warnings(services))


def _register_pages(app: Flask) -> None:
    from . import pages

    pages.register(app)
