"""The kiosk in Debian's chromium against a real `hallq serve`: both orientations, the green
channel, English, refusals, and a server that goes away. The page may show a number only when
the server issued it, so every number on screen is checked against GET /api/v1/tickets/{id}."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import page_errors, shot
from tests.support.server_process import REPO, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}
ITEM = "SCJG-001"          # 有限责任公司设立登记, queue A: window 1 serves it
CLOSED_ITEM_DEPT = "CRJ"   # queue C: no window open in these tests, and the demo hall refuses then


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("kiosk"))
    srv.seed()
    srv.start()
    # Window 1 (queue A) is open: its items issue numbers; queue C has no window and refuses.
    r = requests.post(f"{srv.url}/api/v1/windows/1/open", headers=srv.login("scjg01"), timeout=10)
    assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def open_kiosk(browser, server: ServerProcess, orientation: str, key: str | None = None, url: str | None = None):
    context = browser.new_context(viewport=SIZES[orientation], device_scale_factor=1)
    page = context.new_page()
    key = key if key is not None else server.device_key("kiosk-1")
    page.goto(url or f"{server.url}/kiosk/?key={key}")
    return context, page


def wait_live(page: Page) -> None:
    """Live: the hall room's counts are on the department buttons."""
    expect(page.locator('[data-dept-count="SCJG"]')).to_have_text(re.compile(r"等候 \d+ 人|\d+ waiting"))


def to_item(page: Page, item: str = ITEM, dept: str = "SCJG") -> None:
    """The visitor taps the department, then the item: its guide and the take button are on screen."""
    page.locator(f'button[data-dept="{dept}"]').click()
    page.locator(f'button[data-item="{item}"]').click()


def ticket_from_api(server: ServerProcess, ticket_id: str) -> dict:
    r = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def shown_ticket_id(page: Page) -> str:
    src = page.locator("#result-qr").get_attribute("src")
    m = re.fullmatch(r"/t/([^/]+)/qr\.svg", src or "")
    assert m, src
    return m[1]


def waiting_in(server: ServerProcess, queue: str) -> int:
    hall = requests.get(f"{server.url}/api/v1/hall", headers=server.login("manager"), timeout=10).json()
    return next(q["waiting"] for q in hall["queues"] if q["code"] == queue)


# Counts the department buttons taken off the start screen, from before the page's own scripts run.
COUNT_REBUILDS = """
window.__deptButtonsRemoved = 0;
document.addEventListener("DOMContentLoaded", function () {
  new MutationObserver(function (records) {
    records.forEach(function (r) { window.__deptButtonsRemoved += r.removedNodes.length; });
  }).observe(document.getElementById("departments"), { childList: true });
});
"""


