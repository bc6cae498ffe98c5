"""The phone page shows the estimated range, never a single false minute, and moves it live once
the estimate has drifted past its threshold (issue 13; docs/screenshots/phone-wait-range.png)."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_status_page import PHONE, Hall, open_status, shot
from tests.support.browser import page_errors
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def words(ticket: dict) -> str:
    """kiosk/static/wait.js's wording, written again: the range in whole minutes, to 5 past 10."""
    low, high = ticket["estimated_wait_range_s"]
    step = 1 if high < 600 else 5
    lo, hi = math.floor(low / 60 / step) * step, math.ceil(high / 60 / step) * step
    hi = max(hi, lo + step)
    if hi <= 1:
        return "即将叫号"
    return f"{hi}分钟内" if lo == 0 else f"约{lo}–{hi}分钟"


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("waits"))
    srv.seed()
    srv.start()
    h = Hall(srv)
    assert h.post("/windows/1/open").status_code == 200
    yield h
    srv.stop()


def test_the_phone_shows_the_range_and_follows_it_as_the_line_moves(browser, hall):
    hall.drain()
    hall.issue()
    hall.call_next()  # window 1 is busy with the first visitor
    ahead = [hall.issue() for _ in range(3)]
    mine = hall.issue()
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    phone = context.new_page()
    errors = page_errors(phone)
    open_status(phone, hall, mine)
    shown = hall.ticket(mine["id"])
    expect(phone.locator("#ahead")).to_have_text("3")
    expect(phone.locator("#wait")).to_have_text(words(shown))
    expect(phone.locator("#wait")).to_have_text(re.compile(r"^约\d+–\d+分钟$"))
    expect(phone.locator("#wait-en")).to_have_text(re.compile(r"^About \d+–\d+ min$"))
    shot(phone, "phone-wait-range.png")

    # Two visitors ahead are served: the estimate drops by two visits, far past the threshold, and
    # the page moves the range without a reload.
    for _ in range(2):
        hall.finish()
        hall.call_next()
    expect(phone.locator("#ahead")).to_have_text("1", timeout=3000)
    now = hall.ticket(mine["id"])
    assert now["estimated_wait_range_s"][1] < shown["estimated_wait_range_s"][1] - 600
    expect(phone.locator("#wait")).not_to_have_text(words(shown), timeout=3000)
    # The page moves its range only past the drift threshold (2 minutes or a fifth of the range's
    # top), so what it shows is within that of the server's latest, give or take its rounding.
    lo, hi = (int(x) for x in re.findall(r"\d+", phone.locator("#wait").inner_text()))
    server_lo, server_hi = (int(x) for x in re.findall(r"\d+", words(now)))
    tolerance = max(2, 0.2 * hi) + 5
    assert abs(lo - server_lo) <= tolerance and abs(hi - server_hi) <= tolerance
    hall.drain()
    assert ahead and errors == []
    context.close()
