"""A booking checked in at the kiosk (预约签到, issue 15), in Debian's chromium against a real
`hallq serve`: the scanner types the booking's QR URL and Enter into the check-in field (or on the
home screen, where no field has the focus), or the visitor types the code on the on-screen keypad;
the number shown is the server's appointment ticket, and kiosk-1's printer (a file in the demo)
prints 预约 and the slot.

The server runs from Monday 7 December 2026, 09:31 in the hall (`serve --clock-from`), whatever the
real hour and day: the 10:00 slot is still bookable and its check-in open (from 09:30), the 10:30
slot's check-in not yet (from 10:00). Every booking is made through POST /api/v1/appointments and
scanned by the `qr_url` it answers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_appointment_booking import id_number
from tests.support.browser import page_errors, script_errors, shot
from tests.support.escpos_decode import decode
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAY = "2026-12-07"  # a Monday
FROM = f"{DAY}T09:31:00+08:00"
ON_TIME = f"{DAY}T10:00:00+08:00"  # check-in 09:30-10:15
EARLY = f"{DAY}T10:30:00+08:00"  # check-in from 10:00
ITEM = "SCJG-001"  # queue A: window 1 serves it; two fit in a slot


def started(srv: ServerProcess, moment: str) -> ServerProcess:
    srv.extra_args = ["--clock-from", moment]
    srv.start()
    return srv


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("checkin"))
    srv.seed()
    started(srv, FROM)
    r = requests.post(f"{srv.url}/api/v1/windows/1/open", headers=srv.login("scjg01"), timeout=10)
    assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def book(server: ServerProcess, n: int, start: str = ON_TIME, item: str = ITEM) -> dict:
    """A booking through the booking API, as a phone makes it: its answer (with `qr_url`)."""
    r = requests.post(f"{server.url}/api/v1/appointments", timeout=10, json={
        "item": item, "start": start,
        "applicant": {"name": "王小明", "id_number": id_number(100 + n), "phone": f"138{n:08d}"}})
    assert r.status_code == 201, r.text
    return r.json()["appointment"]


def slot_text(booking: dict) -> str:
    return f"{booking['start'][11:16]}-{booking['end'][11:16]}"


def open_kiosk(new_context, server: ServerProcess) -> Page:
    page = new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=1).new_page()
    page.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
    expect(page.locator('[data-dept-count="SCJG"]')).to_have_text(re.compile(r"等候 \d+ 人"))
    return page


def ticket_from_api(server: ServerProcess, page: Page) -> dict:
    src = page.locator("#result-qr").get_attribute("src") or ""
    m = re.fullmatch(r"/t/([^/]+)/qr\.svg", src)
    assert m, src
    r = requests.get(f"{server.url}/api/v1/tickets/{m[1]}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def printed_texts(server: ServerProcess, number: str, timeout: float = 15) -> list[str]:
    """The lines kiosk-1's printer (a file) received, once `number` is among them."""
    path = server.var_dir / "kiosk-1-printer.bin"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            texts = [t.strip() for t in decode(path.read_bytes()).texts]
            if number in texts:
                return texts
        time.sleep(0.2)
    raise AssertionError(f"{number} was not printed within {timeout} s")


