"""Working days of the hall: the unit of every promised time limit (article 16) and notice (article 14).

A day is a working day by, in order: the hall's own overrides (closures, and make-up working days
调休 the hall declares), then the national calendar where it has data for that year, else
Monday to Friday. The national data is injected as a plain function so this module stays free of
third-party imports; `chinese_calendar_lookup` is the production one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from server.core.errors import DomainError
from server.core.hall import CalendarOverrides

# True: working day, False: closed, None: no data for that date's year. A lookup must answer
# None for every day of a year it does not cover, so `covers` can probe one day of the year.
NationalLookup = Callable[[date], bool | None]

_DAY = timedelta(days=1)


class CalendarError(DomainError):
    """The work calendar cannot answer."""

    kind = "invalid"
    code = "invalid_calendar"
    zh = "工作日历无法推算"


class ConflictingOverrides(CalendarError):
    """The hall calendar lists {days} both as holidays and as workdays."""

    zh = "大厅日历中同一天既是节假日又是工作日"


class NegativeWorkingDays(CalendarError):
    """A number of working days to add must be zero or more, not {n}."""

    zh = "工作日数不能为负"


@lru_cache(maxsize=8192)
def chinese_calendar_lookup(d: date) -> bool | None:
    """The State Council's holiday arrangement as published in the `chinesecalendar` package."""
    # Imported here, not at module level, so the core imports with the stdlib alone and tests
    # can run on a fake lookup. Cached because the package rescans its whole table per call.
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        # The boundary with the library: its way of saying it has no data for a year the State
        # Council has not announced yet. That is an answer, not an error: `covers` reports the
        # year, and the managers are told to list its holidays in the hall's [calendar].
        return None


def _weekday(d: date) -> bool:
    return d.weekday() < 5


@dataclass(frozen=True)
class WorkCalendar:
    overrides: CalendarOverrides = CalendarOverrides()
    national: NationalLookup | None = None

    def __post_init__(self) -> None:
        both = self.overrides.holidays & self.overrides.workdays
        if both:
            raise ConflictingOverrides(days=", ".join(d.isoformat() for d in sorted(both)))

    def _national(self, d: date) -> bool | None:
        if not self.overrides.national or self.national is None:
            return None
        return self.national(d)

    def covers(self, year: int) -> bool:
        """Whether national holidays are known for `year`; if not, only weekends are closed
        beyond the hall's own overrides, and the hall config should list that year's holidays.
        A hall that opted out of the national calendar is always covered: it relies on its
        overrides by choice."""
        if not self.overrides.national:
            return True
        return self._national(date(year, 1, 1)) is not None

    def uncovered_years(self, first: date, last: date) -> list[int]:
        """The years from `first` to `last` whose holidays nobody has told the hall: not in the
        national table, and no override of the hall's falls in them. Their holidays would count
        as working days, and every promised date across them would come out too early."""
        listed = {d.year for d in self.overrides.holidays | self.overrides.workdays}
        return [y for y in range(first.year, last.year + 1) if not self.covers(y) and y not in listed]

    def is_workday(self, d: date) -> bool:
        if d in self.overrides.holidays:
            return False
        if d in self.overrides.workdays:
            return True
        national = self._national(d)
        return _weekday(d) if national is None else national

    def next_workday(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += _DAY
        while not self.is_workday(d):
            d += _DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The day on which `n` working days after `start` have passed, `start` not counted:
        accepted on Monday with a 1-day limit, due on Tuesday. n == 0 is `start` itself,
        working day or not (a same-day promise)."""
        if n < 0:
            raise NegativeWorkingDays(n=n)
        d = start
        for _ in range(n):
            d = self.next_workday(d)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when a <= b, minus those in (b, a] otherwise.

        It is a difference of positions on one working-day axis, so it is antisymmetric, adds up
        over consecutive spans, and `working_days_between(s, add_working_days(s, n)) == n`.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + _DAY
        while d <= b:
            count += self.is_workday(d)
            d += _DAY
        return count
