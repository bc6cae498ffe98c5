"""Statistics over any range of days (issue #12), computed in SQL on SQLite and PostgreSQL alike:
each figure is one GROUP BY over the range's indexed rows, never every ticket loaded into Python.

Every function takes a `Scope` (the days, the hall's UTC offset, the queues' departments, a chief's
filter) and a grouping `by` (department, item, queue, window, staff), and returns {key: {field:
value}}; a `by` of None gives the hall-wide totals, under the key None. Every figure is of the
connection's hall only: `hall_of(conn)` leads each WHERE, as the hall leads the indexes read, and
two hall-scoped tables are joined on the hall too.

Sources and definitions:
- issued, wait: tickets of the range. A ticket counts for the queue it was issued for (before any
  transfer), that queue's department, its item; for a window or a member of staff, the tickets they
  called first. wait = first call (ticket_calls, attempt 1) − issue, over the tickets called.
- served, no_show, transferred, suspended, released, forced: stints at a window (service_segments)
  by how they ended, counted for the stint's queue, department, item, window and staff.
  service = end − start of the stints that ended `finished` (forced ones left out).
- paused_s by reason, open time and idle_s = open time not spent on a ticket (window_periods,
  window and staff only); a period still running counts until `now`.
- cases by outcome (accepted, notice, refused, concluded) by the day they were opened; on time:
  see `case_outcomes`.
- ratings by level, excluding those excluded on appeal.
Percentiles are nearest-rank: the p-th percentile of n values is the k-th smallest, k = ⌈p·n/100⌉,
the same as bench/stats.py; in SQL ROW_NUMBER and COUNT windows pick it on both databases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    and_,
    case,
    cast,
    extract,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from .account_tables import users
from .accounts_repo import hall_staff
from .case_tables import case_history, cases
from .rating_tables import ratings
from .scope import hall_of
from .service_tables import service_segments as seg
from .service_tables import window_periods as per
from .ticket_tables import ticket_calls, tickets

BY = ("department", "item", "queue", "window", "staff")
ENDINGS = ("finished", "no_show", "transferred", "suspended", "released", "forced")
OUTCOMES = ("accepted", "notice", "refused", "concluded", "received")
# A case concluded at the window (当场办结) is decided then; an accepted one when approved or denied.
DECIDED = ("decided_approved", "decided_denied", "concluded")
Rows = dict[Any, dict[str, Any]]


@dataclass(frozen=True)
class Scope:
    first: date
    last: date
    now: datetime
    offset_s: int  # the hall's UTC offset (China keeps one all year)
    queue_departments: Mapping[str, str]  # queue code → department code, from the hall config
    department: str | None = None  # a chief sees this department only
    windows: Sequence[str] = ()  # ... and, for window periods, these windows


def _epoch(conn: Connection, col: Any) -> ColumnElement[Any]:
    """Seconds since 1970 of a timestamp (or of midnight of a date) column, as a float."""
    if conn.dialect.name == "postgresql":
        return cast(extract("epoch", col), Float)
    return (func.julianday(col) - 2440587.5) * 86400.0


def _seconds(conn: Connection, begin: Any, end: Any) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return _epoch(conn, end) - _epoch(conn, begin)
    # julianday's days carry about 10 µs of float error at today's dates: to the millisecond, the
    # times are PostgreSQL's exactly, so means and percentiles agree to the last digit.
    return func.round(_epoch(conn, end) - _epoch(conn, begin), 3)


def _department_of(scope: Scope, queue_col: Any) -> ColumnElement[Any]:
    if not scope.queue_departments:
        return null()
    return case(dict(scope.queue_departments), value=queue_col, else_=null())


def _grouped(conn: Connection, key: Any | None, columns: list[Any], where: list[Any], froms: Any = None,
             extra_group: Sequence[Any] = ()) -> list[Any]:
    k = (key if key is not None else null()).label("k")
    stmt = select(k, *extra_group, *columns).where(*where)
    if froms is not None:
        stmt = stmt.select_from(froms)
    if key is not None:
        stmt = stmt.group_by(key, *extra_group)
    elif extra_group:
        stmt = stmt.group_by(*extra_group)
    return list(conn.execute(stmt))


TOTAL = "__total__"  # the key under which a function returns the figures of the whole range


def _mean_p90(conn: Connection, key: Any | None, value: Any, where: list[Any], froms: Any, prefix: str) -> Rows:
    """Mean and nearest-rank 90th percentile of `value` per key (each value ranked within its key by
    ROW_NUMBER, the key's size by COUNT), and under TOTAL over all keys (the value at that rank of
    the whole, by ORDER BY ... LIMIT 1 OFFSET rank − 1)."""
    part = [key] if key is not None else None
    inner = select(
        (key if key is not None else null()).label("k"), value.label("v"),
        func.row_number().over(partition_by=part, order_by=value).label("rn"),
        func.count().over(partition_by=part).label("n"),
    ).select_from(froms).where(*where).subquery()
    c = inner.c
    pick = and_(c.rn * 10 >= c.n * 9, (c.rn - 1) * 10 < c.n * 9)
    k = c.k if key is not None else null()  # PostgreSQL: no ungrouped column beside an aggregate
    stmt = select(k, func.sum(c.v), func.count(), func.max(case((pick, c.v), else_=null())))
    if key is not None:
        stmt = stmt.group_by(c.k)
    out: Rows = {}
    whole_sum, whole_n, last_p90 = 0.0, 0, None
    for k_val, total_v, n, p90 in conn.execute(stmt):
        n = int(n or 0)
        if n:
            whole_sum, whole_n, last_p90 = whole_sum + float(total_v), whole_n + n, p90
            out[k_val] = {f"{prefix}_mean_s": _num(float(total_v) / n), f"{prefix}_p90_s": _num(p90)}
    p90_all = last_p90 if len(out) == 1 else None
    if whole_n and len(out) > 1:
        rank = (9 * whole_n + 9) // 10  # ⌈0.9·n⌉
        p90_all = conn.execute(select(value).select_from(froms).where(*where).order_by(value).limit(1)
                               .offset(rank - 1)).scalar()
    out[TOTAL] = {f"{prefix}_mean_s": _num(whole_sum / whole_n) if whole_n else None,
                  f"{prefix}_p90_s": _num(p90_all)}
    return out


def _num(v: Any) -> float | None:
    return None if v is None else round(float(v), 1)


# --- tickets: issued and wait -----------------------------------------------------------------

_FIRST_CALL = ticket_calls.alias("first_call")
_ARRIVED_IN = func.coalesce(tickets.c.origin_queue, tickets.c.queue)


def _ticket_key(scope: Scope, by: str | None) -> Any | None:
    return {None: None, "department": _department_of(scope, _ARRIVED_IN), "item": tickets.c.item,
            "queue": _ARRIVED_IN, "window": _FIRST_CALL.c.window, "staff": _FIRST_CALL.c.staff_id}[by]


def _ticket_where(conn: Connection, scope: Scope) -> list[Any]:
    where = [tickets.c.hall == hall_of(conn), tickets.c.day >= scope.first, tickets.c.day <= scope.last]
    if scope.department is not None:
        where.append(_ARRIVED_IN.in_([q for q, d in scope.queue_departments.items() if d == scope.department]))
    return where


def _with_first_call(outer: bool) -> Any:
    on = and_(_FIRST_CALL.c.hall == tickets.c.hall, _FIRST_CALL.c.ticket_id == tickets.c.id,
              _FIRST_CALL.c.attempt == 1)
    return tickets.outerjoin(_FIRST_CALL, on) if outer else tickets.join(_FIRST_CALL, on)


def ticket_figures(conn: Connection, scope: Scope, by: str | None) -> Rows:
    """issued per key (not for window and staff: a window issues nothing), and in all under TOTAL."""
    out: Rows = {}
    if by not in ("window", "staff"):
        for k, n in _grouped(conn, _ticket_key(scope, by), [func.count()], _ticket_where(conn, scope), tickets):
            out.setdefault(k, {})["issued"] = int(n)
    issued = conn.execute(select(func.count()).select_from(tickets).where(*_ticket_where(conn, scope))).scalar()
    out[TOTAL] = {"issued": int(issued or 0)}
    return out


def arrivals_by_hour(conn: Connection, scope: Scope) -> list[dict[str, int]]:
    """Tickets issued in each hour of the hall's day, over the range."""
    local = (_epoch(conn, tickets.c.issued_at) + scope.offset_s) / 3600.0
    hours = cast(func.floor(local) if conn.dialect.name == "postgresql" else local, Integer) % 24
    rows = conn.execute(select(hours.label("h"), func.count()).where(*_ticket_where(conn, scope)).group_by(hours)
                        .order_by(hours))
    return [{"hour": int(h), "issued": int(n)} for h, n in rows]


