"""Staffing recommendations on the live hall (issue #11 point 5; method in docs/staffing.md).

Each queue's load is measured here and handed to the pure Erlang C rules of
`server.core.staffing`: arrivals today so far blended with the same weekday of the last weeks
(their shape per planning interval, today's level scaling it), and the mean service time today
shrunk towards the weekday history or the items' typical duration. Windows now are the open
windows of the live allocation, a proxy window counting for each queue by its weight share.

Booked arrivals (预约, issue #15): the bookings still due (booked, not checked in, not yet missed)
are arrivals the forecast cannot see in the history, so they are added to it: those due within the
coming hour to the rate now (`booked_per_hour` in each queue's answer), and in each planning
interval those whose slot starts in it, per hour of the interval. A booking checked in is a ticket
and already counted among today's arrivals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from server.core import staffing
from server.core.allocation import moved_window
from server.core.errors import Forbidden, NotFound
from server.core.staffing import IntervalLoad, QueueLoad
from server.core.windows import Staff, WindowStatus
from server.db import appointments_repo, queue_stats_repo, stats_repo, windows_repo
from server.db.handles import Connection

from .context import Services
from .floor import WindowQueues, allocation_now, day_start, department_of, visible_queues

HISTORY_WEEKS = 8
# Bookings due this far ahead count in the rate now.
BOOKED_AHEAD = timedelta(hours=1)


def _history(svc: Services, conn: Connection, day: date, cut: list[tuple[time, time]]) -> tuple[
        list[date], dict[str, dict[time, float]]]:
    """The same weekday of the last weeks the hall issued on, and each queue's mean arrivals an hour
    per interval over them."""
    days = stats_repo.days_with_tickets(conn, [day - timedelta(weeks=k) for k in range(1, HISTORY_WEEKS + 1)])
    tz = ZoneInfo(svc.hall.timezone)
    counts: dict[str, dict[time, float]] = {}
    for queue, at in stats_repo.issue_times(conn, days, walk_ins_only=True):  # bookings are added apart
        t = at.astimezone(tz).time()
        for start, end in cut:
            if start <= t < end:
                per = counts.setdefault(queue, {})
                per[start] = per.get(start, 0.0) + 1.0
                break
    hours = {start: (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60.0 for start, end in cut}
    history = {q: {s: n / len(days) / hours[s] for s, n in per.items() if hours[s] > 0} for q, per in counts.items()}
    return days, history


def _now_rate(intervals: tuple[IntervalLoad, ...], at: time) -> float:
    """The rate of the interval under way; before opening the first one's, after closing the last's."""
    for i in intervals:
        if i.start <= at < i.end:
            return i.arrivals_per_hour
    later = [i for i in intervals if i.start > at]
    if later:
        return later[0].arrivals_per_hour
    return intervals[-1].arrivals_per_hour if intervals else 0.0


def _due_bookings(svc: Services, conn: Connection, day: date, now: datetime) -> dict[str, list[datetime]]:
    """Each queue's bookings still expected today: booked, and not past their grace period."""
    grace = timedelta(minutes=svc.hall.appointments.grace_minutes)
    due: dict[str, list[datetime]] = {}
    for queue, start in appointments_repo.due_bookings(conn, day):
        if start + grace > now:
            due.setdefault(queue, []).append(start)
    return due


def booked_per_hour(starts: Collection[datetime], now: datetime) -> float:
    """The bookings due within the coming hour (or due already, within their grace), per hour."""
    return len([s for s in starts if s < now + BOOKED_AHEAD]) / (BOOKED_AHEAD.total_seconds() / 3600)


def _with_bookings(intervals: tuple[IntervalLoad, ...], starts: Collection[datetime], tz: ZoneInfo) -> tuple[
        IntervalLoad, ...]:
    """Each interval's rate plus the bookings whose slot starts in it, per hour of the interval."""
    out = []
    for i in intervals:
        hours = (i.end.hour * 60 + i.end.minute - i.start.hour * 60 - i.start.minute) / 60.0
        n = len([s for s in starts if i.start <= s.astimezone(tz).time() < i.end])
        out.append(IntervalLoad(i.start, i.end, i.arrivals_per_hour + (n / hours if hours > 0 else 0.0)))
    return tuple(out)


