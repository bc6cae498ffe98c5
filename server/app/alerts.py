"""Article 26: service must not stop while the hall is open. A queue with visitors waiting and no
window anybody holds serving it (every window of it closed; a paused one will be back) raises an
alert to the managers; so does a visitor waiting for one window nobody holds (which the window's
closing should have prevented: a backstop). The kiosk and the phone show such tickets as
`unserved`, without an estimate (queue and ticket views).

Events, to the `hall` room the managers' screens follow, each once per change:
`alert.queue_unserved` when a queue is left so, `alert.queue_served` when a window serves it again;
`alert.ticket_unserved` and `alert.ticket_served` likewise for a ticket sent to one window.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from server.core import windows as win
from server.core.tickets import Status
from server.db import tickets_repo
from server.db.uow import Actor, Committed

from .allocated import current_hall
from .context import Services
from .views import HallLoad

log = logging.getLogger("hallq.alerts")

ALERTS_ACTOR = Actor("system", None, "alerts")
ROOMS = ["hall"]


# Changes that can start or end a queue's being unserved: which windows are open, or a ticket
# arriving in (or leaving) a queue by another way than its window calling it.
RELEVANT_ACTIONS = frozenset({
    "window.open", "window.pause", "window.resume", "window.close", "window.hand_over", "window.sign_off",
    "ticket.transfer", "ticket.resume", "day.rollover", "allocation.change",
})


def _relevant(committed: Committed, alerted: dict[str, Any]) -> bool:
    """Calls and finishes, the hot path, never change whether a queue is served: they cost no
    extra query here. Nor does a ticket issued into a queue whose alert is up already: before the
    windows open at 9:00, every ticket of the morning is unserved, and looking at the whole hall
    again for each one took a quarter of a kiosk's ticket."""
    if committed.action in RELEVANT_ACTIONS:
        return True
    return any(
        e.event == "ticket.issued" and (ticket := e.data.get("ticket") or {}).get("unserved")
        and ticket.get("queue") not in alerted
        for e in committed.events
    )


def unserved_queues(svc: Services) -> list[dict[str, Any]]:
    """Queues with visitors waiting that no held window serves, now."""
    with svc.read() as uow:
        hall = current_hall(svc, uow)
        load = HallLoad.read(uow.conn, hall, svc.today(uow.now), uow.now)
        out = []
        for code, count in sorted(load.waiting_counts().items()):
            if count <= 0 or load.served(code):
                continue
            oldest = tickets_repo.oldest_waiting(uow.conn, code, load.day)
            q = hall.queue(code)
            out.append({
                "queue": code,
                "name": q.name if q else code,
                "name_en": q.name_en if q else code,
                "waiting": count,
                "longest_wait_s": int((load.now - oldest).total_seconds()) if oldest else 0,
                "windows": [w.id for w in hall.windows_serving(code)],
            })
    return out


def unserved_tickets(svc: Services) -> list[dict[str, Any]]:
    """Visitors waiting for one window that nobody holds (their queue's own alert covers the rest)."""
    with svc.read() as uow:
        hall = current_hall(svc, uow)
        states = HallLoad.read(uow.conn, hall, svc.today(uow.now), uow.now).states
        out = []
        for window_id in sorted(tickets_repo.targeted_windows(uow.conn)):
            if win.is_serving(states.get(window_id)):
                continue
            w = hall.window(window_id)
            for t in tickets_repo.sent_to_window(uow.conn, window_id):
                if t.status is Status.WAITING:
                    out.append({
                        "ticket": t.id, "number": t.number, "queue": t.queue, "window": window_id,
                        "window_name": w.name if w else window_id, "window_name_en": w.name_en if w else window_id,
                        "waiting_s": int((uow.now - t.rank_at).total_seconds()),
                    })
    return out


def current_alerts(svc: Services) -> dict[str, list[dict[str, Any]]]:
    return {"unserved_queues": unserved_queues(svc), "unserved_tickets": unserved_tickets(svc)}


class UnservedAlerts:
    """Compares the unserved queues and tickets after each relevant commit with the last ones
    announced."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.active: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def on_commit(self, committed: Committed) -> None:
        """An `after_commit` hook; its own commits carry only alert events, so it never loops."""
        if _relevant(committed, self.active):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - an alert must never fail the change that triggered it
                log.exception("unserved-queue check failed")

    def check(self) -> list[tuple[str, str]]:
        with self._lock:
            now = {a["queue"]: a for a in unserved_queues(self.svc)}
            now.update({f"ticket:{a['ticket']}": a for a in unserved_tickets(self.svc)})
            raised = [k for k in now if k not in self.active]
            cleared = [k for k in self.active if k not in now]
            before, self.active = self.active, now
            if not raised and not cleared:
                return []
            with self.svc.write(ALERTS_ACTOR) as uow:
                for k in raised:
                    kind = "ticket" if k.startswith("ticket:") else "queue"
                    uow.emit(f"alert.{kind}_unserved", ROOMS, {"alert": now[k]})
                for k in cleared:
                    a = before[k]
                    if k.startswith("ticket:"):
                        uow.emit("alert.ticket_served", ROOMS, {"alert": {"ticket": a["ticket"], "number": a["number"],
                                                                          "queue": a["queue"]}})
                    else:
                        uow.emit("alert.queue_served", ROOMS, {"alert": {"queue": a["queue"], "name": a["name"],
                                                                         "name_en": a["name_en"]}})
                uow.audit("alert.queues", "", raised=[_label(now[k]) for k in raised],
                          cleared=[_label(before[k]) for k in cleared])
                self.svc.commit(uow)
            return [(_label(now[k]), "raised") for k in raised] + [(_label(before[k]), "cleared") for k in cleared]


def _label(alert: dict[str, Any]) -> str:
    """A queue's code, or a stranded ticket's number."""
    return alert.get("number") or alert["queue"]
