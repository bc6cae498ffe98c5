"""The board, the city overview and the audit log as a user walkthrough found them: the sign-in
screen's clock is the hall's (not the PC's), a paused window's pause is shown once, every label
has its English, and the overview counts a staffed but paused window instead of showing "0/34".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import page_errors, require_chromium, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HALL_ZONE = ZoneInfo("Asia/Shanghai")  # the demo halls' (config/hall.toml, config/halls/*.toml)
AWAY = "America/New_York"  # a PC 13 hours off the hall's clock
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    require_chromium()
    srv = ServerProcess(tmp_path_factory.mktemp("walkthrough"), extra_args=["--all-halls", "--any-hours"])
    srv.seed()
    srv.start()
    clerk = srv.login("scjg01")
    for action, body in (("open", None), ("pause", {"reason": "暂时离开"})):
        r = requests.post(f"{srv.url}/api/v1/windows/1/{action}", json=body, headers=clerk, timeout=10)
        assert r.status_code == 200, r.text
    time.sleep(2)  # a pause of whole seconds: the board route's total of it is not zero
    yield srv
    srv.stop()


def sign_in(page: Page, server: ServerProcess, user: str) -> None:
    page.goto(f"{server.url}/manage/")
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#screen-board")).to_be_visible()


def hall_minutes() -> set[str]:
    now = datetime.now(HALL_ZONE)
    return {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}


@pytest.mark.parametrize("path", ["/manage/", "/h/east/manage/"])
def test_the_sign_in_screen_shows_the_halls_clock(server, new_context, path):
    page = new_context(viewport=LAPTOP, timezone_id=AWAY).new_page()
    errors = page_errors(page)
    page.goto(server.url + path)
    expect(page.locator("#screen-login")).to_be_visible()
    expect(page.locator("#clock")).not_to_be_empty()
    assert page.locator("#clock").text_content() in hall_minutes()
    shot(page, "board-sign-in-hall-clock.png")
    assert script_errors(errors) == []


def test_a_paused_window_shows_its_pause_once_and_every_label_in_english(server, new_context):
    page = new_context(viewport=LAPTOP, timezone_id=AWAY).new_page()
    errors = page_errors(page)
    sign_in(page, server, "manager")
    tile = page.locator('.win[data-window="1"]')
    expect(tile).to_have_attribute("data-status", "paused")
    expect(tile.locator(".w-foot")).to_contain_text("已办 0 served")
    assert tile.inner_text().count("暂时离开") == 1, tile.inner_text()
    expect(page.locator('tr[data-queue="A"] .q-name .en')).to_be_visible()
    expect(page.locator('tr[data-queue="A"] .q-name .en')).to_have_text("Business Registration")
    shot(page, "board-paused-window-1366.png")
    assert script_errors(errors) == []


def test_the_city_overview_counts_paused_windows_and_names_its_manager_in_english(server, new_context):
    page = new_context(viewport=LAPTOP).new_page()
    errors = page_errors(page)
    sign_in(page, server, "city-manager")
    for report in ("audit", "city"):
        page.goto(f"{server.url}/manage/{report}")
        expect(page.locator("#who")).to_have_text("市级管理员 市政务服务管理局 总览 City manager")
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")
    card = page.locator('article[data-hall="city"]')
    expect(card.locator(".figure .value").nth(2)).to_have_text("0/34 · 暂停 1 paused")
    expect(page.locator("#totals")).to_contain_text("暂停 1 paused")
    shot(page, "city-overview-paused-window.png")
    assert script_errors(errors) == []
