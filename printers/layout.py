"""The hall's printed documents as pure layouts: a queue ticket and the window's slips.

Builders take plain values (str, int, datetime, lists), never server objects, and return a
`Document` wrapped to the paper's columns. Nothing here knows ESC/POS; see escpos_render.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any

from printers.document import Align, Block, Document, Line, QrCode, Size
from printers.textwidth import columns_for, text_width, wrap
from server.core.masking import mask_name

__all__ = [
    "Align",
    "Document",
    "Line",
    "QrCode",
    "Size",
    "SlipKind",
    "acceptance_slip",
    "mask_name",
    "one_time_notice",
    "refusal_decision",
    "sample_page",
    "slip_document",
    "ticket_document",
]

TICKET_NOTICE = "请留意叫号，过号需重新取号。"
TICKET_NOTICE_EN = "Please listen for your number. If you miss it, take a new ticket."
SAMPLE_QR = "https://example.invalid/hallq/printer-test"


class SlipKind(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理单
    ONE_TIME_NOTICE = "one_time_notice"  # 一次性告知书
    REFUSAL = "refusal"  # 不予受理决定书
    SAMPLE = "sample"  # test page


class _Page:
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
) -> Document:
    """A queue ticket. `issued_at` is printed as given, or converted to `tz` (the hall's zone)
    when both are aware; `wait_minutes` None prints "no estimate". `wait_range_minutes`, when
    given, is printed instead of `wait_minutes`: the range the wait should fall in ("约15-25分钟")."""
    _require_absolute(status_url, "status_url")
    page = _Page(paper_mm)
    page.title(hall_name, hall_name_en)
    page.rule()
    page.text("您的号码 Your number", Align.CENTER)
    page.text(number, Align.CENTER, _largest_fitting(number, page.columns), bold=True)
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


def acceptance_slip(
    *,
    hall_name: str,
    case_number: str,
    item: str,
    applicant_name: str,
    materials_received: Sequence[str],
    accepted_on: date,
    promised_on: date,
    progress_url: str,
    department: str = "",
    window: str = "",
    paper_mm: int = 80,
) -> Document:
    """受理单: the applicant's proof that the case was accepted and by when it will be done."""
    _require_absolute(progress_url, "progress_url")
    page = _Page(paper_mm)
    page.text(hall_name, Align.CENTER)
    page.title("受理单", "Acceptance Slip")
    page.rule()
    page.field("受理编号", case_number)
    page.field("办理事项", item)
    if department:
        page.field("承办部门", department)
    page.field("申请人", mask_name(applicant_name))
    page.field("受理日期", _date_zh(accepted_on))
    page.field("承诺办结", _date_zh(promised_on))
    if window:
        page.field("受理窗口", window)
    page.rule()
    page.text(f"已收材料（{len(materials_received)} 项）：")
    page.numbered(materials_received)
    page.rule()
    page.qr(progress_url)
    page.text("扫码查询办理进度 Scan to follow your case", Align.CENTER)
    page.text("请妥善保管本单，凭此单查询和领取办理结果。")
    return page.done()


def one_time_notice(
    *,
    hall_name: str,
    item: str,
    applicant_name: str,
    missing_materials: Sequence[str],
    issued_on: date,
    note: str = "",
    case_number: str = "",
    department: str = "",
    window: str = "",
    contact: str = "",
    paper_mm: int = 80,
) -> Document:
    """一次性告知书: every missing material at once, so the applicant comes back only once."""
    if not missing_materials:
        raise ValueError("a one-time notice lists at least one missing material")
    page = _Page(paper_mm)
    page.text(hall_name, Align.CENTER)
    page.title("一次性告知书", "Notice of Missing Materials")
    page.rule()
    if case_number:
        page.field("编号", case_number)
    page.field("申请人", mask_name(applicant_name))
    page.field("办理事项", item)
    if department:
        page.field("承办部门", department)
    page.text("您申请的事项材料不齐全或者不符合法定形式，现一次性告知需补正的全部材料如下：")
    page.numbered(missing_materials)
    if note:
        page.field("说明", note)
    page.rule()
    if window:
        page.field("窗口", window)
    if contact:
        page.field("咨询电话", contact)
    page.field("告知日期", _date_zh(issued_on))
    return page.done()


def refusal_decision(
    *,
    hall_name: str,
    case_number: str,
    item: str,
    applicant_name: str,
    reason: str,
    decided_on: date,
    authority: str = "",
    review_body: str = "",
    court: str = "",
    paper_mm: int = 80,
) -> Document:
    """不予受理决定书, with the statement of remedies the applicant is owed: administrative
    review within 60 days (行政复议法 art. 20) or a lawsuit within 6 months (行政诉讼法 art. 46)."""
    if not reason.strip():
        raise ValueError("a refusal decision states its reason")
    page = _Page(paper_mm)
    page.text(hall_name, Align.CENTER)
    page.title("不予受理决定书", "Decision of Non-acceptance")
    page.rule()
    page.field("编号", case_number)
    page.field("申请人", mask_name(applicant_name))
    page.field("申请事项", item)
    page.field("不予受理理由", reason)
    page.rule()
    review = f"向{review_body}" if review_body else "依法"
    page.text(
        "如不服本决定，可以自收到本决定书之日起六十日内"
        f"{review}申请行政复议，或者自收到本决定书之日起六个月内"
        f"向{court or '人民法院'}提起行政诉讼。"
    )
    page.text(
        "If you disagree with this decision, you may apply for administrative review within "
        "60 days, or bring an administrative lawsuit within 6 months, of receiving it."
    )
    page.rule()
    if authority:
        page.text(f"决定机关：{authority}", Align.RIGHT)
    page.text(_date_zh(decided_on), Align.RIGHT)
    return page.done()


def sample_page(
    *, printed_at: datetime, paper_mm: int = 80, profile_name: str = "", qr_payload: str = SAMPLE_QR
) -> Document:
    """A test page showing everything a ticket uses: sizes, hanzi, Chinese punctuation, a
    column ruler to check the paper width, a QR and the cut."""
    page = _Page(paper_mm)
    page.title("打印测试", "Printer test")
    page.text(f"{paper_mm} mm · {page.columns} 列 columns · {profile_name or 'default'}", Align.CENTER)
    page.rule()
    page.text("A000", Align.CENTER, _largest_fitting("A000", page.columns), bold=True)
    page.text("倍高倍宽 Double", Align.CENTER, Size.DOUBLE)
    page.text("标点：，。、；：？！“”（）《》【】…—·", Align.LEFT)
    page.text("粗体 Bold", bold=True)
    page.text("右对齐 Right", Align.RIGHT)
    page.text("".join(str(n % 10) for n in range(1, page.columns + 1)))
    page.text("汉" * (page.columns // 2))
    page.qr(qr_payload)
    page.text(f"{printed_at:%Y-%m-%d %H:%M:%S}", Align.CENTER)
    return page.done()


_SLIP_BUILDERS: dict[SlipKind, Callable[..., Document]] = {
    SlipKind.ACCEPTANCE: acceptance_slip,
    SlipKind.ONE_TIME_NOTICE: one_time_notice,
    SlipKind.REFUSAL: refusal_decision,
    SlipKind.SAMPLE: sample_page,
}


def slip_document(kind: SlipKind | str, **fields: Any) -> Document:
    """A window document by kind; `fields` are the keyword arguments of that kind's builder."""
    try:
        builder = _SLIP_BUILDERS[SlipKind(kind)]
    except ValueError:
        known = ", ".join(k.value for k in SlipKind)
        raise ValueError(f"unknown slip kind {kind!r} (known: {known})") from None
    return builder(**fields)


def _largest_fitting(text: str, columns: int) -> Size:
    sizes = (Size.QUAD, Size.DOUBLE)
    return next((s for s in sizes if _fits(text, columns, s.factor)), Size.NORMAL)


def _fits(text: str, columns: int, factor: int) -> bool:
    return text_width(text) * factor <= columns


def _label_and_value(page: _Page, label: str, value: str) -> None:
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


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _require_absolute(url: str, name: str) -> None:
    # A phone cannot open a relative QR: the printed code must carry scheme and host.
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https") or not rest.split("/", 1)[0]:
        raise ValueError(f"{name} must be an absolute http(s) URL, got {url!r}")
