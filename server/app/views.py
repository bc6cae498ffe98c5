"""The JSON shapes clients see: ticket T, queue, window, as protocol v1 defines them.

Built inside the transaction that changed them, so a payload always agrees with its `seq`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core import calling, labels
from server.core.estimate import WaitEstimate, effective_windows, mean_service_s
from server.core.hall import Hall, Window
from server.core.tickets import Priority, Status, Ticket
from server.core.windows import Staff, WindowState, WindowStatus, is_serving
from server.db import (
    accounts_repo,
    appointment_load,
    batch,
    line_place,
    progress_repo,
    queue_stats_repo,
    tickets_repo,
    waits_repo,
    windows_repo,
)
from server.db.handles import Connection

from .waits import RECENT_SERVICES, Waits

ORDER_CAP = 200


def iso(hall: Hall, at: datetime | None) -> str | None:
    if at is None:
        return None
    try:
        return at.astimezone(ZoneInfo(hall.timezone)).isoformat(timespec="seconds")
    except OverflowError:  # within hours of year 1 or 9999: shown with its own offset, not a 500
        return at.isoformat(timespec="seconds")


@dataclass
class HallLoad:
    """The hall's state for estimates, read once per transaction: window states and each queue's
    counts (its waiting and cut-in counts kept by the database, migrations 0005 and 0022), plus
    each queue's waiting line, read when first needed."""

    hall: Hall
    day: date
    now: datetime
    states: dict[str, WindowState]
    stats: dict[str, dict]
    lines: dict[str, tuple[list[str], datetime | None]] = field(default_factory=dict)
    # Derived from `states` and `stats`, asked for by every view of a change: worked out once.
    _open: list[Window] | None = field(default=None, repr=False)
    _serving: list[Window] | None = field(default=None, repr=False)
    _served: dict[str, float] = field(default_factory=dict, repr=False)
    _waits: Waits | None = field(default=None, repr=False)
    # Read with the load when its reads are batched: the windows' current calls by ticket id, and
    # the latest service durations of the queues shown (server/app/waits.py reads them otherwise).
    calls: dict[str, tuple[str, datetime]] | None = None
    durations: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection, hall: Hall, day: date, now: datetime, queues: Sequence[str] = ()) -> HallLoad:
        """`queues`: those the change shows. Where reads can be sent together (a change on
        PostgreSQL, server/db/batch.py), what their views need comes in the same round trip."""
        if not batch.together(conn):
            return cls(hall=hall, day=day, now=now, states=windows_repo.all_states(conn),
                       stats=queue_stats_repo.stats(conn, day))
        per_queue = [q for queue in queues for q in (tickets_repo.line_query(conn, queue, day, ORDER_CAP),
                                                     waits_repo.recent_query(conn, queue, day, RECENT_SERVICES))]
        states, stats, *rest = batch.read_all(conn, [
            *cls.queries(conn, day), *([waits_repo.current_calls_query(conn), *per_queue] if queues else [])])
        load = cls.of(hall, day, now, states, stats)
        if queues:
            load.calls = waits_repo.to_calls(rest[0])
            for queue, line, recent in zip(queues, rest[1::2], rest[2::2], strict=True):
                load.lines[queue] = tickets_repo.to_line(conn, line) if load.waiting(queue) else ([], None)
                load.durations[queue] = waits_repo.to_durations(recent)
        return load

    @staticmethod
    def queries(conn: Connection, day: date) -> list[tuple[Any, dict[str, Any]]]:
        """What `read` reads without `queues`, for a change that sends it with its own first reads
        (server/db/batch.py); `of` makes the load from their rows."""
        return [windows_repo.states_query(conn), queue_stats_repo.stats_query(conn, day)]

    @classmethod
    def of(cls, hall: Hall, day: date, now: datetime, states: list[Any], stats: list[Any]) -> HallLoad:
        return cls(hall=hall, day=day, now=now, states=windows_repo.to_states(states),
                   stats=queue_stats_repo.to_stats(stats))

    def waiting(self, queue: str) -> int:
        return self.stats.get(queue, {}).get("waiting", 0)

    def waiting_counts(self) -> dict[str, int]:
        return {q: s.get("waiting", 0) for q, s in self.stats.items()}

    def line(self, conn: Connection, queue: str) -> tuple[list[str], datetime | None]:
        """The queue's waiting numbers in calling order (up to ORDER_CAP) and its oldest place."""
        if queue not in self.lines:
            waiting = self.waiting(queue)
            self.lines[queue] = tickets_repo.waiting_line(conn, queue, self.day, ORDER_CAP) if waiting else ([], None)
        return self.lines[queue]

    def add_waiting(self, t: Ticket) -> None:
        """The ticket was just issued in this transaction, after the load was read: count it (the
        database's trigger counted it in its own row)."""
        stats = self.stats.setdefault(
            t.queue, {"issued": 0, "served": 0, "service_s": 0.0, "no_show": 0, "waiting": 0, "cut_ins": 0}
        )
        stats["issued"] += 1
        stats["waiting"] += 1
        if t.cuts_in:
            stats["cut_ins"] += 1
        self.lines.pop(t.queue, None)
        self._waits = None  # the shares and the lines changed
        self._served.clear()  # a queue that had no line shares its windows differently now

    def open_windows(self) -> list[Window]:
        if self._open is None:
            self._open = [
                w for w in self.hall.windows
                if self.states.get(w.id) and self.states[w.id].status is WindowStatus.OPEN
            ]
        return self._open

    def serving_windows(self) -> list[Window]:
        """Windows somebody holds: open, or paused and coming back."""
        if self._serving is None:
            self._serving = [w for w in self.hall.windows if is_serving(self.states.get(w.id))]
        return self._serving

    def served(self, queue: str) -> bool:
        """Some held window serves the queue: it is not stranded, and the kiosk issues for it."""
        return any(w.serves(queue) for w in self.serving_windows())

    def unserved(self, t: Ticket) -> bool:
        return calling.unserved(t, self.hall.windows, self.states)

    def paused_windows(self, serves: Callable[[Window], bool]) -> list[dict[str, str]]:
        """The held windows `serves` picks that are paused, with their staff's reason: while no open
        one is among them the wait is unknown, and the visitor is owed why (lunch, a meeting)."""
        return [
            {"id": w.id, "name": w.name, "name_en": w.name_en, "reason": self.states[w.id].pause_reason}
            for w in self.serving_windows()
            if self.states[w.id].status is WindowStatus.PAUSED and serves(w)
        ]

    def windows_for(self, queue: str) -> float:
        if queue not in self._served:
            self._served[queue] = effective_windows(queue, self.open_windows(), self.waiting_counts())
        return self._served[queue]

    def mean_s(self, queue: str) -> float:
        s = self.stats.get(queue, {})
        return mean_service_s(s.get("service_s", 0.0), s.get("served", 0), self.hall.typical_service_s(queue))

    def waits(self, conn: Connection) -> Waits:
        """HallQ's estimator over this load (server/app/waits.py), built once per change."""
        if self._waits is None:
            self._waits = Waits(conn, self)
        return self._waits