def test_a_scanned_booking_checks_in_and_prints_an_appointment_ticket(new_context, server):
    booking = book(server, 1)
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    scan = page.locator("#checkin-code")
    expect(page.locator("#screen-checkin")).to_be_visible()
    expect(scan).to_be_focused()
    expect(page.locator("#checkin-keypad .key-char")).to_have_count(32)
    shot(page, "kiosk-checkin.png")

    # A keyboard-wedge scanner types the QR code's text, then Enter, into the focused field.
    page.keyboard.type(booking["qr_url"])
    page.keyboard.press("Enter")
    expect(page.locator("#screen-result")).to_be_visible()
    ticket = ticket_from_api(server, page)
    assert ticket["priority"] == "appointment" and ticket["item"] == ITEM
    expect(page.locator("#result-number")).to_have_text(ticket["number"])
    slot = slot_text(booking)
    assert slot == "10:00-10:30"
    expect(page.locator("#result-green")).to_have_text(f"预约 Appointment · {slot}")
    expect(page.locator("#result-item")).to_have_text("有限责任公司设立登记")
    shot(page, "kiosk-checkin-ticket.png")

    texts = printed_texts(server, ticket["number"])
    assert "预约 Appointment" in texts
    assert any("预约时段" in t and slot in t for t in texts), texts

    # The same booking scanned again at this kiosk: the same number, not a second one.
    page.locator("#done").click()
    page.locator("#checkin-open").click()
    page.keyboard.type(booking["code"].lower())
    page.keyboard.press("Enter")
    expect(page.locator("#screen-result")).to_be_visible()
    assert ticket_from_api(server, page)["id"] == ticket["id"]
    assert script_errors(errors) == []


def test_a_scan_on_the_home_screen_checks_in(new_context, server):
    """No field has the focus on the home screen: the scanner's burst ending in Enter still opens
    check-in and submits it; keys typed slowly (a person) do not."""
    booking = book(server, 2, item="RSJ-001")
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    expect(page.locator("#screen-home")).to_be_visible()
    page.keyboard.type("ABCDEFGHJK", delay=200)
    page.keyboard.press("Enter")
    expect(page.locator("#screen-home")).to_be_visible()
    page.keyboard.type(booking["qr_url"])
    page.keyboard.press("Enter")
    expect(page.locator("#screen-result")).to_be_visible()
    ticket = ticket_from_api(server, page)
    assert ticket["priority"] == "appointment" and ticket["item"] == "RSJ-001"
    expect(page.locator("#result-green")).to_have_text(f"预约 Appointment · {slot_text(booking)}")
    assert script_errors(errors) == []


def test_the_code_typed_on_the_keypad_checks_in(new_context, server):
    booking = book(server, 3, item="CRJ-001")
    code = booking["code"].replace("-", "")
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    for c in code[:4] + "Q":
        page.locator(f'#checkin-keypad [data-key="{c}"]').click()
    page.locator("#checkin-back").click()  # a wrong key taken back
    for c in code[4:]:
        page.locator(f'#checkin-keypad [data-key="{c}"]').click()
    expect(page.locator("#checkin-code")).to_have_value(f"{code[:5]}-{code[5:]}")
    expect(page.locator("#checkin-code")).to_be_focused()
    page.locator("#checkin-submit").click()
    expect(page.locator("#screen-result")).to_be_visible()
    assert ticket_from_api(server, page)["priority"] == "appointment"
    assert script_errors(errors) == []


def test_too_early_says_from_when_in_chinese_and_english(new_context, server):
    booking = book(server, 4, start=EARLY)  # check-in from 10:00; the server's clock is 09:3x
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    page.keyboard.type(f"{booking['qr_url']}\n")
    expect(page.locator("#checkin-answer")).to_be_visible()
    expect(page.locator("#checkin-answer-title")).to_have_text("签到时间未到")
    expect(page.locator("#checkin-answer-body")).to_contain_text("请于 10:00 后签到")
    expect(page.locator("#checkin-answer-body-en")).to_contain_text("from 10:00")
    shot(page, "kiosk-checkin-early.png")
    page.locator("#checkin-again").click()
    expect(page.locator("#checkin-code")).to_be_focused()
    expect(page.locator("#checkin-code")).to_have_value("")
    # A scan over the answer (here: after it is shown again) starts afresh, no tap needed.
    page.keyboard.type(f"{booking['code']}\n")
    # The second answer must be on screen before the next scan: keys typed while the kiosk waits
    # for the server are nobody's (the busy screen has no field).
    expect(page.locator("#checkin-answer")).to_be_visible()
    expect(page.locator("#checkin-answer-title")).to_have_text("签到时间未到")
    now_booking = book(server, 5, item="HZ-001")
    page.keyboard.type(f"{now_booking['qr_url']}\n")
    expect(page.locator("#screen-result")).to_be_visible()
    assert ticket_from_api(server, page)["priority"] == "appointment"
    assert script_errors(errors) == []


