"""The composition root: the one place that builds a running hall and wires its parts together.

It builds, once each: the hall and its database, speech, the Socket.IO transport, the publisher,
the print spooler, the services every handler takes, and the followers that run after every
commit (the publisher first, then the unserved-queue alerts and the outbox's wake-up). A
change's own after-commit work (the spooler's wake-up, speech) rides on its unit of work
(`UnitOfWork.after_commit`). Nothing is patched once built: the followers are sealed before the
app serves.

Some parts call back into parts built after them (the relay into the publisher, the spooler's
status reports into the services): those callbacks run only once the server serves, after
`build` has returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import Engine

from server.app.alerts import UnservedAlerts
from server.app.cases import WARNING_CHECK_EVERY_S, check_warnings
from server.app.context import Followers, Services, utc_now
from server.app.event_tail import EventTail
from server.app.followups import check_warnings as check_followup_warnings
from server.app.halls import HallSet, Served, installation_halls
from server.app.manage_alerts import CHECK_EVERY_S as BOARD_CHECK_EVERY_S
from server.app.manage_alerts import AlertWatch
from server.app.outbox import OutboxWorker
from server.app.overflow_ops import ProposalWatch
from server.app.print_spooler import AGENT_RESEND_EVERY_S, SPOOL_EVERY_S, PrintSpooler, spool_all
from server.app.printer_status import record_status
from server.app.publisher import Publisher
from server.app.snapshots import ticket_room_payload
from server.core.hall import Hall
from server.db.engine import make_engine
from server.db.event_log import latest_seqs
from server.db.migrate import upgrade
from server.db.uow import Follower
from server.hallconfig import load_hall
from server.settings import Settings
from server.speech import SpeechService
from server.speech.api import Speech
from server.web import background, factory, printing, sockets
from server.web.relay import Relay

log = logging.getLogger("hallq")

# How often a process drops its connections whose sign-in has expired, and (one process) looks
# for changes another process (the command line) logged.
SWEEP_EVERY_S = 5.0
POLL_EVERY_S = 1.0


@dataclass
class HallQ:
    app: Flask
    socketio: SocketIO
    services: Services  # the home hall's, as are `publisher` and `printing`
    publisher: Publisher
    printing: PrintSpooler
    settings: Settings
    halls: HallSet


def open_database(settings: Settings, hall: str) -> Engine:
    """The hall's database, migrated to the current schema (a single-hall database's rows become
    `hall`'s when they first get a hall)."""
    if settings.db_url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    upgrade(engine, hall)
    return engine


def command_services(settings: Settings) -> Services:
    """The services of a command-line process: no publisher (the serving process sends what it
    logs), no spooler and no speech."""
    hall = load_hall(settings.config)
    return Services(hall=hall, engine=open_database(settings, hall.code))


