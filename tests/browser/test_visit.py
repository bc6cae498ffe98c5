"""One whole visit (issue 5, point 7), in three browsers on one real `hallq serve`, as it happens in
the hall: staff sign in at window 1; a visitor takes a number at the kiosk; the console calls it
and the hall screen shows it; the visitor is served and the case accepted; the acceptance slip
comes out of window 1's (fake, network) printer naming the case and the promised date, with a QR
code of the progress page; and the visitor's phone opens that page and sees the case, masked.

The hall config is the demo's with `public_url` set to this server, so the QR code printed on the
slip is an address the phone can open, as in a real hall.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date

import pytest
import requests
from playwright.sync_api import Page, expect

from server.core.idnumber import check_character
from tests.support.browser import page_errors, script_errors, shot
from tests.support.escpos_decode import Decoded, decode
from tests.support.escpos_fake import FakePrinter
from tests.support.server_process import REPO, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KIOSK_VIEW = {"width": 1080, "height": 1920}
HALL_VIEW = {"width": 1920, "height": 1080}
CONSOLE_VIEW = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ITEM = "SCJG-001"          # 有限责任公司设立登记: queue A, which window 1 serves
ITEM_NAME = "有限责任公司设立登记"
STAFF = "scjg01"
APPLICANT = "张三"
PHONE_NUMBER = "13800138000"


@pytest.fixture
def hall(tmp_path) -> Iterator[tuple[ServerProcess, FakePrinter]]:
    server = ServerProcess(tmp_path / "var")
    config = tmp_path / "hall.toml"
    text = (REPO / "config" / "hall.toml").read_text(encoding="utf-8")
    assert text.count('public_url = "http://127.0.0.1:5000"') == 1
    config.write_text(text.replace('public_url = "http://127.0.0.1:5000"', f'public_url = "{server.url}"'),
                      encoding="utf-8")
    server.env["HALLQ_CONFIG"] = str(config)
    server.seed()
    printer = FakePrinter().start()
    try:
        out = server.cli("window", "set-printer", "1", printer.url)
        assert out.returncode == 0, out.stderr
        server.start()
        yield server, printer
    finally:
        server.stop()
        printer.stop()


def id_number() -> str:
    first17 = "11010519900307123"
    return first17 + check_character(first17)


def slip_date(day: date) -> str:
    """As printers/layout.py prints a date on the acceptance slip (_date_zh): 2026年3月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def printed_slip(printer: FakePrinter, progress_url: str, timeout: float = 20.0) -> Decoded:
    """The slip, once the spooler has sent all of it (its QR code and the cut after it)."""
    deadline = time.monotonic() + timeout
    while True:
        data = printer.received
        try:
            slip = decode(data)
        except Exception:  # noqa: BLE001 - a command cut in half: more bytes are on the way
            slip = None
        if slip is not None and progress_url in slip.qr_payloads and slip.cuts:
            return slip
        assert time.monotonic() < deadline, f"no whole acceptance slip after {timeout} s: {data!r}"
        time.sleep(0.1)


def sign_in_at_window_1(page: Page, server: ServerProcess) -> None:
    page.goto(f"{server.url}/console/")
    page.locator("#login-user").fill(STAFF)
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    page.locator('button.win-card[data-window="1"]').click()
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    expect(page.locator("#win-status")).to_contain_text("服务中")


