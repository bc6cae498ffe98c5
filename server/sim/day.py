"""The day simulator (issue 13): a hall day replayed through the real handlers and database.

A discrete-event loop on a virtual clock, which is the services' clock: visitors take numbers
at the kiosk (`issuing.issue_ticket`), window staff open, call next, start, finish, mark
no-shows, transfer, suspend and resume, pause and close (`window_ops`), each a real unit of work
on a real (scratch SQLite) database, with the real calling policy, allocation and views. Only
the people are simulated: when they come, how long they take, what they do. Nothing is emitted
to sockets, printed or spoken; every committed change goes to the observer (`observe.py`),
which reads the estimates the visitors were shown from the events, as a phone would.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from server.app import issuing, window_ops
from server.app.context import Followers, Services
from server.core.errors import DomainError
from server.core.windows import Role, Staff
from server.db import accounts_repo
from server.db.engine import make_engine
from server.db.handles import Engine
from server.db.migrate import upgrade
from server.db.uow import SYSTEM

from .observe import Observer
from .scenario import Pause, Scenario

# A window still serving its line at closing time keeps calling up to this long (a hall serves
# whoever took a number), then closes whatever waits.
SERVE_OUT_S = 90 * 60
# A visitor walks to the window in this share of the service, at most WALK_MAX_S.
WALK_SHARE, WALK_MAX_S = 0.15, 60.0


@dataclass
class Visit:
    """One visitor's fate, drawn when they arrive so it does not depend on the order of events."""

    item: str
    green: bool
    fate: str  # "served", "no_show", "transfer", "suspend"
    service_s: float
    then_queue: str | None = None  # transfer: the queue sent to
    then_service_s: float = 0.0
    away_s: float = 0.0  # suspend: how long they are away
    ticket: str = ""
    number: str = ""
    episode: int = 0  # calls so far


@dataclass
class Desk:
    """A window as the simulator drives it."""

    id: str
    staff: Staff
    state: str = "closed"  # closed, idle, busy, paused
    ticket: str | None = None
    pending: list[tuple[str, Any]] = field(default_factory=list)  # pause or close after this visit
    call_due: bool = False
    closing_at: float | None = None


class Clock:
    def __init__(self, midnight: datetime) -> None:
        self.midnight = midnight
        self.t = 0.0

    def __call__(self) -> datetime:
        return self.midnight + timedelta(seconds=self.t)


def scratch_engine(folder: Path) -> Engine:
    path = folder / "sim.db"
    for old in (path, folder / "sim.db-wal", folder / "sim.db-shm"):
        old.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}", durable=False)
    upgrade(engine)
    return engine