# --- service segments -------------------------------------------------------------------------


def _segment_department(scope: Scope) -> Any:
    return func.coalesce(seg.c.department, _department_of(scope, seg.c.queue))


def _segment_key(scope: Scope, by: str | None) -> Any | None:
    return {None: None, "department": _segment_department(scope), "item": seg.c.item, "queue": seg.c.queue,
            "window": seg.c.window, "staff": seg.c.staff_id}[by]


def _segment_where(conn: Connection, scope: Scope) -> list[Any]:
    where = [seg.c.hall == hall_of(conn), seg.c.day >= scope.first, seg.c.day <= scope.last]
    if scope.department is not None:
        where.append(_segment_department(scope) == scope.department)
    return where


def segment_figures(conn: Connection, scope: Scope, by: str | None) -> Rows:
    """Stints by ending (served = finished); wait_mean_s, wait_p90_s of the tickets first called in
    them; service_mean_s, service_p90_s of the finished ones."""
    key = _segment_key(scope, by)
    counts = [func.sum(case((seg.c.ending == e, 1), else_=0)) for e in ENDINGS]
    out: Rows = {}
    for k, *ns in _grouped(conn, key, counts, _segment_where(conn, scope), seg):
        named = dict(zip(ENDINGS, (int(n or 0) for n in ns), strict=True))
        named["served"] = named.pop("finished")
        out[k] = named
    for column, prefix in ((seg.c.wait_s, "wait"), (seg.c.service_s, "service")):
        for k, figures in _mean_p90(conn, key, column, [*_segment_where(conn, scope), column.is_not(None)], seg,
                                    prefix).items():
            out.setdefault(k, {}).update(figures)
    return out


