"""Statistics for any range of days (issue #12 point 3; protocol v1.1 `GET /api/v1/stats`):
by department, item, queue, window or member of staff, each row keyed and labelled, with the
hall-wide totals and the arrivals by hour. The figures are computed in SQL (server/db/stats_sql.py,
where each is defined); this module checks who asks and what, and puts the answer together.

Managers and admins see the whole hall; a chief representative the department (its queues' tickets
and stints, its cases and ratings, its own windows' periods), filtered in SQL; window staff none.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core.errors import Forbidden, Invalid
from server.core.hall import Hall
from server.core.windows import Role, Staff
from server.db import stats_sql
from server.db.handles import Connection

from .context import Services

BY = stats_sql.BY
# A quarter at most: a month of a large hall takes 1.0-1.4 s on SQLite (docs/performance.md) and
# the query holds the server's one event loop meanwhile, so a year (15 s or more) would stall
# calling and announcements; a year is read as four quarters.
MAX_DAYS = 92
# Every figure of a row, in the order the files show them (ratings and cases are objects in JSON).
COUNTS = ("issued", "served", "no_show", "transferred", "suspended", "released", "forced")
TIMES = ("wait_mean_s", "wait_p90_s", "service_mean_s", "service_p90_s")


def _scope(svc: Services, staff: Staff, first: date, last: date, by: str, now: datetime) -> stats_sql.Scope:
    if staff.role not in (Role.MANAGER, Role.ADMIN, Role.CHIEF):
        raise Forbidden("statistics are for the hall managers and the chief representatives",
                        zh="统计仅供大厅管理人员和首席代表查看")
    if staff.role is Role.CHIEF and not staff.department:
        raise Forbidden("a chief representative needs a department", zh="首席代表须属于某一部门")
    if by not in BY:
        raise Invalid(f'"by" must be one of {", ".join(BY)}, not {by!r}', zh=f"by 须为 {'、'.join(BY)} 之一",
                      field="by")
    if first > last:
        raise Invalid(f'"from" ({first}) is after "to" ({last})', zh="起始日期（from）晚于结束日期（to）", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f'"from" to "to" spans more than {MAX_DAYS} days', zh=f"统计区间不能超过 {MAX_DAYS} 天",
                      field="to")
    hall = svc.hall
    dept = staff.department if staff.role is Role.CHIEF else None
    offset = ZoneInfo(hall.timezone).utcoffset(datetime(first.year, first.month, first.day))
    return stats_sql.Scope(
        first=first, last=last, now=now, offset_s=int(offset.total_seconds()) if offset else 0,
        queue_departments={q.code: q.department for q in hall.queues}, department=dept,
        windows=tuple(w.id for w in hall.windows if w.department == dept) if dept else (),
    )


def _empty() -> dict[str, Any]:
    return {
        **{c: 0 for c in COUNTS}, **{t: None for t in TIMES},
        "paused_s": None, "open_s": None, "idle_s": None,
        "cases": {o: 0 for o in stats_sql.OUTCOMES}, "cases_due": 0, "cases_on_time": 0, "on_time_rate": None,
        "ratings": {str(n): 0 for n in range(1, 6)}, "rated": 0, "satisfaction_rate": None,
    }


def _figures(conn: Connection, scope: stats_sql.Scope, by: str) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    """The rows, and the figures of the whole range that are not the sum of the rows' (means, p90)."""
    rows: dict[Any, dict[str, Any]] = {}
    whole: dict[str, Any] = {}
    per_window = by in ("window", "staff")
    parts = [stats_sql.ticket_figures, stats_sql.segment_figures, stats_sql.case_outcomes, stats_sql.rating_figures]
    for part in parts + ([stats_sql.period_figures] if per_window else []):
        for key, figures in part(conn, scope, by).items():
            if key == stats_sql.TOTAL:
                whole.update(figures)
                continue
            if by == "staff" and key is not None:
                key = int(key)
            rows.setdefault(key, _empty()).update(figures)
    for row in rows.values():
        if per_window:
            row["issued"] = None  # a window issues nothing; its tickets are counted where they were served
            if row["paused_s"] is None:
                row.update(paused_s={}, open_s=0, idle_s=0)
        else:
            row.update(paused_s=None, open_s=None, idle_s=None)
    return rows, whole


