"""Booking an appointment (预约, issue #15) on a phone in Debian's chromium against a real
`hallq serve` of the demo hall: a citizen finds the booking page from the guide, picks the service,
a day of the strip and a slot, types a bad ID number and reads the refusal beside the field, books,
sees the code and the QR, and opens the booking's own page. The slot (two places: SCJG-001 takes 20
of queue A's 44 bookable window minutes) is then booked full through the API while a second
citizen has it on screen: their booking is refused as full and the slot shows 已约满 / Full. The
manager's board shows the bookings of that slot; the first citizen cancels on the booking's page
with the last four of the phone, and the board follows.

The server runs from Monday 7 December 2026, 08:00 in the hall (`serve --clock-from`), so the
booking strip (that day and seven more, the weekend of 12-13 December among them) is the same
whatever day and hour the tests run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from server.core.idnumber import check_character
from tests.browser.test_board import sign_in
from tests.support.browser import page_maker, shot, wait_for_image
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ITEM = "SCJG-001"
TODAY = date(2026, 12, 7)  # a Monday: the server's day (--clock-from)
CLOCK_FROM = "2026-12-07T08:00:00+08:00"
PHONE_NUMBER = "13800138000"  # the first citizen's: its last four cancel the booking


def id_number(n: int) -> str:
    first17 = f"11010519850312{n:03d}"
    return first17 + check_character(first17)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("booking"), extra_args=["--clock-from", CLOCK_FROM])
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def open_page(browser) -> Iterator:
    with page_maker(browser, PHONE) as make:
        yield make


def slots(server: ServerProcess, day: str) -> dict:
    r = requests.get(f"{server.url}/api/v1/appointments/slots", params={"item": ITEM, "date": day}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def a_free_slot(server: ServerProcess) -> tuple[str, dict]:
    """A working day after the server's today and its second slot, with every place free."""
    for n in range(1, 8):
        day = (TODAY + timedelta(days=n)).isoformat()
        answer = slots(server, day)
        if not answer["closed"] and len(answer["slots"]) > 1 and answer["slots"][1]["left"] == 2:
            return day, answer["slots"][1]
    pytest.fail("no bookable working day within the horizon")


def book_by_api(server: ServerProcess, start: str, n: int, item: str = ITEM) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/appointments", timeout=10, json={
        "item": item, "start": start, "applicant": {"name": "李四", "id_number": id_number(n), "phone": f"139{n:08d}"}})


def choose(page: Page, server: ServerProcess, day: str, slot: dict) -> None:
    """From the booking page of the item: the day, then the slot."""
    page.locator(f'.day[data-date="{day}"]').click()
    expect(page.locator(f'.day[data-date="{day}"]')).to_have_class(re.compile(r"\bon\b"))
    button = page.locator(f'.slot[data-start="{slot["start"]}"]')
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("#book-form")).to_be_visible()


