"""Periodic work of a running server: the day rollover, and whatever later layers register.

Runs as Socket.IO background tasks (greenthreads under eventlet, threads otherwise), never on
a request's path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_socketio import SocketIO

from server.app.appointment_ops import sweep_no_shows
from server.app.context import Services
from server.app.issuing import expire_previous_days
from server.app.outage import log_failure
from server.app.window_ops import sign_off_absent

log = logging.getLogger("hallq.background")

ROLLOVER_EVERY_S = 60.0
# Windows whose staff's sign-in expired are closed within this long (article 26).
SIGN_OFF_EVERY_S = 30.0
# Bookings not checked in by the end of their grace period become no-shows within this long.
NO_SHOW_EVERY_S = 60.0


def every(socketio: SocketIO, seconds: float, name: str, fn: Callable[[], object], *, phase: float = 0.0) -> None:
    """Run `fn` every `seconds`, first after `phase` × `seconds` (0 ≤ phase < 1): the halls of one
    process are spread over the period, so fifty halls' rounds never all land in the same instant."""

    def loop() -> None:
        if phase:
            socketio.sleep(seconds * phase)
        while True:
            try:
                fn()
            except Exception:  # one failed round must not end the loop
                log_failure(log, "%s failed; trying again in %s s", name, seconds)
            socketio.sleep(seconds)

    socketio.start_background_task(loop)


def start(socketio: SocketIO, svc: Services, phase: float = 0.0) -> None:
    every(socketio, ROLLOVER_EVERY_S, "day rollover", lambda: expire_previous_days(svc), phase=phase)
    every(socketio, SIGN_OFF_EVERY_S, "sign-off of absent staff", lambda: sign_off_absent(svc), phase=phase)
    every(socketio, NO_SHOW_EVERY_S, "no-show sweep of appointments", lambda: sweep_no_shows(svc), phase=phase)