def _ahead(conn: Connection, t: Ticket, load: HallLoad) -> int:
    """The ticket's place in its queue's line when the line holds it, else counted."""
    order, _ = load.line(conn, t.queue)
    try:
        return order.index(t.number)
    except ValueError:
        return line_place.ahead(conn, t)


def ticket_view(conn: Connection, hall: Hall, t: Ticket, load: HallLoad) -> dict[str, Any]:
    """The ticket as staff see it (its window's room, staff's answers). It never carries the case's
    secret link (`case_url`: see `with_case_url`); `public_ticket` is what the public rooms get."""
    queue = hall.queue(t.queue)
    item = hall.item(t.item) if t.item else None
    window = hall.window(t.window) if t.window else None
    unserved = load.unserved(t)
    wait: WaitEstimate | None = None
    if unserved:
        # Article 26: nobody would call it; no number is invented.
        ahead, estimate = (_ahead(conn, t, load) if t.target_window is None else 0), None
    elif t.status is Status.WAITING and t.target_window is not None:
        # First in that window's line: when it frees up while it is open, unknown while paused.
        ahead, wait = 0, load.waits(conn).for_window(t.target_window)
        estimate = None if wait is None else wait.wait_s
    elif t.status is Status.WAITING:
        ahead = _ahead(conn, t, load)
        wait = load.waits(conn).for_place(t.queue, ahead, t.number, green=t.priority is Priority.GREEN)
        estimate = None if wait is None else wait.wait_s
    else:
        ahead, estimate = 0, 0 if t.status in (Status.CALLED, Status.SERVING) else None
    # Only where they are why the wait is unknown: an open window that would call it gives the wait.
    paused: list[dict[str, str]] = []
    if t.status is Status.WAITING and not unserved and not any(
            calling.callable_at(w, t) for w in load.open_windows()):
        paused = load.paused_windows(lambda w: calling.callable_at(w, t))
    return {
        "id": t.id,
        "number": t.number,
        "queue": t.queue,
        "queue_name": queue.name if queue else t.queue,
        "queue_name_en": queue.name_en if queue else t.queue,
        "department": queue.department if queue else None,
        "item": t.item,
        "item_name": item.name if item else None,
        "item_name_en": item.name_en if item else None,
        "status": t.status.value,
        "status_label": labels.label(labels.TICKET_STATUS, t.status),
        "priority": t.priority.value,
        "green_reason": t.green_reason,
        "appointment": appointment_view(conn, hall, t),
        "issued_at": iso(hall, t.issued_at),
        "called_at": iso(hall, t.called_at),
        "finished_at": iso(hall, t.finished_at),
        "ahead": ahead,
        "estimated_wait_s": estimate,
        # Where the wait should fall four times in five; null: no open window serves the queue.
        "estimated_wait_range_s": wait.range if wait is not None else None,
        "unserved": unserved,
        "paused_windows": paused,
        # A returning visitor's notice: the window shows what it listed as missing (article 14).
        "follows_case": t.follows_case,
        "window": t.window,
        "window_name": window.name if window else None,
        "window_name_en": window.name_en if window else None,
        "target_window": t.target_window,
        "recalls": t.recalls,
        "outcome": t.outcome.value if t.outcome else None,
        "outcome_label": labels.label(labels.OUTCOME, t.outcome) if t.outcome else None,
        "note": t.note,
        "status_url": f"{hall.public_url.rstrip('/')}/t/{t.id}",
    }


