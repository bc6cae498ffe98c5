"""The manager's board in Debian's chromium against a real `hallq serve`, at 1920×1080 and 1366×768.

A manager signs in and sees every queue and window; a call made at a window through the API
appears on the floor view at once; a queue nobody serves raises the article 26 alert live; the
manager reads the recommendation, moves a window to that queue with a reason, the next call there
comes from it, undo puts it back and the history shows both; a no-show is reactivated from the
tickets tab; a chief representative sees the department only and cannot change another's window.
The server is the truth: each check is what a manager would see after an action somebody else took.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import LateAnswer, page_errors, script_errors, shot
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


# The staffing recommendation reads today's arrival rate: two visitors eight minutes after opening
# are 15 an hour and ask for three windows, the same two at mid-afternoon for one. A test that
# reads the recommendation runs on a hall clock that does not depend on when CI runs.
AFTERNOON = "2026-12-07T15:00:00+08:00"  # a Monday


@pytest.fixture
def afternoon_server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path, extra_args=["--clock-from", AFTERNOON])
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


def api_get(server: ServerProcess, who: dict, path: str) -> dict:
    r = requests.get(f"{server.url}/api/v1{path}", headers=who, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_issue_11_done_when_a_window_moves_to_the_growing_queue_and_back(browser, afternoon_server):
    """Issue #11's "Done when", in the demo hall, on the board."""
    server = afternoon_server
    scjg01, scjg02 = server.login("scjg01"), server.login("scjg02")
    post(server, scjg01, "/windows/1/open")
    post(server, scjg02, "/windows/2/open")
    context = browser.new_context(viewport=WALL, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    sign_in(page, server)
    # The header names the manager and the role once (the demo's name already says 大厅主任).
    expect(page.locator("#who")).to_have_text("大厅主任 王敏 Manager")

    # Queue C (出入境) grows with nobody serving it: the count rises and the article 26 alert with it.
    take(server, {"queue": "C"})
    expect(page.locator('tr.queue[data-queue="C"] .waiting')).to_have_text("1")
    take(server, {"queue": "C"})
    expect(page.locator('tr.queue[data-queue="C"] .waiting')).to_have_text("2")
    alert = page.locator('.alert[data-kind="queue_unserved"][data-queue="C"]')
    expect(alert).to_be_visible()
    expect(alert).to_have_class("alert lv-critical")
    expect(alert).to_contain_text("出入境证件")

    # The recommendation for C, with its figures: no window now, at least one needed, waits ∞ → finite.
    page.locator('.tab[data-tab="staffing"]').click()
    rec = page.locator('#tab-staffing tr[data-queue="C"]')
    expect(rec.locator(".rec-windows")).to_have_text("0 → 1")
    expect(rec.locator(".rec-wait")).to_contain_text("∞ →")
    expect(page.locator("#tab-staffing .method")).to_contain_text("Erlang C")
    expect(page.locator("#tab-staffing [data-unavailable]")).to_have_count(0)
    # What if window 1 moved from A to C: both queues, before and after.
    page.locator("#wi-window").select_option("1")
    page.locator("#wi-from").select_option("A")
    page.locator("#wi-to").select_option("C")
    page.locator("form.whatif button[type=submit]").click()
    expect(page.locator('#whatif-out tr[data-queue="C"]')).to_contain_text("0 → 1")
    expect(page.locator('#whatif-out tr[data-queue="A"]')).to_contain_text("2 → 1")
    shot(page, "board-staffing-1920.png")
    page.set_viewport_size(LAPTOP)
    shot(page, "board-staffing-1366.png")
    page.set_viewport_size(WALL)

    # One action: window 1 leaves A (window 2 still serves it) for C, with a reason.
    page.locator('.win[data-window="1"]').click()
    form = page.locator("#alloc-form")
    form.locator('input[name="q"][value="A"]').uncheck()
    form.locator('input[name="q"][value="C"]').check()
    page.locator("#alloc-reason").fill("出入境积压，1号窗口支援")
    form.locator("button[type=submit]").click()
    expect(page.locator("#tab-alloc .form-msg.ok")).to_be_visible()
    expect(page.locator('.win[data-window="1"] .w-q')).to_have_text("C")
    expect(alert).to_have_count(0)
    assert api_get(server, scjg01, "/windows/1/queues")["queues"] == [{"queue": "C", "weight": 1}]

    # The next call at window 1, made by its clerk, comes from C.
    called = post(server, scjg01, "/windows/1/call-next").json()["ticket"]
    assert called["queue"] == "C"
    expect(page.locator('.win[data-window="1"] .w-number')).to_have_text(called["number"])

    # Undo on the board: C still has a visitor, so the server asks first (article 26); undo anyway.
    page.locator("#btn-undo").click()
    expect(page.locator(".undo-confirm")).to_contain_text("队列C仍有群众等候")
    page.locator("#btn-undo-force").click()
    expect(page.locator("#tab-alloc .form-msg.ok")).to_contain_text("已撤销")
    expect(page.locator('.win[data-window="1"] .w-q')).to_have_text("A")
    assert api_get(server, scjg01, "/windows/1/queues")["queues"] == [{"queue": "A", "weight": 1}]

    # The history shows both changes, newest first: the undo (forced) and the move with its reason.
    page.locator('.tab[data-tab="history"]').click()
    changes = page.locator("#tab-history li.change")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_have_class("change forced undo")
    expect(changes.nth(0).locator(".c-change")).to_have_text("C → A")
    expect(changes.nth(1).locator(".c-change")).to_have_text("A → C")
    expect(changes.nth(1)).to_contain_text("出入境积压，1号窗口支援")
    expect(changes.nth(1)).to_contain_text("大厅主任 manager")
    shot(page, "board-history-1920.png")
    page.set_viewport_size(LAPTOP)
    shot(page, "board-history-1366.png")
    expect(page.locator("[data-unavailable]")).to_have_count(0)
    context.close()
    assert not script_errors(errors), errors


def test_a_no_show_is_reactivated_from_the_tickets_tab(browser, server):
    staff = server.login("scjg01")
    post(server, staff, "/windows/1/open")
    ticket = take(server, {"queue": "A"})
    post(server, staff, "/windows/1/call-next")
    post(server, staff, "/windows/1/no-show")
    context = browser.new_context(viewport=LAPTOP, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    sign_in(page, server)
    page.locator('.tab[data-tab="tickets"]').click()
    page.locator("#t-search").fill(ticket["number"])
    page.locator("#t-search").press("Enter")
    row = page.locator(f'.t-row[data-ticket="{ticket["id"]}"]')
    expect(row).to_contain_text("未到")
    row.locator('[data-act="reactivate"]').click()
    expect(page.locator("#dlg-act")).to_be_visible()
    page.locator("#act-reason").fill("群众回来了")
    page.locator('#act-form button[type="submit"]').click()
    expect(page.locator("#dlg-act")).to_be_hidden()
    expect(row).to_contain_text("等候中")
    expect(page.locator('tr.queue[data-queue="A"] .waiting')).to_have_text("1")
    assert api_get(server, staff, f"/tickets/{ticket['id']}")["ticket"]["status"] == "waiting"
    # ...and now waiting, the same row offers green-channel priority.
    row.locator('[data-act="priority"]').click()
    page.locator("#act-reason").fill("老年人")
    page.locator('#act-form button[type="submit"]').click()
    expect(page.locator("#dlg-act")).to_be_hidden()
    expect(row).to_contain_text("绿色通道")
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
    expect(page.locator("#who")).to_have_text("首席代表 李强 Chief")
    # The holiday calendar is the managers' alert, not the chief's (the board route's list wins).
    expect(page.locator('.alert[data-kind="calendar_gap"]')).to_have_count(0)
    # The chief may change the department's window, not undo the hall's, nor touch another's.
    page.locator('.win[data-window="1"]').click()
    expect(page.locator("#alloc-form")).to_be_visible()
    expect(page.locator("#btn-undo")).to_be_hidden()
    chief = server.login("chief-scjg")
    r = requests.put(f"{server.url}/api/v1/windows/6/queues", headers=chief, timeout=10,
                     json={"queues": [{"queue": "A", "weight": 1}], "reason": "试试"})
    assert r.status_code == 403, r.text
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


def test_the_clock_shows_with_the_first_snapshot_not_a_second_later(browser, server):
    context = browser.new_context(viewport=WALL, locale="zh-CN")
    page = context.new_page()
    # Timers frozen: only the snapshot can fill the clock (it stayed blank until the first tick).
    # Installed at a moment and paused a little after it: pausing at "now" read after installing
    # failed as "fast-forward to the past" whenever the machine was slow between the two calls.
    start = datetime.now()
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=5))
    try:
        sign_in(page, server)
        expect(page.locator("body")).to_have_attribute("data-snapshots", re.compile(r"[1-9]"))
        assert re.fullmatch(r"\d\d:\d\d", page.text_content("#clock") or ""), page.text_content("#clock")
    finally:
        context.close()


def test_a_tab_read_twice_at_once_draws_its_list_once(browser, server):
    """A tab clears its box and fills it from its read's answer. Clicked twice before the first
    answer came (as an action's redraw and its event's both do), both answers filled it and the
    manager saw every proposal, change and recommendation twice."""
    context = browser.new_context(viewport=WALL, device_scale_factor=1, locale="zh-CN")
    try:
        page = context.new_page()
        errors = page_errors(page)
        sign_in(page, server)
        tabs = (("proposals", r".*/api/v1/manage/proposals$", "#tab-proposals ul.proposals"),
                ("history", r".*/api/v1/audit\?since=.*", "#tab-history ol.history"),
                ("staffing", r".*/api/v1/recommendations$", "#tab-staffing table.recs:not(.whatif-table)"))
        for tab, path, drawn in tabs:
            late = LateAnswer(page, path)
            page.locator(f'.tab[data-tab="{tab}"]').click()
            late.wait_read()
            page.locator(f'.tab[data-tab="{tab}"]').click()
            expect(page.locator(drawn)).to_have_count(1)
            late.deliver()
            expect(page.locator(drawn)).to_have_count(1, timeout=1000)
            page.unroute(late.pattern)
        assert not script_errors(errors), errors
    finally:
        context.close()
