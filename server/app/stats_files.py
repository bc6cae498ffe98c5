"""The statistics table as a file: CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)
and XLSX (a sheet of rows, numbers as numbers, and a second sheet of arrivals by hour). Both carry
the same rows as the JSON answer, flattened: one column per rating level, case outcome and pause
reason; the header names each column in Chinese and English."""

from __future__ import annotations

import csv
import io
from typing import Any

from .stats_ops import COUNTS, TIMES

BY_ZH = {"department": "部门", "item": "事项", "queue": "队列", "window": "窗口", "staff": "工作人员"}
_NAMES = {
    "key": "编码", "label": "名称", "label_en": "英文名称", "issued": "取号数", "served": "办结数",
    "no_show": "过号未到", "transferred": "转移", "suspended": "挂起", "released": "退回队列", "forced": "强制办结",
    "wait_mean_s": "平均等候(秒)", "wait_p90_s": "等候90分位(秒)", "service_mean_s": "平均办理(秒)",
    "service_p90_s": "办理90分位(秒)", "open_s": "在岗时长(秒)", "idle_s": "空闲时长(秒)",
    "paused_total_s": "暂停合计(秒)",
    "cases_accepted": "受理", "cases_notice": "一次性告知", "cases_refused": "不予受理", "cases_concluded": "当场办结",
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
    fields += ["cases_accepted", "cases_notice", "cases_refused", "cases_concluded", "cases_due", "cases_on_time",
               "on_time_rate"]
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


def filename(answer: dict[str, Any], ext: str) -> str:
    return f"hallq-stats-{answer['by']}-{answer['from']}-{answer['to']}.{ext}"


def to_csv(answer: dict[str, Any]) -> bytes:
    cols, lines = _lines(answer)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([h for _, h in cols])
    for line in lines:
        out.writerow(["" if v is None else v for v in line])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(answer: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols, lines = _lines(answer)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"按{BY_ZH[answer['by']]}统计"
    sheet.append([h for _, h in cols])
    for line in lines:
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for i, (field, header) in enumerate(cols, start=1):
        longest = max([len(str(line[i - 1] or "")) for line in lines] + [len(header) // 2 + 2, 8])
        sheet.column_dimensions[get_column_letter(i)].width = min(40, longest + 2)
        if field.endswith("_rate"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "0.0%"
    hours = book.create_sheet("分时段取号")
    hours.append(["时段 / hour", "取号数 / issued"])
    for cell in hours[1]:
        cell.font = Font(bold=True)
    for h in answer["arrivals_by_hour"]:
        hours.append([h["hour"], h["issued"]])
    hours.column_dimensions["A"].width = 14
    hours.column_dimensions["B"].width = 16
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
