"""Issue 15's "done when", in the demo hall against a real `hallq serve`, in Debian's chromium:
a citizen books a slot on a phone, checks in at the kiosk by scanning the booking's QR, is called
at the slot's time without stopping the walk-in line, and a second citizen cannot book the full
slot.

The server runs from Monday 7 December 2026, 09:59:15 in the hall (`serve --clock-from`), so the
10:00 slot is bookable, its check-in open, and its time comes 45 s after the server's start,
whatever the real hour and day CI runs at (what comes before the slot takes about 7 s; every
second more of margin is a second more of CI waiting). SCJG-001 (20 minutes) fits twice in queue A's 50
bookable window minutes of a slot: two bookings fill it.

Screenshots: docs/screenshots/appointment-day-*.png."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_appointment_booking import id_number
from tests.browser.test_console import STAFF, VIEWPORT, press, sign_in_at_window
from tests.support.browser import page_errors, script_errors, shot, wait_for_image
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ITEM = "SCJG-001"
DAY = "2026-12-07"
START = "2026-12-07T10:00:00+08:00"
SLOT = datetime.fromisoformat(START)
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path, extra_args=["--clock-from", "2026-12-07T09:59:15+08:00"])
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


class Clock:
    """The server's clock, read off a ticket it issued: it runs in real time from --clock-from."""

    def __init__(self, issued_at: str) -> None:
        self.offset = datetime.fromisoformat(issued_at) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def wait_until(self, at: datetime) -> None:
        time.sleep(max(0.0, (at - self.now()).total_seconds()))


def post(server: ServerProcess, path: str, headers: dict | None = None, body: dict | None = None,
         status: int = 200) -> dict:
    r = requests.post(f"{server.url}{path}", headers=headers or {}, json=body or {}, timeout=15)
    assert r.status_code == status, (path, r.status_code, r.text)
    return r.json() if r.content else {}


def walk_in(server: ServerProcess) -> dict:
    return post(server, "/api/v1/tickets", {"X-Device-Key": server.device_key("kiosk-2")}, {"item": ITEM},
                status=201)["ticket"]


def book_form(page: Page, name: str, n: int, phone: str) -> None:
    """On the item's booking page: the day, the 10:00 slot, the form filled in."""
    page.locator(f'.day[data-date="{DAY}"]').click()
    slot = page.locator(f'.slot[data-start="{START}"]')
    expect(slot).to_be_enabled()
    slot.click()
    expect(page.locator("#book-form")).to_be_visible()
    page.locator("#f-name").fill(name)
    page.locator("#f-id").fill(id_number(n))
    page.locator("#f-phone").fill(phone)


