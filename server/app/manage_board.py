"""GET /api/v1/manage/board: the whole floor for the manager's board in one answer, as of `seq`
(the board then follows the `hall` room's events from that seq): every queue with its load and
trend, every window with its state and time today, the alerts and the overflow proposals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.core.allocation import queues_json
from server.core.windows import Staff
from server.db import stats_repo, tickets_repo
from server.db.uow import current_seq

from .context import Services
from .floor import Floor, department_of, visible_queues, visible_window
from .manage_alerts import alert_json, current_alerts, visible
from .overflow_ops import proposals_view
from .views import window_views

TREND_WINDOW = timedelta(minutes=30)


def _trend(now: int, before: int) -> str:
    if now > before:
        return "up"
    return "down" if now < before else "flat"


def queue_rows(svc: Services, conn: Any, floor: Floor, dept: str | None) -> list[dict[str, Any]]:
    last = stats_repo.arrivals(conn, floor.day, floor.now - TREND_WINDOW, floor.now + timedelta(seconds=1))
    prev = stats_repo.arrivals(conn, floor.day, floor.now - 2 * TREND_WINDOW, floor.now - TREND_WINDOW)
    rows = []
    waits = floor.load.waits(conn)
    for code in visible_queues(svc.hall, dept):
        q = svc.hall.queue(code)
        assert q is not None
        waiting = floor.load.waiting(code)
        s = floor.load.stats.get(code, {})
        rows.append({
            "code": code, "name": q.name, "name_en": q.name_en, "department": q.department,
            "waiting": waiting,
            "longest_wait_s": floor.longest_wait_s.get(code, 0),
            # HallQ's estimate for a ticket taken now, the queue view's `estimate_s`: managers see
            # the figure visitors see.
            "estimate_new_s": None if (new := waits.at(code, waiting)) is None else new.wait_s,
            "arrivals_30m": last.get(code, 0),
            "arrivals_prev_30m": prev.get(code, 0),
            "trend": _trend(last.get(code, 0), prev.get(code, 0)),
            "served_today": s.get("served", 0),
            "issued_today": s.get("issued", 0),
            "no_show_today": s.get("no_show", 0),
            "open_windows": floor.open_windows_of(code),
            "unserved": waiting > 0 and not floor.serving(code),
        })
    return rows


def window_rows(svc: Services, conn: Any, floor: Floor, dept: str | None) -> list[dict[str, Any]]:
    hall = svc.hall
    shown = [w for w in hall.windows if visible_window(w, floor.allocation.get(w.id, w.queues), hall, dept)]
    views = window_views(conn, hall, floor.states, [w.id for w in shown])
    currents = tickets_repo.many(conn, [s.current_ticket for w in shown
                                        if (s := floor.states.get(w.id)) and s.current_ticket])
    served = stats_repo.served_by_window(conn, floor.day)
    rows = []
    for w, view in zip(shown, views, strict=True):
        state = floor.states.get(w.id)
        cur = currents.get(state.current_ticket) if state and state.current_ticket else None
        since = cur.called_at if cur else None
        times = floor.times.get(w.id)
        rows.append({
            **view,
            "zone": w.zone, "reserve": w.reserve,
            "queues": queues_json(floor.allocation.get(w.id, w.queues)),
            "current": None if cur is None else {
                "id": cur.id, "number": cur.number, "status": cur.status.value, "queue": cur.queue,
                "since_s": int((floor.now - since).total_seconds()) if since else 0,
            },
            "served_today": served.get(w.id, 0),
            "open_s": int(times.open_s) if times else 0,
            "idle_s": int(max(0.0, times.open_s - floor.busy_s.get(w.id, 0.0))) if times else 0,
            "paused_s_by_reason": {r: int(s) for r, s in sorted(times.paused_s_by_reason.items())} if times else {},
            "state_s": int((floor.now - state.since).total_seconds()) if state and state.since else None,
        })
    return rows


def board(svc: Services, staff: Staff) -> dict[str, Any]:
    dept = department_of(staff)
    with svc.read() as uow:
        seq = current_seq(uow.conn)
        floor = Floor.read(svc, uow)
        queues = queue_rows(svc, uow.conn, floor, dept)
        windows = window_rows(svc, uow.conn, floor, dept)
    alerts = visible([alert_json(svc, a) for a in current_alerts(svc, floor)], dept)
    return {
        "seq": seq,
        "at": floor.local_now().isoformat(timespec="seconds"),
        "department": dept,
        "queues": queues,
        "windows": windows,
        "alerts": alerts,
        "proposals": proposals_view(svc, floor, dept),
    }
