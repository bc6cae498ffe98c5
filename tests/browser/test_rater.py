"""好差评 in Debian's chromium against a real `hallq serve`: the window's rating pad after a finish
in the console, and the rating forms of the phone page and the case progress page.

Staff finish a service in the console → the pad paired to that window shows the staff member's
name and 工号 and the item → the visitor taps 不满意, picks a reason, submits → thank-you → idle
again; the console is told a rating came in, never its value. The pad also drops a rating left
unfinished after its timeout.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_console import press, sign_in_at_window, take
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAD = {"width": 1280, "height": 800}
CONSOLE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
FAST_TIMEOUT_S = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("rater"))
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def pages(browser) -> Iterator[dict[str, Page]]:
    made: dict[str, Page] = {}
    contexts = []
    errors: list[str] = []

    def open_page(name: str, **options) -> Page:
        context = browser.new_context(**{"device_scale_factor": 1, "locale": "zh-CN", **options})
        contexts.append(context)
        page = context.new_page()
        errors.extend(page_errors(page))
        made[name] = page
        return page

    made["open"] = open_page  # type: ignore[assignment]
    yield made
    for context in contexts:
        context.close()
    assert not script_errors(errors), errors


def ratings(server: ServerProcess) -> list[dict]:
    """What the chief sees of the department's ratings: through the outbox rows' bodies (the level
    included), read straight from the database the server writes."""
    from sqlalchemy import select

    from server.db.engine import make_engine
    from server.db.tables import ratings as table

    engine = make_engine(f"sqlite:///{server.var_dir / 'hallq.db'}")
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]
    finally:
        engine.dispose()


def open_pad(page: Page, server: ServerProcess, key: str) -> None:
    page.goto(f"{server.url}/rater/?key={key}")
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    expect(page.locator("#idle")).to_be_visible()
    assert "key=" not in page.url  # the key never stays in the address bar


def test_the_pad_asks_after_a_finish_and_takes_a_poor_rating_with_its_reason(pages, server):
    pad = pages["open"]("pad", viewport=PAD, has_touch=True)
    open_pad(pad, server, server.device_key("rater-1"))
    expect(pad.locator("#pad-window")).to_contain_text("1号窗口")
    expect(pad.locator("#idle")).to_contain_text("服务结束后请您评价")
    expect(pad.locator("#idle")).to_contain_text("Please rate our service after your visit")
    shot(pad, "rater-idle.png")

    console = pages["open"]("console", viewport=CONSOLE)
    sign_in_at_window(console, server)
    t = take(server)
    press(console, "F1")
    expect(console.locator("#t-number")).to_have_text(t["number"])
    press(console, "f")
    expect(console.locator("#dlg-finish")).to_be_visible()
    console.keyboard.press("5")  # consulted
    console.keyboard.press("Control+Enter")
    expect(console.locator("#dlg-finish")).to_be_hidden()

    # The pad, paired to window 1, asks about this service: who served, what.
    expect(pad.locator("#ask")).to_be_visible()
    expect(pad.locator("#ask-name")).to_have_text("张丽")
    expect(pad.locator("#ask-no")).to_have_text("SC101")
    expect(pad.locator("#ask-number")).to_have_text(t["number"])
    expect(pad.locator("#ask-item")).to_have_text("有限责任公司设立登记")
    levels = pad.locator(".rating-level")
    expect(levels).to_have_count(5)
    expect(levels.first).to_contain_text("非常满意")
    expect(levels.last).to_contain_text("非常不满意")
    box = levels.first.bounding_box()
    assert box and box["height"] >= 100 and box["width"] >= 180  # large touch targets
    shot(pad, "rater-request.png")

    pad.locator('.rating-level[data-level="2"]').tap()  # 不满意: the reasons come up
    expect(pad.locator(".rating-tag")).to_have_count(5)
    pad.locator('.rating-tag[data-tag="efficiency"]').tap()
    expect(pad.locator('.rating-tag[data-tag="efficiency"]')).to_have_attribute("aria-pressed", "true")
    shot(pad, "rater-tags.png")
    pad.locator(".rating-submit").tap()
    expect(pad.locator("#thanks")).to_be_visible()
    expect(pad.locator("#thanks")).to_contain_text("感谢您的评价")

    [row] = [r for r in ratings(server) if r["ticket_id"] == t["id"]]
    assert (row["level"], row["tags"], row["channel"], row["window"]) == (2, ["efficiency"], "pad", "1")
    # The console learns that a rating came in, never its value.
    expect(console.locator("body")).to_have_attribute("data-ratings", "1")
    expect(console.locator("#error-text")).to_contain_text("收到一条评价")
    assert "不满意" not in console.locator("#error-text").inner_text()

    # Back to idle after the thank-you.
    expect(pad.locator("#idle")).to_be_visible(timeout=15_000)

    # The phone page of the same ticket: rated already, on the pad.
    phone = pages["open"]("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(t["status_url"].replace("http://127.0.0.1:5000", server.url))
    expect(phone.locator("#rating")).to_contain_text("您已评价过")


def test_an_unfinished_rating_times_out_back_to_idle(pages, server):
    out = server.cli("device", "add", "rater-fast", "--kind", "rater", "--settings",
                     f'{{"window": "2", "timeout_s": {FAST_TIMEOUT_S}}}')
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip().splitlines()[-1]
    pad = pages["open"]("pad", viewport=PAD, has_touch=True)
    open_pad(pad, server, key)
    staff = server.login("scjg02")
    base = f"{server.url}/api/v1/windows/2"
    assert requests.post(f"{base}/open", headers=staff, timeout=10).status_code == 200
    take(server)
    assert requests.post(f"{base}/call-next", headers=staff, timeout=10).status_code == 200
    assert requests.post(f"{base}/finish", headers=staff, timeout=10).status_code == 200
    expect(pad.locator("#ask")).to_be_visible()
    expect(pad.locator("#ask-name")).to_have_text("陈刚")
    pad.locator('.rating-level[data-level="1"]').tap()  # starts, then walks away
    expect(pad.locator(".rating-submit")).to_be_visible()
    expect(pad.locator("#idle")).to_be_visible(timeout=(FAST_TIMEOUT_S + 5) * 1000)
    expect(pad.locator("#ask")).to_be_hidden()


def test_the_phone_page_rates_a_finished_service(pages, server):
    staff = server.login("scjg01")
    t = take(server)
    phone = pages["open"]("phone", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(t["status_url"].replace("http://127.0.0.1:5000", server.url))
    expect(phone.locator("#rating")).to_be_hidden()
    base = f"{server.url}/api/v1/windows/1"
    requests.post(f"{base}/open", headers=staff, timeout=10)
    assert requests.post(f"{base}/call-next", headers=staff, timeout=10).status_code == 200
    assert requests.post(f"{base}/finish", headers=staff, timeout=10).status_code == 200
    # Live: the form comes up once the service is done.
    expect(phone.locator("#rating")).to_be_visible()
    phone.locator('.rating-level[data-level="1"]').tap()
    phone.locator('.rating-tag[data-tag="attitude"]').tap()
    phone.locator("#rating-comment").fill("窗口人员态度冷淡")
    phone.evaluate("document.getElementById('rating').scrollIntoView({block: 'start'})")
    shot(phone, "phone-rating.png")
    phone.locator(".rating-submit").tap()
    expect(phone.locator("#rating")).to_contain_text("感谢您的评价")
    [row] = [r for r in ratings(server) if r["ticket_id"] == t["id"]]
    assert (row["level"], row["tags"], row["comment"], row["channel"]) == (1, ["attitude"], "窗口人员态度冷淡", "phone")
    # A second rating of it, from another phone: already rated.
    other = pages["open"]("phone2", viewport=PHONE, is_mobile=True, has_touch=True)
    other.goto(t["status_url"].replace("http://127.0.0.1:5000", server.url))
    expect(other.locator("#rating")).to_contain_text("您已评价过")


def test_the_case_progress_page_rates_a_delivered_case(pages, server):
    from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT

    staff = server.login("scjg01")
    base = f"{server.url}/api/v1"
    requests.post(f"{base}/windows/1/open", headers=staff, timeout=10)
    take(server)
    assert requests.post(f"{base}/windows/1/call-next", headers=staff, timeout=10).status_code == 200
    r = requests.post(f"{base}/windows/1/finish", headers=staff, timeout=10,
                      json={"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})
    assert r.status_code == 200, r.text
    case = r.json()["case"]
    url = case["progress_url"].replace("http://127.0.0.1:5000", server.url)
    phone = pages["open"]("case", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(url)
    expect(phone.locator(".status")).to_contain_text("已受理")
    expect(phone.locator("#rating")).to_have_count(0)  # not delivered yet: nothing to rate
    for to in ("in_review", "decided_approved", "delivered"):
        r = requests.post(f"{base}/cases/{case['number']}/transition", headers=staff, json={"to": to}, timeout=10)
        assert r.status_code == 200, r.text
    phone.goto(url)
    expect(phone.locator("#rating .rating-level")).to_have_count(5)
    phone.locator('.rating-level[data-level="5"]').tap()
    expect(phone.locator(".rating-tag")).to_have_count(0)  # no reasons asked for a good rating
    phone.locator(".rating-submit").tap()
    expect(phone.locator("#rating")).to_contain_text("感谢您的评价")
    [row] = [r for r in ratings(server) if r["case_number"] == case["number"]]
    assert (row["level"], row["channel"], row["ticket_id"]) == (5, "case", None)
    phone.reload()
    expect(phone.locator("#rating")).to_contain_text("您已评价过")


def test_a_late_answer_never_wipes_the_next_visitors_form(pages, server):
    """A rating post still in flight when the window finishes the next service: the pad shows the
    new request, and the old post's answer, when it comes, neither thanks nor goes idle. A post
    that fails tells the visitor to tap the level again."""
    pad = pages["open"]("pad", viewport=PAD, has_touch=True)
    open_pad(pad, server, server.device_key("rater-1"))
    held: list = []
    pad.route("**/api/v1/tickets/*/rating", lambda route: held.append(route))
    staff = server.login("scjg01")
    base = f"{server.url}/api/v1/windows/1"
    requests.post(f"{base}/open", headers=staff, timeout=10)

    def serve_one() -> dict:
        t = take(server)
        assert requests.post(f"{base}/call-next", headers=staff, timeout=10).status_code == 200
        assert requests.post(f"{base}/finish", headers=staff, timeout=10).status_code == 200
        return t

    first = serve_one()
    expect(pad.locator("#ask-number")).to_have_text(first["number"])
    pad.locator('.rating-level[data-level="5"]').tap()
    expect(pad.locator(".rating-sending")).to_contain_text("提交中")
    expect(pad.locator(".rating-sending")).to_contain_text("Sending")
    assert len(held) == 1

    second = serve_one()  # the next visitor's request, while the first post hangs
    expect(pad.locator("#ask-number")).to_have_text(second["number"])
    expect(pad.locator(".rating-sending")).to_have_count(0)
    held[0].continue_()  # the first answer arrives now: too late for the form on screen
    pad.wait_for_timeout(1500)
    expect(pad.locator("#ask")).to_be_visible()
    expect(pad.locator("#ask-number")).to_have_text(second["number"])
    expect(pad.locator(".rating-level")).to_have_count(5)
    assert [r["level"] for r in ratings(server) if r["ticket_id"] == first["id"]] == [5]

    # The network fails for the second visitor: the pad asks for the tap again.
    pad.unroute("**/api/v1/tickets/*/rating")
    pad.route("**/api/v1/tickets/*/rating", lambda route: route.abort())
    pad.locator('.rating-level[data-level="4"]').tap()
    expect(pad.locator(".rating-error")).to_contain_text("请重新点选")
    expect(pad.locator(".rating-error")).to_contain_text("Please tap your rating again")
    pad.unroute("**/api/v1/tickets/*/rating")
    pad.locator('.rating-level[data-level="4"]').tap()
    expect(pad.locator("#thanks")).to_be_visible()
    assert [r["level"] for r in ratings(server) if r["ticket_id"] == second["id"]] == [4]


def test_the_pad_says_when_it_is_offline(pages, server):
    pad = pages["open"]("pad", viewport=PAD, has_touch=True)
    open_pad(pad, server, server.device_key("rater-1"))
    pad.context.set_offline(True)
    expect(pad.locator("#conn")).to_contain_text("已断开，正在重连", timeout=20_000)
    expect(pad.locator("#conn")).to_contain_text("Offline, reconnecting")
    pad.context.set_offline(False)
    expect(pad.locator("body")).to_have_attribute("data-live", "live", timeout=20_000)
