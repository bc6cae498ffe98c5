"""A table as a file to download: CSV or XLSX.

The statistics, the audit log and the monthly evaluation export the same way: a title, notes
above the table (the evaluation's formula), column headings (Chinese first, the English beside)
and rows of text and numbers. CSV is UTF-8 with a byte-order mark, so Excel on a Chinese Windows
opens it as UTF-8, not GBK; it holds the headings and rows only, for a program to read. XLSX
(openpyxl) has one sheet per table (the statistics add arrivals by hour): the notes, the bold
headings frozen at the top, widths fitted to the text. A value of None is an empty cell, never a
made-up 0.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Cell = str | int | float | None

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    # Lines printed above the headings in the workbook (e.g. the evaluation's formula); CSV leaves
    # them out so that its first line is the headings a program reads.
    notes: Sequence[str] = ()
    # Columns (0-based) of shares between 0 and 1, shown in the workbook as percentages.
    percent: frozenset[int] = frozenset()
    # Where the workbook freezes its panes beside the headings: 1 keeps the first column in view.
    frozen_columns: int = 0


# A text cell starting with one of these is a formula to a spreadsheet: a visitor's note or a name
# written "=HYPERLINK(...)" would run as one. CSV puts an apostrophe before it (shown, not run);
# XLSX marks the cell as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> Cell:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(value: Cell) -> int:
    text = "" if value is None else str(value)
    # A hanzi takes about two Latin characters' room.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _clean(value: Cell) -> Cell:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        # XML 1.0 cannot hold most control characters; a visitor's note could carry one.
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return value


def _sheet_name(title: str) -> str:
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31].strip() or "Sheet1"


def to_xlsx(table: Table, *more: Table) -> bytes:
    """One sheet per table: the notes, a blank line, the bold headings (frozen), the rows; widths
    fitted to the text."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    _fill(first, table)
    for extra in more:
        _fill(book.create_sheet(), extra)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.title = _sheet_name(table.title)
    for note in table.notes:
        sheet.append([_clean(note)])
    if table.notes:
        sheet.append([])
    head = len(table.notes) + (1 if table.notes else 0) + 1
    for j, heading in enumerate(table.headers, start=1):
        sheet.cell(row=head, column=j, value=_clean(heading)).font = Font(bold=True)
    # Cells addressed by their row and column: asking the sheet for its last row scans every cell
    # written so far, which made a 50,000-line audit export take many minutes.
    for i, row in enumerate(table.rows, start=head + 1):
        for j, value in enumerate(row):
            cell = sheet.cell(row=i, column=j + 1, value=_clean(value))
            if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula: keep it text
                cell.data_type = "s"
            if j in table.percent:
                cell.number_format = "0.0%"
    sheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{head + 1}"
    for j, heading in enumerate(table.headers):
        wide = max([_width(heading)] + [_width(r[j]) for r in table.rows if j < len(r)])
        sheet.column_dimensions[get_column_letter(j + 1)].width = min(60, wide + 2)


def render(table: Table, fmt: str, *more: Table) -> tuple[bytes, str]:
    """The table as `fmt` ("csv" or "xlsx"): its bytes and mimetype. The workbook has a sheet for
    each of `more` too; the CSV holds the first table only."""
    if fmt == "xlsx":
        return to_xlsx(table, *more), XLSX_MIMETYPE
    return to_csv(table), CSV_MIMETYPE