def test_a_citizen_books_on_a_phone_and_a_second_finds_the_slot_full(server, open_page):
    day, slot = a_free_slot(server)
    page = open_page()
    page.goto(f"{server.url}/guide/")
    page.locator("#home-book").click()
    expect(page).to_have_url(re.compile(r"/guide/book$"))
    expect(page.locator("#pick-item")).to_contain_text("选择办理事项")
    expect(page.locator("#steps")).to_have_attribute("data-step", "item")
    shot(page, "book-phone-item.png")
    # The guide's search finds the item by pinyin initials, as on the guide's home page.
    page.locator("#book-q").fill("gszc")
    expect(page.locator(f'#book-results a[data-item="{ITEM}"]')).to_be_visible()
    page.locator(f'#book-results a[data-item="{ITEM}"]').click()
    expect(page.locator("#chosen-name")).to_have_text("有限责任公司设立登记")

    # The strip: today and the horizon, weekends marked closed rather than left out.
    strip = page.locator("#days .day")
    expect(strip).to_have_count(8)
    closed = page.locator("#days .day.closed")
    assert closed.count() >= 1
    expect(closed.first).to_contain_text("休息")
    expect(closed.first).to_be_disabled()
    expect(page.locator(f'.day[data-date="{day}"] .left')).to_contain_text("余")
    page.locator(f'.day[data-date="{day}"]').click()
    expect(page.locator(f'.slot[data-start="{slot["start"]}"]')).to_contain_text("余 2 个")
    page.locator("#h-slots").scroll_into_view_if_needed()
    shot(page, "book-phone-slots.png")

    choose(page, server, day, slot)
    expect(page.locator("#picked")).to_contain_text(slot["start"][11:16])
    page.locator("#f-name").fill("王小明")
    page.locator("#f-id").fill("110105198503120010")  # a wrong check character
    page.locator("#f-phone").fill(PHONE_NUMBER)
    page.locator("#btn-book").click()
    expect(page.locator("#msg-id_number")).to_contain_text("身份证")
    expect(page.locator("#f-id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#done")).to_be_hidden()

    page.locator("#f-id").fill(id_number(1))
    page.locator("#btn-book").click()
    expect(page.locator("#booked-ok")).to_contain_text("预约成功")
    expect(page.locator("#steps")).to_have_attribute("data-step", "done")
    code = page.locator("#appt-card").get_attribute("data-code")
    assert code and re.fullmatch(r"[0-9A-Z]{10}", code)
    expect(page.locator("#appt-code")).to_have_text(f"{code[:5]}-{code[5:]}")
    expect(page.locator("#appt-checkin")).to_contain_text("到自助取号机扫码签到")
    expect(page.locator("#appt-card")).to_contain_text("3 次预约未到")
    qr = page.locator("#appt-qr")
    expect(qr).to_be_visible()
    wait_for_image(page, "#appt-qr")
    # The applicant shows masked as the server answers it (its last four are the cancel secret).
    expect(page.locator("#appt-card")).to_contain_text("预约人")
    shot(page, "book-phone-done.png", full_page=True)

    # The booking's own page, the QR's address.
    page.locator("#appt-link").click()
    expect(page).to_have_url(re.compile(rf"/a/{code}$"))
    expect(page.locator("#appt-status")).to_have_attribute("data-status", "booked")
    expect(page.locator("#appt-qr")).to_be_visible()
    expect(page.locator("#cancel-box")).to_be_visible()
    qr_text = requests.get(f"{server.url}/a/{code}/qr.svg", timeout=10)
    assert qr_text.status_code == 200 and qr_text.headers["Content-Type"].startswith("image/svg+xml")

    # A second citizen has the slot on screen, one place left; somebody books it first.
    second = open_page()
    second.goto(f"{server.url}/guide/book?item={ITEM}&date={day}")
    expect(second.locator(f'.slot[data-start="{slot["start"]}"]')).to_contain_text("余 1 个")
    choose(second, server, day, slot)
    second.locator("#f-name").fill("赵六")
    second.locator("#f-id").fill(id_number(2))
    second.locator("#f-phone").fill("13700137000")
    assert book_by_api(server, slot["start"], 3).status_code == 201
    second.locator("#btn-book").click()
    expect(second.locator("#slot-msg")).to_contain_text("时段已约满")
    expect(second.locator("#book-form")).to_be_hidden()
    expect(second.locator(f'.slot[data-start="{slot["start"]}"]')).to_be_disabled()
    expect(second.locator(f'.slot[data-start="{slot["start"]}"]')).to_contain_text("已约满")
    expect(second.locator("#done")).to_be_hidden()
    second.locator("#slot-msg").scroll_into_view_if_needed()
    shot(second, "book-full.png")
    # The API says the same: the slot is full.
    assert book_by_api(server, slot["start"], 4).status_code == 409

    # More of the day's bookings in other queues, one of them cancelled, for the board to show.
    others = [("RSJ-001", 2, 5), ("RSJ-001", 2, 6), ("RSJ-002", 3, 7), ("CRJ-001", 4, 8)]
    for item, k, n in others:
        start = requests.get(f"{server.url}/api/v1/appointments/slots", params={"item": item, "date": day},
                             timeout=10).json()["slots"][k]["start"]
        made = book_by_api(server, start, n, item)
        assert made.status_code == 201, made.text
    cancel = requests.post(f"{server.url}/api/v1/appointments/{made.json()['appointment']['code']}/cancel",
                           json={"last4": id_number(8)[-4:]}, timeout=10)
    assert cancel.status_code == 200, cancel.text

    # The manager's board: the slot with its two bookings, its 40 of 44 minutes.
    board = open_page(DESKTOP)
    sign_in(board, server)
    board.locator('.view-btn[data-view="bookings"]').click()
    expect(board.locator("#screen-bookings")).to_be_visible()
    board.locator(f'.bk-day[data-date="{day}"]').click()
    row = board.locator(f'.bk-queue[data-queue="A"] .bk-slot[data-start="{slot["start"]}"]')
    expect(row.locator(".bk-booked")).to_have_text("2")
    expect(row.locator(".bk-awaiting")).to_have_text("2")
    expect(row.locator(".bk-min-text")).to_have_text("40/44")
    # 已约 counts booked and checked in alike; 待签到 those not in yet.
    expect(board.locator("#bk-sum")).to_contain_text("待签到")
    expect(board.locator(f'.bk-day[data-date="{day}"]')).to_contain_text("约 ")
    row.scroll_into_view_if_needed()
    shot(board, "board-bookings.png")

    # The first citizen cancels: a wrong last four is refused, the phone's last four is taken.
    page.locator("#f-last4").fill("0000")
    page.locator("#btn-cancel").click()
    expect(page.locator("#msg-last4")).to_contain_text("后四位不正确")
    page.locator("#f-last4").fill(PHONE_NUMBER[-4:])
    page.locator("#btn-cancel").click()
    expect(page.locator("#cancelled-ok")).to_contain_text("已取消预约")
    expect(page.locator("#appt-status")).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#cancel-box")).to_be_hidden()
    # The board follows the appointment.cancelled event.
    expect(row.locator(".bk-cancelled")).to_have_text("1")
    expect(row.locator(".bk-booked")).to_have_text("1")
    expect(row.locator(".bk-awaiting")).to_have_text("1")


