"""Progress by case number in a real browser (issue 14 point 6, article 21), against a real
`hallq serve` whose public URL is itself: the visitor's phone page (/t/<id>) shows "查看办件进度"
the moment the window accepts the case; /guide/progress finds the case by its number and the last
four at phone width; the kiosk does the same with its on-screen keypad."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from server.core.idnumber import check_character
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import REPO, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}
ITEM = "SCJG-001"
MATERIALS = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]
FIRST17 = "11010519800101002"
ID = FIRST17 + check_character(FIRST17)
MOBILE = "13911112222"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("progress")
    srv = ServerProcess(root / "var")
    config = root / "hall.toml"
    text = (REPO / "config" / "hall.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('public_url = "http://127.0.0.1:5000"', f'public_url = "{srv.url}"'),
                      encoding="utf-8")
    srv.env["HALLQ_CONFIG"] = str(config)
    # The guide's sample forms are read beside the config (guide.materials[].sample).
    shutil.copytree(REPO / "config" / "forms", root / "forms")
    srv.seed()
    srv.start()
    staff = srv.login("scjg01")
    assert requests.post(f"{srv.url}/api/v1/windows/1/open", headers=staff, timeout=10).status_code == 200
    yield srv
    srv.stop()


def post(srv: ServerProcess, path: str, **body) -> requests.Response:
    return requests.post(f"{srv.url}/api/v1{path}", json=body or None, headers=srv.login("scjg01"), timeout=10)


def called(srv: ServerProcess) -> dict:
    kiosk = {"X-Device-Key": srv.device_key("kiosk-2")}
    r = requests.post(f"{srv.url}/api/v1/tickets", json={"item": ITEM}, headers=kiosk, timeout=10)
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    assert post(srv, "/windows/1/call-next").json()["ticket"]["id"] == ticket["id"]
    return ticket


def accept(srv: ServerProcess) -> dict:
    r = post(srv, "/windows/1/finish", outcome="accepted", materials=MATERIALS,
             applicant={"name": "李四", "id_number": ID, "phone": MOBILE})
    assert r.status_code == 200, r.text
    return r.json()["case"]


@pytest.fixture
def phone(new_context) -> Page:
    return new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                       locale="zh-CN").new_page()


def test_the_phone_page_leads_on_to_the_case_the_moment_it_opens(server, phone):
    ticket = called(server)
    errors = page_errors(phone)
    phone.goto(f"{server.url}/t/{ticket['id']}")
    expect(phone.locator("#conn")).to_have_class(re.compile(r"conn-live"))
    expect(phone.locator("#case-link")).to_be_hidden()
    case = accept(server)
    link = phone.locator("#case-link")
    expect(link).to_be_visible(timeout=3000)  # live: no reload
    expect(link).to_contain_text("查看办件进度")
    expect(link).to_contain_text("Follow your case")
    expect(link).to_have_attribute("href", case["progress_url"])
    shot(phone, "status-case-link.png", full_page=True)
    link.click()
    expect(phone.locator("dd.number")).to_have_text(case["number"])
    expect(phone.locator("body")).to_contain_text("李*")
    assert ID not in phone.content() and MOBILE not in phone.content()
    assert script_errors(errors) == []


def test_the_public_page_finds_a_case_by_number_and_last_four(server, phone):
    called(server)
    case = accept(server)
    errors = page_errors(phone)
    phone.goto(f"{server.url}/guide/progress")
    expect(phone.locator("h2")).to_contain_text("办件进度查询")
    # A wrong last four: the one answer every miss gets, nothing shown.
    phone.fill("#number", case["number"])
    phone.fill("#last4", "0000")
    phone.click("#submit")
    expect(phone.locator("#message")).to_contain_text("未查到办件")
    expect(phone.locator("#result section")).to_have_count(0)
    # Typed as a visitor would: lower case, the sequence's zeros left out; the phone's last four.
    hall, dept, year, seq = case["number"].split("-")
    phone.fill("#number", f"{hall.lower()}-{dept.lower()}-{year}-{int(seq)}")
    phone.fill("#last4", MOBILE[-4:])
    phone.click("#submit")
    expect(phone.locator("#result .status")).to_contain_text("已受理")
    expect(phone.locator("#message")).to_be_hidden()
    expect(phone.locator("#result")).to_contain_text(case["number"])
    expect(phone.locator("#result")).to_contain_text("李*")
    expect(phone.locator("#open-page")).to_have_attribute("href", case["progress_url"])
    assert ID not in phone.content() and MOBILE not in phone.content()
    # Phone width: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "progress-lookup.png", full_page=True)
    phone.click("#open-page")
    expect(phone.locator("dd.number")).to_have_text(case["number"])
    assert script_errors(errors) == []


def test_the_kiosk_finds_a_case_with_its_keypad(server, new_context):
    called(server)
    case = accept(server)
    page = new_context(viewport=KIOSK, locale="zh-CN").new_page()
    errors = page_errors(page)
    page.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
    entry = page.locator("#progress-open")
    expect(entry).to_contain_text("办件进度查询")
    expect(entry).to_contain_text("Track a case")
    shot(page, "kiosk-progress-home.png")
    entry.click()
    expect(page.locator("#screen-progress")).to_be_visible()

    def type_keys(text: str) -> None:
        for c in text:
            page.locator(f'#progress-keypad [data-key="{c}"]').click()

    type_keys(case["number"])
    expect(page.locator("#progress-number .progress-value")).to_have_text(case["number"])
    page.click("#progress-last4")
    expect(page.locator('#progress-keypad [data-key="A"]')).to_be_disabled()  # digits and X only here
    type_keys("9999")
    page.click("#progress-submit")
    expect(page.locator("#progress-message")).to_contain_text("未查到办件")
    for _ in range(4):
        page.get_by_role("button", name=re.compile("退格")).click()
    type_keys(ID[-4:])
    expect(page.locator("#progress-last4 .progress-value")).to_have_text(ID[-4:])
    shot(page, "kiosk-progress.png")
    page.click("#progress-submit")
    result = page.locator("#progress-result")
    expect(result).to_be_visible()
    expect(result.locator(".status")).to_contain_text("已受理")
    expect(result).to_contain_text(case["number"])
    expect(result).to_contain_text("李*")
    assert ID not in page.content()
    shot(page, "kiosk-progress-found.png")
    # Done: home, and nothing of the case is left in the page.
    page.click("#progress-done")
    expect(page.locator("#screen-home")).to_be_visible()
    assert case["number"] not in page.locator("#screen-progress").inner_html()
    assert script_errors(errors) == []
