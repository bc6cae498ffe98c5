"""The hall floor as the manager's board sees it, read once: the live allocation, each queue's
load and longest wait, each window's state and time today. Who sees which part: managers all,
a chief representative the department's queues and windows (and the proxy windows serving them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.core import monitoring as mon
from server.core.errors import Forbidden
from server.core.hall import Hall, ServedQueue, Window, WindowKind
from server.core.windows import Role, Staff, WindowState, WindowStatus, is_serving
from server.db import stats_repo, tickets_repo
from server.db.handles import Connection
from server.db.uow import UnitOfWork

from .allocated import current_hall
from .context import Services
from .views import HallLoad
from .workcal import hall_calendar

WindowQueues = tuple[ServedQueue, ...]


def allocation_now(svc: Services, uow: UnitOfWork) -> dict[str, WindowQueues]:
    """Which queues each window serves now, with weights: the live allocation, the one place the
    board, the staffing recommendations and the overflow rules read it."""
    return {w.id: w.queues for w in current_hall(svc, uow).windows}


def require_overseer(staff: Staff) -> None:
    if staff.role not in (Role.MANAGER, Role.ADMIN, Role.CHIEF):
        raise Forbidden("the board is for the hall managers and the chief representatives",
                        zh="大厅监控仅供大厅管理人员和首席代表使用")
    if staff.role is Role.CHIEF and not staff.department:
        raise Forbidden("a chief representative needs a department", zh="首席代表须属于某一部门")


def department_of(staff: Staff) -> str | None:
    """None: sees the whole hall."""
    require_overseer(staff)
    return staff.department if staff.role is Role.CHIEF else None


def visible_queues(hall: Hall, dept: str | None) -> list[str]:
    return [q.code for q in hall.queues if dept is None or q.department == dept]


def visible_window(w: Window, queues: WindowQueues, hall: Hall, dept: str | None) -> bool:
    if dept is None or w.department == dept:
        return True
    return w.kind is WindowKind.PROXY and any((q := hall.queue(sq.queue)) and q.department == dept for sq in queues)


def day_start(hall: Hall, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(hall.timezone))


@dataclass
class Floor:
    hall: Hall
    load: HallLoad
    allocation: Mapping[str, WindowQueues]
    longest_wait_s: dict[str, int] = field(default_factory=dict)
    times: dict[str, mon.WindowTimes] = field(default_factory=dict)
    busy_s: dict[str, float] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.load.now

    @property
    def day(self) -> date:
        return self.load.day

    @property
    def states(self) -> dict[str, WindowState]:
        return self.load.states

    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.hall.timezone))

    @classmethod
    def read(cls, svc: Services, uow: UnitOfWork, *, window_times: bool = True) -> Floor:
        conn, now = uow.conn, uow.now
        day = svc.today(now)
        hall = current_hall(svc, uow)
        floor = cls(hall, HallLoad.read(conn, hall, day, now), allocation_now(svc, uow))
        for code, waiting in floor.load.waiting_counts().items():
            if waiting > 0:
                oldest = tickets_repo.oldest_waiting(conn, code, day)
                floor.longest_wait_s[code] = int((now - oldest).total_seconds()) if oldest else 0
        if window_times:
            floor._read_window_times(conn)
        return floor

    def _read_window_times(self, conn: Connection) -> None:
        since = day_start(self.hall, self.day)
        actions = stats_repo.window_actions(conn, since, sorted(mon.WINDOW_ACTIONS))
        spans = stats_repo.service_spans(conn, self.day)
        for w in self.hall.windows:
            logged = actions.get(w.id, [])
            events = [mon.WindowEvent(at, action, reason) for at, action, reason in logged]
            state = self.states.get(w.id)
            initial, reason, start = "closed", "", since
            if not events and state is not None and state.status is not WindowStatus.CLOSED:
                # Opened before anything of today was logged (a day rolled over an open window).
                initial, reason = state.status.value, state.pause_reason
                start = max(since, state.since or since)
            self.times[w.id] = mon.window_times(events, start, self.now, initial, reason)
            self.busy_s[w.id] = mon.busy_seconds(spans.get(w.id, []), since, self.now)

    def serving(self, queue: str) -> bool:
        """Some held window (open, or paused and coming back) serves the queue in the allocation."""
        return any(is_serving(self.states.get(w)) and any(sq.queue == queue for sq in qs)
                   for w, qs in self.allocation.items())

    def serving_window(self, window: str) -> bool:
        return is_serving(self.states.get(window))

    def open_windows_of(self, queue: str) -> list[str]:
        return [w for w, qs in self.allocation.items()
                if (s := self.states.get(w)) is not None and s.status is WindowStatus.OPEN
                and any(sq.queue == queue for sq in qs)]

    def paused_for_s(self, window: str) -> float:
        state = self.states.get(window)
        if state is None or state.status is not WindowStatus.PAUSED or state.since is None:
            return 0.0
        return max(0.0, (self.now - state.since).total_seconds())


def window_not_due(floor: Floor, grace: timedelta | None = None) -> bool:
    """Before opening time and its grace, or outside opening hours: no window is due yet."""
    local = floor.local_now()
    workday = hall_calendar(floor.hall).is_workday(local.date())
    minutes = mon.NOT_OPENED_GRACE_MINUTES if grace is None else grace.total_seconds() / 60
    return not mon.past_opening(floor.hall.hours, local.time(), workday, minutes)
