"""The admin page in Debian's chromium against a real `hallq serve` (issue 11, point 8): an admin
adds a member of staff and pairs a hall display without a terminal, and the notice typed on the
page scrolls on that display at once."""

from __future__ import annotations

import pytest
import requests

from tests.browser.test_display import HALL_VIEW, open_display, wait_live
from tests.support.browser import page_errors, require_chromium, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    proc = ServerProcess(tmp_path_factory.mktemp("admin-hall"))
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def test_an_admin_adds_staff_pairs_a_display_and_its_notice_shows_live(server, new_context, browser):
    ctx = new_context(viewport=LAPTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    errors = page_errors(page)
    page.goto(f"{server.url}/manage/admin")
    page.fill("#login-user", "admin")
    page.fill("#login-pass", server.credentials["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#screen-admin:not([hidden])")
    page.wait_for_selector("#users-body tr[data-user=admin]")

    # A new member of staff, who can sign in at once.
    page.fill("#user-username", "zhang.san")
    page.fill("#user-name", "张三")
    page.fill("#user-staff-no", "G-1024")
    page.select_option("#user-role", "window")
    page.select_option("#user-dept", "SCJG")
    page.fill("#user-password", "zhang-san-pw")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("#users-body tr[data-user='zhang.san']")
    assert "张三" in page.text_content("#users-body tr[data-user='zhang.san']")
    r = requests.post(f"{server.url}/api/v1/auth/login", json={"username": "zhang.san", "password": "zhang-san-pw"},
                      timeout=10)
    assert r.status_code == 200 and r.json()["user"]["department"] == "SCJG"

    # A display paired here: its key is shown once and works on the screen.
    page.fill("#device-name", "hall-screen-2")
    page.select_option("#device-kind", "display")
    page.click("#device-form button[type=submit]")
    page.wait_for_selector("#key-box:not([hidden])")
    key = page.text_content("#key-value").strip()
    assert len(key) > 30
    page.wait_for_selector("#devices-body tr[data-device='hall-screen-2']")

    display_ctx, display = open_display(browser, f"{server.url}/display/hall", HALL_VIEW, key)
    try:
        wait_live(display)
        page.click("#key-done")
        assert page.is_hidden("#key-box")

        # The notice typed on the page scrolls on that display, live.
        page.fill("#notice-text", "今日下午系统升级，16:00 后暂停取号。")
        page.fill("#notice-text-en", "System upgrade this afternoon: no new numbers after 16:00.")
        page.click("#notice-save")
        display.wait_for_function(
            "() => document.getElementById('notices-run').textContent.indexOf('系统升级') >= 0", timeout=5000)
        assert "no new numbers" in display.text_content("#notices-run")
        page.wait_for_function(
            "() => document.getElementById('notice-showing').textContent.indexOf('系统升级') >= 0")
        assert "admin" in page.text_content("#notice-meta")
        shot(page, "admin.png", full_page=True)

        # A display's settings changed here reach it at once (it takes a fresh snapshot).
        row = "#devices-body tr[data-device='hall-screen-2']"
        page.click(f"{row} button[data-act=edit]")
        page.fill(f"{row} input[data-field=windows]", "1,2")
        page.fill(f"{row} input[data-field=title]", "一楼东 · East")
        page.click(f"{row} button[data-act=save]")
        display.wait_for_function(
            "() => document.getElementById('zone').textContent.indexOf('一楼东') >= 0", timeout=8000)
        assert "窗口 windows: 1,2" in page.text_content(row)
        assert not script_errors(display.errors)
    finally:
        display_ctx.close()
    assert not script_errors(errors)


def test_a_manager_sees_the_lists_but_no_buttons_that_change_them(server, new_context):
    page = new_context(viewport=LAPTOP, locale="zh-CN").new_page()
    page.goto(f"{server.url}/manage/admin")
    page.fill("#login-user", "manager")
    page.fill("#login-pass", server.credentials["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#users-body tr[data-user=admin]")
    assert page.is_visible("#read-only")
    assert page.is_hidden("#user-form") and page.is_hidden("#device-form")
    assert page.locator("#users-body button").count() == 0
    assert page.is_visible("#notice-save")


def test_an_admin_pairs_a_rating_pad_to_a_window_and_the_pad_names_it(server, new_context):
    ctx = new_context(viewport=LAPTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    errors = page_errors(page)
    page.goto(f"{server.url}/manage/admin")
    page.fill("#login-user", "admin")
    page.fill("#login-pass", server.credentials["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#screen-admin:not([hidden])")

    page.fill("#device-name", "pad-window-2")
    page.select_option("#device-kind", "rater")
    assert page.is_visible("#device-window") and page.is_hidden("#device-zone")
    page.select_option("#device-window", "2")
    page.click("#device-form button[type=submit]")
    page.wait_for_selector("#key-box:not([hidden])")
    key = page.text_content("#key-value").strip()
    row = "#devices-body tr[data-device='pad-window-2']"
    page.wait_for_selector(row)
    assert "评价器" in page.text_content(row) and "faces window 2" in page.text_content(row)

    pad = new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    pad_errors = page_errors(pad)
    pad.goto(f"{server.url}/rater/?key={key}")
    pad.wait_for_selector("#idle:not([hidden])")
    pad.wait_for_function("() => document.getElementById('pad-window').textContent.indexOf('2') >= 0")
    assert not script_errors(errors) and not script_errors(pad_errors)