# --- window periods ---------------------------------------------------------------------------


def _period_where(conn: Connection, scope: Scope) -> list[Any]:
    where = [per.c.hall == hall_of(conn), per.c.day >= scope.first, per.c.day <= scope.last]
    if scope.department is not None:
        where.append(per.c.window.in_(list(scope.windows)))
    return where


def _same_day(conn: Connection, day: Any) -> Any:
    """The period's day, for the segments' side of the join. On SQLite written `+day`: with the
    plain column, the planner carried the periods' day range over to the segments through the
    join's equality, then walked the month's segments and, for each, the month's periods (28 s
    for a month of 100,000 tickets by window, against 1 s). The unary plus keeps the term an
    equality the segments' (hall, day, window, called_at) index answers, without the range."""
    if conn.dialect.name != "sqlite":
        return day
    return UnaryExpression(day, operator=operators.custom_op("+"))


def _period_end(conn: Connection, scope: Scope) -> Any:
    return func.coalesce(_epoch(conn, per.c.ended_at), scope.now.timestamp())


def period_figures(conn: Connection, scope: Scope, by: str | None) -> Rows:
    """paused_s by reason, open_s and idle_s, per window or member of staff (or in all)."""
    key = {None: None, "window": per.c.window, "staff": per.c.staff_id}[by]
    length = _period_end(conn, scope) - _epoch(conn, per.c.started_at)
    out: Rows = {}
    for k, state, reason, s in _grouped(conn, key, [func.sum(length)], _period_where(conn, scope), per,
                                        extra_group=(per.c.state, per.c.reason)):
        row = out.setdefault(k, {"paused_s": {}, "open_s": 0.0, "busy_s": 0.0})
        if state == "paused":
            row["paused_s"][reason] = row["paused_s"].get(reason, 0.0) + float(s or 0)
        else:
            row["open_s"] += float(s or 0)
    # Time at a ticket within the open periods: each stint's overlap with them.
    p_end = _period_end(conn, scope)
    s_end = func.coalesce(_epoch(conn, seg.c.ended_at), scope.now.timestamp())
    p_begin, s_begin = _epoch(conn, per.c.started_at), _epoch(conn, seg.c.called_at)
    overlap = (case((p_end < s_end, p_end), else_=s_end) - case((p_begin > s_begin, p_begin), else_=s_begin))
    # A stint and a period of the same window and day (the hall's day: the sign-off sweep closes a
    # window left open overnight), on the segments' (day, window) index.
    # The plain comparisons first (ISO text on SQLite, timestamps on PostgreSQL): the segments' (day,
    # window, called_at) index narrows each period to its stints before any time is computed.
    joined = per.join(seg, and_(seg.c.hall == per.c.hall, seg.c.day == _same_day(conn, per.c.day),
                                seg.c.window == per.c.window,
                                or_(per.c.ended_at.is_(None), seg.c.called_at < per.c.ended_at),
                                or_(seg.c.ended_at.is_(None), seg.c.ended_at > per.c.started_at),
                                s_begin < p_end, s_end > p_begin))
    open_where = [*_period_where(conn, scope), per.c.state == "open"]
    for k, busy in _grouped(conn, key, [func.sum(overlap)], open_where, joined):
        out.setdefault(k, {"paused_s": {}, "open_s": 0.0, "busy_s": 0.0})["busy_s"] = float(busy or 0)
    for row in out.values():
        row["paused_s"] = {r: round(s) for r, s in sorted(row["paused_s"].items())}
        row["idle_s"] = round(max(0.0, row["open_s"] - row.pop("busy_s")))
        row["open_s"] = round(row["open_s"])
    return out


# --- cases ------------------------------------------------------------------------------------


