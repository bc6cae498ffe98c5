"""A booking checked in at the kiosk (预约签到, issue 15), in Debian's chromium against a real
`hallq serve`: the scanner types the booking's QR URL and Enter into the check-in field, or the
visitor types the code on the on-screen keypad; the number shown is the server's appointment
ticket, and kiosk-1's printer (a file in the demo) prints 预约 and the slot.

The server runs on the real clock, and the real day may be one the hall is closed (no slot can be
booked for it through the API), so each booking is written into the server's database for a slot
starting now, as the booking API would have written it (tests/support/bookings.py's shape)."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from server.core.appointment_codes import grouped
from server.core.documents import CROCKFORD
from server.db.appointment_tables import appointments
from server.db.engine import make_engine
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.browser import page_errors, script_errors, shot
from tests.support.escpos_decode import decode
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ITEM = "SCJG-001"  # queue A: window 1 serves it
HALL = load_hall(DEFAULT_CONFIG)
TZ = ZoneInfo(HALL.timezone)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("checkin"))
    srv.seed()
    srv.start()
    r = requests.post(f"{srv.url}/api/v1/windows/1/open", headers=srv.login("scjg01"), timeout=10)
    assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def new_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(10))


def next_slot_start(later_min: int = 0) -> datetime:
    """The next slot boundary (:00 or :30 of the hall's clock) from now, `later_min` minutes on:
    with no delay one whose check-in is open now (it opens 30 minutes before)."""
    now = datetime.now(UTC).astimezone(TZ)
    step = HALL.appointments.slot_minutes
    base = now.replace(minute=0, second=0, microsecond=0)
    start = base + timedelta(minutes=-(-(now - base).total_seconds() // 60 // step) * step)
    return start + timedelta(minutes=later_min)


def book(server: ServerProcess, *, later_min: int = 0, id_number: str = "110101199003074514") -> dict:
    """A booking of ITEM for the next slot (`later_min` minutes after it)."""
    start = next_slot_start(later_min)
    if start.date() != datetime.now(UTC).astimezone(TZ).date():
        pytest.skip("no slot left today in the hall's time zone")
    code = new_code()
    item = HALL.item(ITEM)
    assert item is not None
    row = {
        "id": secrets.token_hex(8), "code": code, "item": ITEM, "queue": item.queue, "day": start.date(),
        "start": start, "end": start + timedelta(minutes=HALL.appointments.slot_minutes), "minutes": 30,
        "name": "王小明", "id_number": id_number, "phone": "13800138000", "status": "booked",
        "created_at": datetime.now(UTC) - timedelta(days=1), "address": "127.0.0.1",
    }
    engine = make_engine(f"sqlite:///{server.var_dir / 'hallq.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(appointments.insert(), row)
    finally:
        engine.dispose()
    return row


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
    booking = book(server)
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    scan = page.locator("#checkin-code")
    expect(page.locator("#screen-checkin")).to_be_visible()
    expect(scan).to_be_focused()
    expect(page.locator("#checkin-keypad .key-char")).to_have_count(32)
    shot(page, "kiosk-checkin.png")

    # A keyboard-wedge scanner types the QR code's text, then Enter, into the focused field.
    page.keyboard.type(f"{HALL.public_url}/a/{grouped(booking['code'])}")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-result")).to_be_visible()
    ticket = ticket_from_api(server, page)
    assert ticket["priority"] == "appointment" and ticket["item"] == ITEM
    expect(page.locator("#result-number")).to_have_text(ticket["number"])
    slot = f"{booking['start']:%H:%M}-{booking['end']:%H:%M}"
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


def test_the_code_typed_on_the_keypad_checks_in(new_context, server):
    booking = book(server, id_number="11010119900307291X")
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    for c in booking["code"][:4] + "Q":
        page.locator(f'#checkin-keypad [data-key="{c}"]').click()
    page.locator("#checkin-back").click()  # a wrong key taken back
    for c in booking["code"][4:]:
        page.locator(f'#checkin-keypad [data-key="{c}"]').click()
    expect(page.locator("#checkin-code")).to_have_value(grouped(booking["code"]))
    expect(page.locator("#checkin-code")).to_be_focused()
    page.locator("#checkin-submit").click()
    expect(page.locator("#screen-result")).to_be_visible()
    assert ticket_from_api(server, page)["priority"] == "appointment"
    assert script_errors(errors) == []


def test_too_early_says_from_when_in_chinese_and_english(new_context, server):
    booking = book(server, later_min=60, id_number="110101199003070011")
    opens = (booking["start"] - timedelta(minutes=HALL.appointments.check_in_before_minutes)).strftime("%H:%M")
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    page.keyboard.type(f"{HALL.public_url}/a/{booking['code']}\n")
    expect(page.locator("#checkin-answer")).to_be_visible()
    expect(page.locator("#checkin-answer-title")).to_have_text("签到时间未到")
    expect(page.locator("#checkin-answer-body")).to_contain_text(f"请于 {opens} 后签到")
    expect(page.locator("#checkin-answer-body-en")).to_contain_text(f"from {opens}")
    shot(page, "kiosk-checkin-early.png")
    page.locator("#checkin-again").click()
    expect(page.locator("#checkin-code")).to_be_focused()
    expect(page.locator("#checkin-code")).to_have_value("")
    # A scan over the answer (here: after it is shown again) starts afresh, no tap needed.
    page.keyboard.type(f"{booking['code']}\n")
    expect(page.locator("#checkin-answer-title")).to_have_text("签到时间未到")
    now_booking = book(server, id_number="110101199003070046")
    page.keyboard.type(f"{HALL.public_url}/a/{now_booking['code']}\n")
    expect(page.locator("#screen-result")).to_be_visible()
    assert ticket_from_api(server, page)["priority"] == "appointment"
    assert script_errors(errors) == []


def test_too_late_gives_a_normal_number_and_says_why(new_context, server):
    booking = book(server, later_min=-60, id_number="110101199003070038")  # began 30 to 60 minutes ago
    page = open_kiosk(new_context, server)
    errors = page_errors(page)
    page.locator("#checkin-open").click()
    page.keyboard.type(f"{booking['code']}\n")
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


def test_a_scanned_code_that_is_no_booking_is_said_on_the_spot(new_context, server):
    page = open_kiosk(new_context, server)
    page.locator("#checkin-open").click()
    page.keyboard.type(f"{server.url}/t/someticket\n")
    expect(page.locator("#checkin-message")).to_contain_text("这不是预约二维码")
    page.keyboard.type("ZZZZZ-ZZZZZ\n")
    expect(page.locator("#checkin-answer-title")).to_have_text("未找到该预约")
    expect(page.locator("#checkin-answer-title-en")).to_have_text("No booking has this code")