def test_the_buttons_stay_put_while_the_kiosk_goes_live(browser, server):
    """The catalogue is fetched at start and again as the live connection comes up. A second
    fetch that brings nothing new must not rebuild the buttons: a touch whose press lands on the
    old button and whose release lands on its replacement is no click, and the visitor's tap is
    lost (seen in CI as a department tapped and its items never shown)."""
    context = browser.new_context(viewport=SIZES["portrait"], device_scale_factor=1)
    context.add_init_script(COUNT_REBUILDS)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
        wait_live(page)
        # Both fetches answered (the one at start and the one on going live), and handled.
        page.wait_for_function(
            "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/catalog')).length >= 2")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__deptButtonsRemoved") == 0
        to_item(page)
        expect(page.locator("#take")).to_be_enabled()
    finally:
        context.close()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_take_a_number_department_item_guide_result(browser, server, orientation):
    context, page = open_kiosk(browser, server, orientation)
    errors = page_errors(page)
    try:
        # The key is taken once, stored, and gone from the address bar.
        expect(page).to_have_url(f"{server.url}/kiosk/")
        assert page.evaluate("localStorage.getItem('hallq.kiosk.key')") == server.device_key("kiosk-1")
        expect(page.locator("#screen-home h1")).to_have_text("请选择办理部门")
        wait_live(page)
        expect(page.locator("#offline")).to_be_hidden()
        shot(page, f"kiosk-{orientation}-1-departments.png")

        page.locator('button[data-dept="SCJG"]').click()
        expect(page.locator("#items-title")).to_have_text("市场监督管理局")
        expect(page.locator(f'button[data-item="{ITEM}"] .count')).to_have_text(re.compile(r"等候 \d+ 人"))
        shot(page, f"kiosk-{orientation}-2-items.png")

        page.locator('button[data-item="SCJG-001"]').click()
        guide = page.locator("#screen-guide")
        expect(guide.locator("h1")).to_have_text("有限责任公司设立登记")
        expect(page.locator("#guide-limit")).to_have_text("1 个工作日")
        expect(page.locator("#guide-fee")).to_have_text("不收费")
        expect(page.locator("#guide-materials li")).to_have_count(5)
        expect(page.locator("#guide-materials")).to_contain_text("公司章程")
        expect(page.locator("#guide-conditions")).to_contain_text("股东符合法定人数")
        expect(page.locator("#take")).to_be_enabled()
        shot(page, f"kiosk-{orientation}-3-guide.png")

        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        number = page.locator("#result-number").inner_text()
        ticket = ticket_from_api(server, shown_ticket_id(page))
        assert number == ticket["number"] and re.fullmatch(r"A\d+", number)
        assert ticket["item"] == ITEM and ticket["status"] == "waiting" and ticket["priority"] == "normal"
        expect(page.locator("#result-item")).to_have_text("有限责任公司设立登记")
        expect(page.locator("#result-dept")).to_have_text("市场监督管理局")
        expect(page.locator("#result-ahead")).to_have_text(f"{ticket['ahead']} 人")
        expect(page.locator("#result-wait")).to_have_text(re.compile(r"约\d+–\d+分钟|\d+分钟内|即将叫号"))
        # kiosk-1's demo printer is a file: it cannot report, so the page asks to keep or photograph.
        expect(page.locator("#keep")).to_have_text("请妥善保管号票，或拍照留存本页")
        expect(page.locator("#result-countdown, #countdown")).to_have_text(re.compile(r"\d+ 秒后自动返回首页"))
        qr_loaded = page.locator("#result-qr").evaluate("img => img.complete && img.naturalWidth > 0")
        assert qr_loaded, "the QR code image did not load"
        shot(page, f"kiosk-{orientation}-4-result.png")

        page.locator("#done").click()
        expect(page.locator("#screen-home")).to_be_visible()
        assert errors == [], "the page logged errors (a Content-Security-Policy violation shows here too)"
    finally:
        context.close()


def test_green_channel_asks_why_and_issues_a_green_ticket(browser, server):
    context, page = open_kiosk(browser, server, "portrait")
    try:
        wait_live(page)
        to_item(page)
        page.locator("#green").click()
        expect(page.locator("#screen-green .notice")).to_have_text("请在窗口出示相关证件，由工作人员核验。")
        shot(page, "kiosk-portrait-5-green-channel.png")
        page.locator('button[data-reason="elderly"]').click()
        expect(page.locator("#screen-result")).to_be_visible()
        expect(page.locator("#result-green")).to_have_text("绿色通道 · 老年人")
        ticket = ticket_from_api(server, shown_ticket_id(page))
        assert page.locator("#result-number").inner_text() == ticket["number"]
        assert (ticket["priority"], ticket["green_reason"]) == ("green", "elderly")
    finally:
        context.close()


def test_search_filters_items_in_chinese_and_english(browser, server):
    context, page = open_kiosk(browser, server, "landscape")
    try:
        wait_live(page)
        page.locator("#search-all").click()
        expect(page.locator("#items-title")).to_have_text("全部办理事项")
        page.locator("#search").fill("变更")
        names = page.locator("#items .item-name").all_inner_texts()
        assert names and all("变更" in n for n in names), names
        page.locator("#search").fill("passport")
        names = page.locator("#items .item-name").all_inner_texts()
        assert names, "an English word finds the Chinese items too"
        page.locator("#search").fill("没有这个事项")
        expect(page.locator("#items-empty")).to_be_visible()
        expect(page.locator("#items .btn-item")).to_have_count(0)
    finally:
        context.close()


