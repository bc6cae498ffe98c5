"""A table as a file to download: CSV or XLSX, written with the standard library only.

The audit log, the statistics and the monthly evaluation export the same way: a title, column
headings (Chinese first, the English beside) and rows of text and numbers. CSV is UTF-8 with a
byte-order mark, so Excel on a Chinese Windows opens it as UTF-8, not GBK. XLSX is the smallest
Office Open XML workbook Excel, WPS and LibreOffice read (and openpyxl, which the tests open it
with): one sheet, inline strings, a bold heading row frozen at the top, widths fitted to the text.
A value of None is an empty cell, never a made-up 0.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

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


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def _clean(text: str) -> str:
    # XML 1.0 cannot hold most control characters; a visitor's note could carry one.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)


def _cell(ref: str, value: Cell, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(_clean(str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _width(value: Cell) -> float:
    text = "" if value is None else str(value)
    # A hanzi takes about two Latin characters' room.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet(table: Table) -> str:
    lines: list[list[Cell]] = [[n] for n in table.notes]
    if table.notes:
        lines.append([])
    head = len(lines) + 1
    lines.append(list(table.headers))
    lines.extend(list(r) for r in table.rows)
    rows = []
    for i, line in enumerate(lines, start=1):
        style = 1 if i == head else 0
        cells = "".join(_cell(f"{_column(j)}{i}", v, style) for j, v in enumerate(line))
        rows.append(f'<row r="{i}">{cells}</row>')
    widths = [max([_width(h)] + [_width(r[j]) for r in table.rows if j < len(r)]) for j, h in enumerate(table.headers)]
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{min(60, w + 2):.0f}" customWidth="1"/>'
                   for j, w in enumerate(widths))
    freeze = (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{head}" topLeftCell="A{head + 1}" '
              'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{freeze}<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def _sheet_name(title: str) -> str:
    name = "".join(ch for ch in title if ch not in '[]:*?/\\')[:31].strip()
    return escape(name or "Sheet1", {'"': "&quot;"})


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Style 0: plain; style 1: bold (the headings).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def to_xlsx(table: Table) -> bytes:
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}">'
        f'<sheets><sheet name="{_sheet_name(table.title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/worksheets/sheet1.xml", _sheet(table))
    return out.getvalue()


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table as `fmt` ("csv" or "xlsx"): its bytes and mimetype."""
    if fmt == "xlsx":
        return to_xlsx(table), XLSX_MIMETYPE
    return to_csv(table), CSV_MIMETYPE