def case_outcomes(conn: Connection, scope: Scope, by: str | None) -> Rows:
    """Cases opened in the range by outcome, and their promise kept.

    On time: of the cases with a promised date (accepted ones, and those concluded at the window,
    promised and decided that day), those decided, or undecided with the promised date past (before
    `now`'s day), are `cases_due`; `cases_on_time` were decided on or before the promised date (a
    day of the hall, at its UTC offset) and, where the delivery is recorded, delivered by it too.
    on_time_rate = cases_on_time / cases_due."""
    joined = cases.outerjoin(case_history, and_(case_history.c.hall == cases.c.hall,
                                                case_history.c.case_number == cases.c.number))
    if by == "queue":
        joined = joined.outerjoin(tickets, and_(tickets.c.hall == cases.c.hall, tickets.c.id == cases.c.ticket_id))
    key = {None: None, "department": cases.c.department, "item": cases.c.item, "queue": tickets.c.queue,
           "window": cases.c.window, "staff": cases.c.opened_by}[by]
    where = [cases.c.hall == hall_of(conn), cases.c.accepted_on >= scope.first, cases.c.accepted_on <= scope.last]
    if scope.department is not None:
        where.append(cases.c.department == scope.department)
    # One row per case: its first decision and delivery, from its history in one grouped pass.
    decided = func.min(case((case_history.c.status.in_(DECIDED), case_history.c.at), else_=null()))
    delivered = func.min(case((case_history.c.status == "delivered", case_history.c.at), else_=null()))
    k_col = (key if key is not None else null()).label("k")
    pc = select(k_col, cases.c.outcome, cases.c.promised, decided.label("decided"),
                delivered.label("delivered")).select_from(joined).where(*where).group_by(
        cases.c.number, cases.c.outcome, cases.c.promised, *([key] if key is not None else [])).subquery().c
    inner = select(
        pc.k, pc.outcome, pc.promised, _epoch(conn, pc.decided).label("decided"),
        _epoch(conn, pc.delivered).label("delivered"),
        (_epoch(conn, pc.promised) + 86400 - scope.offset_s).label("deadline"),
    ).subquery()
    today = (scope.now + timedelta(seconds=scope.offset_s)).date()
    due = and_(inner.c.promised.is_not(None), or_(inner.c.decided.is_not(None), inner.c.promised < today))
    kept = and_(due, inner.c.decided.is_not(None), inner.c.decided < inner.c.deadline,
                or_(inner.c.delivered.is_(None), inner.c.delivered < inner.c.deadline))
    counts = [func.sum(case((inner.c.outcome == o, 1), else_=0)) for o in OUTCOMES]
    k = inner.c.k if key is not None else null()
    stmt = select(k, *counts, func.sum(case((due, 1), else_=0)), func.sum(case((kept, 1), else_=0)))
    if key is not None:
        stmt = stmt.group_by(inner.c.k)
    out: Rows = {}
    for k, *ns in conn.execute(stmt):
        *outcomes, n_due, n_kept = (int(n or 0) for n in ns)
        out[k] = {"cases": dict(zip(OUTCOMES, outcomes, strict=True)), "cases_due": n_due, "cases_on_time": n_kept,
                  "on_time_rate": round(n_kept / n_due, 4) if n_due else None}
    return out


# --- ratings ----------------------------------------------------------------------------------


def rating_figures(conn: Connection, scope: Scope, by: str | None) -> Rows:
    """Ratings by level ("1".."5") and satisfaction_rate = share of 4 and 5, both of the ratings
    not excluded on appeal."""
    key = {None: None, "department": ratings.c.department, "item": ratings.c.item, "queue": ratings.c.queue,
           "window": ratings.c.window, "staff": ratings.c.staff_id}[by]
    where = [ratings.c.hall == hall_of(conn), ratings.c.day >= scope.first, ratings.c.day <= scope.last,
             ratings.c.excluded_at.is_(None)]
    if scope.department is not None:
        where.append(ratings.c.department == scope.department)
    levels = [func.sum(case((ratings.c.level == n, 1), else_=0)) for n in range(1, 6)]
    out: Rows = {}
    for k, *ns in _grouped(conn, key, levels, where, ratings):
        counts = [int(n or 0) for n in ns]
        total = sum(counts)
        out[k] = {"ratings": {str(i + 1): n for i, n in enumerate(counts)}, "rated": total,
                  "satisfaction_rate": round((counts[3] + counts[4]) / total, 4) if total else None}
    return out


def staff_names(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """(username, display name, 工号) of the given staff (of this hall or the whole installation)."""
    if not ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.staff_no)
                        .where(users.c.id.in_(list(ids)), hall_staff(conn)))
    return {i: (u, d, n) for i, u, d, n in rows}
