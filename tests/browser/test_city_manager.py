"""The city's manager (an account of no hall) on the city overview and on a hall's board, as a
user walkthrough found them: the overview's times are the hall's, its longest wait reads as the
boards' ("5:51", not a rounded-up "6" min), and the board's header names the account for what it
is (市级管理员, not 大厅主任) without breaking a word on a 1280–1440 px laptop.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.demo import DEMO_PASSWORD
from tests.support.browser import page_errors, require_chromium, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER = "city-manager"
HALL_ZONE = ZoneInfo("Asia/Shanghai")  # the demo hall's (config/hall.toml)
AWAY = "America/New_York"  # a PC whose clock is 13 hours off the hall's

# Every text in the header drawn on more than one line: a word broken by the layout.
BROKEN = """() => {
  const broken = [];
  const walk = document.createTreeWalker(document.querySelector('header.top'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.textContent.trim() || !n.parentElement.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (lines.size > 1) broken.push(n.textContent.trim());
  }
  return broken;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    srv = ServerProcess(tmp_path_factory.mktemp("city-manager"))
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


def sign_in(page, server: ServerProcess) -> None:
    page.goto(f"{server.url}/manage/")
    page.locator("#login-user").fill(USER)
    page.locator("#login-pass").fill(DEMO_PASSWORD)
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#screen-board")).to_be_visible()


def seconds_apart(clock: str, moment: datetime) -> int:
    h, m, s = (int(x) for x in clock.split(":"))
    d = abs(h * 3600 + m * 60 + s - (moment.hour * 3600 + moment.minute * 60 + moment.second))
    return min(d, 86400 - d)


def test_the_overview_shows_the_halls_clock_and_waits_as_the_boards_do(server, new_context):
    page = new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id=AWAY).new_page()
    errors = page_errors(page)

    # A visitor of the municipal center has waited 351 s: its board shows 5:51.
    def longer_wait(route):
        body = route.fetch().json()
        for hall in body["halls"]:
            if hall["code"] == "city":
                hall.update(waiting=1, longest_wait_s=351)
        body["totals"].update(waiting=1, longest_wait_s=351)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/city", longer_wait)
    sign_in(page, server)
    page.goto(f"{server.url}/manage/city")
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")
    card = page.locator('article[data-hall="city"]')
    expect(card.locator(".figure").nth(1)).to_contain_text("最长等候")
    expect(card.locator(".figure .value").nth(1)).to_have_text("5:51")
    expect(page.locator("#totals")).to_contain_text("5:51")
    expect(page.locator('article[data-hall="east"] .figure .value').nth(1)).to_have_text("—")  # nobody waits
    updated = page.locator("#updated").text_content() or ""
    assert updated.startswith("更新于 Updated "), updated
    assert seconds_apart(updated.split()[-1], datetime.now(HALL_ZONE)) < 120, updated
    shot(page, "city-overview-hall-clock.png")
    assert script_errors(errors) == []


@pytest.mark.parametrize("width", [1440, 1366, 1280])
def test_the_board_header_names_the_city_manager_and_breaks_no_word(server, new_context, width):
    page = new_context(viewport={"width": width, "height": 900}, locale="zh-CN").new_page()
    errors = page_errors(page)
    sign_in(page, server)
    expect(page.locator("#who")).to_have_text("市级管理员 市政务服务管理局 总览 City manager")
    expect(page.locator("#link-city")).to_be_visible()
    assert page.evaluate(BROKEN) == []
    shot(page, f"board-city-manager-{width}.png")
    assert script_errors(errors) == []
