"""Article 16 warnings, relative to each item's promised time limit (and the same tiers for the steps
of a poor rating's follow-up, through `left_until`).

A tier is reached by the share of the limit's working time still ahead, not by a count of days:
a fixed "2 days left" marks every 1-day item yellow and every same-day item orange the moment it
is accepted, and the real warnings drown among them. Here a case accepted at 10:00 with a 1-day
limit has its whole share ahead (green); it turns yellow once less than a third of its working
time is left (the afternoon of the due day), orange under a tenth, red when overdue.

Working time is the hall's opening hours on working days, counted from the moment the case was
accepted up to the end of the promised day. "The end of the promised day" is midnight, so that
overdue here means what it means on the progress page and in `working_days_left`: the promised
date has passed. A same-day (0-day) item is thus judged in the hours left of that working day.

The clock runs until delivery (article 16: the decision and its delivery), stops while suspended
(`case_clock`), and an item may have its own tiers (`Hall.tiers_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from server.core.case_clock import clock_start
from server.core.cases import Case
from server.core.hall import Hours, WarningTier
from server.core.workdays import WorkCalendar

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class TimeLeft:
    """Where a pending case stands against its promise."""

    share: float  # of the limit's working time still ahead: 1.0 at acceptance, 0.0 when used up
    seconds: float  # working seconds still ahead
    overdue: bool  # the promised date has passed


def working_seconds(start: datetime, end: datetime, hours: Hours, calendar: WorkCalendar, tz: tzinfo) -> float:
    """Opening-hours seconds of working days in [start, end); 0 when end <= start."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if calendar.is_workday(day):
            for opens, closes in hours.periods:
                lo = max(start, _at(day, opens, tz))
                hi = min(end, _at(day, closes, tz))
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += _DAY
    return total


def _at(day: date, t: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, t, tzinfo=tz)


def due_at(promised: date, tz: tzinfo) -> datetime:
    """The moment a promise is broken: midnight after the promised day, in the hall's zone."""
    return datetime.combine(promised + _DAY, time(0), tzinfo=tz)


def time_left(case: Case, now: datetime, hours: Hours, calendar: WorkCalendar, tz: tzinfo) -> TimeLeft | None:
    """None when nothing is pending (delivered, a notice, a refusal) or the clock is suspended.
    Article 16 binds the decision and its delivery, so a decided case is still on the clock; a
    received case answers its completeness review, an accepted receipt counts from acceptance."""
    if not case.clock_running or case.promised is None:
        return None
    return left_until(clock_start(case), case.promised, now, hours, calendar, tz)


def left_until(start: datetime, promised: date, now: datetime, hours: Hours, calendar: WorkCalendar,
               tz: tzinfo) -> TimeLeft:
    """Where anything promised by the end of `promised`, counted from `start`, stands at `now`:
    a case from its acceptance, a poor rating's follow-up step from the rating's arrival."""
    due = due_at(promised, tz)
    if now >= due:
        return TimeLeft(share=0.0, seconds=0.0, overdue=True)
    budget = working_seconds(start, due, hours, calendar, tz)
    ahead = working_seconds(now, due, hours, calendar, tz)
    # Started after closing on its due day (or on a closed day) leaves no working time to use
    # up: nothing to warn about until the promise is broken.
    share = 1.0 if budget <= 0 else min(1.0, ahead / budget)
    return TimeLeft(share=share, seconds=ahead, overdue=False)


def tier_of(left: TimeLeft | None, tiers: Iterable[WarningTier]) -> str | None:
    """The most severe tier reached: the one with the smallest share whose threshold the case is
    under. A tier at share 0 is reached only when overdue."""
    if left is None:
        return None
    position = -1.0 if left.overdue else left.share
    for tier in sorted(tiers, key=lambda t: t.share_left):
        if position < tier.share_left:
            return tier.name
    return None


def warning_level(
    case: Case,
    now: datetime,
    hours: Hours,
    calendar: WorkCalendar,
    tz: tzinfo,
    tiers: Iterable[WarningTier],
) -> str | None:
    return tier_of(time_left(case, now, hours, calendar, tz), tiers)