@pytest.mark.parametrize(("status", "code", "zh", "where"), [
    (403, "booking_suspended", "因多次预约未到，预约功能暂停使用", "#msg-form"),
    (429, "too_many", "预约过于频繁", "#msg-form"),
    (400, "invalid_applicant", "手机号码格式不正确", "#msg-phone"),
    (409, "already_booked", "该证件号码当日已预约此事项", "#msg-form"),
])
def test_each_refusal_shows_in_both_languages_where_it_belongs(server, open_page, status, code, zh, where):
    """The answers a test cannot easily provoke on a live hall (a suspension, the address limit) as
    the server words them, handed to the page in place of its own."""
    day, slot = a_free_slot(server)
    page = open_page()
    body = {"error": {"code": code, "message": f"{zh} / refused in English", "message_zh": zh}}
    headers = {"Retry-After": "600"} if status == 429 else {}
    page.route(f"{server.url}/api/v1/appointments", lambda route: route.fulfill(
        status=status, json=body, headers=headers) if route.request.method == "POST" else route.continue_())
    page.goto(f"{server.url}/guide/book?item={ITEM}&date={day}")
    choose(page, server, day, slot)
    page.locator("#f-name").fill("王小明")
    page.locator("#f-id").fill(id_number(9))
    page.locator("#f-phone").fill("12345")
    page.locator("#btn-book").click()
    box = page.locator(where)
    expect(box).to_be_visible()
    expect(box).to_contain_text(zh)
    expect(box).to_contain_text("refused in English")
    if status == 429:
        expect(box).to_contain_text("请 10 分钟后再试")
    expect(page.locator("#done")).to_be_hidden()


def test_the_bookings_page_follows_its_status_to_the_ticket(server, open_page):
    """Checked in at the kiosk: the booking's page shows the number and links to its status page."""
    day, slot = a_free_slot(server)
    made = book_by_api(server, slot["start"], 10)
    assert made.status_code == 201, made.text
    code = made.json()["appointment"]["code"]
    page = open_page()
    page.goto(f"{server.url}/a/{code.lower()}")
    expect(page.locator("#appt-status")).to_have_attribute("data-status", "booked")
    answer = requests.get(f"{server.url}/api/v1/appointments/{code}", timeout=10).json()
    checked_in = {"appointment": {**answer["appointment"], "status": "checked_in",
                                  "ticket": {"id": "t-abc", "number": "A012"}}}
    page.route(f"{server.url}/api/v1/appointments/{code.lower()}", lambda route: route.fulfill(json=checked_in))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#appt-status")).to_have_attribute("data-status", "checked_in")
    expect(page.locator("#appt-ticket")).to_contain_text("您的号码 A012")
    expect(page.locator("#appt-ticket-link")).to_have_attribute("href", "/t/t-abc")
    expect(page.locator("#cancel-box")).to_be_hidden()
    # An unknown code says so.
    page.goto(f"{server.url}/a/ZZZZZ-ZZZZZ")
    expect(page.locator("#appt-missing")).to_contain_text("没有找到这个预约")