def test_english_switch(browser, server):
    context, page = open_kiosk(browser, server, "landscape")
    try:
        wait_live(page)
        page.locator("#lang-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#lang-en")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#screen-home h1")).to_have_text("Choose a department")
        expect(page.locator('button[data-dept="SCJG"] .dept-name')).to_have_text("Administration for Market Regulation")
        shot(page, "kiosk-landscape-english-1-departments.png")
        page.locator('button[data-dept="SCJG"]').click()
        expect(page.locator("#items-title")).to_have_text("Administration for Market Regulation")
        page.locator("#screen-items .btn-back").click()
        expect(page.locator("#screen-home h1")).to_have_text("Choose a department")   # Back keeps English
        to_item(page)
        expect(page.locator("#guide-title")).to_have_text("Establishment Registration of a Limited Liability Company")
        expect(page.locator("#guide-materials")).to_contain_text("Articles of association")
        expect(page.locator("#take")).to_have_text("Take a number")
        shot(page, "kiosk-landscape-english-2-guide.png")
        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        expect(page.locator("#result-label")).to_have_text("Your number")
        ticket = ticket_from_api(server, shown_ticket_id(page))
        assert page.locator("#result-number").inner_text() == ticket["number"]
        expect(page.locator("#result-ahead")).to_have_text(str(ticket["ahead"]))
        shot(page, "kiosk-landscape-english-3-result.png")
        # Back at the start the next visitor meets Chinese again.
        page.locator("#done").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("#screen-home h1")).to_have_text("请选择办理部门")
    finally:
        context.close()


def test_refused_outside_a_served_queue_shows_why_and_no_number(browser, tmp_path):
    """A hall configured to "refuse" (the demo warns) issues nothing for a queue nobody serves."""
    config = tmp_path / "hall.toml"
    text = (REPO / "config" / "hall.toml").read_text(encoding="utf-8")
    assert 'closed_queue_policy = "warn"' in text
    config.write_text(text.replace('closed_queue_policy = "warn"', 'closed_queue_policy = "refuse"'), encoding="utf-8")
    (tmp_path / "forms").symlink_to(REPO / "config" / "forms")  # the guides' sample forms
    server = ServerProcess(tmp_path / "refuse", extra_args=["--config", str(config)])
    server.seed()
    server.start()
    before = waiting_in(server, "C")
    context, page = open_kiosk(browser, server, "portrait")
    try:
        wait_live(page)
        page.locator(f'button[data-dept="{CLOSED_ITEM_DEPT}"]').click()
        first = page.locator("#items .btn-item").first
        expect(first.locator(".count")).to_have_text("暂无窗口办理")
        first.click()
        page.locator("#take").click()
        expect(page.locator("#screen-error")).to_be_visible()
        expect(page.locator("#error-title")).to_have_text("暂时不能取号")
        expect(page.locator("#error-title-en")).to_have_text("No number can be issued now")
        expect(page.locator("#error-detail")).to_contain_text("暂无窗口办理")
        expect(page.locator("#screen-result")).to_be_hidden()
        assert page.locator("#result-number").inner_text() == ""
        shot(page, "kiosk-portrait-6-refused.png")
        assert waiting_in(server, "C") == before, "a refused kiosk request issued nothing"
    finally:
        context.close()
        server.stop()


def test_network_failure_while_taking_shows_no_number(browser, server):
    context, page = open_kiosk(browser, server, "portrait")
    try:
        wait_live(page)
        to_item(page)
        page.route("**/api/v1/tickets", lambda route: route.abort("connectionrefused"))
        page.locator("#take").click()
        expect(page.locator("#error-title")).to_have_text("网络故障，没有取到号")
        expect(page.locator("#error-title-en")).to_have_text("Network problem: no number was issued")
        assert page.locator("#result-number").inner_text() == ""
        expect(page.locator("#screen-result")).to_be_hidden()
    finally:
        context.close()


