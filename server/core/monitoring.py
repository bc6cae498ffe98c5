"""What the hall manager's board (大厅监控) derives from the floor: each window's open, idle and
paused time by reason today, and the alerts with their levels and bilingual messages.

Pure: the application reads the window actions of the event log, the window states, the queue
counts and the print and case states, and passes them in with the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from .hall import AlertThresholds, Hours

# Minutes after the hall opens before a window nobody opened is flagged (staff arriving late by
# a few minutes is not yet a department that never opened).
NOT_OPENED_GRACE_MINUTES = 15.0

OPENS = frozenset({"window.open", "window.resume", "window.hand_over"})
CLOSES = frozenset({"window.close", "window.sign_off"})
PAUSES = "window.pause"
WINDOW_ACTIONS = OPENS | CLOSES | {PAUSES}

INFO, WARN, CRITICAL = "info", "warn", "critical"

# An alert's figures that run on with the clock while nothing changes on the floor.
GROWING = frozenset({"longest_wait_s", "paused_s"})


@dataclass(frozen=True)
class WindowEvent:
    """One logged window action: open, pause (with its reason), resume, hand-over, close, sign-off."""

    at: datetime
    action: str
    reason: str = ""


@dataclass(frozen=True)
class WindowTimes:
    open_s: float = 0.0
    paused_s_by_reason: Mapping[str, float] = field(default_factory=dict)
    opened: bool = False  # opened (or taken over) at least once in the span


def window_times(
    events: Iterable[WindowEvent], since: datetime, now: datetime, initial: str = "closed", initial_reason: str = ""
) -> WindowTimes:
    """Seconds open and paused (by reason) between `since` and `now`, replaying the window's actions
    in order from its status at `since` (`initial`: closed, open or paused)."""
    status, reason, mark = initial, initial_reason, since
    open_s = 0.0
    paused: dict[str, float] = {}
    opened = initial != "closed"

    def spend(until: datetime) -> None:
        nonlocal open_s
        span = max(0.0, (min(until, now) - max(mark, since)).total_seconds())
        if status == "open":
            open_s += span
        elif status == "paused":
            paused[reason] = paused.get(reason, 0.0) + span

    for e in sorted(events, key=lambda e: e.at):
        if e.at > now:
            break
        spend(e.at)
        mark = e.at
        if e.action in OPENS:
            status, reason, opened = "open", "", True
        elif e.action == PAUSES:
            status, reason = "paused", e.reason.strip() or "—"
        elif e.action in CLOSES:
            status, reason = "closed", ""
    spend(now)
    return WindowTimes(open_s, paused, opened)


def busy_seconds(spans: Iterable[tuple[datetime, datetime | None]], since: datetime, now: datetime) -> float:
    """Seconds spent on visitors: each (called, finished or None while still at the window) clipped
    to the span, overlaps counted once (a recall re-stamps the call, never doubling)."""
    total, reach = 0.0, since
    for start, end in sorted((max(s, since), min(e or now, now)) for s, e in spans):
        start = max(start, reach)
        if end > start:
            total += (end - start).total_seconds()
            reach = end
    return total


def idle_seconds(times: WindowTimes, busy_s: float) -> float:
    """Open and calling nobody: open time minus the time spent on visitors."""
    return max(0.0, times.open_s - busy_s)


# --- alerts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """One alert on the board; `id` is stable while the condition lasts (raised once, cleared once)."""

    id: str
    kind: str
    level: str
    message: str
    message_en: str
    at: datetime
    department: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def signature(self) -> tuple[object, ...]:
        """What a change of is announced again: the level and the counts. Not the words nor the
        durations: they grow with the clock (a wait's seconds, its minutes in the message), so an
        alert nobody acted on was logged again at every round."""
        return (self.level, tuple(sorted(((k, v) for k, v in self.extra.items() if k not in GROWING), key=str)))


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


def queue_wait_over(queue: str, name: str, name_en: str, department: str | None, waiting: int,
                    longest_wait_s: float, thresholds: AlertThresholds, now: datetime) -> Alert | None:
    limit = thresholds.longest_wait_for(queue)
    if waiting <= 0 or longest_wait_s <= 60.0 * limit:
        return None
    m = _minutes(longest_wait_s)
    level = CRITICAL if longest_wait_s > 120.0 * limit else WARN
    return Alert(f"queue_wait_over:{queue}", "queue_wait_over", level,
                 f"{name}最长已等候{m}分钟，超过{limit:g}分钟", f"{name_en}: longest wait {m} min, over {limit:g} min",
                 now, department, {"queue": queue, "waiting": waiting, "longest_wait_s": int(longest_wait_s),
                                   "threshold_s": int(60 * limit)})


def pause_too_long(window: str, name: str, name_en: str, department: str | None, reason: str, paused_s: float,
                   thresholds: AlertThresholds, now: datetime) -> Alert | None:
    limit = thresholds.pause_limit_for(reason)
    if paused_s <= 60.0 * limit:
        return None
    m = _minutes(paused_s)
    return Alert(f"pause_too_long:{window}", "pause_too_long", WARN,
                 f"{name}因“{reason}”暂停{m}分钟，超过{limit:g}分钟",
                 f"{name_en} paused ({reason}) for {m} min, over {limit:g} min",
                 now, department, {"window": window, "reason": reason, "paused_s": int(paused_s),
                                   "threshold_s": int(60 * limit)})


def opening_time(hours: Hours) -> time | None:
    return min((start for start, _ in hours.periods), default=None)


def past_opening(hours: Hours, local_now: time, workday: bool,
                 grace_minutes: float = NOT_OPENED_GRACE_MINUTES) -> bool:
    """The hall has been open for longer than the grace and is still open: windows should be too."""
    start = opening_time(hours)
    if not workday or start is None or not hours.is_open(local_now):
        return False
    minutes = local_now.hour * 60 + local_now.minute + local_now.second / 60
    return minutes >= start.hour * 60 + start.minute + grace_minutes


def window_not_opened(window: str, name: str, name_en: str, department: str | None, queues_left: Sequence[str],
                      now: datetime) -> Alert:
    """A window nobody opened since the hall opened. Critical when one of its queues has no window
    held at all (nobody can be served there), else a warning."""
    level = CRITICAL if queues_left else WARN
    zh_more = f"，队列{'、'.join(queues_left)}无人办理" if queues_left else ""
    en_more = f"; queue {', '.join(queues_left)} has no window" if queues_left else ""
    return Alert(f"window_not_opened:{window}", "window_not_opened", level,
                 f"{name}开厅后仍未签到开窗{zh_more}", f"{name_en} not opened since the hall opened{en_more}",
                 now, department, {"window": window, "queues_unstaffed": list(queues_left)})


def visitors_refused(queue: str, name: str, name_en: str, department: str | None, refused: int, warned: int,
                     now: datetime) -> Alert | None:
    if refused + warned <= 0:
        return None
    return Alert(f"visitors_refused:{queue}", "visitors_refused", CRITICAL if refused else WARN,
                 f"{name}因无窗口办理，今日已拒绝取号{refused}人次、提示等待{warned}人次",
                 f"{name_en}: no window open, {refused} visitors refused a number and {warned} warned today",
                 now, department, {"queue": queue, "refused": refused, "warned": warned})


PRINTER_DOWN = {"offline": ("离线", "offline"), "paper_out": ("缺纸", "out of paper")}


def printer(url: str, status: str, devices: Sequence[str], now: datetime) -> Alert | None:
    words = PRINTER_DOWN.get(status)
    if words is None:
        return None
    where = "、".join(devices) or url
    return Alert(f"printer:{url}", "printer", CRITICAL, f"打印机{words[0]}：{where}",
                 f"Printer {words[1]}: {', '.join(devices) or url}", now, None,
                 {"printer": url, "status": status, "devices": list(devices)})


CASE_LEVELS = {"yellow": INFO, "orange": WARN, "red": CRITICAL}


def working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def case_deadline(number: str, tier: str, days_left: int, department: str | None, now: datetime) -> Alert:
    if days_left < 0:
        zh, en = f"办件{number}已超期{-days_left}个工作日", f"Case {number} is {working_days(-days_left)} overdue"
    else:
        zh, en = f"办件{number}距承诺期限还剩{days_left}个工作日", f"Case {number}: {working_days(days_left)} left"
    return Alert(f"case_deadline:{number}", "case_deadline", CASE_LEVELS.get(tier, WARN), zh, en, now, department,
                 {"case": number, "tier": tier, "days_left": days_left})


def calendar_gap(years: Sequence[int], message: str, now: datetime) -> Alert:
    zh, _, en = message.partition(" / ")
    return Alert("calendar_gap", "calendar_gap", WARN, zh, en or zh, now, None, {"years": list(years)})


def queue_unserved(queue: str, name: str, name_en: str, department: str | None, waiting: int, longest_wait_s: int,
                   now: datetime) -> Alert:
    return Alert(f"queue_unserved:{queue}", "queue_unserved", CRITICAL,
                 f"{name}有{waiting}人等候，但没有窗口办理", f"{name_en}: {waiting} waiting and no window serving",
                 now, department, {"queue": queue, "waiting": waiting, "longest_wait_s": longest_wait_s})


def ticket_unserved(ticket: str, number: str, queue: str, window: str, window_name: str, window_name_en: str,
                    department: str | None, now: datetime) -> Alert:
    return Alert(f"ticket_unserved:{ticket}", "ticket_unserved", CRITICAL,
                 f"{number}号在等候{window_name}，但该窗口无人",
                 f"{number} waits for {window_name_en}, which nobody holds",
                 now, department, {"ticket": ticket, "number": number, "queue": queue, "window": window})