def test_booked_checked_in_and_called_at_the_slot_time_while_walk_ins_keep_moving(server, new_context):
    walk_ins = [walk_in(server) for _ in range(3)]
    clock = Clock(walk_ins[0]["issued_at"])
    assert clock.now() < SLOT - timedelta(seconds=25), "the test's start took too long for the 10:00 slot"

    # A citizen books the 10:00 slot on a phone, from the item's guide.
    phone = new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN").new_page()
    errors = [page_errors(phone)]
    phone.goto(f"{server.url}/guide/book?item={ITEM}&date={DAY}")
    expect(phone.locator("#chosen-name")).to_have_text("有限责任公司设立登记")
    expect(phone.locator(f'.slot[data-start="{START}"]')).to_contain_text("余 2 个")
    book_form(phone, "王小明", 11, "13800138000")
    phone.locator("#btn-book").click()
    expect(phone.locator("#booked-ok")).to_contain_text("预约成功")
    code = phone.locator("#appt-card").get_attribute("data-code")
    assert code and re.fullmatch(r"[0-9A-Z]{10}", code)
    wait_for_image(phone, "#appt-qr")
    shot(phone, "appointment-day-booked.png", full_page=True)
    booking = requests.get(f"{server.url}/api/v1/appointments/{code}", timeout=10).json()["appointment"]
    assert booking["start"] == START and booking["status"] == "booked"

    # A second citizen has the slot on screen; a third books its last place first.
    second = new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN").new_page()
    errors.append(page_errors(second))
    second.goto(f"{server.url}/guide/book?item={ITEM}&date={DAY}")
    expect(second.locator(f'.slot[data-start="{START}"]')).to_contain_text("余 1 个")
    book_form(second, "赵六", 12, "13700137000")
    post(server, "/api/v1/appointments", body={"item": ITEM, "start": START, "applicant": {
        "name": "李四", "id_number": id_number(13), "phone": "13600136000"}}, status=201)
    second.locator("#btn-book").click()
    expect(second.locator("#slot-msg")).to_contain_text("时段已约满")
    expect(second.locator(f'.slot[data-start="{START}"]')).to_contain_text("已约满")
    expect(second.locator(f'.slot[data-start="{START}"]')).to_be_disabled()
    shot(second, "appointment-day-full.png")

    # At the kiosk the QR is scanned: a keyboard-wedge scanner types the booking's URL and Enter.
    kiosk = new_context(viewport=KIOSK, device_scale_factor=1).new_page()
    errors.append(page_errors(kiosk))
    kiosk.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
    kiosk.locator("#checkin-open").click()
    expect(kiosk.locator("#checkin-code")).to_be_focused()
    kiosk.keyboard.type(booking["qr_url"])
    kiosk.keyboard.press("Enter")
    expect(kiosk.locator("#screen-result")).to_be_visible()
    expect(kiosk.locator("#result-green")).to_have_text("预约 Appointment · 10:00-10:30")
    number = kiosk.locator("#result-number").inner_text()
    shot(kiosk, "appointment-day-checked-in.png")
    booked = requests.get(f"{server.url}/api/v1/appointments/{code}", timeout=10).json()["appointment"]
    assert booked["status"] == "checked_in" and booked["ticket"]["number"] == number
    ticket_id = booked["ticket"]["id"]
    mine = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10).json()["ticket"]
    assert mine["priority"] == "appointment"

    # Before 10:00 the window calls the walk-ins in their order: the booking is not due yet.
    clerk = server.login(STAFF)
    assert clock.now() < SLOT, "the booking and check-in took past 10:00"
    post(server, "/api/v1/windows/1/open", clerk)
    first = post(server, "/api/v1/windows/1/call-next", clerk)["ticket"]
    assert first["number"] == walk_ins[0]["number"]
    post(server, "/api/v1/windows/1/finish", clerk, {"outcome": "consulted"})
    post(server, "/api/v1/windows/1/close", clerk)

    # At 10:00 the clerk's console calls the booked visitor ahead of the two walk-ins who came first.
    clock.wait_until(SLOT + timedelta(seconds=1))
    console = new_context(viewport=VIEWPORT, device_scale_factor=1, locale="zh-CN").new_page()
    errors.append(page_errors(console))
    sign_in_at_window(console, server)
    press(console, "F1")
    expect(console.locator("#t-number")).to_have_text(number)
    expect(console.locator("#t-flags .flag.appt")).to_contain_text("预约")
    shot(console, "appointment-day-called.png")
    called = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10).json()["ticket"]
    assert called["status"] == "called"
    assert datetime.fromisoformat(called["called_at"]) >= SLOT

    # And the walk-in line keeps moving: the next calls are the walk-ins, in their order.
    post(server, "/api/v1/windows/1/finish", clerk, {"outcome": "consulted"})
    for w in walk_ins[1:]:
        assert post(server, "/api/v1/windows/1/call-next", clerk)["ticket"]["number"] == w["number"]
        post(server, "/api/v1/windows/1/finish", clerk, {"outcome": "consulted"})
    # The booking's page on the phone follows: checked in, with its number.
    phone.goto(booking["qr_url"].replace(booking["qr_url"].split("/a/")[0], server.url))
    expect(phone.locator("#appt-status")).to_have_attribute("data-status", "checked_in")
    expect(phone.locator("#appt-card")).to_contain_text(number)
    assert [script_errors(e) for e in errors] == [[]] * len(errors)