def measured_loads(svc: Services, conn: Connection, now: datetime, queues: Collection[str]) -> tuple[
        list[QueueLoad], dict[str, Any]]:
    hall = svc.hall
    day = svc.today(now)
    cut = staffing.intervals(hall.hours, hall.staffing.interval_minutes)
    days, history = _history(svc, conn, day, cut)
    # Walk-ins only: the day's bookings are added on top (`due`), a booked visitor's ticket is not
    # another arrival.
    today = stats_repo.arrivals(conn, day, day_start(hall, day), now + timedelta(seconds=1), walk_ins_only=True)
    stats = queue_stats_repo.stats(conn, day)
    past_service = stats_repo.service_totals(conn, days)
    tz = ZoneInfo(hall.timezone)
    at = now.astimezone(tz).time()
    due = _due_bookings(svc, conn, day, now)
    loads = []
    booked: dict[str, float] = {}
    for code in queues:
        intervals = staffing.forecast(cut, history.get(code, {}), today.get(code, 0), at)
        s = stats.get(code, {})
        hist_s, hist_n = past_service.get(code, (0.0, 0))
        service = staffing.blended_service_s(hall.typical_service_s(code), s.get("service_s", 0.0),
                                             s.get("served", 0), hist_s / hist_n if hist_n else None)
        booked[code] = booked_per_hour(due.get(code, []), now)
        rate = _now_rate(intervals, at) + booked[code]
        loads.append(QueueLoad(code, rate, service, _with_bookings(intervals, due.get(code, []), tz),
                               waiting=s.get("waiting", 0)))
    return loads, {"history_days": [d.isoformat() for d in days], "arrivals_today": today, "booked_per_hour": booked}


def open_allocation(conn: Connection, allocation: Mapping[str, WindowQueues]) -> dict[str, WindowQueues]:
    states = windows_repo.all_states(conn)
    return {w: qs for w, qs in allocation.items()
            if (s := states.get(w)) is not None and s.status is WindowStatus.OPEN}


def recommendations(svc: Services, staff: Staff) -> dict[str, Any]:
    dept = department_of(staff)
    with svc.read() as uow:
        queues = visible_queues(svc.hall, dept)
        loads, measured = measured_loads(svc, uow.conn, uow.now, queues)
        allocation = open_allocation(uow.conn, allocation_now(svc, uow))
        now = uow.now
    typical = {q: svc.hall.typical_service_s(q) for q in queues}
    out = staffing.recommendations(loads, allocation, svc.hall.staffing, typical)
    rows = cast(list[dict[str, Any]], out["queues"])
    for row in rows:
        row["arrivals_today"] = measured["arrivals_today"].get(row["queue"], 0)
        # Already in arrivals_per_hour: the bookings due within the hour (see the module's doc).
        row["booked_per_hour"] = round(measured["booked_per_hour"].get(row["queue"], 0.0), 1)
    return {**out, "at": now.astimezone(ZoneInfo(svc.hall.timezone)).isoformat(timespec="seconds"),
            "interval_minutes": svc.hall.staffing.interval_minutes, "history_days": measured["history_days"]}


def what_if(svc: Services, staff: Staff, window: str, from_queue: str, to_queue: str) -> dict[str, Any]:
    """"Move window 12 from queue B to queue F": both queues' expected waits before and after. The
    window counts as open after the move (opening a closed window for F is the same question)."""
    dept = department_of(staff)
    for code in (from_queue, to_queue):
        q = svc.hall.queue(code)
        if q is None:
            raise NotFound(f"unknown queue {code!r}", zh=f"没有{code}队列")
        if dept is not None and q.department != dept:
            raise Forbidden(f"queue {code} is not of your department", zh=f"队列{code}不属于您的部门")
    with svc.read() as uow:
        full = allocation_now(svc, uow)
        if window not in full:
            raise NotFound(f"unknown window {window!r}", zh=f"没有{window}号窗口")
        before = open_allocation(uow.conn, full)
        after = moved_window({**before, window: full[window]}, window, from_queue, to_queue)
        loads, _ = measured_loads(svc, uow.conn, uow.now, [from_queue, to_queue])
    typical = {q: svc.hall.typical_service_s(q) for q in (from_queue, to_queue)}
    rows = staffing.what_if(loads, before, after, svc.hall.staffing, typical)
    return {
        "window": window, "from": from_queue, "to": to_queue, "window_open": window in before,
        "queues": [{
            "queue": r["queue"], "arrivals_per_hour": r["arrivals_per_hour"], "service_s": r["service_s"],
            "before": {"windows": r["windows_before"], "expected_wait_s": r["expected_wait_s_before"],
                       "service_level": r["service_level_before"]},
            "after": {"windows": r["windows_after"], "expected_wait_s": r["expected_wait_s_after"],
                      "service_level": r["service_level_after"]},
        } for r in rows],
    }