def _sum_of(dicts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def _totals(rows: list[dict[str, Any]], whole: dict[str, Any], per_window: bool) -> dict[str, Any]:
    """The rows added up (every ticket, stint, period, case and rating is in exactly one row), with the
    means and percentiles of the whole range."""
    t = _empty()
    for name in ("served", "no_show", "transferred", "suspended", "released", "forced", "cases_due",
                 "cases_on_time", "rated"):
        t[name] = sum(r[name] for r in rows)
    t["issued"] = sum(r["issued"] or 0 for r in rows)
    t["cases"] = {**t["cases"], **_sum_of([r["cases"] for r in rows])}
    t["ratings"] = {**t["ratings"], **_sum_of([r["ratings"] for r in rows])}
    if per_window:  # like the rows, the totals count time by window and staff only
        t["paused_s"] = dict(sorted(_sum_of([r["paused_s"] for r in rows]).items()))
        t["open_s"] = sum(r["open_s"] for r in rows)
        t["idle_s"] = sum(r["idle_s"] for r in rows)
    t.update(whole)
    t["on_time_rate"] = round(t["cases_on_time"] / t["cases_due"], 4) if t["cases_due"] else None
    good = t["ratings"]["4"] + t["ratings"]["5"]
    t["satisfaction_rate"] = round(good / t["rated"], 4) if t["rated"] else None
    return t


def _label(hall: Hall, by: str, key: Any, staff: dict[int, tuple[str, str, str]]) -> dict[str, Any]:
    none = {"label": "未记录", "label_en": "not recorded"}
    if key is None:
        return none
    if by == "department":
        d = next((d for d in hall.departments if d.code == key), None)
        return {"label": d.name, "label_en": d.name_en} if d else {"label": key, "label_en": key}
    if by == "item":
        i = hall.item(key)
        return {"label": i.name, "label_en": i.name_en} if i else {"label": key, "label_en": key}
    if by == "queue":
        q = hall.queue(key)
        return {"label": q.name, "label_en": q.name_en} if q else {"label": key, "label_en": key}
    if by == "window":
        w = hall.window(key)
        return ({"label": w.name, "label_en": w.name_en, "number": w.number} if w
                else {"label": key, "label_en": key, "number": None})
    username, name, number = staff.get(key, (str(key), "", ""))
    shown = name or username
    return {"label": f"{shown}（工号 {number}）" if number else shown,
            "label_en": f"{shown} (No. {number})" if number else shown, "staff_no": number, "username": username}


def _order(hall: Hall, by: str, key: Any) -> tuple[Any, ...]:
    if key is None:
        return (1, 0, "")
    if by == "window":
        w = hall.window(key)
        return (0, w.number if w else 10**6, str(key))
    if by == "staff":
        return (0, int(key), "")
    return (0, 0, str(key))


def stats(svc: Services, staff: Staff, first: date, last: date, by: str) -> dict[str, Any]:
    """The statistics of the days `first`..`last` (both included) by `by`; see the module doc."""
    with svc.read() as uow:
        scope = _scope(svc, staff, first, last, by, uow.now)
        rows, whole = _figures(uow.conn, scope, by)
        arrivals = stats_sql.arrivals_by_hour(uow.conn, scope)
        names = stats_sql.staff_names(uow.conn, [k for k in rows if k is not None]) if by == "staff" else {}
    hall = svc.hall
    out_rows = [
        {"key": None if key is None else str(key), **_label(hall, by, key, names), **rows[key]}
        for key in sorted(rows, key=lambda k: _order(hall, by, k))
    ]
    totals = _totals(list(rows.values()), whole, by in ("window", "staff"))
    return {"from": first.isoformat(), "to": last.isoformat(), "by": by, "rows": out_rows,
            "totals": totals, "arrivals_by_hour": arrivals}
