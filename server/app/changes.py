"""The events a change emits, built from the state inside its transaction (protocol v1).

A call is also spoken: its audio, and the voice of the next likely calls at its window, are
requested after the commit (`UnitOfWork.after_commit`), never from inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from server.core.tickets import Ticket
from server.core.windows import Staff
from server.db.uow import UnitOfWork
from server.speech.api import Speech

from .allocated import current_hall
from .announce import Sounds, announcement, request_audio, spoken_texts
from .context import Services
from .views import HallLoad, public_ticket, queue_view, ticket_view, window_views

PREWARM_PER_QUEUE = 2


class Changes:
    """Collects what a handler touched and emits the matching events once, at the end."""

    def __init__(self, svc: Services, uow: UnitOfWork, staff: Staff | None = None) -> None:
        """`staff`: who made the change, when staff did (their window's view needs them)."""
        self.svc, self.uow = svc, uow
        self._staff = {staff.id: staff} if staff else {}
        self.queues: list[str] = []
        self.windows: list[str] = []
        self._tickets: list[tuple[str, Ticket, dict]] = []

    def ticket(self, event: str, t: Ticket, **extra: object) -> None:
        self._tickets.append((event, t, extra))
        self.queue(t.queue)

    def queue(self, code: str) -> None:
        if code not in self.queues:
            self.queues.append(code)

    def window(self, window_id: str) -> None:
        if window_id not in self.windows:
            self.windows.append(window_id)

    def emit(self, load: HallLoad | None = None) -> dict[str, dict]:
        """Emit every event; returns the ticket views by id for the handler's response. `load`:
        the hall's state as of now, when the handler already has it."""
        conn, hall = self.uow.conn, current_hall(self.svc, self.uow)
        load = load or HallLoad.read(conn, hall, self.svc.today(self.uow.now), self.uow.now, self.queues)
        views: dict[str, dict] = {}
        speech = self.svc.speech
        for event, t, extra in self._tickets:
            view = ticket_view(conn, hall, t, load)
            views[t.id] = view
            # The public rooms and the visitor's own room get the public view; its window's staff
            # the whole when it holds more (a returning visitor's notice), else the public one in
            # the same emit. The visitor's room also gets the case's link, added as it is sent
            # (server.app.publisher), never logged.
            public = {"ticket": public_ticket(view), **extra}
            staff_only = view.get("follows_case") is not None
            rooms = ["hall", f"queue:{t.queue}"]
            if t.window and event != "ticket.issued" and not staff_only:
                rooms.append(f"window:{t.window}")
            self.uow.emit(event, rooms, public)
            if event != "ticket.issued":
                self.uow.emit(event, [f"ticket:{t.id}"], public)
                if t.window and staff_only:
                    self.uow.emit(event, [f"window:{t.window}"], {"ticket": view, **extra})
            window = hall.window(t.window) if t.window else None
            if event == "ticket.called" and window is not None and speech is not None:
                said, sounds = announcement(hall, speech, window, view, recall=bool(extra.get("recall")))
                self.uow.emit("announcement", ["hall", f"window:{window.id}"], said)
                self._after_commit(partial(request_audio, speech, sounds))
        if self.windows:
            known = {t.id: t for _, t, _ in self._tickets}
            for wv in window_views(conn, hall, load.states, self.windows, known_tickets=known, known_staff=self._staff):
                self.uow.emit("window.updated", ["hall", f"window:{wv['id']}"], {"window": wv})
        orders: dict[str, list[str]] = {}
        for code in self.queues:
            qv = queue_view(conn, hall, code, load)
            orders[code] = qv["order"]
            self.uow.emit("queue.updated", ["hall", f"queue:{code}", f"progress:{code}"], {"queue": qv})
        if speech is not None:
            self._prewarm(speech, orders)
        return views

    def _after_commit(self, work: Callable[[], object]) -> None:
        self.uow.after_commit(lambda _committed: work())

    def _prewarm(self, speech: Speech, orders: dict[str, list[str]]) -> None:
        """After a call, have the voice of the likely next calls at that window ready in advance."""
        hall = current_hall(self.svc, self.uow)
        texts: Sounds = []
        for event, t, _ in self._tickets:
            window = hall.window(t.window) if event == "ticket.called" and t.window else None
            if window is None:
                continue
            for sq in window.queues:
                for number in orders.get(sq.queue, [])[:PREWARM_PER_QUEUE]:
                    texts += spoken_texts(hall, speech, number, window)
        if texts:
            self._after_commit(partial(speech.prewarm, texts))
