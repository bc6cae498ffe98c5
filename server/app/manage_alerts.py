"""The board's alerts (issue #11, point 4), each kind from what the hall records:

- queue_wait_over: a queue's longest wait over its [alerts] threshold;
- pause_too_long: a window paused longer than its reason allows ([alerts] pause_minutes);
- window_not_opened: a window nobody opened by opening time plus a grace (reserve windows never);
- visitors_refused: visitors a kiosk refused (or warned) today because no window served the queue;
- printer: a printer out of paper or offline, by the spooler's last logged status today;
- case_deadline: undecided cases at an article 16 tier; calendar_gap: holidays the hall lacks;
- queue_unserved / ticket_unserved: article 26, as `server.app.alerts` finds them.

`current_alerts` reads them all at once (the board's GET); `AlertWatch` compares them with the
last ones announced and emits `alert.raised` / `alert.cleared` on `hall`, periodically and after
the commits that can change them, never on the hot path of issuing and calling.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from server.core import monitoring as mon
from server.db import accounts_repo, cases_repo, stats_repo
from server.db.print_jobs_repo import device_printer
from server.db.uow import Actor, Committed, UnitOfWork

from . import alerts as unserved
from .cases import days_left, level_of
from .context import Services
from .floor import Floor, day_start, window_not_due
from .views import iso
from .workcal import calendar_gaps

log = logging.getLogger("hallq.board")

WATCH_ACTOR = Actor("system", None, "board alerts")
ROOMS = ["hall"]
CHECK_EVERY_S = 30.0

# Commits after which the alerts are looked at again at once; the rest waits for the next round.
RELEVANT_ACTIONS = frozenset({*mon.WINDOW_ACTIONS, "printer.status", "day.rollover"})


def _queue_alerts(floor: Floor) -> list[mon.Alert]:
    out = []
    for code, longest in floor.longest_wait_s.items():
        q = floor.hall.queue(code)
        if q and (a := mon.queue_wait_over(code, q.name, q.name_en, q.department, floor.load.waiting(code), longest,
                                           floor.hall.alerts, floor.now)):
            out.append(a)
    return out


def _window_alerts(floor: Floor) -> list[mon.Alert]:
    out = []
    due = not window_not_due(floor)
    for w in floor.hall.windows:
        state = floor.states.get(w.id)
        reason = state.pause_reason if state else ""
        if (paused := floor.paused_for_s(w.id)) and (a := mon.pause_too_long(
                w.id, w.name, w.name_en, w.department, reason, paused, floor.hall.alerts, floor.now)):
            out.append(a)
        times = floor.times.get(w.id)
        if due and not w.reserve and times is not None and not times.opened:
            left = [sq.queue for sq in floor.allocation.get(w.id, ()) if not floor.serving(sq.queue)]
            out.append(mon.window_not_opened(w.id, w.name, w.name_en, w.department, left, floor.now))
    return out


def _refusal_alerts(svc: Services, floor: Floor, uow: UnitOfWork) -> list[mon.Alert]:
    out = []
    for code, counts in stats_repo.refusals(uow.conn, floor.day).items():
        q = svc.hall.queue(code)
        if q and (a := mon.visitors_refused(code, q.name, q.name_en, q.department, counts["refused"],
                                            counts["warned"], floor.now)):
            out.append(a)
    return out


def _printer_alerts(svc: Services, floor: Floor, uow: UnitOfWork) -> list[mon.Alert]:
    statuses = stats_repo.printer_statuses(uow.conn, day_start(svc.hall, floor.day))
    if not statuses:
        return []
    users: dict[str, list[str]] = {}
    for d in accounts_repo.list_devices(uow.conn):
        if d.revoked_at is None and (url := device_printer(d.name, d.printer)):
            users.setdefault(url, []).append(d.name)
    return [a for url, status in sorted(statuses.items())
            if (a := mon.printer(url, status, users.get(url, []), floor.now))]


def _case_alerts(svc: Services, floor: Floor, uow: UnitOfWork) -> list[mon.Alert]:
    out = []
    for stored in cases_repo.clocked(uow.conn):
        tier = level_of(svc, stored.case, floor.now)
        if tier is not None:
            left = days_left(svc, stored.case, floor.day)
            out.append(mon.case_deadline(stored.case.number, tier, left if left is not None else 0,
                                         stored.case.department, floor.now))
    return out


def _unserved_alerts(svc: Services, floor: Floor) -> list[mon.Alert]:
    out = []
    for a in unserved.unserved_queues(svc):
        q = svc.hall.queue(a["queue"])
        out.append(mon.queue_unserved(a["queue"], a["name"], a["name_en"], q.department if q else None,
                                      a["waiting"], a["longest_wait_s"], floor.now))
    for a in unserved.unserved_tickets(svc):
        q = svc.hall.queue(a["queue"])
        out.append(mon.ticket_unserved(a["ticket"], a["number"], a["queue"], a["window"], a["window_name"],
                                       a["window_name_en"], q.department if q else None, floor.now))
    return out


def current_alerts(svc: Services, floor: Floor | None = None) -> list[mon.Alert]:
    """Every alert of the hall now, most severe first."""
    with svc.read() as uow:
        floor = floor or Floor.read(svc, uow)
        found = [*_queue_alerts(floor), *_window_alerts(floor), *_refusal_alerts(svc, floor, uow),
                 *_printer_alerts(svc, floor, uow), *_case_alerts(svc, floor, uow)]
    if gap := calendar_gaps(svc.hall, floor.day):
        found.append(mon.calendar_gap(gap["years"], gap["message"], floor.now))
    found += _unserved_alerts(svc, floor)
    order = {mon.CRITICAL: 0, mon.WARN: 1, mon.INFO: 2}
    return sorted(found, key=lambda a: (order.get(a.level, 3), a.kind, a.id))


def alert_json(svc: Services, a: mon.Alert) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "level": a.level, "message": a.message, "message_en": a.message_en,
            "at": iso(svc.hall, a.at), "department": a.department, **a.extra}


def visible(alerts: list[dict[str, Any]], dept: str | None) -> list[dict[str, Any]]:
    """A chief representative sees the department's alerts; hall-wide ones (printers, the calendar)
    are the managers'."""
    return alerts if dept is None else [a for a in alerts if a.get("department") == dept]


