import ast
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from printers.layout import (
    Align,
    Size,
    SlipKind,
    acceptance_slip,
    mask_name,
    one_time_notice,
    refusal_decision,
    sample_page,
    slip_document,
    ticket_document,
)
from printers.textwidth import text_width

TICKET = dict(
    hall_name="某市政务服务中心",
    hall_name_en="City Government Service Center",
    number="A007",
    department="公安局",
    department_en="Public Security Bureau",
    item="户口迁移",
    item_en="Household registration transfer",
    people_ahead=5,
    wait_minutes=15,
    issued_at=datetime(2025, 11, 25, 9, 31),
    status_url="https://hall.example.cn/t/abc123",
)


def ticket(**changes):
    return ticket_document(**{**TICKET, **changes})


@pytest.mark.parametrize("paper_mm, columns", [(58, 32), (80, 48)])
def test_a_ticket_fits_its_paper(paper_mm, columns):
    doc = ticket(paper_mm=paper_mm)
    assert doc.columns == columns
    assert all(text_width(line.text) * line.size.factor <= columns for line in doc.lines)


def test_a_ticket_shows_the_number_at_quad_size_and_the_status_url_as_qr():
    doc = ticket()
    number = next(line for line in doc.lines if line.text == "A007")
    assert (number.size, number.align, number.bold) == (Size.QUAD, Align.CENTER, True)
    assert doc.qr_payloads == ("https://hall.example.cn/t/abc123",)
    assert doc.cut


def test_a_ticket_says_who_is_ahead_how_long_and_when():
    text = ticket().text()
    for expected in ("某市政务服务中心", "公安局", "户口迁移", "People ahead：5", "15 分钟", "2025-11-25 09:31"):
        assert expected in text
    assert "请留意叫号，过号需重新取号" in text
    assert "take a new ticket" in text


def test_a_number_too_long_for_quad_size_is_printed_smaller():
    doc = ticket(number="VIP-00012", paper_mm=58)
    assert next(line for line in doc.lines if line.text == "VIP-00012").size is Size.DOUBLE


def test_the_issue_time_is_printed_in_the_hall_zone():
    issued = datetime(2025, 11, 25, 1, 31, tzinfo=UTC)
    text = ticket(issued_at=issued, tz=timezone(timedelta(hours=8))).text()
    assert "2025-11-25 09:31" in text


def test_an_unknown_wait_is_said_so():
    assert "n/a" in ticket(wait_minutes=None).text()


@pytest.mark.parametrize("url", ["/t/abc", "hall.example.cn/t/abc", "ftp://x/t", "https:///t"])
def test_the_qr_must_be_an_absolute_url(url):
    with pytest.raises(ValueError, match="absolute"):
        ticket(status_url=url)


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("王小明", "王*明"), ("欧阳娜娜", "欧**娜"), ("John Smith", "J*** S****"), ("", "")],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_an_acceptance_slip_lists_materials_and_masks_the_applicant():
    doc = acceptance_slip(
        hall_name="某市政务服务中心",
        case_number="SL-20251125-0001",
        item="营业执照设立登记",
        applicant_name="王小明",
        materials_received=["身份证原件", "租赁合同（复印件）"],
        accepted_on=date(2025, 11, 25),
        promised_on=date(2025, 12, 2),
        progress_url="https://hall.example.cn/c/SL-20251125-0001",
        paper_mm=58,
    )
    text = doc.text()
    assert "受理单" in text and "王*明" in text and "王小明" not in text
    assert "1. 身份证原件" in text and "2. 租赁合同（复印件）" in text
    assert "2025年12月2日" in text
    assert doc.qr_payloads == ("https://hall.example.cn/c/SL-20251125-0001",)


def test_a_one_time_notice_lists_every_missing_material():
    missing = ["户口簿原件", "近期免冠照片两张", "房屋产权证明"]
    doc = one_time_notice(
        hall_name="某市政务服务中心",
        item="户口迁移",
        applicant_name="李四",
        missing_materials=missing,
        note="补齐后可在任一综合窗口提交",
        issued_on=date(2025, 11, 25),
    )
    text = doc.text()
    assert "一次性告知书" in text
    assert all(f"{n}. {m}" in text for n, m in enumerate(missing, 1))
    assert "补齐后可在任一综合窗口提交" in text


def test_a_one_time_notice_without_missing_materials_is_refused():
    with pytest.raises(ValueError, match="missing material"):
        one_time_notice(hall_name="h", item="i", applicant_name="n", missing_materials=[], issued_on=date.today())


def test_a_refusal_decision_states_the_reason_and_the_remedies():
    doc = refusal_decision(
        hall_name="某市政务服务中心",
        case_number="BY-0001",
        item="户口迁移",
        applicant_name="李四",
        reason="申请事项不属于本机关职权范围",
        decided_on=date(2025, 11, 25),
        authority="某市公安局",
        review_body="某市人民政府",
        paper_mm=58,
    )
    flat = "".join(doc.text().split("\n"))
    assert "不予受理决定书" in flat
    assert "申请事项不属于本机关职权范围" in flat
    assert "六十日内向某市人民政府申请行政复议" in flat
    assert "六个月内向人民法院提起行政诉讼" in flat
    assert "within 60 days" in " ".join(doc.text().split("\n"))


def test_slip_document_builds_by_kind_and_names_the_known_kinds():
    doc = slip_document(SlipKind.SAMPLE, printed_at=datetime(2025, 1, 1), paper_mm=58)
    assert doc == sample_page(printed_at=datetime(2025, 1, 1), paper_mm=58)
    assert slip_document("sample", printed_at=datetime(2025, 1, 1)).columns == 48
    with pytest.raises(ValueError, match="unknown slip kind 'receipt'.*acceptance"):
        slip_document("receipt")


def test_the_sample_page_has_a_full_width_ruler():
    doc = sample_page(printed_at=datetime(2025, 1, 1), paper_mm=58)
    assert "12345678901234567890123456789012" in doc.text()
    assert "汉" * 16 in doc.text()


def test_layout_stays_pure():
    package = Path(__file__).parents[2] / "printers"
    for name in ("layout.py", "document.py", "textwidth.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        # The pure core (tests/core/test_boundary.py holds it pure) is allowed: its masking rule
        # is the one every screen and slip applies. The rest of the server is not.
        imported = {m for m in imported if not (m == "server.core" or m.startswith("server.core."))}
        assert not {m for m in imported if m.split(".")[0] in {"escpos", "socket", "server", "time"}}, name