def test_a_whole_visit_from_the_kiosk_to_the_progress_page(hall, new_context):
    server, printer = hall
    console = new_context(viewport=CONSOLE_VIEW, device_scale_factor=1, locale="zh-CN").new_page()
    screen = new_context(viewport=HALL_VIEW, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    kiosk = new_context(viewport=KIOSK_VIEW, device_scale_factor=1, locale="zh-CN").new_page()
    errors = {name: page_errors(page) for name, page in (("console", console), ("hall", screen), ("kiosk", kiosk))}

    # The day begins: window 1 is staffed, and the hall screen is on.
    sign_in_at_window_1(console, server)
    screen.goto(f"{server.url}/display/hall?key={server.device_key('display-hall')}")
    screen.wait_for_function("() => (window.__hallqDisplay?.statusLog || []).some(s => s.status === 'live')",
                             timeout=15_000)

    # The visitor: 市场监督管理局 → 有限责任公司设立登记 → 取号.
    kiosk.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
    expect(kiosk.locator('[data-dept-count="SCJG"]')).to_have_text(re.compile(r"等候 \d+ 人"))
    kiosk.locator('button[data-dept="SCJG"]').click()
    expect(kiosk.locator("#items-title")).to_have_text("市场监督管理局")
    item = kiosk.locator(f'button[data-item="{ITEM}"]')
    expect(item).to_contain_text(ITEM_NAME)
    item.click()
    expect(kiosk.locator("#guide-title")).to_have_text(ITEM_NAME)
    kiosk.locator("#take").click()
    expect(kiosk.locator("#screen-result")).to_be_visible()
    number = kiosk.locator("#result-number").inner_text()
    assert re.fullmatch(r"A\d+", number), number
    expect(kiosk.locator("#result-item")).to_have_text(ITEM_NAME)
    shot(kiosk, "visit-1-kiosk.png")

    # Window 1 calls next: it is this visitor, on the hall screen within 2 s.
    expect(console.locator('li[data-queue="A"] .q-count')).to_have_text("1")
    expect(console.locator('[data-act="next"]')).to_be_enabled()
    pressed = time.monotonic()
    console.keyboard.press("F1")
    expect(screen.locator("#hero-number")).to_have_text(number, timeout=2000)
    expect(screen.locator("#hero-window")).to_have_text("1号窗口", timeout=2000)
    assert time.monotonic() - pressed < 2.0, "the hall screen showed the call more than 2 s after the key"
    expect(console.locator("#t-number")).to_have_text(number)
    expect(console.locator("#t-status")).to_contain_text("已叫号")
    shot(console, "visit-2-console-call.png")
    # The call is announced over the screen, then the screen shows where to go until the next.
    expect(screen.locator("#banner")).to_be_hidden(timeout=30_000)
    expect(screen.locator("#hero-number")).to_have_text(number)
    shot(screen, "visit-3-hall-display.png")

    # The visitor is at the window with every paper: accepted (受理), for 张三.
    expect(console.locator('[data-act="start"]')).to_be_enabled()
    console.keyboard.press("s")
    expect(console.locator("#t-status")).to_contain_text("办理中")
    console.locator("#btn-all").click()
    expect(console.locator('[data-act="finish"]')).to_be_enabled()
    console.keyboard.press("f")
    console.keyboard.press("1")
    expect(console.locator('input[name=outcome][value="accepted"]')).to_be_checked()
    console.locator("#f-name").fill(APPLICANT)
    console.locator("#f-id").fill(id_number())
    expect(console.locator("#f-id-hint")).to_contain_text("校验通过")
    console.locator("#f-phone").fill(PHONE_NUMBER)
    with console.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        console.keyboard.press("Control+Enter")
    assert answer.value.ok, answer.value.text()
    body = answer.value.json()
    case = body["case"]
    assert case["status"] == "accepted" and case["progress_url"].startswith(f"{server.url}/case/")
    assert body["print"]["job"] and not body["print"]["error"], body["print"]
    expect(console.locator("#result-case")).to_have_text(case["number"])
    expect(console.locator("#result-promised")).to_have_text(case["promised_date"])
    expect(console.locator("#result-print")).to_contain_text("受理单已送本窗口打印机")
    # The slip as it prints, drawn by the server (issue 14): shown once drawn.
    expect(console.locator("#result-paper img.paper-img")).to_be_visible()
    shot(console, "visit-4-accepted.png")

    # Window 1's printer prints the slip: the case, the promised date, and the QR of its page.
    slip = printed_slip(printer, case["progress_url"])
    text = "\n".join(slip.texts)
    assert "受理单" in text
    assert f"受理编号：{case['number']}" in text, text
    assert f"承诺办结：{slip_date(date.fromisoformat(case['promised_date']))}" in text, text
    assert f"办理事项：{ITEM_NAME}" in text, text
    # A paper handed to the applicant names them in full (issue 14); the ID number stays off it.
    assert f"申请人：{APPLICANT}" in text and "张*" not in text and id_number() not in text, text
    # The progress page's QR, then the verification page's (issue 14).
    assert slip.qr_payloads == [case["progress_url"], body["document"]["verify_url"]]
    assert body["document"]["verify_code"] in text and body["document"]["number"] in text

    # The visitor scans it: the progress page, on a phone, says where the case stands.
    phone_context = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                locale="zh-CN")
    phone = phone_context.new_page()
    errors["progress"] = page_errors(phone)
    response = phone.goto(case["progress_url"])
    assert response is not None and response.status == 200
    expect(phone.locator("main")).to_contain_text(case["number"])
    expect(phone.locator("main")).to_contain_text(ITEM_NAME)
    expect(phone.locator(".status")).to_contain_text("已受理")
    expect(phone.locator("dd", has_text="张*")).to_have_count(1)
    page_text = phone.locator("body").inner_text()
    assert APPLICANT not in page_text and id_number() not in page_text and PHONE_NUMBER not in page_text
    assert slip_date(date.fromisoformat(case["promised_date"])) in page_text or case["promised_date"] in page_text
    shot(phone, "visit-5-progress.png", full_page=True)

    # And the server agrees with every screen.
    r = requests.get(f"{server.url}/api/v1/cases/{case['number']}", headers=server.login(STAFF), timeout=10)
    assert r.status_code == 200, r.text
    stored = r.json()["case"]
    assert (stored["status"], stored["item"], stored["applicant"]["name"]) == ("accepted", ITEM, APPLICANT)
    assert {name: script_errors(found) for name, found in errors.items()} == {n: [] for n in errors}
