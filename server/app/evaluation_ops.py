"""The monthly evaluation (article 27; issue #12 point 4): every window's and staff member's score
for a month, from the month's statistics (server/app/stats_ops.py, the same figures the statistics
page shows) scored by server/core/evaluation.py with the hall's [evaluation] weights.

GET /api/v1/evaluation?month=YYYY-MM&by=window|staff answers every input figure, each term's rate
and points, the score and the rank, with the formula as the report prints it; `format=xlsx` (or
csv) the same table as a file. Managers see the hall; a chief representative the department,
as the statistics show it to them.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from server.core import evaluation as core
from server.core.errors import Invalid
from server.core.windows import Role, Staff

from . import stats_ops
from .context import Services
from .sheets import Table

BY = ("window", "staff")


def month_days(month: str) -> tuple[date, date]:
    """"2026-05" → its first and last day; Invalid naming `month` otherwise."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", month):
            raise ValueError
        year, mon = int(month[:4]), int(month[5:])
        if not 1900 <= year <= 8999:
            raise ValueError
        first = date(year, mon, 1)
    except ValueError:
        raise Invalid(f"month must be YYYY-MM, not {month[:20]!r}", zh="month 须为 YYYY-MM 格式",
                      where="month") from None
    return first, date(year, mon, calendar.monthrange(year, mon)[1])


def _figures(row: dict[str, Any]) -> core.Figures:
    """A statistics row as the scoring reads it."""
    ratings = {int(level): int(n) for level, n in (row.get("ratings") or {}).items()}
    paused = float(sum((row.get("paused_s") or {}).values()))
    return core.Figures(
        key=str(row["key"]), name=str(row.get("label") or row["key"]), ratings=ratings,
        cases_known=int(row.get("cases_due") or 0), cases_on_time=int(row.get("cases_on_time") or 0),
        served=int(row.get("served") or 0), no_show=int(row.get("no_show") or 0),
        paused_s=paused, signed_in_s=paused + float(row.get("open_s") or 0),
    )


def _row(s: core.Scored, stats_row: dict[str, Any]) -> dict[str, Any]:
    f = s.figures
    rated = sum(f.ratings.values())
    return {
        "key": f.key, "name": f.name, "name_en": stats_row.get("label_en") or f.name,
        "served": f.served, "no_show": f.no_show,
        "ratings": {str(n): f.ratings.get(n, 0) for n in range(1, 6)}, "rated": rated,
        "satisfied": sum(f.ratings.get(n, 0) for n in core.SATISFIED_LEVELS),
        "cases_known": f.cases_known, "cases_on_time": f.cases_on_time,
        "paused_s": round(f.paused_s), "signed_in_s": round(f.signed_in_s),
        "rates": {k: None if v is None else round(v, 4) for k, v in s.rates.items()},
        "points": {k: None if v is None else round(v, 2) for k, v in s.points.items()},
        "score": None if s.score is None else round(s.score, 2), "rank": s.rank,
    }


def evaluation(svc: Services, staff: Staff, month: str, by: str = "window") -> dict[str, Any]:
    if by not in BY:
        raise Invalid(f'by must be "window" or "staff", not {by[:20]!r}', zh="by 须为 window 或 staff", where="by")
    first, last = month_days(month)
    stats = stats_ops.stats(svc, staff, first, last, by)  # checks who may see what
    rows = [r for r in stats["rows"] if r.get("key") is not None]
    by_key = {str(r["key"]): r for r in rows}
    weights = svc.hall.evaluation
    scored = core.ranked([_figures(r) for r in rows], weights)
    return {
        "month": f"{first:%Y-%m}", "from": first.isoformat(), "to": last.isoformat(), "by": by,
        "hall": {"name": svc.hall.name, "name_en": svc.hall.name_en},
        "department": staff.department if staff.role is Role.CHIEF else None,
        "weights": {t.key: getattr(weights, t.key) for t in core.TERMS},
        "formula": {"zh": core.formula_zh(weights), "en": core.formula_en(weights)},
        "missing": {"zh": core.MISSING_ZH, "en": core.MISSING_EN},
        "definitions": {"zh": core.DEFINITIONS_ZH, "en": core.DEFINITIONS_EN},
        "rows": [_row(s, by_key[s.figures.key]) for s in scored],
    }


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def table(answer: dict[str, Any]) -> Table:
    """The evaluation as a sheet: the formula above, one line per window or staff member."""
    who = ("窗口 Window" if answer["by"] == "window" else "工作人员 Staff")
    headers = ["名次 Rank", "编号 Key", who, "得分 Score", "满意率% Satisfaction", "满意项 pts",
               "按时办结率% On-time", "按时项 pts", "过号率% No-show", "过号项 pts", "暂停占比% Pause share",
               "暂停项 pts", "办理数 Served", "过号数 No-shows", "评价数 Ratings", "满意数 Satisfied",
               "非常满意 5", "满意 4", "基本满意 3", "不满意 2", "非常不满意 1", "已知时限办件 Cases known",
               "按时办结 On time", "暂停秒 Paused s", "签到秒 Signed-in s"]
    lines = []
    for r in answer["rows"]:
        rates, points = r["rates"], r["points"]
        lines.append([
            r["rank"], r["key"], r["name"], r["score"],
            _pct(rates["satisfaction"]), points["satisfaction"], _pct(rates["on_time"]), points["on_time"],
            _pct(rates["no_show"]), points["no_show"], _pct(rates["pause"]), points["pause"],
            r["served"], r["no_show"], r["rated"], r["satisfied"],
            *(r["ratings"][str(n)] for n in (5, 4, 3, 2, 1)),
            r["cases_known"], r["cases_on_time"], r["paused_s"], r["signed_in_s"],
        ])
    head = f"{answer['hall']['name']} {answer['month']} 月度考核 Monthly evaluation（{who}）"
    return Table(title=f"考核 {answer['month']}", headers=headers, rows=lines,
                 notes=[head, answer["formula"]["zh"], answer["formula"]["en"], answer["missing"]["zh"],
                        answer["definitions"]["zh"]])
