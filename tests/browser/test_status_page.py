"""The visitor's status page (/t/<id>, the ticket's QR code) on a phone-sized chromium against a
real `hallq serve`: it follows the ticket live to the call, through recalls, transfers and a
phone that slept and missed events; once the ticket can no longer be called it drops the alert
and the materials, and while the queue's window is away it says why the wait is unknown."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import page_errors
from tests.support.browser import shot as screenshot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
ITEM = "SCJG-001"   # queue A, served by window 1 (scjg01)


class Hall:
    """The server seen through its HTTP API: a kiosk issues, window staff call."""

    def __init__(self, srv: ServerProcess) -> None:
        self.srv = srv
        self.url = srv.url
        self.kiosk = {"X-Device-Key": srv.device_key("kiosk-2")}
        self.staff = {"scjg01": srv.login("scjg01"), "scjg02": srv.login("scjg02")}

    def post(self, path: str, who: str = "scjg01", **body) -> requests.Response:
        return requests.post(f"{self.url}/api/v1{path}", json=body or None, headers=self.staff[who], timeout=10)

    def issue(self, item: str = ITEM) -> dict:
        r = requests.post(f"{self.url}/api/v1/tickets", json={"item": item}, headers=self.kiosk, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    def ticket(self, ticket_id: str) -> dict:
        return requests.get(f"{self.url}/api/v1/tickets/{ticket_id}", timeout=10).json()["ticket"]

    def call_next(self, window: str = "1", who: str = "scjg01") -> dict:
        r = self.post(f"/windows/{window}/call-next", who)
        assert r.status_code == 200, r.text
        return r.json()["ticket"]

    def finish(self, window: str = "1", who: str = "scjg01") -> None:
        assert self.post(f"/windows/{window}/finish", who).status_code == 200

    def drain(self, window: str = "1", who: str = "scjg01") -> None:
        """Serve everyone still waiting for this window, so each test starts with an empty queue."""
        self.post(f"/windows/{window}/finish", who)
        while (r := self.post(f"/windows/{window}/call-next", who)).status_code == 200:
            self.finish(window, who)
        assert r.status_code == 204, r.text


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("status"))
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


def shot(page: Page, name: str) -> None:
    screenshot(page, name, full_page=True)   # a phone scrolls: the whole page


def open_status(page: Page, hall: Hall, ticket: dict) -> None:
    page.goto(f"{hall.url}/t/{ticket['id']}")
    expect(page.locator("#conn")).to_have_class(re.compile(r"conn-live"))


def test_follows_the_queue_to_the_call_recall_and_the_end(phone, hall):
    hall.drain()
    first, second, mine = hall.issue(), hall.issue(), hall.issue()
    errors = page_errors(phone)
    open_status(phone, hall, mine)
    expect(phone.locator("#number")).to_have_text(mine["number"])
    expect(phone.locator("#state-zh")).to_have_text("排队等候中")
    expect(phone.locator("#ahead")).to_have_text("2")
    expect(phone.locator("#wait")).to_have_text(re.compile(r"约\d+–\d+分钟|\d+分钟内"))  # a range (issue 13)
    expect(phone.locator("#materials li")).to_have_count(5)
    expect(phone.locator("#materials")).to_contain_text("公司章程")
    expect(phone.locator("#materials")).to_contain_text("Articles of association")
    expect(phone.locator("#call")).to_be_hidden()
    shot(phone, "status-1-waiting.png")

    # Someone ahead is called: one fewer ahead, with no reload.
    assert hall.call_next()["id"] == first["id"]
    expect(phone.locator("#ahead")).to_have_text("1", timeout=2000)
    assert hall.ticket(mine["id"])["ahead"] == 1
    hall.finish()
    assert hall.call_next()["id"] == second["id"]
    expect(phone.locator("#ahead")).to_have_text("0", timeout=2000)
    # Next, but window 1 has only just called the one before: within its visit's time, not "now".
    expect(phone.locator("#wait")).to_have_text(re.compile(r"\d+分钟内|约\d+–\d+分钟"))
    hall.finish()

    # This ticket is called at window 1: the page says where to go within 2 s, with a cue.
    assert hall.call_next()["id"] == mine["id"]
    expect(phone.locator("#call")).to_be_visible(timeout=2000)
    expect(phone.locator("#call-window")).to_have_text("1号窗口")
    expect(phone.locator("#call-window-en")).to_have_text("Window 1")
    expect(phone.locator("#call")).to_contain_text("请到 1号窗口 办理")
    expect(phone.locator("#call")).to_contain_text("Please go to Window 1 now")
    expect(phone.locator("body")).to_have_attribute("data-alerts", "1")
    expect(phone).to_have_title(re.compile("请到1号窗口办理"))
    shot(phone, "status-2-called.png")

    assert hall.post("/windows/1/recall").status_code == 200
    expect(phone.locator("body")).to_have_attribute("data-alerts", "2", timeout=2000)
    expect(phone.locator("#call-recall")).to_be_visible()

    hall.finish()
    expect(phone.locator("#state-zh")).to_have_text("办理完毕，感谢您的耐心等待", timeout=2000)
    expect(phone.locator("#call")).to_be_hidden()
    expect(phone.locator("#waiting")).to_be_hidden()
    shot(phone, "status-3-done.png")
    assert errors == [], "the page logged errors (a Content-Security-Policy violation shows here too)"


def test_opened_after_the_call_shows_the_window_at_once(phone, hall):
    hall.drain()
    mine = hall.issue()
    assert hall.call_next()["id"] == mine["id"]
    open_status(phone, hall, mine)
    expect(phone.locator("#call")).to_be_visible()
    expect(phone.locator("#call-window")).to_have_text("1号窗口")
    hall.post("/windows/1/no-show")
    expect(phone.locator("#state-zh")).to_contain_text("已过号", timeout=2000)
    expect(phone.locator("#state-en")).to_contain_text("Missed")
    shot(phone, "status-4-no-show.png")


def test_a_phone_that_slept_catches_up_when_it_wakes(phone, hall):
    """While asleep the page receives nothing (events are lost, at most once); waking up asks
    for a fresh snapshot, and a socket that died in its sleep reconnects and subscribes again."""
    hall.drain()
    first, second, mine = hall.issue(), hall.issue(), hall.issue()
    asleep = {"on": False}
    sockets = []

    def relay(ws):
        server = ws.connect_to_server()
        sockets.append(ws)
        server.on_message(lambda message: None if asleep["on"] else ws.send(message))
        ws.on_message(lambda message: server.send(message))

    phone.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    open_status(phone, hall, mine)
    expect(phone.locator("#ahead")).to_have_text("2")

    asleep["on"] = True
    assert hall.call_next()["id"] == first["id"]
    phone.wait_for_timeout(500)
    expect(phone.locator("#ahead")).to_have_text("2")   # it missed that event
    asleep["on"] = False
    phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(phone.locator("#ahead")).to_have_text("1", timeout=2000)

    # Asleep again, and this time the connection dies: reconnecting brings the page up to date.
    asleep["on"] = True
    hall.finish()
    assert hall.call_next()["id"] == second["id"]
    hall.finish()
    assert hall.call_next()["id"] == mine["id"]
    asleep["on"] = False
    sockets[-1].close()
    expect(phone.locator("#call")).to_be_visible(timeout=5000)
    expect(phone.locator("#call-window")).to_have_text("1号窗口")
    expect(phone.locator("#conn")).to_have_class(re.compile(r"conn-live"))
    hall.finish()


def test_a_transfer_to_another_queue_is_followed_there(phone, hall):
    hall.drain()
    mine = hall.issue()
    open_status(phone, hall, mine)
    assert hall.call_next()["id"] == mine["id"]
    expect(phone.locator("#call")).to_be_visible(timeout=2000)

    # Sent on to queue B (food and drug licensing), which no open window serves yet.
    assert hall.post("/windows/1/transfer", queue="B").status_code == 200
    expect(phone.locator("#call")).to_be_hidden(timeout=2000)
    expect(phone.locator("#state-zh")).to_have_text("暂无窗口办理，请咨询大厅服务台")
    expect(phone.locator("#state-en")).to_have_text("No window is serving this queue now; please ask at the "
                                                    "information desk")
    expect(phone.locator("#wait")).to_have_text("未知")
    shot(phone, "status-5-transferred-unserved.png")

    # Window 5 (queue B) opens: the page hears queue B now, not A.
    try:
        assert hall.post("/windows/5/open", "scjg02").status_code == 200
        expect(phone.locator("#state-zh")).to_have_text("排队等候中", timeout=2000)
        expect(phone.locator("#wait")).to_have_text("即将叫号")
        assert hall.call_next("5", "scjg02")["id"] == mine["id"]
        expect(phone.locator("#call-window")).to_have_text("5号窗口", timeout=2000)
        expect(phone.locator("#call-window-en")).to_have_text("Window 5")
        hall.finish("5", "scjg02")
    finally:
        hall.post("/windows/5/close", "scjg02")


def test_a_visitor_sent_to_a_window_that_closes_is_back_in_line(phone, hall):
    """Article 26: the window a visitor was sent to closes; the phone shows them back in the queue,
    at their place, and the queue's open window calls them (issue #9: it said 即将叫号 forever)."""
    hall.drain()
    mine = hall.issue()
    open_status(phone, hall, mine)
    try:
        assert hall.post("/windows/2/open", "scjg02").status_code == 200   # window 2 serves queue A too
        assert hall.call_next()["id"] == mine["id"]
        assert hall.post("/windows/1/transfer", window="2", note="找陈刚").status_code == 200
        expect(phone.locator("#state-zh")).to_have_text("排队等候中，请留意2号窗口叫号", timeout=2000)

        assert hall.post("/windows/2/close", "scjg02").status_code == 200
        expect(phone.locator("#state-zh")).to_have_text("排队等候中", timeout=2000)
        expect(phone.locator("#ahead")).to_have_text("0")
        expect(phone.locator("#wait")).to_have_text("即将叫号")
        shot(phone, "status-7-back-in-line.png")
        assert hall.call_next()["id"] == mine["id"]
        expect(phone.locator("#call-window")).to_have_text("1号窗口", timeout=2000)
        hall.finish()
    finally:
        hall.post("/windows/2/close", "scjg02")


def test_unknown_ticket_is_a_friendly_page(phone, hall):
    response = phone.goto(f"{hall.url}/t/no-such-ticket")
    assert response is not None and response.status == 404
    expect(phone.locator("h1").first).to_have_text("找不到这张号票")
    expect(phone.locator("h1").nth(1)).to_have_text("We cannot find this ticket")
    shot(phone, "status-6-not-found.png")


# -- past the call, and while the queue's window is away (the second walkthrough) ----------------


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