def appointment_view(conn: Connection, hall: Hall, t: Ticket) -> dict[str, Any] | None:
    """The booking (预约) an appointment ticket was checked in for: its code and slot (null for a
    walk-in, read only for an appointment ticket)."""
    if not t.appointment:
        return None
    slot = appointment_load.slot_of(conn, t.appointment)
    start, end = slot if slot else (None, None)
    return {"code": t.appointment, "start": iso(hall, start), "end": iso(hall, end)}


# Only for staff: a returning visitor's notice number is half of a progress lookup's secret.
STAFF_ONLY = ("follows_case",)


def public_ticket(view: dict[str, Any]) -> dict[str, Any]:
    """The ticket as the hall's displays, kiosks, queue rooms and the visitor's own page get it.
    An appointment keeps its slot but not its booking code: the code reads the booking
    (GET /api/v1/appointments/{code}), and a queue room is open to anyone."""
    public = {k: v for k, v in view.items() if k not in STAFF_ONLY}
    if public.get("appointment"):
        public["appointment"] = {k: v for k, v in public["appointment"].items() if k != "code"}
    return public


def with_case_url(conn: Connection, hall: Hall, view: dict[str, Any]) -> dict[str, Any]:
    """Article 21: `view` with `case_url`, the progress page of the case the visit opened (its
    tokenised URL: whoever has it reads the case), once the service is done and opened one. Only
    for the visitor's own page: `GET /api/v1/tickets/{id}`, the `ticket:ID` room's snapshot and
    events (added as they are sent, never kept in the event log: server/app/publisher.py)."""
    url = None
    if may_have_case(view):
        token = progress_repo.case_token_of_ticket(conn, str(view["id"]))
        url = f"{hall.public_url.rstrip('/')}/case/{token}" if token else None
    return {**view, "case_url": url}


