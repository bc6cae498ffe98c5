"""The printed ticket shows the estimated range, never a single false minute (issue 13): the bytes
a Chinese-mode thermal printer receives read back as "约15-25分钟"."""

from __future__ import annotations

import pytest

from server.app.printing import ticket_bytes
from server.core.hall import PrinterProfile
from tests.support.escpos_decode import decode


def view(estimate: int | None, wait_range: list[int] | None) -> dict:
    return {
        "id": "abc", "number": "A007", "queue": "A", "item_name": "企业设立登记", "item_name_en": "Company set-up",
        "ahead": 4, "estimated_wait_s": estimate, "estimated_wait_range_s": wait_range,
        "issued_at": "2026-11-25T10:00:00+08:00", "status_url": "http://127.0.0.1:5000/t/abc",
    }


def printed(hall, v: dict, paper_mm: int = 80) -> list[str]:
    return [line.text for line in decode(ticket_bytes(hall, v, PrinterProfile("p", paper_mm=paper_mm))).lines]


def wait_line(hall, v: dict, paper_mm: int = 80) -> str:
    """The estimate as printed: the label's line, joined with the next when the value had to go
    on a line of its own."""
    lines = printed(hall, v, paper_mm)
    at = [i for i, text in enumerate(lines) if "预计等候" in text]
    assert len(at) == 1, lines
    label = lines[at[0]]
    return label + lines[at[0] + 1] if label.endswith("：") else label


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_the_ticket_prints_the_range_in_minutes(hall, paper_mm):
    assert wait_line(hall, view(1200, [930, 1480]), paper_mm) == "预计等候 Est. wait：约15-25分钟 min"


def test_a_short_wait_prints_as_within_so_many_minutes(hall):
    assert wait_line(hall, view(100, [0, 290])) == "预计等候 Est. wait：5分钟内 within 5 min"
    assert wait_line(hall, view(0, [0, 60])) == "预计等候 Est. wait：即将叫号 soon"


def test_no_window_open_prints_no_number(hall):
    assert wait_line(hall, view(None, None)) == "预计等候 Est. wait：暂无 n/a"


@pytest.mark.parametrize("paper_mm, columns", [(58, 32), (80, 48)])
@pytest.mark.parametrize("wait_range, value", [
    ([7200, 9000], "约120-150分钟 min"),
    ([0, 17940], "300分钟内 within 300 min"),
    ([0, 60], "即将叫号 soon"),
])
def test_a_long_range_prints_whole_on_both_papers(hall, paper_mm, columns, wait_range, value):
    """Three-digit figures on 58 mm paper: the value goes on a line of its own, never broken with a
    lone "钟" on the next line; on 80 mm it fits beside the label."""
    from printers.textwidth import text_width

    lines = printed(hall, view(8000, wait_range), paper_mm)
    at = next(i for i, text in enumerate(lines) if "预计等候" in text)
    if text_width("预计等候 Est. wait：" + value) <= columns:
        assert lines[at] == "预计等候 Est. wait：" + value
    else:
        assert lines[at:at + 2] == ["预计等候 Est. wait：", value]
    assert all(text_width(text) <= columns for text in lines), lines
