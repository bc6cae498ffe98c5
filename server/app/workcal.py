"""The hall's working-day calendar: its overrides over the national holiday table."""

from __future__ import annotations

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