def test_a_day_the_server_closes_shows_its_own_words(server, open_page):
    """The slots API's `closed` (here `not_bookable`, an item no slot fits, and `day_over`, today
    after its last slot) labels the day and its message is what the page says."""
    day, _ = a_free_slot(server)
    page = open_page()

    def closed(route):
        asked = route.request.url.split("date=")[-1][:10]
        if asked == TODAY.isoformat():
            code, zh, en = "day_over", "今日预约时段已结束", "today's booking times are over"
        else:
            code, zh, en = "not_bookable", "该事项办理时长超过预约时段，不可预约", "the service fits no slot"
        route.fulfill(json={"item": ITEM, "date": asked, "slots": [],
                            "closed": {"code": code, "message": f"{zh} / {en}", "message_zh": zh}})

    page.route(re.compile(r".*/api/v1/appointments/slots\?.*"), closed)
    page.goto(f"{server.url}/guide/book?item={ITEM}&date={day}")
    expect(page.locator(f'.day[data-date="{TODAY.isoformat()}"]')).to_contain_text("已结束")
    expect(page.locator(f'.day[data-date="{day}"]')).to_contain_text("不可约")
    note = page.locator("#slots-note")
    expect(note).to_contain_text("该事项办理时长超过预约时段，不可预约，请到厅取号办理。")
    expect(note).to_contain_text("the service fits no slot: take a number at the hall.")
    expect(note).not_to_contain_text(" / ")


def test_a_cancel_the_server_fails_says_so_and_a_cancel_stays_said(server, open_page):
    """A 502 page (no JSON) on cancel: 取消未成功，请稍后再试. A cancel that worked: the 已取消预约
    banner stays when the page reads the booking again."""
    _, slot = a_free_slot(server)
    made = book_by_api(server, slot["start"], 30)
    assert made.status_code == 201, made.text
    code = made.json()["appointment"]["code"]
    page = open_page()
    page.route(re.compile(r".*/cancel$"), lambda route: route.fulfill(status=502, body="<html>Bad Gateway</html>",
                                                                      content_type="text/html"))
    page.goto(f"{server.url}/a/{code}")
    page.locator("#f-last4").fill("0030")
    page.locator("#btn-cancel").click()
    expect(page.locator("#msg-last4")).to_contain_text("取消未成功，请稍后再试")
    expect(page.locator("#msg-last4")).to_contain_text("Could not cancel, try again later")
    page.unroute(re.compile(r".*/cancel$"))
    page.locator("#btn-cancel").click()
    expect(page.locator("#cancelled-ok")).to_contain_text("已取消预约")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(500)
    expect(page.locator("#cancelled-ok")).to_contain_text("已取消预约")
    expect(page.locator("#appt-status")).to_have_attribute("data-status", "cancelled")


def test_no_suspension_sentence_when_no_show_limit_is_0(server, open_page):
    """`no_show_limit = 0` suspends nobody: the booking's card leaves the suspension sentence out
    (the page as the server renders it with that hall file: its script tag says 0)."""
    _, slot = a_free_slot(server)
    made = book_by_api(server, slot["start"], 31)
    assert made.status_code == 201, made.text
    code = made.json()["appointment"]["code"]
    page = open_page()

    def zero(route):
        html = route.fetch().text()
        assert 'data-no-show-limit="3"' in html
        route.fulfill(body=html.replace('data-no-show-limit="3"', 'data-no-show-limit="0"'),
                      content_type="text/html; charset=utf-8")

    page.route(f"{server.url}/a/{code}", zero)
    page.goto(f"{server.url}/a/{code}")
    rule = page.locator("#appt-rule")
    expect(rule).to_contain_text("请按时签到")
    expect(rule).not_to_contain_text("暂停预约")
    expect(rule).not_to_contain_text("suspend")