def test_pairing_screen_without_key_and_refusal_of_a_bad_key(browser, server):
    context, page = open_kiosk(browser, server, "portrait", url=f"{server.url}/kiosk/")
    try:
        expect(page.locator("#screen-pair")).to_be_visible()
        # Whoever pairs it reads it in both languages, whichever one the kiosk is set to.
        for lang in ("#lang-en", "#lang-zh"):
            page.locator(lang).click()
            expect(page.locator("#pair-title")).to_have_text("本机尚未配对 This kiosk is not paired")
            expect(page.locator("#screen-pair .lead")).to_contain_text("Staff: enter this kiosk's device key")
            expect(page.locator("#screen-pair .lead")).to_contain_text("请工作人员输入本取号机的设备密钥")
            expect(page.locator("label[for=pair-key]")).to_have_text("设备密钥 Device key")
            expect(page.locator("#pair-form button")).to_have_text("配对 Pair")
        page.locator("#pair-key").fill("not-a-real-key")
        page.locator("#pair-form button").click()
        expect(page.locator("#pair-error")).to_contain_text("密钥无效或已停用")
        expect(page.locator("#screen-pair")).to_be_visible()
        assert page.evaluate("localStorage.getItem('hallq.kiosk.key')") is None
        shot(page, "kiosk-portrait-0-pairing.png")
        page.locator("#pair-key").fill(server.device_key("kiosk-2"))
        page.locator("#pair-form button").click()
        expect(page.locator("#screen-home")).to_be_visible()
        wait_live(page)
        assert page.evaluate("localStorage.getItem('hallq.kiosk.key')") == server.device_key("kiosk-2")
        # A reload keeps the pairing: the key came from localStorage, not the address.
        page.reload()
        wait_live(page)
        # kiosk-2 has no printer: the screen is the visitor's only copy, and says so.
        to_item(page)
        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        expect(page.locator("#keep")).to_have_text("本机不打印号票：请拍照留存本页，或用手机扫码")
        ticket = ticket_from_api(server, shown_ticket_id(page))
        assert page.locator("#result-number").inner_text() == ticket["number"]
    finally:
        context.close()


def test_a_revoked_kiosk_says_so_at_once_and_asks_to_pair_again(browser, server):
    added = server.cli("device", "add", "kiosk-revoked", "--kind", "kiosk")
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip().splitlines()[-1]
    context, page = open_kiosk(browser, server, "portrait", key=key)
    try:
        wait_live(page)
        to_item(page)
        revoked = server.cli("device", "revoke", "kiosk-revoked")
        assert revoked.returncode == 0, revoked.stderr
        # The server ends the key's connection at once (session.ended): the kiosk forgets the key
        # and asks to be paired again, before anyone can press "take a number" with it (a press
        # with a revoked key is refused by the server: tests/api/test_protocol.py).
        expect(page.locator("#screen-pair")).to_be_visible(timeout=10_000)
        expect(page.locator("#pair-error")).to_contain_text("密钥无效或已停用")
        assert page.locator("#result-number").inner_text() == ""
        assert page.evaluate("localStorage.getItem('hallq.kiosk.key')") is None
    finally:
        context.close()


def test_a_display_key_may_not_take_numbers(browser, server):
    context, page = open_kiosk(browser, server, "portrait", key=server.device_key("display-hall"))
    try:
        wait_live(page)
        to_item(page)
        page.locator("#take").click()
        expect(page.locator("#error-title")).to_have_text("本设备不是取号机")
        assert page.locator("#result-number").inner_text() == ""
    finally:
        context.close()


def test_result_goes_back_to_the_start_after_idle(browser, server):
    context = browser.new_context(viewport=SIZES["portrait"])
    page = context.new_page()
    try:
        page.clock.install()
        page.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
        wait_live(page)
        to_item(page)
        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        page.clock.fast_forward(20_000)
        expect(page.locator("#screen-result")).to_be_visible()
        page.clock.fast_forward(11_000)
        expect(page.locator("#screen-home")).to_be_visible()
        assert page.locator("#result-number").is_hidden()
    finally:
        context.close()


