"""HallQ's waiting-time estimate for the views (issue 13): the core's model fed from one change's
reads, worked out once per queue and transaction and shared by every view of that change.

`server.core.estimate` holds the model; this reads what it needs: each queue's latest service
durations, the calls the windows are in the middle of, the windows' pauses and the day's green
tickets. docs/queueing.md explains it and docs/wait-estimates.md measures it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from server.core.estimate import (
    Estimates,
    Server,
    ServiceTimes,
    WaitEstimate,
    appointments_ahead,
    measured_service,
    residual_s,
    slowdowns,
    wait_estimates,
    window_servers,
)
from server.core.windows import WindowStatus
from server.db import appointment_load, waits_repo
from server.db.appointment_load import QueueBookings
from server.db.handles import Connection

if TYPE_CHECKING:
    from .views import HallLoad

# How many of a queue's latest services the estimate reads.
RECENT_SERVICES = 40
# Green arrivals are counted over at least this much of the day (one early green ticket is not
# a rate).
MIN_GREEN_SPAN_S = 3600.0
# A paused window is not expected back sooner than this: one paused past its allowance (overdue,
# its staff not back yet) is still away, not calling at once.
MIN_PAUSE_REST_S = 300.0
# A day found without bookings still to be called is not read again for this long (per database,
# in this process): a hall that takes none pays one read a minute, not one per change, and a
# booking made meanwhile reaches the estimates within the minute.
NO_BOOKINGS_RECHECK_S = 60.0
_no_bookings: WeakKeyDictionary[Any, tuple[date, datetime]] = WeakKeyDictionary()


# A queue's latest service durations, per database in this process, with the day's counts they
# were read at: they change as the queue's services finish, and every finish moves the queue's
# `served` count in the same transaction (server.db.queue_stats_repo). Read again whenever the
# counts this transaction reads differ, on any process; an issue (which moves none) pays no read
# for them. A manager's forced finish moves no count (statistics leave it out): its duration
# joins the estimate with the queue's next finish.
_durations: WeakKeyDictionary[Any, dict[tuple[str, str, date], tuple[tuple[Any, ...], list[float]]]] = \
    WeakKeyDictionary()

# A queue's line of estimates, by everything the model reads (the windows as servers, the queue's
# service times, its green arrivals, the pauses ahead), shared by every change that reads the same
# in this process. In a 9:00 rush a queue takes dozens of tickets a second and a change shows its
# whole line (up to 200 places): between two issues nothing the model reads moves but the clock,
# and the model reads the clock to the whole second. A call or a finish changes a window or the
# service times, so it gets a line of its own. A pure function's results: nothing to invalidate.
LINES_KEPT = 512
_lines: dict[tuple[Any, ...], Estimates | None] = {}
_NOT_KEPT: Any = object()


def bookings_changed(engine: Any) -> None:
    """A booking was made or checked in through `engine`: the next estimate reads the day's
    bookings again rather than trusting that it had none (the booking and check-in call this)."""
    _no_bookings.pop(engine, None)


class Waits:
    def __init__(self, conn: Connection, load: HallLoad) -> None:
        self.conn, self.load = conn, load
        # The model's clock, to the whole second: two changes of the same second then see the same
        # windows' rests and share one line of estimates (`_lines`). Its figures are whole seconds.
        self.now = load.now.replace(microsecond=0)
        self._service: dict[str, ServiceTimes] = {}
        self._free: dict[str, float] = {}
        self._lists: dict[tuple[str, bool], Estimates | None] = {}
        self._bookings: dict[str, QueueBookings] | None = None

    def service(self, queue: str) -> ServiceTimes:
        if queue not in self._service:
            load = self.load
            day = load.stats.get(queue, {})
            durations = self._recent(queue, (day.get("served", 0), day.get("no_show", 0), day.get("service_s", 0.0)))
            self._service[queue] = measured_service(
                durations, load.hall.typical_service_s(queue), day.get("no_show", 0), day.get("served", 0),
            )
        return self._service[queue]

    def _recent(self, queue: str, counts: tuple[Any, ...]) -> list[float]:
        known = _durations.setdefault(self.conn.engine, {})
        key = (self.load.hall.code, queue, self.load.day)
        found = known.get(key)
        if found is None or found[0] != counts:
            if len(known) > 4096:  # days and halls past: forget them all, the live ones come back
                known.clear()
            durations = self.load.durations.get(queue)
            if durations is None:
                durations = waits_repo.recent_services(self.conn, queue, self.load.day, RECENT_SERVICES)
            found = known[key] = (counts, durations)
        return found[1]

    def free_in(self, windows: list[str]) -> dict[str, float]:
        """When each of `windows` (open or paused) can next call: the rest of its current service,
        or half the rest of its pause allowance (the hall's alert limit for that reason), at least
        MIN_PAUSE_REST_S. Read only for the windows asked about, once per change."""
        load, now = self.load, self.now
        todo = [w for w in windows if w not in self._free and w in load.states]
        if todo:
            calls = load.calls if load.calls is not None else waits_repo.calls_since(
                self.conn, [t for w in todo if (t := load.states[w].current_ticket)],
            )
            for wid in todo:
                state = load.states[wid]
                rest = 0.0
                call = calls.get(state.current_ticket or "")
                if call is not None:
                    queue, at = call
                    rest = residual_s((now - at).total_seconds(), self.service(queue))
                if state.status is WindowStatus.PAUSED and state.since is not None:
                    # Assumed to end at any moment of its allowance alike: half the rest of it; an
                    # overdue pause (past its allowance) still MIN_PAUSE_REST_S, never "at once".
                    limit = 60.0 * load.hall.alerts.pause_limit_for(state.pause_reason)
                    left = (limit - (now - state.since).total_seconds()) / 2
                    rest = max(rest, left, MIN_PAUSE_REST_S)
                self._free[wid] = max(0.0, rest)
        return {w: self._free.get(w, 0.0) for w in windows}

    def green_per_s(self, queue: str) -> float:
        """Tickets a second that go ahead of a normal ticket's place: green-channel tickets and
        tickets transferred in, at today's rate so far."""
        count = self.load.stats.get(queue, {}).get("cut_ins", 0)
        if not count:
            return 0.0
        return count / max(MIN_GREEN_SPAN_S, self._since_opening())

    def _since_opening(self) -> float:
        hall, now = self.load.hall, self.now
        local = now.astimezone(ZoneInfo(hall.timezone))
        opening = min((start for start, _ in hall.hours.periods), default=None)
        if opening is None:
            return 0.0
        start = local.replace(hour=opening.hour, minute=opening.minute, second=0, microsecond=0)
        return max(0.0, (local - start).total_seconds())

    def spans(self, queue: str) -> list[tuple[float, float, float]]:
        """The hall's planned pauses ahead for `queue` (its [waits] rota)."""
        hall = self.load.hall
        if not hall.planned_pauses:
            return []
        local = self.now.astimezone(ZoneInfo(hall.timezone))
        now_s = local.hour * 3600.0 + local.minute * 60.0 + local.second
        windows = [w.id for w in self.load.serving_windows() if w.serves(queue)]
        paused = [w for w in windows if self.load.states[w].status is WindowStatus.PAUSED]
        free = self.free_in(paused)
        return slowdowns(now_s, hall.planned_pauses, len(windows) - len(paused), [free[w] for w in paused])

    def servers(self, queue: str) -> list[Server]:
        """None open: no server at all (the estimate is then None, "no window open")."""
        load = self.load
        if not any(w.serves(queue) for w in load.open_windows()):
            return []
        windows = [w for w in load.serving_windows() if w.serves(queue)]
        return window_servers(queue, windows, load.waiting_counts(), self.free_in([w.id for w in windows]))

    def at(self, queue: str, ahead: int, *, green: bool = False) -> WaitEstimate | None:
        """The estimate for a ticket of `queue` with `ahead` before it; None: no window open."""
        key = (queue, green)
        if key not in self._lists or ((known := self._lists[key]) is not None and len(known) <= ahead):
            # One place past the one asked for: a change shows a new ticket at the end of its line
            # and then its queue's estimate for the next to join, one place further.
            count = max(ahead + 2, len(self.load.lines.get(queue, ([], None))[0]), 1)
            self._lists[key] = _line_of(
                count, self.servers(queue), self.service(queue), 0.0 if green else self.green_per_s(queue),
                self.spans(queue),
            )
        found = self._lists[key]
        return None if found is None else found[ahead]

    def for_window(self, window_id: str) -> WaitEstimate | None:
        """A ticket sent to one window: first in its line there, called when that window frees."""
        state = self.load.states.get(window_id)
        if state is None or state.status is not WindowStatus.OPEN:
            return None
        found = wait_estimates(1, [Server(1.0, self.free_in([window_id])[window_id])], ServiceTimes(mean_s=0.0))
        return found[0] if found else None

    def line(self, queue: str, count: int) -> list[WaitEstimate] | None:
        """The estimate of each of the first `count` places of the queue's line (`load.line`)."""
        if count <= 0:
            return []
        self.at(queue, count - 1)
        found = self._lists[(queue, False)]
        if found is None or not self.bookings(queue):
            return None if found is None else found[:count]
        order = self.load.lines.get(queue, ([], None))[0]
        out = []
        for place in range(count):
            wait = self.for_place(queue, place, order[place] if place < len(order) else None)
            out.append(wait if wait is not None else found[place])
        return out

    # --- appointments (预约): called ahead of the walk-ins within the hall's share -----------------

    def bookings(self, queue: str) -> QueueBookings:
        """The queue's bookings still to be called today: the whole hall's read once per change
        (one indexed query), only in a hall that takes bookings, and on a day found without any
        not again for NO_BOOKINGS_RECHECK_S."""
        if self._bookings is None:
            load = self.load
            self._bookings = {}
            engine = self.conn.engine
            quiet = _no_bookings.get(engine)
            if load.hall.appointments.enabled and not (
                quiet and quiet[0] == load.day and 0 <= (load.now - quiet[1]).total_seconds() < NO_BOOKINGS_RECHECK_S
            ):
                since = load.now - timedelta(minutes=load.hall.appointments.grace_minutes)
                self._bookings = appointment_load.day_bookings(self.conn, load.day, since)
                if self._bookings:
                    _no_bookings.pop(engine, None)
                else:
                    _no_bookings[engine] = (load.day, load.now)
        return self._bookings.get(queue) or QueueBookings()

    def for_place(self, queue: str, place: int, number: str | None, *, green: bool = False) -> WaitEstimate | None:
        """The estimate of the ticket `number` at `place` of the queue's line (0: first; `number`
        None: a walk-in joining there). A walk-in also waits for the bookings that fall due before
        its turn (server/core/estimate.py `appointments_ahead`); a due appointment ticket for the
        appointments before it, at the hall's share of the calls; a green one for neither."""
        booked = self.bookings(queue)
        if green or not booked:
            return self.at(queue, place, green=green)
        share = self.load.hall.appointments.call_share
        now, order = self.load.now, self.load.lines.get(queue, ([], None))[0]
        where = {n: i for i, n in enumerate(order) if n in booked.waiting}
        if number is not None and number in booked.waiting:
            if booked.waiting[number] > now or share <= 0:
                return self.at(queue, place)
            before = sum(1 for n, i in where.items() if i < place and booked.waiting[n] <= now)
            return self.at(queue, min(place, math.ceil((before + 1) / share) - 1))
        # Checked in and placed after it (its line holds them after `place`, or not in its first
        # numbers), and booked ones still in time to check in.
        after = [at for n, at in booked.waiting.items() if where.get(n, place + 1) > place]
        coming = booked.booked  # still in time to check in (`day_bookings`)
        due_in = sorted(max(0.0, (at - now).total_seconds()) for at in after + coming)
        self.at(queue, place + len(due_in))  # the list long enough for every count below, read once

        def call_at(k: int) -> float | None:
            wait = self.at(queue, k)
            return None if wait is None else wait.wait_s

        return self.at(queue, place + appointments_ahead(place, call_at, due_in, share))


def _line_of(count: int, servers: list[Server], service: ServiceTimes, green_per_s: float,
             spans: list[tuple[float, float, float]]) -> Estimates | None:
    """`wait_estimates` for at least `count` places, from `_lines` when the same was asked before.
    Room is made for the line to grow: a place's estimate does not depend on how many follow it."""
    key = (tuple(servers), service, green_per_s, tuple(spans))
    found = _lines.get(key, _NOT_KEPT)  # one lookup: another thread may clear `_lines` meanwhile
    if found is None or (found is not _NOT_KEPT and len(found) >= count):
        return found
    if len(_lines) >= LINES_KEPT:  # yesterday's seconds: forget them all, the live ones come back
        _lines.clear()
    made = _lines[key] = wait_estimates(count + count // 2 + 8, servers, service, green_per_s, spans)
    return made
