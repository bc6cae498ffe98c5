"""The window console in Debian's chromium against a real `hallq serve`, at 1366×768 and by keyboard.

Every state the page shows is checked against the API (the server is the truth): a ticket
taken at the kiosk API appears in the waiting count, the keyboard calls, recalls, starts and
finishes it, a pause shows its reason, suspend/transfer/特呼 work, an accepted visit shows its
case number, and the page is whole again after the network drops and comes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from server.core.idnumber import check_character
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1366, "height": 768}
ITEM = "SCJG-001"        # 有限责任公司设立登记: queue A, five materials; window 1 serves queue A
STAFF = "scjg01"


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def console(browser, server) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    yield context, page
    context.close()
    # Refused requests and a dropped network are what the page shows anyway; a script error is a bug.
    assert not script_errors(errors), errors


# -- helpers -------------------------------------------------------------------------------------


def take(server: ServerProcess, item: str = ITEM, **body: str) -> dict:
    r = requests.post(f"{server.url}/api/v1/tickets", json=body or {"item": item},
                      headers={"X-Device-Key": server.device_key("kiosk-1")}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def ticket(server: ServerProcess, ticket_id: str) -> dict:
    r = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def window_state(server: ServerProcess, window: str = "1") -> dict:
    hall = requests.get(f"{server.url}/api/v1/hall", headers=server.login("manager"), timeout=10).json()
    return next(w for w in hall["windows"] if w["id"] == window)


def materials(server: ServerProcess, item: str = ITEM) -> list[dict]:
    cat = requests.get(f"{server.url}/api/v1/catalog", timeout=10).json()
    return next(i for i in cat["items"] if i["code"] == item)["guide"]["materials"]


def case_from_api(server: ServerProcess, number: str) -> dict:
    r = requests.get(f"{server.url}/api/v1/cases/{number}", headers=server.login(STAFF), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["case"]


def valid_id_number() -> str:
    first17 = "11010519491231002"
    return first17 + check_character(first17)


def sign_in(page: Page, server: ServerProcess, user: str = STAFF, *, shots: bool = False) -> None:
    """Signed in: the window choice is on screen."""
    page.goto(f"{server.url}/console/")
    expect(page.locator("#screen-login")).to_be_visible()
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(server.credentials["password"])
    if shots:
        shot(page, "console-0-sign-in.png")
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#screen-choose")).to_be_visible()


def sign_in_at_window(page: Page, server: ServerProcess, window: str = "1", *, shots: bool = False) -> None:
    sign_in(page, server, shots=shots)
    card = page.locator(f'button.win-card[data-window="{window}"]')
    expect(card).to_be_visible()
    # scjg01 (市场监管) may sign in at the department's windows and the comprehensive proxy ones only.
    expect(page.locator('button.win-card[data-window="31"]')).to_be_visible()
    expect(page.locator('button.win-card[data-window="6"]')).to_have_count(0)
    if shots:
        shot(page, "console-0-choose-window.png")
    card.click()
    expect(page.locator("#screen-console")).to_be_visible()
    wait_live(page)
    assert window_state(server, window)["status"] == "open"


KEYS = {"F1": "next", " ": "next", "r": "recall", "s": "start", "n": "noshow", "f": "finish", "t": "transfer",
        "h": "suspend", "c": "number", "p": "pause"}


def press(page: Page, key: str) -> None:
    """A shortcut, pressed as staff do: once its button shows it can be done (not while the last
    action is still on its way to the server)."""
    expect(page.locator(f'[data-act="{KEYS[key]}"]')).to_be_enabled()
    page.keyboard.press(key)


def wait_live(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    expect(page.locator("#conn")).to_be_hidden()
    expect(page.locator("#win-status")).to_contain_text("服务中")


def api(server: ServerProcess, path: str, who: str = STAFF, **body) -> dict:
    """A staff action from another device (a phone, a colleague's PC): the console only hears of it."""
    r = requests.post(f"{server.url}/api/v1{path}", json=body or None, headers=server.login(who), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def window_today(server: ServerProcess, window: str = "1") -> dict:
    r = requests.get(f"{server.url}/api/v1/windows/{window}/today", headers=server.login("manager"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def waiting(page: Page, queue: str = "A"):
    return page.locator(f'li[data-queue="{queue}"] .q-count')


def tally(page: Page, outcome: str):
    return page.locator(f'#tally tr[data-outcome="{outcome}"] td')


# -- the tests ----------------------------------------------------------------------------------


def test_call_recall_start_finish_and_pause_by_keyboard(console, server):
    _, page = console
    sign_in_at_window(page, server, shots=True)
    expect(waiting(page)).to_have_text("0")
    expect(page.locator("#idle")).to_be_visible()

    t = take(server)
    expect(waiting(page)).to_have_text("1")                   # live, from queue.updated
    expect(page.locator('li[data-queue="A"] .q-next')).to_contain_text(t["number"])
    shot(page, "console-1-waiting.png")

    press(page, "F1")                                   # call next
    expect(page.locator("#t-number")).to_have_text(t["number"])
    expect(page.locator("#t-status")).to_contain_text("已叫号")
    expect(waiting(page)).to_have_text("0")
    mats = materials(server)
    expect(page.locator("#materials input[type=checkbox]")).to_have_count(len(mats))
    expect(page.locator("#materials")).to_contain_text(mats[0]["name"])
    expect(page.locator("#guide")).to_contain_text("承诺时限")
    expect(page.locator("#guide")).to_contain_text("1 个工作日 1 working day")   # one day, not "days"
    expect(page.locator("#guide")).not_to_contain_text("working days")
    assert ticket(server, t["id"])["status"] == "called"

    press(page, "r")                                    # recall
    expect(page.locator("#t-flags")).to_contain_text("重呼 1 次")
    assert ticket(server, t["id"])["recalls"] == 1

    press(page, "s")                                    # the visitor arrived
    expect(page.locator("#t-status")).to_contain_text("办理中")
    assert ticket(server, t["id"])["status"] == "serving"
    page.locator(f'#materials input[data-code="{mats[0]["code"]}"]').check()
    expect(page.locator("#materials-sum")).to_contain_text(f"1/{len(mats)}")
    shot(page, "console-2-serving.png")

    press(page, "f")                                    # finish …
    expect(page.locator("#dlg-finish")).to_be_visible()
    page.keyboard.press("5")                                    # … as consulted
    expect(page.locator('input[name=outcome][value="consulted"]')).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dlg-finish")).to_be_hidden()
    expect(page.locator("#result")).to_contain_text("咨询")
    expect(page.locator("#ticket")).to_be_hidden()
    expect(tally(page, "consulted")).to_have_text("1")
    done = ticket(server, t["id"])
    assert done["status"] == "done" and done["outcome"] == "consulted"

    press(page, "p")                                    # pause …
    expect(page.locator("#dlg-pause")).to_be_visible()
    page.keyboard.press("2")                                    # … for a meeting
    page.keyboard.press("Enter")
    expect(page.locator("#paused")).to_be_visible()
    expect(page.locator("#paused-reason")).to_contain_text("会议")
    expect(page.locator("#win-status")).to_contain_text("暂停")
    expect(page.locator("#act-next")).to_be_disabled()
    state = window_state(server)
    assert state["status"] == "paused" and state["pause_reason"] == "会议"
    shot(page, "console-3-paused.png")

    press(page, "p")                                    # and resume
    expect(page.locator("#paused")).to_be_hidden()
    expect(page.locator("#win-status")).to_contain_text("服务中")
    expect(page.locator("#act-next")).to_be_enabled()
    assert window_state(server)["status"] == "open"

    page.locator("#btn-signoff").click()                        # 签退: the window closes
    expect(page.locator("#screen-choose")).to_be_visible()
    expect(page.locator('button.win-card[data-window="1"] .wc-state')).to_contain_text("空闲")
    assert window_state(server)["status"] == "closed"


def test_typing_in_a_field_never_fires_a_shortcut(console, server):
    _, page = console
    sign_in_at_window(page, server)
    take(server)
    press(page, "c")                                    # 特呼: a dialog with one field
    expect(page.locator("#dlg-number")).to_be_visible()
    page.locator("#number-input").type("f r n s p")             # letters that are shortcuts elsewhere
    expect(page.locator("#dlg-finish")).to_be_hidden()
    expect(page.locator("#dlg-pause")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#dlg-number")).to_be_hidden()
    assert window_state(server)["current"] is None and window_state(server)["status"] == "open"


def test_suspend_back_transfer_special_call_and_no_show(console, server):
    _, page = console
    sign_in_at_window(page, server)
    first, second, third = take(server), take(server), take(server)
    expect(waiting(page)).to_have_text("3")

    press(page, " ")                                    # Space calls next too
    expect(page.locator("#t-number")).to_have_text(first["number"])
    press(page, "h")                                    # 挂起: fetch a missing paper
    expect(page.locator("#dlg-suspend")).to_be_visible()
    expect(page.locator("#suspend-note")).to_have_value(re.compile("^缺："))
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dlg-suspend")).to_be_hidden()
    expect(page.locator(f'#suspended li[data-number="{first["number"]}"]')).to_be_visible()
    assert ticket(server, first["id"])["status"] == "suspended"

    press(page, "c")                                    # 特呼 a number nobody has: the server says so
    page.locator("#number-input").fill("A999")
    page.locator("#number-input").press("Enter")
    expect(page.locator("#number-msg")).to_contain_text("not_found")
    page.locator("#number-input").fill(third["number"].lower())
    page.locator("#number-input").press("Enter")
    expect(page.locator("#dlg-number")).to_be_hidden()
    expect(page.locator("#t-number")).to_have_text(third["number"])

    press(page, "t")                                    # transfer to queue B with a note
    expect(page.locator("#dlg-transfer")).to_be_visible()
    page.locator("#transfer-target").select_option("q:B")
    page.locator("#transfer-note").fill("应办食品经营许可")
    shot(page, "console-4-transfer.png")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dlg-transfer")).to_be_hidden()
    expect(page.locator("#idle")).to_be_visible()
    moved = ticket(server, third["id"])
    assert moved["status"] == "waiting" and moved["queue"] == "B" and moved["note"] == "应办食品经营许可"

    # The suspended visitor is back: first in line at this window, before the older second ticket.
    page.locator(f'#suspended li[data-number="{first["number"]}"] button').click()
    expect(page.locator(f'#suspended li[data-number="{first["number"]}"]')).to_have_count(0)
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(first["number"])
    press(page, "n")                                    # and did not come to the window
    expect(page.locator("#idle")).to_be_visible()
    expect(tally(page, "no_show")).to_have_text("1")
    assert ticket(server, first["id"])["status"] == "no_show"
    assert ticket(server, second["id"])["status"] == "waiting"


def test_a_transfer_to_a_window_keeps_the_queue_or_asks_which_and_a_called_visitor_holds_off_the_pause(
        console, server):
    """The demo city's walkthrough: a business-licence visitor sent to the proxy window landed in its
    first queue (health permits); a closed window was offered like any other; and the clerk paused
    for lunch with a visitor walking to the window."""
    _, page = console
    r = requests.post(f"{server.url}/api/v1/windows/31/open", headers=server.login("proxy01"), timeout=10)
    assert r.status_code == 200, r.text
    sign_in_at_window(page, server)
    t = take(server)
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(t["number"])

    expect(page.locator('[data-act="pause"]')).to_be_disabled()  # not while the visitor is called here
    page.keyboard.press("p")
    expect(page.locator("#dlg-pause")).to_be_hidden()
    expect(page.locator("#error-text")).to_contain_text("尚未办结")
    assert window_state(server)["status"] == "open"

    press(page, "t")
    expect(page.locator("#dlg-transfer")).to_be_visible()
    values = page.locator("#transfer-target option").evaluate_all("os => os.map(o => o.value)")
    assert "w:2" in values, "window 2 serves queue A: the visitor keeps it"
    assert "w:31" not in values and {"w:31:L", "w:31:M", "w:31:Q"} <= set(values), "the proxy window: which queue"
    closed = page.locator('#transfer-target option[value="w:2"]')
    expect(closed).to_be_disabled()
    expect(closed).to_contain_text("未签到 Closed")
    expect(page.locator('#transfer-target option[value="w:31:M"]')).to_be_enabled()
    expect(page.locator('#transfer-target option[value="w:31:M"]')).to_contain_text("Window 31")
    page.locator("#transfer-target").select_option("w:31:M")
    shot(page, "console-4b-transfer-to-a-window.png")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dlg-transfer")).to_be_hidden()
    expect(page.locator("#idle")).to_be_visible()
    moved = ticket(server, t["id"])
    assert moved["queue"] == "M" and moved["target_window"] == "31"

    # A queue no window is held for: it may be chosen, but not unawares.
    second = take(server)
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(second["number"])
    press(page, "t")
    expect(page.locator('#transfer-target option[value="q:N"]')).to_contain_text("暂无窗口 No window open")
    expect(page.locator('#transfer-target option[value="q:L"]')).not_to_contain_text("暂无窗口")
    page.locator("#transfer-target").select_option("q:N")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dlg-transfer")).to_be_hidden()
    expect(page.locator("#error-text")).to_contain_text("目前没有窗口办理该队列")
    assert ticket(server, second["id"])["unserved"] is True

    press(page, "p")                                    # the window is free: now it pauses
    expect(page.locator("#dlg-pause")).to_be_visible()


def test_accepted_visit_shows_the_case_number(console, server):
    _, page = console
    sign_in_at_window(page, server)
    t = take(server)
    expect(waiting(page)).to_have_text("1")
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(t["number"])
    press(page, "s")
    expect(page.locator("#t-status")).to_contain_text("办理中")
    page.locator("#btn-all").click()
    mats = materials(server)
    expect(page.locator("#materials-sum")).to_contain_text(f"{len(mats)}/{len(mats)}")

    press(page, "f")
    page.keyboard.press("1")
    expect(page.locator('input[name=outcome][value="accepted"]')).to_be_checked()
    page.locator("#f-name").fill("张三")
    good = valid_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.locator("#f-id").fill(wrong)                           # a typo: the check digit says so
    expect(page.locator("#f-id-hint")).to_contain_text("校验位不符")
    page.locator("#finish-submit").click()
    expect(page.locator("#finish-msg")).to_contain_text("身份证号有误")
    assert ticket(server, t["id"])["status"] == "serving"       # nothing was sent
    page.locator("#f-id").fill(good)
    expect(page.locator("#f-id-hint")).to_contain_text("校验通过")
    page.locator("#f-phone").fill("13800138000")
    expect(page.locator("#f-materials-list input:checked")).to_have_count(len(mats))
    shot(page, "console-5-finish-accepted.png")

    with page.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        page.keyboard.press("Control+Enter")
    body = answer.value.json()
    if answer.value.ok and "case" not in body:
        pytest.skip("the server's finish answers without a case: the acceptance flow (server/app/acceptance.py,"
                    " issue 5 point 2) has not landed yet, so there is no case number to show")
    assert answer.value.ok, body
    case = body["case"]
    expect(page.locator("#dlg-finish")).to_be_hidden()
    expect(page.locator("#result-case")).to_have_text(case["number"])
    if case.get("promised_date"):
        expect(page.locator("#result-promised")).to_have_text(case["promised_date"])
    if case.get("progress_url"):
        expect(page.locator("#result-progress")).to_have_attribute("href", case["progress_url"])
    expect(tally(page, "accepted")).to_have_text("1")
    assert ticket(server, t["id"])["outcome"] == "accepted"
    stored = case_from_api(server, case["number"])
    assert stored["status"] == "accepted" and stored["applicant"]["name"] == "张三"
    assert stored["applicant"]["id_number"] == good and stored["applicant"]["phone"] == "13800138000"
    assert [m["code"] for m in stored["materials"]] == [m["code"] for m in mats]
    if body.get("print", {}).get("job"):
        expect(page.locator("#result-print")).to_contain_text("受理单已送本窗口打印机")
    shot(page, "console-6-accepted.png")


def test_every_field_the_finish_refuses_without_is_marked_required(console, server):
    """The phone is refused empty ("请填写正确的联系电话") as the name and ID number are: all three
    say so before the clerk tries, and so does a refusal's reason."""
    _, page = console
    sign_in_at_window(page, server)
    take(server)
    expect(waiting(page)).to_have_text("1")
    press(page, "F1")
    press(page, "s")
    press(page, "f")
    page.keyboard.press("1")
    for field in ("f-name", "f-id", "f-phone"):
        label = page.locator(f"label:has(#{field})")
        expect(label).to_contain_text("必填")
        expect(label.locator(".en")).to_contain_text("required")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-required", "true")
        assert page.locator(f"#{field}").evaluate("n => n.required")
    shot(page, "console-finish-required.png")
    page.locator("#f-name").fill("张三")
    page.locator("#f-id").fill(valid_id_number())
    page.locator("#finish-submit").click()
    expect(page.locator("#finish-msg")).to_contain_text("请填写正确的联系电话")
    expect(page.locator("#f-text-input")).to_have_attribute("aria-required", "false")
    page.keyboard.press("Escape")
    press(page, "f")
    page.locator('input[name=outcome][value="refused"]').check()
    expect(page.locator("label:has(#f-text-input)")).to_contain_text("必填")
    expect(page.locator("#f-text-input")).to_have_attribute("aria-required", "true")


def test_one_time_notice_lists_the_unchecked_materials(console, server):
    _, page = console
    sign_in_at_window(page, server)
    t = take(server)
    expect(waiting(page)).to_have_text("1")
    press(page, "F1")
    press(page, "s")
    expect(page.locator("#t-status")).to_contain_text("办理中")
    mats = materials(server)
    received, missing = mats[:3], mats[3:]
    for m in received:
        page.locator(f'#materials input[data-code="{m["code"]}"]').check()

    press(page, "f")
    page.keyboard.press("2")                                    # 一次性告知
    expect(page.locator("#f-missing-list li")).to_have_count(len(missing))
    for m in missing:
        expect(page.locator("#f-missing-list")).to_contain_text(m["name"])
    page.locator("#f-name").fill("李四")
    page.locator("#f-id").fill(valid_id_number())
    page.locator("#f-phone").fill("13800138000")
    page.locator("#f-text-input").fill("请补齐以上材料后再来办理")
    shot(page, "console-8-finish-notice.png")
    with page.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        page.locator("#finish-submit").click()
    body = answer.value.json()
    if answer.value.ok and "case" not in body:
        pytest.skip("the server's finish answers without a case: the acceptance flow has not landed yet")
    assert answer.value.ok, body
    expect(page.locator("#result-case")).to_have_text(body["case"]["number"])
    expect(tally(page, "notice")).to_have_text("1")
    # The status in the server's words: the console writes no label of its own to disagree with.
    expect(page.locator("#result-status")).to_have_text(re.compile("^已一次性告知"))
    stored = case_from_api(server, body["case"]["number"])
    assert stored["status"] == "noticed"
    assert stored["status_label"] == {"zh": "已一次性告知", "en": "Notified of missing materials"}
    assert [m["code"] for m in stored["missing"]] == [m["code"] for m in missing]
    assert [m["code"] for m in stored["materials"]] == [m["code"] for m in received]
    assert ticket(server, t["id"])["outcome"] == "notice"


def test_the_page_is_whole_again_after_the_network_comes_back(console, server):
    context, page = console
    sign_in_at_window(page, server)
    first = take(server)
    expect(waiting(page)).to_have_text("1")
    before = int(page.locator("body").get_attribute("data-snapshots"))

    context.set_offline(True)
    expect(page.locator("#conn")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "reconnecting")
    # While the console is offline the hall moves on: another ticket, and the same member of
    # staff calls next from another device (their phone, a colleague's PC).
    take(server)
    r = requests.post(f"{server.url}/api/v1/windows/1/call-next", headers=server.login(STAFF), timeout=10)
    assert r.status_code == 200 and r.json()["ticket"]["id"] == first["id"], r.text
    shot(page, "console-7-reconnecting.png")

    context.set_offline(False)
    expect(page.locator("#conn")).to_be_hidden(timeout=15_000)
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    assert int(page.locator("body").get_attribute("data-snapshots")) > before   # subscribed again
    expect(waiting(page)).to_have_text("1")
    expect(page.locator("#t-number")).to_have_text(first["number"])
    expect(page.locator("#t-status")).to_contain_text("已叫号")

    # And it is live again: an event after the reconnect arrives.
    take(server)
    expect(waiting(page)).to_have_text("2")


def test_a_number_taken_for_a_queue_is_served_for_the_item_staff_choose(console, server):
    _, page = console
    sign_in_at_window(page, server)
    t = take(server, queue="A")                                 # a queue button: no item on the ticket
    assert t["item"] is None
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(t["number"])
    expect(page.locator("#t-item")).to_contain_text("请选择办理事项")
    press(page, "f")
    page.keyboard.press("4")                                    # 当场办结 opens a case: it needs the item
    expect(page.locator("#f-item")).to_contain_text("未选择办理事项")
    page.keyboard.press("Escape")

    page.locator("#t-item-select").select_option("SCJG-002")
    mats = materials(server, "SCJG-002")
    expect(page.locator("#materials input[type=checkbox]")).to_have_count(len(mats))
    expect(page.locator("#t-item")).to_contain_text("公司变更登记")
    page.locator("#btn-all").click()
    press(page, "f")
    page.keyboard.press("4")
    expect(page.locator("#f-item")).to_contain_text("SCJG-002")
    page.locator("#f-name").fill("王五")
    page.locator("#f-id").fill(valid_id_number())
    page.locator("#f-phone").fill("010-68801101")
    with page.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        page.keyboard.press("Control+Enter")
    assert answer.value.request.post_data_json["item"] == "SCJG-002"
    body = answer.value.json()
    assert answer.value.ok, body
    expect(page.locator("#result-case")).to_have_text(body["case"]["number"])
    expect(tally(page, "concluded")).to_have_text("1")
    # The document's English name reads as a noun in the sentence, sent or not.
    expect(page.locator("#result-print")).to_contain_text(re.compile(r"The on-the-spot conclusion was (sent|not)"))
    stored = case_from_api(server, body["case"]["number"])
    assert stored["item"] == "SCJG-002" and stored["status"] == "concluded"


def test_a_reload_comes_back_to_the_same_window_and_ticket(console, server):
    _, page = console
    sign_in_at_window(page, server)
    t = take(server)
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(t["number"])
    page.locator(f'#materials input[data-code="{materials(server)[1]["code"]}"]').check()
    page.reload()                                               # the token and window are in sessionStorage
    expect(page.locator("#screen-console")).to_be_visible()
    wait_live(page)
    expect(page.locator("#t-number")).to_have_text(t["number"])
    expect(page.locator("#materials input:checked")).to_have_count(1)
    assert window_state(server)["current"]["id"] == t["id"]


def test_the_tally_and_the_suspended_list_are_the_servers(console, browser, server):
    """What the window did before this console opened, and what is done at it from elsewhere, is
    on screen, and nothing of it is kept in the browser: another PC shows the same."""
    _, page = console
    api(server, "/windows/1/open")
    served, held = take(server), take(server)
    api(server, "/windows/1/call-next")
    api(server, "/windows/1/finish", outcome="consulted")
    api(server, "/windows/1/call-next")
    api(server, "/windows/1/suspend", note="缺：公司章程")

    sign_in(page, server)
    expect(page.locator('button.win-card[data-window="1"] .wc-state')).to_contain_text("继续")
    page.locator('button.win-card[data-window="1"]').click()
    wait_live(page)
    expect(tally(page, "consulted")).to_have_text("1")
    expect(tally(page, "total")).to_have_text("1")
    expect(tally(page, "no_show")).to_have_text("0")
    row = page.locator(f'#suspended li[data-number="{held["number"]}"]')
    expect(row).to_contain_text("缺：公司章程")
    expect(page.locator("#suspended-count")).to_have_text("1")
    assert served["number"] != held["number"]

    # Back, called, and not come: each answer reads the window's day again.
    row.locator("button").click()
    expect(row).to_have_count(0)
    expect(page.locator("#suspended li.empty")).to_be_visible()
    assert ticket(server, held["id"])["status"] == "waiting"
    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(held["number"])
    press(page, "n")
    expect(tally(page, "no_show")).to_have_text("1")
    expect(tally(page, "total")).to_have_text("1")       # a no-show is not a finished visit

    # A finish made from another device reaches the tally through its event.
    elsewhere = take(server)
    api(server, "/windows/1/call-next")
    api(server, "/windows/1/finish", outcome="consulted")
    expect(tally(page, "consulted")).to_have_text("2")
    day = window_today(server)
    assert (day["outcomes"], day["no_show"], day["suspended"]) == ({"consulted": 2}, 1, [])
    assert ticket(server, elsewhere["id"])["outcome"] == "consulted"
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('hallq.console.'))") == []

    # A fresh browser (another PC, nothing stored) shows the same day.
    other = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        second = other.new_page()
        sign_in(second, server)
        second.locator('button.win-card[data-window="1"]').click()
        wait_live(second)
        expect(tally(second, "consulted")).to_have_text("2")
        expect(tally(second, "no_show")).to_have_text("1")
    finally:
        other.close()


def test_a_paused_window_is_taken_over_and_a_refusal_is_shown_as_the_server_says(console, browser, server):
    _, page = console                                         # scjg01 (张丽) at window 1
    sign_in_at_window(page, server)
    press(page, "p")
    page.keyboard.press("3")                                  # 暂时离开
    page.keyboard.press("Enter")
    expect(page.locator("#paused")).to_be_visible()

    other = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        colleague = other.new_page()
        errors = page_errors(colleague)
        sign_in(colleague, server, "scjg02")                  # 陈刚, same department
        card = colleague.locator('button.win-card[data-window="1"]')
        expect(card.locator(".wc-state")).to_contain_text("暂停·张丽")
        take_over = colleague.locator('button.win-takeover[data-window="1"]')
        expect(take_over).to_contain_text("接管")
        expect(colleague.locator('button.win-takeover[data-window="2"]')).to_have_count(0)   # free: just open it
        shot(colleague, "console-9-take-over.png")
        take_over.click()
        expect(colleague.locator("#screen-console")).to_be_visible()
        wait_live(colleague)
        state = window_state(server)
        assert state["status"] == "open" and state["staff"]["name"] == "陈刚"

        # 张丽's console hears it and goes back to the window choice, saying who has the window.
        expect(page.locator("#screen-choose")).to_be_visible()
        expect(page.locator("#error")).to_contain_text("陈刚")
        # The window is open now: a colleague's turn is over, so there is no take-over to offer.
        expect(page.locator('button.win-card[data-window="1"] .wc-state')).to_contain_text("服务中·陈刚")
        expect(page.locator('button.win-takeover[data-window="1"]')).to_have_count(0)

        # 陈刚 steps away; 张丽's fresh list offers the take-over; he is back before she clicks:
        # the server refuses, and the page says what it said.
        press(colleague, "p")
        colleague.keyboard.press("1")
        colleague.keyboard.press("Enter")
        expect(colleague.locator("#paused")).to_be_visible()
        page.reload()
        expect(page.locator('button.win-takeover[data-window="1"]')).to_be_visible()
        press(colleague, "p")
        expect(colleague.locator("#paused")).to_be_hidden()
        with page.expect_response(lambda r: r.url.endswith("/windows/1/hand-over")) as answer:
            page.locator('button.win-takeover[data-window="1"]').click()
        assert answer.value.status == 403
        message = answer.value.json()["error"]["message"]
        expect(page.locator("#error")).to_contain_text(message)
        expect(page.locator("#error")).to_contain_text("HTTP 403")
        expect(page.locator("#screen-choose")).to_be_visible()
        expect(page.locator('button.win-takeover[data-window="1"]')).to_have_count(0)   # the list is fresh again
        assert window_state(server)["staff"]["name"] == "陈刚"
        expect(colleague.locator("#screen-console")).to_be_visible()
        assert not script_errors(errors), errors
    finally:
        other.close()

    # A chief representative may assign any window of the department, open or not, to themself.
    chief_context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        chief = chief_context.new_page()
        sign_in(chief, server, "chief-scjg")
        expect(chief.locator('button.win-card[data-window="1"] .wc-state')).to_contain_text("服务中·陈刚")
        chief.locator('button.win-takeover[data-window="1"]').click()
        expect(chief.locator("#screen-console")).to_be_visible()
        expect(chief.locator("#win-status")).to_contain_text("服务中")
        assert window_state(server)["staff"]["name"] == "首席代表 李强"
    finally:
        chief_context.close()


def test_a_refusal_at_the_console_gives_the_visitor_a_progress_page_with_reason_and_rights(console, server):
    context, page = console
    sign_in_at_window(page, server)
    take(server)
    expect(waiting(page)).to_have_text("1")
    press(page, "F1")
    press(page, "s")
    press(page, "f")
    page.keyboard.press("3")                                    # 不予受理
    expect(page.locator('input[name=outcome][value="refused"]')).to_be_checked()
    page.locator("#f-name").fill("王五")
    page.locator("#f-id").fill(valid_id_number())
    page.locator("#f-phone").fill("13800138000")
    page.locator("#f-text-input").fill("申请事项不属于本机关职权范围，请向区行政审批局申请")
    with page.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        page.locator("#finish-submit").click()
    case = answer.value.json()["case"]
    expect(page.locator("#result-status")).to_have_text(re.compile("^不予受理"))

    visitor = context.new_page()
    visitor.set_viewport_size({"width": 390, "height": 1100})   # a phone scanning the decision's QR code
    visitor.goto(server.url + "/case/" + case["progress_url"].rsplit("/", 1)[1])
    body = visitor.locator("body")
    expect(body).to_contain_text("不予受理理由")
    expect(body).to_contain_text("申请事项不属于本机关职权范围")
    expect(body).to_contain_text("60日内向某市人民政府申请行政复议")
    expect(body).to_contain_text("6个月内向某市某区人民法院提起行政诉讼")
    expect(body).to_contain_text("登记编号")
    expect(body).not_to_contain_text("受理编号")
    expect(body).to_contain_text("王*")
    expect(body).not_to_contain_text("王五")
    shot(visitor, "case-progress-refused.png", full_page=True)


def test_a_refusal_from_the_server_is_shown_in_chinese_first(console, server):
    api(server, "/windows/1/open", who="scjg02")                # a colleague holds window 1
    _, page = console
    sign_in(page, server)
    with page.expect_response(lambda r: r.url.endswith("/windows/1/open")) as answer:
        page.locator('button.win-card[data-window="1"]').click()
    assert answer.value.status == 409
    err = answer.value.json()["error"]
    assert err["code"] == "window_state" and "其他工作人员" in err["message_zh"]
    box = page.locator("#error-text")
    expect(box).to_contain_text(err["message_zh"])
    expect(box).to_contain_text(err["message"])                # the English follows
    text = box.inner_text()
    assert text.startswith(err["message_zh"]) and text.index(err["message_zh"]) < text.index(err["message"])
    shot(page, "console-10-refusal-chinese-first.png")
