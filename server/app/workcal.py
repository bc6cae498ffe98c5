"""The hall's working-day calendar: its overrides over the national holiday table."""

from __future__ import annotations

from datetime import date

from server.core.hall import Hall
from server.core.workdays import WorkCalendar, chinese_calendar_lookup

_calendars: dict[int, tuple[Hall, WorkCalendar]] = {}


def hall_calendar(hall: Hall) -> WorkCalendar:
    # Keyed by identity: hashing the whole hall (every guide of every item) per request costs more
    # than the lookup it saves.
    cached = _calendars.get(id(hall))
    if cached is None or cached[0] is not hall:
        cal = WorkCalendar(hall.calendar, national=chinese_calendar_lookup if hall.calendar.national else None)
        cached = _calendars[id(hall)] = (hall, cal)
    return cached[1]


def calendar_gaps(hall: Hall, today: date) -> dict | None:
    """What the managers must add to the hall's [calendar] for the promises made from today to
    be right: the years the longest time limit reaches whose holidays nobody listed."""
    cal = hall_calendar(hall)
    longest = max((i.guide.time_limit_days for i in hall.items), default=0)
    years = cal.uncovered_years(today, cal.add_working_days(today, longest))
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    return {
        "years": years,
        "message": f"{listed}年的节假日及调休安排尚未录入，承诺办结日期会按周一至周五推算；"
        f"请在大厅配置的 [calendar] 中列出 / The national holidays of {', '.join(map(str, years))} are not "
        "known yet: promised dates count them as working days until the hall lists them under [calendar]",
    }