class AlertWatch:
    """Announces each alert once when it rises (again when its level or counts change) and once
    when it clears. `extra`: more periodic work of the same round (the overflow rules)."""

    def __init__(self, svc: Services, is_leader: Callable[[], bool] = lambda: True) -> None:
        self.svc = svc
        self.is_leader = is_leader
        self.active: dict[str, mon.Alert] = {}
        self.extra: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    def on_commit(self, committed: Committed) -> None:
        if committed.action in RELEVANT_ACTIONS and self.is_leader():
            try:
                self.check()
            except Exception:  # noqa: BLE001 - an alert must never fail the change that triggered it
                log.exception("board alert check failed")

    def round(self) -> None:
        """The periodic check: alerts, then the extra work."""
        if not self.is_leader():
            return
        self.check()
        for work in self.extra:
            work()

    def check(self) -> list[tuple[str, str]]:
        """Returns (alert id, "raised" | "cleared") for what it announced."""
        with self._lock:
            now = {a.id: a for a in current_alerts(self.svc)}
            raised = [k for k, a in now.items() if k not in self.active or self.active[k].signature() != a.signature()]
            cleared = [k for k in self.active if k not in now]
            before, self.active = self.active, now
            if not raised and not cleared:
                return []
            with self.svc.write(WATCH_ACTOR) as uow:
                for k in raised:
                    uow.emit("alert.raised", ROOMS, {"alert": alert_json(self.svc, now[k])})
                for k in cleared:
                    uow.emit("alert.cleared", ROOMS, {"alert": alert_json(self.svc, before[k])})
                uow.audit("alert.board", "", raised=raised, cleared=cleared)
                self.svc.commit(uow)
            return [(k, "raised") for k in raised] + [(k, "cleared") for k in cleared]
