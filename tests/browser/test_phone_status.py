"""The visitor's phone page (/t/<id>) past the call and while the queue's window is away: what it
shows once the ticket can no longer be called, and why the wait is unknown during a pause. On a
phone-sized chromium against a real `hallq serve`, live and after a reload."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_status_page import PHONE, Hall, open_status, shot
from tests.support.browser import page_errors
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("phone"))
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def hall(server):
    h = Hall(server)
    assert h.post("/windows/1/open").status_code == 200
    return h


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def expect_callable(page: Page, yes: bool) -> None:
    """The call's alert button and the materials list: only while the ticket may still be called."""
    for selector in ("#sound", "section:has(#materials)"):
        if yes:
            expect(page.locator(selector)).to_be_visible()
        else:
            expect(page.locator(selector)).to_be_hidden(timeout=2000)


def test_a_finished_service_drops_the_alert_and_the_materials(phone, hall):
    hall.drain()
    mine = hall.issue()
    errors = page_errors(phone)
    open_status(phone, hall, mine)
    expect_callable(phone, True)
    assert hall.call_next()["id"] == mine["id"]
    expect(phone.locator("#call")).to_be_visible(timeout=2000)
    expect_callable(phone, True)   # called: the alert is what matters most now

    hall.finish()
    expect(phone.locator("#state-zh")).to_have_text("办理完毕，感谢您的耐心等待", timeout=2000)
    expect_callable(phone, False)
    expect(phone.locator("#rating")).to_be_visible()   # what is left to do: rate the service
    expect(phone.locator("#guide-full")).to_be_visible()
    shot(phone, "status-done-no-alert.png")

    phone.reload()
    expect(phone.locator("#conn")).to_have_class(re.compile(r"conn-live"))
    expect(phone.locator("#rating")).to_be_visible()
    expect_callable(phone, False)
    assert errors == []


def test_a_missed_or_cancelled_ticket_drops_them_too(phone, hall):
    hall.drain()
    missed, cancelled = hall.issue(), hall.issue()
    open_status(phone, hall, missed)
    assert hall.call_next()["id"] == missed["id"]
    expect_callable(phone, True)
    assert hall.post("/windows/1/no-show").status_code == 200
    expect(phone.locator("#state-zh")).to_contain_text("已过号", timeout=2000)
    expect_callable(phone, False)
    expect(phone.locator("#rating")).to_be_hidden()

    open_status(phone, hall, cancelled)
    expect_callable(phone, True)
    r = requests.post(f"{hall.url}/api/v1/manage/tickets/{cancelled['id']}/cancel", json={"reason": "重复取号"},
                      headers=hall.srv.login("manager"), timeout=10)
    assert r.status_code == 200, r.text
    expect(phone.locator("#state-zh")).to_contain_text("此号已作废", timeout=2000)
    expect_callable(phone, False)
    shot(phone, "status-cancelled-no-alert.png")
    phone.reload()
    expect(phone.locator("#state-zh")).to_contain_text("此号已作废")
    expect_callable(phone, False)


def test_a_paused_window_is_why_the_wait_is_unknown(phone, hall):
    hall.drain()
    mine = hall.issue()
    errors = page_errors(phone)
    open_status(phone, hall, mine)
    expect(phone.locator("#wait")).to_have_text(re.compile(r"约\d+–\d+分钟|\d+分钟内|即将叫号"))
    reason = phone.locator(".state")   # the status card: where the wait is, its reason goes
    expect(reason).not_to_contain_text("暂停")
    try:
        # Window 1 is queue A's only open window: its lunch leaves the queue waiting, not stranded.
        assert hall.post("/windows/1/pause", reason="午休").status_code == 200
        expect(phone.locator("#wait")).to_have_text("未知", timeout=2000)
        expect(reason).to_contain_text("1号窗口暂停服务（午休），恢复后开始叫号")
        expect(phone.locator("#wait-reason")).to_be_visible()
        expect(reason).to_contain_text("Window 1 is paused (lunch); calling resumes when it is back")
        expect(phone.locator("#state-zh")).to_have_text("排队等候中")   # not 暂无窗口办理: it will be back
        expect_callable(phone, True)
        shot(phone, "status-paused-lunch.png")

        phone.reload()
        expect(phone.locator("#conn")).to_have_class(re.compile(r"conn-live"))
        expect(reason).to_contain_text("1号窗口暂停服务（午休）")
        expect(phone.locator("#wait")).to_have_text("未知")
    finally:
        assert hall.post("/windows/1/resume").status_code == 200
    expect(reason).not_to_contain_text("暂停", timeout=2000)
    expect(phone.locator("#wait-reason")).to_be_hidden()
    expect(phone.locator("#wait")).to_have_text(re.compile(r"约\d+–\d+分钟|\d+分钟内|即将叫号"))
    assert errors == []