def may_have_case(view: dict[str, Any]) -> bool:
    """Only a service done with an outcome can have opened a case."""
    return view.get("status") == Status.DONE.value and bool(view.get("outcome"))


def queue_view(conn: Connection, hall: Hall, code: str, load: HallLoad) -> dict[str, Any]:
    q = hall.queue(code)
    count = load.waiting(code)
    open_here = [w.id for w in load.open_windows() if w.serves(code)]
    order, oldest = load.line(conn, code)
    s = load.stats.get(code, {})
    windows = load.windows_for(code)
    return {
        "code": code,
        "name": q.name if q else code,
        "name_en": q.name_en if q else code,
        "prefix": q.prefix if q else "",
        "waiting": count,
        "longest_wait_s": int((load.now - oldest).total_seconds()) if oldest else 0,
        "estimate_s": None if (new := load.waits(conn).for_place(code, count, None)) is None else new.wait_s,
        "s_per_ticket": round(load.mean_s(code) / windows) if windows else None,
        # HallQ's estimate for each place of `order`: [wait_s, low_s, high_s]; null: no window open.
        "waits": None if (line := load.waits(conn).line(code, len(order))) is None else list(map(list, line)),
        "open_windows": open_here,
        # Article 26: a queue nobody serves must be visible, never a silent dead end. A paused
        # window will be back: its queue is waiting, not stranded.
        "unserved": not load.served(code),
        # Why a queue with no open window still has visitors waiting calmly: who is away, and why
        # (a visitor sent to one of them follows that one alone, whatever `open_windows` says).
        "paused_windows": load.paused_windows(lambda w: w.serves(code)),
        "issued_today": s.get("issued", 0),
        "served_today": s.get("served", 0),
        "order": order,
        # 预约: the appointment tickets of `order` and their slots' starts (read with the estimate's
        # bookings, only in a hall that takes them).
        "appointments": {n: iso(hall, at) for n, at in load.waits(conn).bookings(code).slots.items() if n in order},
    }


def window_view(hall: Hall, state: WindowState, staff: dict[int, Any], current: Ticket | None) -> dict[str, Any]:
    w = hall.window(state.window)
    person = staff.get(state.staff_id) if state.staff_id else None
    return {
        "id": state.window,
        "number": w.number if w else None,
        "name": w.name if w else state.window,
        "name_en": w.name_en if w else state.window,
        "kind": w.kind.value if w else None,
        "department": w.department if w else None,
        "queues": [{"queue": sq.queue, "weight": sq.weight} for sq in w.queues] if w else [],
        "status": state.status.value,
        "pause_reason": state.pause_reason,
        "since": iso(hall, state.since),
        "staff": (
            {"id": person.id, "name": person.display_name or person.username, "staff_no": person.staff_no}
            if person else None
        ),
        "current": (
            {"id": current.id, "number": current.number, "status": current.status.value, "queue": current.queue}
            if current else None
        ),
    }


def window_views(
    conn: Connection, hall: Hall, states: dict[str, WindowState], ids: list[str], *,
    known_tickets: dict[str, Ticket] | None = None, known_staff: dict[int, Staff] | None = None,
) -> list[dict]:
    """`known_*`: tickets and staff the caller holds already (the change's own), not read again."""
    chosen = [states.get(i) or WindowState(window=i) for i in ids]
    staff = dict(known_staff or {})
    staff.update(accounts_repo.staff_many(conn, {s.staff_id for s in chosen if s.staff_id and s.staff_id not in staff}))
    currents = dict(known_tickets or {})
    currents.update(tickets_repo.many(conn, [s.current_ticket for s in chosen
                                             if s.current_ticket and s.current_ticket not in currents]))
    return [window_view(hall, s, staff, currents.get(s.current_ticket or "")) for s in chosen]