def test_late_without_a_walk_in_number_names_the_deadline_once(new_context, server):
    """`late_walk_in = false`: the server's "已超过签到时间（10:15 前），预约失效，请取普通号" under the
    title 已超过签到时间 reads "应于 10:15 前签到，…", not the title twice."""
    page = open_kiosk(new_context, server)
    body = page.evaluate("""() => import("/kiosk/static/checkin.js").then((m) => [
        m.bodyOf("已超过签到时间", "已超过签到时间（10:15 前），预约失效，请取普通号"),
        m.bodyOf("签到时间未到", "签到时间未到，请于 09:30 后签到（预约时段 10:00）")])""")
    assert body == ["应于 10:15 前签到，预约失效，请取普通号", "请于 09:30 后签到（预约时段 10:00）"]


def test_a_scanned_code_that_is_no_booking_is_said_on_the_spot(new_context, server):
    page = open_kiosk(new_context, server)
    page.locator("#checkin-open").click()
    page.keyboard.type(f"{server.url}/t/someticket\n")
    expect(page.locator("#checkin-message")).to_contain_text("这不是预约二维码")
    page.keyboard.type("ZZZZZ-ZZZZZ\n")
    expect(page.locator("#checkin-answer-title")).to_have_text("未找到该预约")
    expect(page.locator("#checkin-answer-title-en")).to_have_text("No booking has this code")


# -- late: past the grace ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def late(tmp_path_factory) -> Iterator[tuple[ServerProcess, dict, datetime]]:
    """A booking of the 10:00 slot made through the API at 09:31, then the same hall's server
    started again at 10:14:40 (its database kept): the check-in closes at 10:15. The no-show sweep
    runs as the server starts (nothing is missed yet) and then once a minute, so the scan is made
    between 10:15:01 and the next sweep, which would mark the booking a no-show (then the kiosk
    says 该预约无法签到, not 已超过签到时间). Yields the server, the booking and the server's clock
    offset from this machine's."""
    srv = ServerProcess(tmp_path_factory.mktemp("checkin-late"))
    srv.seed()
    started(srv, FROM)
    booking = book(srv, 6)
    srv.stop()
    started(srv, f"{DAY}T10:14:40+08:00")
    r = requests.post(f"{srv.url}/api/v1/tickets", json={"item": "RSJ-001"},
                      headers={"X-Device-Key": srv.device_key("kiosk-2")}, timeout=10)
    assert r.status_code == 201, r.text
    offset = datetime.fromisoformat(r.json()["ticket"]["issued_at"]) - datetime.now(UTC)
    yield srv, booking, offset
    srv.stop()


def test_too_late_gives_a_normal_number_and_says_why(new_context, late):
    server, booking, offset = late
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    until = datetime.fromisoformat(f"{DAY}T10:15:01+08:00")
    wait = (until - (datetime.now(UTC) + offset)).total_seconds()
    assert wait > -30, "the late server took too long: the no-show sweep may have run"
    time.sleep(max(0.0, wait))
    page.keyboard.type(f"{booking['qr_url']}\n")
    expect(page.locator("#screen-result")).to_be_visible()
    ticket = ticket_from_api(server, page)
    assert ticket["priority"] == "normal"
    expect(page.locator("#result-number")).to_have_text(ticket["number"])
    expect(page.locator("#result-green")).to_be_hidden()
    warning = page.locator("#result-warning")
    expect(warning).to_contain_text(f"已为您取普通号 {ticket['number']}")
    expect(warning).to_contain_text(f"a normal number {ticket['number']} was issued instead")
    shot(page, "kiosk-checkin-late.png")
    assert script_errors(errors) == []
    assert timedelta(0) < datetime.now(UTC) + offset - until < timedelta(minutes=1)
