"""The statistics table as a file: CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)
and XLSX (a sheet of rows, numbers as numbers, and a second sheet of arrivals by hour), written
by server/app/sheets.py as every table the hall exports. Both carry
the same rows as the JSON answer, flattened: one column per rating level, case outcome and pause
reason; the header names each column in Chinese and English."""

from __future__ import annotations

from typing import Any

from .sheets import Table
from .stats_ops import COUNTS, TIMES

BY_ZH = {"department": "部门", "item": "事项", "queue": "队列", "window": "窗口", "staff": "工作人员"}
_NAMES = {
    "key": "编码", "label": "名称", "label_en": "英文名称", "issued": "取号数", "served": "办结数",
    "no_show": "过号未到", "transferred": "转移", "suspended": "挂起", "released": "退回队列", "forced": "强制办结",
    "wait_mean_s": "平均等候(秒)", "wait_p90_s": "等候90分位(秒)", "service_mean_s": "平均办理(秒)",
    "service_p90_s": "办理90分位(秒)", "open_s": "在岗时长(秒)", "idle_s": "空闲时长(秒)",
    "paused_total_s": "暂停合计(秒)",
    "cases_accepted": "受理", "cases_notice": "一次性告知", "cases_refused": "不予受理", "cases_concluded": "当场办结",
    "cases_received": "收件",
    "cases_due": "应按时办结件数", "cases_on_time": "按时办结件数", "on_time_rate": "按时办结率",
    "rated": "评价数", "satisfaction_rate": "满意率",
}
_LEVELS = {"5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意"}


def columns(answer: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, header "中文 / English") of every column, pause reasons as found in the rows."""
    per_window = answer["by"] in ("window", "staff")
    fields = ["key", "label", "label_en", *COUNTS, *TIMES]
    if per_window:
        fields += ["open_s", "idle_s", "paused_total_s"]
    fields += ["cases_accepted", "cases_notice", "cases_refused", "cases_concluded", "cases_received", "cases_due",
               "cases_on_time", "on_time_rate"]
    out = [(f, f"{_NAMES[f]} / {f}") for f in fields]
    out += [(f"rating_{n}", f"{_LEVELS[n]}({n}) / rating_{n}") for n in ("5", "4", "3", "2", "1")]
    out += [("rated", f"{_NAMES['rated']} / rated"), ("satisfaction_rate", f"{_NAMES['satisfaction_rate']} / "
                                                                           "satisfaction_rate")]
    if per_window:
        reasons = sorted({r for row in answer["rows"] for r in (row.get("paused_s") or {})})
        out += [(f"paused:{r}", f"暂停：{r} (秒) / paused: {r} (s)") for r in reasons]
    return out


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """One row of the answer as one line of the table."""
    out = {k: v for k, v in row.items() if not isinstance(v, dict)}
    for o, n in (row.get("cases") or {}).items():
        out[f"cases_{o}"] = n
    for level, n in (row.get("ratings") or {}).items():
        out[f"rating_{level}"] = n
    paused = row.get("paused_s")
    if paused is not None:
        out["paused_total_s"] = sum(paused.values())
        out.update({f"paused:{r}": s for r, s in paused.items()})
    return out


def _lines(answer: dict[str, Any]) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    cols = columns(answer)
    rows = [flat(r) for r in answer["rows"]]
    totals = flat({**answer["totals"], "key": "", "label": "合计", "label_en": "Total"})
    return cols, [[r.get(f, 0 if f.startswith("paused:") else None) for f, _ in cols] for r in [*rows, totals]]


def filename(answer: dict[str, Any]) -> str:
    """The download's name, without its extension."""
    return f"hallq-stats-{answer['by']}-{answer['from']}-{answer['to']}"


def tables(answer: dict[str, Any]) -> tuple[Table, Table]:
    """The statistics as a table of rows (their total last) and one of arrivals by hour."""
    cols, lines = _lines(answer)
    main = Table(title=f"按{BY_ZH[answer['by']]}统计", headers=[h for _, h in cols], rows=lines,
                 percent=frozenset(j for j, (f, _) in enumerate(cols) if f.endswith("_rate")), frozen_columns=1)
    hours = Table(title="分时段取号", headers=["时段 / hour", "取号数 / issued"],
                  rows=[[h["hour"], h["issued"]] for h in answer["arrivals_by_hour"]])
    return main, hours