class Day:
    def __init__(self, scenario: Scenario, seed: int, engine: Engine) -> None:
        self.sc, self.rng = scenario, random.Random(seed)
        tz = ZoneInfo(scenario.hall.timezone)
        midnight = datetime(scenario.day.year, scenario.day.month, scenario.day.day, tzinfo=tz).astimezone(UTC)
        self.clock = Clock(midnight)
        self.observer = Observer(scenario.hall, midnight, lambda: self.clock.t)
        self.svc = Services(hall=scenario.hall, engine=engine, clock=self.clock,
                            followers=Followers(self.observer))
        self.svc.followers.seal()
        self._heap: list[tuple[float, int, str, Any]] = []
        self._n = 0
        self.visits: dict[str, Visit] = {}
        self.desks: dict[str, Desk] = {}
        self.refused = 0

    # -- the event queue --------------------------------------------------------------------

    def at(self, t: float, kind: str, arg: Any = None) -> None:
        self._n += 1
        heapq.heappush(self._heap, (t, self._n, kind, arg))

    def run(self) -> Observer:
        self._staff()
        self._arrivals()
        for plan in self.sc.windows:
            self.at(plan.open_s, "open", plan.window)
            for p in plan.pauses:
                self.at(p.at_s, "pause", (plan.window, p))
            self.at(plan.close_s, "close", plan.window)
        handlers: dict[str, Callable[[Any], None]] = {
            "arrive": self._arrive, "open": self._open, "close": self._close, "pause": self._pause,
            "resume": self._resume, "call": self._call, "start": self._start, "recall": self._recall,
            "end": self._end, "return": self._return,
        }
        while self._heap:
            t, _, kind, arg = heapq.heappop(self._heap)
            self.clock.t = t
            handlers[kind](arg)
        self.observer.refused = self.refused
        return self.observer

    # -- set-up: staff and visitors -----------------------------------------------------------

    def _staff(self) -> None:
        """One member of staff per scheduled window, written straight to the database: their
        password is never used (the handlers take the signed-in staff as an argument)."""
        with self.svc.write(SYSTEM) as uow:
            for plan in self.sc.windows:
                name = f"sim-{plan.window}"
                uid = accounts_repo.add_user(
                    uow.conn, username=name, password_hash="!", role=Role.WINDOW.value, department=None,
                    display_name=name, staff_no="", created_at=uow.now,
                )
                self.desks[plan.window] = Desk(plan.window, Staff(uid, name, Role.WINDOW))
            uow.audit("sim.staff", "", windows=len(self.desks))
            self.svc.commit(uow)

    def _arrivals(self) -> None:
        """Poisson arrivals per item, at the rate of each hour; every visitor's fate drawn now."""
        sc, rng = self.sc, self.rng
        served_queues = sorted({sq.queue for p in sc.windows for sq in sc.hall.window(p.window).queues})  # type: ignore[union-attr]
        for code in sorted(sc.rates):
            for h, rate in enumerate(sc.rates[code]):
                if rate <= 0:
                    continue
                start = (sc.first_hour + h) * 3600.0
                t = start + rng.expovariate(rate / 3600.0)
                while t < start + 3600.0:
                    self.at(t, "arrive", self._visit(code, served_queues))
                    t += rng.expovariate(rate / 3600.0)

    def _visit(self, item_code: str, served_queues: list[str]) -> Visit:
        sc, rng = self.sc, self.rng
        green = rng.random() < sc.green_share
        u = rng.random()
        fate = "served"
        for name, share in (("no_show", sc.no_show_share), ("transfer", sc.transfer_share),
                            ("suspend", sc.suspend_share)):
            if u < share:
                fate = name
                break
            u -= share
        visit = Visit(item_code, green, fate, self._service(item_code))
        if fate == "transfer":
            own = sc.hall.item(item_code)
            others = [q for q in served_queues if own is None or q != own.queue]
            if not others:
                visit.fate = "served"
            else:
                dept = own.department if own else ""
                near = [q for q in others if (qq := sc.hall.queue(q)) is not None and qq.department == dept]
                visit.then_queue = rng.choice(near or others)
                items = sc.hall.items_of_queue(visit.then_queue)
                visit.then_service_s = self._service(rng.choice(items).code) if items else visit.service_s
        if fate == "suspend":
            visit.away_s = 60.0 * rng.uniform(*sc.suspend_minutes)
        return visit

    def _service(self, item_code: str) -> float:
        st = self.sc.service[item_code]
        return max(30.0, self.rng.lognormvariate(st.mu, st.sigma))

    def _reaction(self) -> float:
        return self.rng.uniform(*self.sc.reaction_s)

    # -- visitors -----------------------------------------------------------------------------

    def _arrive(self, visit: Visit) -> None:
        req = issuing.TicketRequest(item=visit.item, priority="green" if visit.green else None)
        try:
            view = issuing.issue_ticket(self.svc, issuing.KIOSK, req)
        except DomainError:
            self.refused += 1  # outside issuing hours, or no window serves the queue (refuse policy)
            return
        visit.ticket, visit.number = view["id"], view["number"]
        self.visits[visit.ticket] = visit
        self._wake(view["queue"])

    def _return(self, arg: tuple[str, str]) -> None:
        """A suspended visitor is back: the window that suspended them resumes them, or another
        window of the queue when that one has closed."""
        ticket_id, window_id = arg
        visit = self.visits[ticket_id]
        queue = self.observer.queue_of.get(ticket_id, "")
        candidates = [window_id] + [d.id for d in self.desks.values() if d.id != window_id]
        for wid in candidates:
            desk = self.desks[wid]
            w = self.sc.hall.window(wid)
            if desk.state in ("idle", "busy", "paused") and w is not None and w.serves(queue):
                window_ops.resume_ticket(self.svc, desk.staff, wid, visit.number)
                self._wake_desk(desk)
                return

    # -- windows ------------------------------------------------------------------------------

    def _wake(self, queue: str | None = None) -> None:
        for desk in self.desks.values():
            w = self.sc.hall.window(desk.id)
            if desk.state == "idle" and w is not None and (queue is None or w.serves(queue)):
                self._wake_desk(desk)

    def _wake_desk(self, desk: Desk) -> None:
        if desk.state == "idle" and not desk.call_due:
            desk.call_due = True
            self.at(self.clock.t + self._reaction(), "call", desk.id)

    def _open(self, window_id: str) -> None:
        desk = self.desks[window_id]
        window_ops.open_window(self.svc, desk.staff, window_id)
        desk.state = "idle"
        self._wake_desk(desk)

    def _pause(self, arg: tuple[str, Pause]) -> None:
        window_id, pause = arg
        desk = self.desks[window_id]
        if desk.state == "busy":
            desk.pending.append(("pause", pause))  # the visitor at the window is served first
        elif desk.state == "idle":
            self._do_pause(desk, pause)

    def _do_pause(self, desk: Desk, pause: Pause) -> None:
        window_ops.pause(self.svc, desk.staff, desk.id, pause.reason)
        desk.state, desk.call_due = "paused", False
        self.at(self.clock.t + 60.0 * pause.minutes, "resume", desk.id)

    def _resume(self, window_id: str) -> None:
        desk = self.desks[window_id]
        if desk.state != "paused":
            return
        window_ops.resume(self.svc, desk.staff, window_id)
        desk.state = "idle"
        self._wake_desk(desk)

    def _close(self, window_id: str) -> None:
        desk = self.desks[window_id]
        if desk.closing_at is None:
            desk.closing_at = self.clock.t
        if desk.state == "busy":
            desk.pending.append(("close", None))
            return
        if desk.state == "paused":
            window_ops.resume(self.svc, desk.staff, window_id)
            desk.state = "idle"
        if desk.state == "idle":
            if self.clock.t - desk.closing_at < SERVE_OUT_S and self._line_for(window_id):
                self._wake_desk(desk)  # serves out the line of whoever took a number
                return
            window_ops.close(self.svc, desk.staff, window_id)
            desk.state = "closed"
            self._wake()  # tickets it held went back to their queues

    def _line_for(self, window_id: str) -> bool:
        w = self.sc.hall.window(window_id)
        return w is not None and any(self.observer.waiting_in(sq.queue) for sq in w.queues)

    def _call(self, window_id: str) -> None:
        desk = self.desks[window_id]
        desk.call_due = False
        if desk.state != "idle":
            return
        if desk.closing_at is not None and not self._line_for(window_id):
            self._close(window_id)
            return
        view = window_ops.call_next(self.svc, desk.staff, window_id)
        if view is None:
            if desk.closing_at is not None:
                self._close(window_id)
            return  # idle until a ticket for it arrives
        desk.state, desk.ticket = "busy", view["id"]
        visit = self.visits[view["id"]]
        visit.episode += 1
        t = self.clock.t
        first = visit.episode == 1
        if first and visit.fate == "no_show":
            self.at(t + self.sc.no_show_after_s / 2, "recall", window_id)
            self.at(t + self.sc.no_show_after_s, "end", (window_id, "no_show"))
            return
        if visit.episode == 1 or visit.fate != "transfer":
            service = visit.service_s if first else 0.5 * visit.service_s  # back from a suspension: the rest
        else:
            service = visit.then_service_s
        self.at(t + min(WALK_MAX_S, WALK_SHARE * service), "start", window_id)
        if first and visit.fate == "suspend":
            self.at(t + 0.3 * service, "end", (window_id, "suspend"))
        elif first and visit.fate == "transfer":
            self.at(t + service, "end", (window_id, "transfer"))
        else:
            self.at(t + service, "end", (window_id, "finish"))

    def _start(self, window_id: str) -> None:
        window_ops.start(self.svc, self.desks[window_id].staff, window_id)

    def _recall(self, window_id: str) -> None:
        window_ops.recall(self.svc, self.desks[window_id].staff, window_id)

    def _end(self, arg: tuple[str, str]) -> None:
        window_id, how = arg
        desk = self.desks[window_id]
        ticket_id = desk.ticket or ""
        visit = self.visits[ticket_id]
        if how == "no_show":
            window_ops.no_show(self.svc, desk.staff, window_id)
        elif how == "suspend":
            window_ops.suspend(self.svc, desk.staff, window_id, "缺少材料 / a paper is missing")
            self.at(self.clock.t + visit.away_s, "return", (ticket_id, window_id))
        elif how == "transfer" and visit.then_queue:
            window_ops.transfer(self.svc, desk.staff, window_id, queue=visit.then_queue, to_window=None,
                                note="转办 / sent on")
            self._wake(visit.then_queue)
        else:
            window_ops.finish(self.svc, desk.staff, window_id)
        desk.state, desk.ticket = "idle", None
        pending, desk.pending = desk.pending, []
        for what, arg_ in pending:
            if what == "close":
                self._close(window_id)
                return
            if what == "pause":
                self._do_pause(desk, arg_)
                return
        self._wake_desk(desk)


def simulate(scenario: Scenario, seed: int, folder: Path) -> tuple[Observer, Engine]:
    """Replays the scenario's day; the scratch database `folder/sim.db` keeps its event log."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = scratch_engine(folder)
    return Day(scenario, seed, engine).run(), engine
