"""Paper you can see (issue 14, point 7) and verifiable paper (point 2), in Debian's chromium
against a real `hallq serve`: after a finish that opens a case the console shows the document it
just printed, drawn by the server from the printer's own layout, with its number, its code and a
reprint button; the phone page of /verify says whether a printed code is genuine.

Screenshots: docs/screenshots/paper-preview.png (the console) and verify.png (a phone)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_console import (
    STAFF,
    VIEWPORT,
    materials,
    press,
    sign_in_at_window,
    take,
    valid_id_number,
    waiting,
)
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def console(browser, server) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(viewport={**VIEWPORT, "height": 900}, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    errors = page_errors(page)
    yield context, page
    context.close()
    assert not script_errors(errors), errors


def test_the_console_shows_the_paper_it_just_printed_and_reprints_it(console, server, browser):
    _, page = console
    sign_in_at_window(page, server)
    take(server)
    expect(waiting(page)).to_have_text("1")
    press(page, "F1")
    press(page, "s")
    page.locator("#btn-all").click()
    mats = materials(server)
    expect(page.locator("#materials-sum")).to_contain_text(f"{len(mats)}/{len(mats)}")
    press(page, "f")
    page.keyboard.press("1")                                    # 受理
    page.locator("#f-name").fill("张三丰")
    page.locator("#f-id").fill(valid_id_number())
    page.locator("#f-phone").fill("13800138000")
    with page.expect_response(lambda r: r.url.endswith("/windows/1/finish")) as answer:
        page.keyboard.press("Control+Enter")
    body = answer.value.json()
    assert answer.value.ok, body
    doc = body["document"]
    assert doc["kind"] == "acceptance" and re.fullmatch(r"CITY-市监受字〔\d{4}〕1号", doc["number"])

    paper = page.locator("#result-paper")
    expect(paper).to_be_visible()
    expect(paper.locator(".paper-number")).to_have_text(doc["number"])
    expect(paper.locator(".paper-code code")).to_have_text(doc["verify_code"])
    image = paper.locator("img.paper-img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    expect(paper.locator(".paper-wait")).to_have_count(0)
    # The very picture the server draws from the printer's blocks: 80 mm paper, 576 dots and a margin.
    assert image.evaluate("img => img.complete && img.naturalWidth") == 608
    png = requests.get(f"{server.url}{doc['preview_url']}", headers=server.login(STAFF), timeout=10)
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    page.locator(".paper-frame").evaluate("f => f.scrollTop = 0")
    shot(page, "paper-preview.png")

    paper.locator("button.paper-reprint").click()
    expect(paper.locator(".paper-msg")).to_contain_text("已送打印机补打")
    listed = requests.get(f"{server.url}/api/v1/cases/{body['case']['number']}/documents",
                          headers=server.login(STAFF), timeout=10).json()["documents"]
    assert [d["number"] for d in listed] == [doc["number"]]  # reprinted, not issued again

    # The applicant's phone scans the paper's second QR code.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="zh-CN")
    try:
        p = phone.new_page()
        p.goto(doc["verify_url"].replace("http://127.0.0.1:5000", server.url))
        expect(p.locator(".verdict")).to_contain_text("本文书真实有效")
        expect(p.locator("main")).to_contain_text(doc["number"])
        expect(p.locator("main")).to_contain_text("张*丰")
        expect(p.locator("main")).not_to_contain_text("张三丰")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        shot(p, "verify.png", full_page=True)
        p.goto(f"{server.url}/verify/AAAA-BBBB-CCCC-DDDD")
        expect(p.locator(".verdict")).to_contain_text("查无此文书")
    finally:
        phone.close()
