import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from printers.layout import (
    Align,
    Size,
    sample_page,
    ticket_document,
)
from printers.textwidth import text_width
from server.core.masking import mask_name

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


def test_the_sample_page_has_a_full_width_ruler():
    doc = sample_page(printed_at=datetime(2025, 1, 1), paper_mm=58)
    assert "12345678901234567890123456789012" in doc.text()
    assert "汉" * 16 in doc.text()


def test_layout_stays_pure():
    package = Path(__file__).parents[2] / "printers"
    for name in ("layout.py", "legal_docs.py", "document.py", "textwidth.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        # The pure core (tests/core/test_boundary.py holds it pure) is allowed: its masking rule
        # is the one every screen and slip applies. The rest of the server is not.
        imported = {m for m in imported if not (m == "server.core" or m.startswith("server.core."))}
        assert not {m for m in imported if m.split(".")[0] in {"escpos", "socket", "server", "time"}}, name
