"""The hall's printed documents as pure layouts: a queue ticket and the printer test page; the
window's slips, notices and decisions are in `legal_docs`, on the same `Page`.

Builders take plain values (str, int, datetime, lists), never server objects, and return a
`Document` wrapped to the paper's columns. Nothing here knows ESC/POS; see escpos_render.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from printers.document import Align, Block, Document, Line, QrCode, Size
from printers.textwidth import columns_for, text_width, wrap

__all__ = [
    "Align",
    "Document",
    "Line",
    "QrCode",
    "Size",
    "Page",
    "date_zh",
    "largest_fitting",
    "require_absolute",
    "sample_page",
    "ticket_document",
]

TICKET_NOTICE = "请留意叫号，过号需重新取号。"
TICKET_NOTICE_EN = "Please listen for your number. If you miss it, take a new ticket."
SAMPLE_QR = "https://example.invalid/hallq/printer-test"


class Page:
    """Lines wrapped to the paper's columns as they are added."""

    def __init__(self, paper_mm: int) -> None:
        self.columns = columns_for(paper_mm)
        self.blocks: list[Block] = []

    def text(self, text: str, align: Align = Align.LEFT, size: Size = Size.NORMAL, bold: bool = False) -> None:
        for part in wrap(text, self.columns // size.factor):
            self.blocks.append(Line(part, align, size, bold))

    def blank(self) -> None:
        self.blocks.append(Line(""))

    def rule(self) -> None:
        self.blocks.append(Line("-" * self.columns))

    def title(self, zh: str, en: str) -> None:
        self.text(zh, Align.CENTER, Size.DOUBLE, bold=True)
        if en:
            self.text(en, Align.CENTER)

    def field(self, label: str, value: str) -> None:
        self.text(f"{label}：{value}")

    def numbered(self, entries: Sequence[str]) -> None:
        for n, entry in enumerate(entries, 1):
            self.text(f"{n}. {entry}")

    def qr(self, payload: str) -> None:
        self.blocks.append(QrCode(payload))

    def done(self, cut: bool = True) -> Document:
        return Document(self.columns, tuple(self.blocks), cut)


def ticket_document(
    *,
    hall_name: str,
    hall_name_en: str,
    number: str,
    department: str,
    department_en: str,
    item: str,
    item_en: str,
    people_ahead: int,
    wait_minutes: int | None,
    issued_at: datetime,
    wait_range_minutes: tuple[int, int] | None = None,
    status_url: str,
    paper_mm: int = 80,
    tz: tzinfo | None = None,
    notice: str = TICKET_NOTICE,
    notice_en: str = TICKET_NOTICE_EN,
    appointment_slot: tuple[datetime, datetime] | None = None,
) -> Document:
    """A queue ticket. `issued_at` is printed as given, or converted to `tz` (the hall's zone)
    when both are aware; `wait_minutes` None prints "no estimate". `wait_range_minutes`, when
    given, is printed instead of `wait_minutes`: the range the wait should fall in ("约15-25分钟").
    `appointment_slot`: an appointment ticket's booked slot (start, end), printed under the number
    as "预约 Appointment" and its time, converted like `issued_at`."""
    require_absolute(status_url, "status_url")
    page = Page(paper_mm)
    page.title(hall_name, hall_name_en)
    page.rule()
    page.text("您的号码 Your number", Align.CENTER)
    page.text(number, Align.CENTER, largest_fitting(number, page.columns), bold=True)
    if appointment_slot:
        start, end = (_local(x, tz) for x in appointment_slot)
        page.text("预约 Appointment", Align.CENTER, Size.DOUBLE, bold=True)
        page.text(f"预约时段 Slot：{start:%m-%d %H:%M}-{end:%H:%M}", Align.CENTER)
    page.text(department, Align.CENTER, Size.DOUBLE if _fits(department, page.columns, 2) else Size.NORMAL)
    page.text(item, Align.CENTER, bold=True)
    page.text(" / ".join(x for x in (department_en, item_en) if x), Align.CENTER)
    page.rule()
    # Labels short enough that each line fits 58 mm paper whole.
    page.text(f"前面等候 People ahead：{people_ahead}")
    shown = _range_text(wait_range_minutes) if wait_range_minutes else _wait_text(wait_minutes)
    _label_and_value(page, "预计等候 Est. wait：", shown)
    page.text(f"取号 Issued：{_local(issued_at, tz):%Y-%m-%d %H:%M}")
    page.blank()
    page.qr(status_url)
    page.text("扫码查看排队进度", Align.CENTER)
    page.text("Scan to follow the queue", Align.CENTER)
    page.blank()
    page.text(notice)
    page.text(notice_en)
    return page.done(cut=True)


def sample_page(
    *, printed_at: datetime, paper_mm: int = 80, profile_name: str = "", qr_payload: str = SAMPLE_QR
) -> Document:
    """A test page showing everything a ticket uses: sizes, hanzi, Chinese punctuation, a
    column ruler to check the paper width, a QR and the cut."""
    page = Page(paper_mm)
    page.title("打印测试", "Printer test")
    page.text(f"{paper_mm} mm · {page.columns} 列 columns · {profile_name or 'default'}", Align.CENTER)
    page.rule()
    page.text("A000", Align.CENTER, largest_fitting("A000", page.columns), bold=True)
    page.text("倍高倍宽 Double", Align.CENTER, Size.DOUBLE)
    page.text("标点：，。、；：？！“”（）《》【】…—·", Align.LEFT)
    page.text("粗体 Bold", bold=True)
    page.text("右对齐 Right", Align.RIGHT)
    page.text("".join(str(n % 10) for n in range(1, page.columns + 1)))
    page.text("汉" * (page.columns // 2))
    page.qr(qr_payload)
    page.text(f"{printed_at:%Y-%m-%d %H:%M:%S}", Align.CENTER)
    return page.done()


def largest_fitting(text: str, columns: int) -> Size:
    sizes = (Size.QUAD, Size.DOUBLE)
    return next((s for s in sizes if _fits(text, columns, s.factor)), Size.NORMAL)


def _fits(text: str, columns: int, factor: int) -> bool:
    return text_width(text) * factor <= columns


def _label_and_value(page: Page, label: str, value: str) -> None:
    """One line when both fit the paper; else the value on a line of its own, so that a long
    value ("约120-150分钟 min" on 58 mm) is never broken with a lone "钟" on the next line."""
    if text_width(label + value) <= page.columns:
        page.text(label + value)
    else:
        page.text(label)
        page.text(value)


def _range_text(minutes: tuple[int, int]) -> str:
    """An ASCII hyphen: any printer's Chinese mode has it (GB2312 lacks the en dash)."""
    low, high = minutes
    if high <= 1:
        return "即将叫号 soon"
    if low == 0:
        return f"{high}分钟内 within {high} min"
    return f"约{low}-{high}分钟 min"


def _wait_text(minutes: int | None) -> str:
    if minutes is None:
        return "暂无 n/a"
    shown = str(minutes) if minutes >= 1 else "<1"
    return f"{shown} 分钟 min"


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    if tz is not None and moment.tzinfo is not None:
        return moment.astimezone(tz)
    return moment


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def require_absolute(url: str, name: str) -> None:
    # A phone cannot open a relative QR: the printed code must carry scheme and host.
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https") or not rest.split("/", 1)[0]:
        raise ValueError(f"{name} must be an absolute http(s) URL, got {url!r}")
