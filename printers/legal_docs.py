"""The window's written documents (issue 14): slips, notices and decisions, as pure layouts.

Every document is addressed to the applicant by full name (a paper handed to the applicant is
not masked; screens are), carries its number (文号), the department, the date, the name of the
seal used (article 22), and a verification code with a QR of its /verify page.

`document(kind, paper_mm=..., **fields)` builds one; `fields` are plain JSON values (dates as ISO
strings or `date`s), exactly what the document registry stores, so a reprint or a preview builds
the same paper. Common fields, all required:

    hall_name, title, title_en, number, department, applicant_name, case_number, item,
    issued_on, seal, verify_code (grouped, ABCD-EFGH-...), verify_url

Each kind's own fields are read by its body below; a missing one is a ValueError naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from printers.document import Align, Document, Size
from printers.layout import Page, date_zh, require_absolute
from printers.textwidth import text_width

__all__ = ["BODIES", "document", "rights_text"]

DEFAULT_REFUSAL_BASIS = "《中华人民共和国行政许可法》第三十二条第一款"


class Fields:
    """The fields of one document, read with the name of what is missing when it is."""

    def __init__(self, kind: str, values: Mapping[str, Any]) -> None:
        self.kind, self.values = kind, values

    def text(self, key: str, default: str | None = None) -> str:
        value = self.values.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is not None:
                return default
            raise ValueError(f"a {self.kind} document needs {key!r}")
        return str(value).strip()

    def day(self, key: str) -> str:
        value = self.values.get(key)
        if isinstance(value, date):
            return date_zh(value)
        try:
            return date_zh(date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"a {self.kind} document needs {key!r} as a date, not {value!r}") from None

    def has(self, key: str) -> bool:
        return bool(self.values.get(key))

    def list(self, key: str) -> list[str]:
        value = self.values.get(key) or []
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ValueError(f"{key!r} of a {self.kind} document is a list")
        return [str(v) for v in value]


def rights_text(review_body: str, court: str, review_body_en: str = "", court_en: str = "") -> tuple[str, str]:
    """The remedies against a refusal or a denial: 行政复议 within 60 days (行政复议法 art. 20),
    行政诉讼 within 6 months (行政诉讼法 art. 46), naming the bodies when known."""
    review = f"向{review_body}" if review_body else "依法"
    zh = (f"如不服本决定，可以自收到本决定书之日起六十日内{review}申请行政复议，"
          f"或者自收到本决定书之日起六个月内向{court or '有管辖权的人民法院'}提起行政诉讼。")
    review_en = f" to {review_body_en or review_body}" if review_body else ""
    court_en_text = f" before {court_en or court}" if court else ""
    en = (f"If you disagree with this decision, you may apply for administrative review{review_en} within "
          f"60 days, or bring an administrative lawsuit{court_en_text} within 6 months, of receiving it.")
    return zh, en


# --- the bodies: what each kind says between the heading and the seal -----------------------------


def _case_lines(page: Page, f: Fields, label: str = "受理编号") -> None:
    page.field(label, f.text("case_number"))
    page.field("办理事项", f.text("item"))


def _acceptance(page: Page, f: Fields) -> None:
    _case_lines(page, f)
    page.field("申请人", f.text("applicant_name"))
    page.field("受理日期", f.day("accepted_on"))
    page.field("承诺办结", f.day("promised_on"))
    if f.has("window"):
        page.field("受理窗口", f.text("window"))
    page.rule()
    materials = f.list("materials")
    page.text(f"已收材料（{len(materials)} 项）：")
    page.numbered(materials)
    if f.has("progress_url"):
        page.rule()
        require_absolute(f.text("progress_url"), "progress_url")
        page.qr(f.text("progress_url"))
        page.text("扫码查询办理进度 Scan to follow your case", Align.CENTER)
    page.text("请妥善保管本单，凭此单查询和领取办理结果。")


def _notice(page: Page, f: Fields) -> None:
    page.text(f"{f.text('applicant_name')}：")
    page.text(f"您申请的「{f.text('item')}」材料不齐全或者不符合法定形式，现一次性告知需补正的全部材料如下：")
    missing = f.list("missing")
    if not missing:
        raise ValueError("a one-time notice lists at least one missing material")
    page.numbered(missing)
    if f.has("note"):
        page.field("说明", f.text("note"))
    page.text("补齐后请携带本告知书到窗口办理。Bring this notice with the missing papers.")
    page.field("编号", f.text("case_number"))
    if f.has("window"):
        page.field("窗口", f.text("window"))
    if f.has("contact"):
        page.field("咨询电话", f.text("contact"))


def _addressed(page: Page, f: Fields) -> None:
    page.text(f"{f.text('applicant_name')}：", bold=True)


def _rights(page: Page, f: Fields) -> None:
    page.rule()
    zh, en = rights_text(f.text("review_body", ""), f.text("court", ""), f.text("review_body_en", ""),
                         f.text("court_en", ""))
    page.text(zh)
    page.text(en)


def _refusal(page: Page, f: Fields) -> None:
    _addressed(page, f)
    page.text(f"你（单位）于{f.day('applied_on')}提出的「{f.text('item')}」申请（编号 {f.text('case_number')}），"
              "经审查，本机关决定不予受理。")
    page.field("理由", f.text("reason"))
    page.field("依据", f.text("legal_basis", DEFAULT_REFUSAL_BASIS))
    _rights(page, f)


def _approval(page: Page, f: Fields) -> None:
    _addressed(page, f)
    page.text(f"你（单位）于{f.day('accepted_on')}提出的「{f.text('item')}」申请（受理编号 {f.text('case_number')}），"
              "经审查，符合法定条件、标准，本机关决定准予行政许可。")
    if f.has("legal_basis"):
        page.field("依据", f.text("legal_basis"))
    if f.has("note"):
        page.field("说明", f.text("note"))
    page.text("请凭本决定书及受理单领取办理结果。")


def _denial(page: Page, f: Fields) -> None:
    _addressed(page, f)
    page.text(f"你（单位）于{f.day('accepted_on')}提出的「{f.text('item')}」申请（受理编号 {f.text('case_number')}），"
              "本机关已依法审查。经审查，决定不予行政许可。")
    page.field("理由", f.text("reason"))
    page.field("依据", f.text("legal_basis"))
    _rights(page, f)


def _received(page: Page, f: Fields) -> None:
    _case_lines(page, f, "收件编号")  # nothing accepted yet: no acceptance number
    page.field("申请人", f.text("applicant_name"))
    page.field("收件日期", f.day("received_on"))
    page.rule()
    materials = f.list("materials")
    page.text(f"已收材料（{len(materials)} 项），正在审查是否齐全：")
    page.numbered(materials)
    page.rule()
    page.text(f"本机关将于{f.day('due_on')}前告知是否受理；逾期不告知的，自收到材料之日起即为受理。", bold=True)
    page.text("We will tell you whether the application is accepted by the date above (5 working days).")


def _extension(page: Page, f: Fields) -> None:
    _addressed(page, f)
    page.text(f"你（单位）申请的「{f.text('item')}」（受理编号 {f.text('case_number')}），"
              "因故不能在承诺期限内作出决定，经本机关负责人批准，延长审批期限。")
    page.field("原承诺办结", f.day("previous_promised"))
    page.field("延长至", f.day("promised"))
    page.field("理由", f.text("reason"))
    page.field("依据", f.text("legal_basis"))
    page.field("批准人", f.text("approved_by"))
    page.text("The time limit of your case is extended to the date above.")


def _suspension(page: Page, f: Fields) -> None:
    _addressed(page, f)
    page.text(f"你（单位）申请的「{f.text('item')}」（{f.text('number_label', '受理编号')} {f.text('case_number')}）"
              f"需要{f.text('procedure')}，所需时间不计算在审批期限内。")
    page.field("特别程序", f.text("procedure"))
    page.field("理由", f.text("reason"))
    if f.has("legal_basis"):
        page.field("依据", f.text("legal_basis"))
    page.field("中止计时", f.day("started_on"))
    if f.has("resumed_on"):
        page.field("恢复计时", f.day("resumed_on"))
        page.field("承诺办结", f.day("promised"))
        page.text("The clock of your case runs again; it will be decided by the date above.")
    else:
        page.text("The time this procedure takes is not counted in the time limit of your case.")


Body = Callable[[Page, Fields], None]

# One line per kind: what it says, the words of its number and label live in server.core.documents.
BODIES: dict[str, Body] = {
    "acceptance": _acceptance,
    "concluded": _acceptance,
    "notice": _notice,
    "refusal": _refusal,
    "approval": _approval,
    "denial": _denial,
    "received": _received,
    "extension": _extension,
    "suspension": _suspension,
}


def _seal(page: Page, seal: str) -> None:
    """「（{seal}）」 right-aligned; on paper too narrow for one line, in two halves of the name, so
    that no lone 章） is left on a line of its own."""
    whole = f"（{seal}）"
    if text_width(whole) <= page.columns:
        page.text(whole, Align.RIGHT)
        return
    half = (len(seal) + 1) // 2
    page.text(f"（{seal[:half]}", Align.RIGHT)
    page.text(f"{seal[half:]}）", Align.RIGHT)


def document(kind: str, *, paper_mm: int = 80, **values: Any) -> Document:
    """The document of `kind` with its fields (see the module's docstring)."""
    try:
        body = BODIES[kind]
    except KeyError:
        raise ValueError(f"unknown document kind {kind!r} (known: {', '.join(BODIES)})") from None
    f = Fields(kind, values)
    page = Page(paper_mm)
    page.text(f.text("hall_name"), Align.CENTER)
    title = f.text("title")
    size = Size.DOUBLE if text_width(title) * 2 <= page.columns else Size.NORMAL
    page.text(title, Align.CENTER, size, bold=True)
    page.text(f.text("title_en"), Align.CENTER)
    page.text(f.text("number"), Align.CENTER, bold=True)
    page.rule()
    body(page, f)
    page.rule()
    page.text(f.text("department"), Align.RIGHT)
    _seal(page, f.text("seal"))
    page.text(f.day("issued_on"), Align.RIGHT)
    page.rule()
    page.text("验证码 Verification code", Align.CENTER)
    page.text(f.text("verify_code"), Align.CENTER, bold=True)
    require_absolute(f.text("verify_url"), "verify_url")
    page.qr(f.text("verify_url"))
    page.text("扫码核验真伪 Scan to check it is genuine", Align.CENTER)
    return page.done()