def running_from(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs on in real time (`serve --clock-from`)."""
    offset = start - utc_now()
    return lambda: utc_now() + offset


def build(
    settings: Settings,
    *,
    hall: Hall | None = None,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utc_now,
    speech: Speech | None = None,
    watch: Sequence[Follower] = (),
) -> HallQ:
    """The running hall, or halls (`settings.all_halls`: every hall file of the installation, the
    config's own first and the home of unscoped addresses). `hall`, `engine`, `clock`, `speech`:
    given rather than made (tests); `watch`: followers that see every commit of the home hall
    before its publisher does (tests record them)."""
    hall = hall or load_hall(settings.config)
    served_halls = installation_halls(hall, settings.config) if settings.all_halls else [hall]
    engine = engine or open_database(settings, hall.code)
    if settings.clock_from is not None and clock is utc_now:
        clock = running_from(settings.clock_from)
    if settings.message_queue and engine.dialect.name != "postgresql":
        raise ValueError("several processes (--message-queue) need PostgreSQL: SQLite is for one process")
    voices: dict[Any, Speech] = {}

    def speech_for(h: Hall) -> Speech | None:
        if speech is not None or not settings.speech or settings.testing:
            return speech
        if h.voice not in voices:  # one synthesizer per voice, shared by the halls speaking it
            voices[h.voice] = SpeechService(settings.var_dir / "audio", voice=h.voice)
        return voices[h.voice]

    # Calls into parts built further down; none runs before the server serves.
    def end_room(room: str, data: dict[str, Any]) -> None:
        sockets.end_room(socketio, halls, room, data)

    def resync_after_outage() -> None:
        for one in halls:
            factory.resync_after_outage(socketio, one.publisher.leader, one.services.hall.code)

    app = factory.make_app(settings)
    socketio, relay = _socketio(app, served_halls, engine, settings, on_back=resync_after_outage, end_room=end_room)
    parts = [_serve_hall(h, engine, clock, settings, socketio, relay, end_room, speech_for(h),
                         watch if h is hall else ()) for h in served_halls]
    halls = HallSet([served for served, _, _ in parts])
    connections = factory.install(app, socketio, halls)
    # Tests drive the board's round by hand.
    app.extensions["hallq_board_watch"] = parts[0][1]
    if settings.message_queue:
        # One tail, one connection, for every hall's emitting (server/app/event_tail.py).
        tail = EventTail(engine, [served.publisher for served in halls], sleep=socketio.sleep)
        socketio.start_background_task(tail.run)
    for i, (served, board, outbox) in enumerate(parts):
        if not settings.testing:
            phase = i / len(parts)  # the halls' rounds spread over each period
            _start_background(settings, served, socketio, outbox, phase)
            background.every(socketio, BOARD_CHECK_EVERY_S, "board alerts and overflow rules", board.round,
                             phase=phase)
    if not settings.testing:
        background.every(socketio, SWEEP_EVERY_S, "expired sign-ins", connections.sweep)
        if not settings.message_queue:
            background.every(socketio, POLL_EVERY_S, "event log", lambda: _poll(engine, halls))
        if settings.printing:
            background.every(socketio, SPOOL_EVERY_S, "print spoolers",
                             lambda: spool_all([served.spooler for served in halls], clock()))
    home = halls.home
    return HallQ(app=app, socketio=socketio, services=home.services, publisher=home.publisher,
                 printing=home.spooler, settings=settings, halls=halls)


def _serve_hall(
    hall: Hall, engine: Engine, clock: Callable[[], datetime], settings: Settings, socketio: SocketIO,
    relay: Relay | None, end_room: Callable[[str, dict[str, Any]], None], speech: Speech | None,
    watch: Sequence[Follower],
) -> tuple[Served, AlertWatch, OutboxWorker | None]:
    """One hall's services with its own publisher, print spooler, followers and board watch."""

    def is_leader() -> bool:
        return publisher.leader

    publisher = Publisher(
        engine, hall.code, factory.emitter(socketio, relay, end_room, hall.code), sleep=socketio.sleep,
        spawn=socketio.start_background_task,
        unsent=(lambda: relay.unsent_seq(hall.code)) if relay else lambda: None,
        resync=factory.resync_hall(socketio, hall.code),
        decorate=lambda rooms, data: ticket_room_payload(svc, rooms, data),
        yield_to_writers=(lambda: socketio.sleep(0)) if settings.async_mode == "eventlet" else None,
    )
    spooler = PrintSpooler(
        engine, hall.code, clock, on_status=lambda url, status: record_status(svc, url, status),
        spawn=socketio.start_background_task, send=printing.sender(socketio, hall.code), is_leader=is_leader,
    )
    followers = Followers(*watch, publisher.publish)
    svc = Services(hall=hall, engine=engine, clock=clock, followers=followers, printers=spooler, speech=speech,
                   notify_applicants=bool(settings.applicant_webhook))
    board = AlertWatch(svc, is_leader)
    board.extra.append(ProposalWatch(svc).check)
    outbox = _follow(settings, svc, socketio, board)
    return Served(services=svc, publisher=publisher, spooler=spooler), board, outbox


def _socketio(
    app: Flask, halls: Sequence[Hall], engine: Engine, settings: Settings, *,
    on_back: Callable[[], None], end_room: Callable[[str, dict[str, Any]], None],
) -> tuple[SocketIO, Relay | None]:
    # Redis channels are global to the Redis server: one per database, so an installation's
    # processes hear each other whichever halls each serves (rooms carry the hall: server.app.rooms),
    # and a test next to a live hall never receives its events.
    channel = f"hallq:{engine.url.database}"
    relay = None
    if factory.uses_relay(settings):
        relay = Relay(settings.message_queue or "", channel, on_back=on_back, on_end_sessions=end_room)
    socketio = factory.make_socketio(app, halls, settings, channel=channel, relay=relay)
    return socketio, relay


def _follow(settings: Settings, svc: Services, socketio: SocketIO, board: AlertWatch) -> OutboxWorker | None:
    """The hall's followers after the publisher: article 26 alerts on every relevant commit (their
    own commits carry only alert events), the board's alerts, and the outbox's wake-up; then none
    joins."""
    svc.followers.add(UnservedAlerts(svc).on_commit)
    svc.followers.add(board.on_commit)
    outbox = _outbox(settings, svc, socketio)
    if outbox is not None:
        svc.followers.add(outbox.wake)
    svc.followers.seal()
    return outbox


def _outbox(settings: Settings, svc: Services, socketio: SocketIO) -> OutboxWorker | None:
    """The worker that hands cases to the approval platform (articles 10, 21) and ratings to the
    provincial rating system, outside tests; a destination with no webhook keeps its rows."""
    if settings.testing:
        return None
    urls = {"platform": settings.platform_webhook or "", "ratings": settings.ratings_webhook or "",
            "applicant": settings.applicant_webhook or ""}
    if not urls["platform"]:
        log.info("no HALLQ_PLATFORM_WEBHOOK: case changes wait in the outbox; platforms may pull /api/v1/cases")
    if not urls["ratings"]:
        log.info("no HALLQ_RATINGS_WEBHOOK: ratings wait in the outbox for the provincial rating system")
    if not urls["applicant"]:
        log.info("no HALLQ_APPLICANT_WEBHOOK: applicants are not told of their cases by SMS (nothing is queued)")
    urls = {d: u for d, u in urls.items() if u}
    return OutboxWorker(svc, urls, sleep=socketio.sleep) if urls else None


def _poll(engine: Engine, halls: HallSet) -> None:
    """One process: every hall's latest seq in one read, then each publisher sends what it missed."""
    latest = latest_seqs(engine, halls.codes)
    for served in halls:
        served.publisher.poll(latest.get(served.services.hall.code, 0))


def _start_background(
    settings: Settings, served: Served, socketio: SocketIO, outbox: OutboxWorker | None, phase: float
) -> None:
    svc, spooler = served.services, served.spooler
    background.start(socketio, svc, phase)
    background.every(socketio, WARNING_CHECK_EVERY_S, "case warnings", lambda: check_warnings(svc), phase=phase)
    background.every(socketio, WARNING_CHECK_EVERY_S, "follow-up warnings", lambda: check_followup_warnings(svc),
                     phase=phase)
    if outbox is not None:
        socketio.start_background_task(outbox.run)
    if settings.printing:
        background.every(socketio, AGENT_RESEND_EVERY_S, "kiosk agent resend", spooler.resend_all, phase=phase)
