"""The manager's board in Debian's chromium against a real `hallq serve`, at 1920×1080 and 1366×768.

A manager signs in and sees every queue and window; a call made at a window through the API
appears on the floor view at once; a queue nobody serves raises the article 26 alert live; a
chief representative sees the department only. The server is the truth: each check is what a
manager would see after an action somebody else took.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WALL = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


def take(server: ServerProcess, body: dict) -> dict:
    r = requests.post(f"{server.url}/api/v1/tickets", json=body,
                      headers={"X-Device-Key": server.device_key("kiosk-1")}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def post(server: ServerProcess, who: dict, path: str, body: dict | None = None) -> requests.Response:
    r = requests.post(f"{server.url}/api/v1{path}", json=body, headers=who, timeout=10)
    assert r.status_code in (200, 204), r.text
    return r


def sign_in(page: Page, server: ServerProcess, user: str = "manager") -> None:
    page.goto(f"{server.url}/manage/")
    expect(page.locator("#screen-login")).to_be_visible()
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#screen-board")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live")


def test_manager_watches_the_floor_live(browser, server):
    staff = server.login("scjg01")
    post(server, staff, "/windows/1/open")
    for _ in range(3):
        take(server, {"queue": "A"})
    context = browser.new_context(viewport=WALL, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    sign_in(page, server)

    # Every queue and every window of the hall, as the server has them.
    expect(page.locator("tr.queue")).to_have_count(18)
    expect(page.locator("#floor .win")).to_have_count(34)
    expect(page.locator('tr.queue[data-queue="A"] .waiting')).to_have_text("3")
    expect(page.locator('.win[data-window="1"]')).to_have_attribute("data-status", "open")
    expect(page.locator('.win[data-window="1"] .w-staff')).to_have_text("张丽")

    # A call at window 1, made elsewhere, shows on its card and in the queue's count.
    called = post(server, staff, "/windows/1/call-next").json()["ticket"]
    expect(page.locator('.win[data-window="1"] .w-number')).to_have_text(called["number"])
    expect(page.locator('tr.queue[data-queue="A"] .waiting')).to_have_text("2")

    # A visitor for a queue nobody serves: the article 26 alert rises without a reload.
    expect(page.locator('.alert[data-kind="queue_unserved"][data-queue="C"]')).to_have_count(0)
    take(server, {"queue": "C"})
    expect(page.locator('.alert[data-kind="queue_unserved"][data-queue="C"]')).to_be_visible()
    expect(page.locator('tr.queue[data-queue="C"]')).to_have_class("queue unserved")
    # ...and falls when a window opens for it.
    post(server, server.login("crj01"), "/windows/6/open")
    expect(page.locator('.alert[data-kind="queue_unserved"][data-queue="C"]')).to_have_count(0)

    post(server, server.login("scjg02"), "/windows/2/open")
    post(server, server.login("scjg02"), "/windows/2/pause", {"reason": "午休"})
    expect(page.locator('.win[data-window="2"]')).to_have_attribute("data-status", "paused")
    page.locator('.win[data-window="1"]').click()
    shot(page, "board-1920.png")
    page.set_viewport_size(LAPTOP)
    shot(page, "board-1366.png")
    context.close()
    assert not script_errors(errors), errors


def test_a_chief_sees_the_department_only(browser, server):
    context = browser.new_context(viewport=LAPTOP, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    sign_in(page, server, "chief-scjg")
    expect(page.locator("#scope")).to_be_visible()
    expect(page.locator("tr.queue")).to_have_count(2)          # queues A and B of 市场监管
    expect(page.locator('tr.queue[data-queue="C"]')).to_have_count(0)
    expect(page.locator('.win[data-window="1"]')).to_be_visible()
    expect(page.locator('.win[data-window="6"]')).to_have_count(0)   # 出入境's window
    # Another department's unserved queue is not the chief's alert.
    take(server, {"queue": "C"})
    take(server, {"queue": "A"})
    expect(page.locator('.alert[data-kind="queue_unserved"][data-queue="A"]')).to_be_visible()
    expect(page.locator('.alert[data-kind="queue_unserved"][data-queue="C"]')).to_have_count(0)
    shot(page, "board-chief-1366.png")
    context.close()
    assert not script_errors(errors), errors


def test_window_staff_are_turned_away(browser, server):
    context = browser.new_context(viewport=LAPTOP, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/manage/")
    page.locator("#login-user").fill("scjg01")
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#login-msg")).to_contain_text("仅供大厅主任和首席代表")
    expect(page.locator("#screen-board")).to_be_hidden()
    context.close()
