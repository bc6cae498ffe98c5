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


def wait_line(hall, v: dict, paper_mm: int = 80) -> str:
    data = ticket_bytes(hall, v, PrinterProfile("p", paper_mm=paper_mm))
    lines = [line.text for line in decode(data).lines if "预计等候" in line.text]
    assert len(lines) == 1, [line.text for line in decode(data).lines]
    return lines[0]


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_the_ticket_prints_the_range_in_minutes(hall, paper_mm):
    assert wait_line(hall, view(1200, [930, 1480]), paper_mm) == "预计等候 Est. wait：约15-25分钟"


def test_a_short_wait_prints_as_within_so_many_minutes(hall):
    assert wait_line(hall, view(100, [0, 290])) == "预计等候 Est. wait：5分钟内"
    assert wait_line(hall, view(0, [0, 60])) == "预计等候 Est. wait：即将叫号 soon"


def test_no_window_open_prints_no_number(hall):
    assert wait_line(hall, view(None, None)) == "预计等候 Est. wait：暂无 n/a"
