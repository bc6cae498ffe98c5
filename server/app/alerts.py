"""Article 26: service must not stop while the hall is open. A queue with visitors waiting and no
open window serving it (every window of it closed or paused) raises an alert to the managers;
the kiosk already shows such a queue as `unserved` (queue and ticket views).

Events, to the `hall` room the managers' screens follow, each once per change:
`alert.queue_unserved` when a queue is left so, `alert.queue_served` when a window serves it again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from server.db import tickets_repo
from server.db.uow import Actor, Committed

from .context import Services
from .views import HallLoad

log = logging.getLogger("hallq.alerts")

ALERTS_ACTOR = Actor("system", None, "alerts")
ROOMS = ["hall"]


# Changes that can start or end a queue's being unserved: which windows are open, or a ticket
# arriving in (or leaving) a queue by another way than its window calling it.
RELEVANT_ACTIONS = frozenset({
    "window.open", "window.pause", "window.resume", "window.close", "window.hand_over",
    "ticket.transfer", "ticket.resume", "day.rollover",
})


def _relevant(committed: Committed) -> bool:
    """Calls and finishes, the hot path, never change whether a queue is served: they cost no
    extra query here."""
    if committed.action in RELEVANT_ACTIONS:
        return True
    return any(
        e.event == "ticket.issued" and (e.data.get("ticket") or {}).get("unserved") for e in committed.events
    )


def unserved_queues(svc: Services) -> list[dict[str, Any]]:
    """Queues with visitors waiting that no open window serves, now."""
    with svc.read() as uow:
        load = HallLoad.read(uow.conn, svc.hall, svc.today(uow.now), uow.now)
        open_windows = load.open_windows()
        out = []
        for code, count in sorted(load.waiting_counts().items()):
            if count <= 0 or any(w.serves(code) for w in open_windows):
                continue
            oldest = tickets_repo.oldest_waiting(uow.conn, code, load.day)
            q = svc.hall.queue(code)
            out.append({
                "queue": code,
                "name": q.name if q else code,
                "name_en": q.name_en if q else code,
                "waiting": count,
                "longest_wait_s": int((load.now - oldest).total_seconds()) if oldest else 0,
                "windows": [w.id for w in svc.hall.windows_serving(code)],
            })
    return out


class UnservedAlerts:
    """Compares the unserved queues after each relevant commit with the last ones announced."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.active: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def on_commit(self, committed: Committed) -> None:
        """An `after_commit` hook; its own commits carry only alert events, so it never loops."""
        if _relevant(committed):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - an alert must never fail the change that triggered it
                log.exception("unserved-queue check failed")

    def check(self) -> list[tuple[str, str]]:
        with self._lock:
            now = {a["queue"]: a for a in unserved_queues(self.svc)}
            raised = [now[q] for q in now if q not in self.active]
            cleared = [self.active[q] for q in self.active if q not in now]
            self.active = now
            if not raised and not cleared:
                return []
            with self.svc.write(ALERTS_ACTOR) as uow:
                for a in raised:
                    uow.emit("alert.queue_unserved", ROOMS, {"alert": a})
                for a in cleared:
                    uow.emit("alert.queue_served", ROOMS, {"alert": {"queue": a["queue"], "name": a["name"],
                                                                     "name_en": a["name_en"]}})
                uow.audit("alert.queues", "", raised=[a["queue"] for a in raised],
                          cleared=[a["queue"] for a in cleared])
                self.svc.commit(uow)
            return [(a["queue"], "raised") for a in raised] + [(a["queue"], "cleared") for a in cleared]