def test_warn_policy_issues_with_an_honest_unknown_wait(browser, tmp_path):
    """The demo hall "warn"s: it issues for a queue no window serves, and says the wait is unknown."""
    text = (REPO / "config" / "hall.toml").read_text(encoding="utf-8")
    assert 'closed_queue_policy = "warn"' in text
    srv = ServerProcess(tmp_path / "warn")
    srv.seed()
    srv.start()
    context, page = open_kiosk(browser, srv, "portrait")
    try:
        wait_live(page)
        page.locator(f'button[data-dept="{CLOSED_ITEM_DEPT}"]').click()
        page.locator("#items .btn-item").first.click()
        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        ticket = ticket_from_api(srv, shown_ticket_id(page))
        assert page.locator("#result-number").inner_text() == ticket["number"]
        assert ticket["estimated_wait_s"] is None
        expect(page.locator("#result-wait")).to_have_text("暂无窗口办理，等待时间未知")
        expect(page.locator("#result-warning")).to_contain_text("暂无窗口办理")
        shot(page, "kiosk-portrait-7-no-window-warning.png")
    finally:
        context.close()
        srv.stop()


def test_server_unreachable_banner_disables_taking_then_recovers(browser, tmp_path):
    srv = ServerProcess(tmp_path / "offline")
    srv.seed()
    srv.start()
    context, page = open_kiosk(browser, srv, "landscape")
    try:
        requests.post(f"{srv.url}/api/v1/windows/1/open", headers=srv.login("scjg01"), timeout=10).raise_for_status()
        wait_live(page)
        to_item(page)
        expect(page.locator("#take")).to_be_enabled()

        srv.kill()
        expect(page.locator("#offline")).to_be_visible()
        expect(page.locator("#offline")).to_contain_text("无法连接服务器")
        expect(page.locator("#offline")).to_contain_text("Cannot reach the server")
        expect(page.locator("#take")).to_be_disabled()
        expect(page.locator("#green")).to_be_disabled()
        expect(page.locator("#take-disabled")).to_be_visible()
        page.locator("#take").click(force=True)
        expect(page.locator("#screen-result")).to_be_hidden()
        assert page.locator("#result-number").inner_text() == ""
        shot(page, "kiosk-landscape-5-offline.png")

        srv.start()
        expect(page.locator("#offline")).to_be_hidden(timeout=15_000)
        expect(page.locator("#take")).to_be_enabled()
        page.locator("#take").click()
        expect(page.locator("#screen-result")).to_be_visible()
        ticket = ticket_from_api(srv, shown_ticket_id(page))
        assert page.locator("#result-number").inner_text() == ticket["number"]
    finally:
        context.close()
        srv.stop()


def test_the_kiosk_warns_before_a_number_when_its_printer_is_out_of_paper(browser, server):
    from tests.support.escpos_fake import FakePrinter, FakeState

    printer = FakePrinter(FakeState.PAPER_OUT).start()
    try:
        out = server.cli("device", "add", "kiosk-paper", "--kind", "kiosk", "--printer", printer.url)
        assert out.returncode == 0, out.stderr
        key = out.stdout.strip().splitlines()[-1]
        context, page = open_kiosk(browser, server, "landscape", key=key)
        wait_live(page)
        expect(page.locator("#printer-out")).to_be_hidden()
        # Another visitor's number makes the spooler try the printer, which answers "paper out".
        r = requests.post(f"{server.url}/api/v1/tickets", json={"item": ITEM}, headers={"X-Device-Key": key},
                          timeout=10)
        assert r.status_code == 201
        expect(page.locator("#printer-out")).to_be_visible(timeout=20_000)
        expect(page.locator("#printer-out")).to_contain_text("拍照")
        context.close()
    finally:
        printer.stop()
