"""The one CSV/XLSX writer every export uses (server/app/sheets.py), read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl

from server.app.sheets import Table, to_xlsx


def test_a_long_export_keeps_every_row_under_its_headings():
    # 20,000 lines: the writer once asked the sheet for its last row per line, which scans every
    # cell written so far; an audit export of 50,000 lines then ran for many minutes.
    rows = [[n, f"=cmd{n}", n / 20_000] for n in range(20_000)]
    table = Table(title="审计日志 Audit log", headers=["序号 No.", "内容 Text", "比例 Share"], rows=rows,
                  notes=["某市政务服务中心", "范围 Range"], percent=frozenset({2}))
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "某市政务服务中心" and values[2] == (None, None, None)
    assert values[3] == ("序号 No.", "内容 Text", "比例 Share")
    assert len(values) == 4 + 20_000
    assert values[-1] == (19_999, "=cmd19999", 19_999 / 20_000)
    last = sheet.cell(row=len(values), column=2)
    assert last.data_type == "s"  # text that looks like a formula stays text
    assert sheet.cell(row=len(values), column=3).number_format == "0.0%"
    assert sheet.freeze_panes == "A5"
