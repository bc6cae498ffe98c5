"""Issue 14 points 3 and 4 in Debian's chromium against a real `hallq serve`: the visitor who comes
back with the missing papers (kiosk → a ticket linked to the notice → the console shows what was
missing and pre-ticks it), and the cases desk (/console/cases) where staff move cases on, request
and approve an extension, suspend the clock and see the papers.

Screenshots: docs/screenshots/kiosk-return.png, console-return.png and cases-desk.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from server.demo import DEMO_PASSWORD
from tests.browser.test_console import (
    STAFF,
    VIEWPORT,
    press,
    sign_in_at_window,
    take,
    valid_id_number,
)
from tests.support.browser import LateAnswer, page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPLICANT = {"name": "张三丰", "id_number": valid_id_number(), "phone": "13800138000"}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


def call_and_finish(server: ServerProcess, **body) -> dict:
    """A visit served from another device: called at window 1 and finished with `body`."""
    staff = server.login(STAFF)
    r = requests.post(f"{server.url}/api/v1/windows/1/call-next", headers=staff, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{server.url}/api/v1/windows/1/finish", headers=staff, json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["case"]


def test_a_returning_visitor_is_linked_to_the_notice_and_the_window_sees_what_was_missing(browser, server):
    errors_seen = []
    console = browser.new_context(viewport={**VIEWPORT, "height": 900}, device_scale_factor=1, locale="zh-CN")
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=1)
    try:
        page = console.new_page()
        errors_seen.append(page_errors(page))
        sign_in_at_window(page, server)
        take(server)
        notice = call_and_finish(server, outcome="notice", applicant=APPLICANT, materials=["APP_FORM", "ARTICLES"],
                                 missing=["SHAREHOLDER_ID", "PREMISES"])
        n = notice["number"]

        k = kiosk.new_page()
        errors_seen.append(page_errors(k))
        k.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
        k.locator("#return-btn").click()
        expect(k.locator("#screen-return")).to_be_visible()
        # A visitor types the number as it reads on the paper, in lower case.
        k.locator("#return-ref").fill(n.lower())
        shot(k, "kiosk-return.png")
        k.locator("#return-take").click()
        expect(k.locator("#screen-result")).to_be_visible()
        expect(k.locator("#result-green")).to_contain_text(f"补正材料 · 告知书 {n}")
        number = k.locator("#result-number").inner_text()

        # A number that is no notice is told plainly, and no number is shown.
        k.locator("#done").click()
        k.locator("#return-btn").click()
        k.locator("#return-ref").fill("CITY-SCJG-2026-009999")
        k.locator("#return-take").click()
        expect(k.locator("#screen-error")).to_be_visible()
        expect(k.locator("#error-title")).to_have_text("没有找到该告知书")

        press(page, "F1")
        expect(page.locator("#t-number")).to_have_text(number)
        follows = page.locator("#t-follows")
        expect(follows).to_be_visible()
        expect(follows).to_contain_text(f"一次性告知书 {n}")
        expect(follows.locator(".follows-missing li")).to_have_count(2)
        expect(follows).to_contain_text("股东")
        expect(page.locator('#materials input[data-code="SHAREHOLDER_ID"]')).to_be_checked()
        expect(page.locator('#materials input[data-code="PREMISES"]')).to_be_checked()
        expect(page.locator('#materials input[data-code="APP_FORM"]')).not_to_be_checked()
        press(page, "s")
        press(page, "f")
        page.keyboard.press("1")                                    # 受理
        expect(page.locator('#f-materials-list input[data-code="PREMISES"]')).to_be_checked()
        expect(page.locator('#f-materials-list input[data-code="SHAREHOLDER_ID"]')).to_be_checked()
        page.keyboard.press("Escape")
        shot(page, "console-return.png")
    finally:
        console.close()
        kiosk.close()
    for errors in errors_seen:
        assert not script_errors(errors), errors


def open_window(server: ServerProcess) -> None:
    r = requests.post(f"{server.url}/api/v1/windows/1/open", headers=server.login(STAFF), timeout=10)
    assert r.status_code == 200, r.text


def sign_in_desk(page: Page, server: ServerProcess, user: str) -> None:
    page.goto(f"{server.url}/console/cases")
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(DEMO_PASSWORD)
    page.locator("#login-form button[type=submit]").click()


def accepted_case(server: ServerProcess) -> str:
    """A window opened, a ticket taken, and its case accepted with every paper: the case's number."""
    open_window(server)
    take(server)
    return call_and_finish(server, outcome="accepted", applicant=APPLICANT,
                           materials=["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"])["number"]


def test_the_cases_desk_moves_extends_and_suspends_cases(browser, server):
    open_window(server)
    take(server)
    case = call_and_finish(server, outcome="accepted", applicant=APPLICANT,
                           materials=["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"])
    n = case["number"]
    take(server)
    received = call_and_finish(server, outcome="received", applicant=APPLICANT, materials=["APP_FORM"])
    # The window clerk asks; the chief approves (nobody approves their own request).
    r = requests.post(f"{server.url}/api/v1/cases/{n}/extensions", headers=server.login(STAFF), timeout=10,
                      json={"days": 3, "reason": "需组织现场核查",
                            "legal_basis": "《中华人民共和国行政许可法》第四十二条"})
    assert r.status_code == 201, r.text
    context = browser.new_context(viewport={"width": 1440, "height": 960}, device_scale_factor=1, locale="zh-CN")
    try:
        page = context.new_page()
        errors = page_errors(page)
        sign_in_desk(page, server, "chief-scjg")
        expect(page.locator("#screen-desk")).to_be_visible()
        row = page.locator(f'tr.case-row[data-number="{n}"]')
        expect(row).to_be_visible()
        expect(page.locator(f'tr.case-row[data-number="{received["number"]}"]')).to_contain_text("已收件待审查")

        row.click()
        page.locator('[data-action="review"]').click()
        expect(row).to_contain_text("审查中")
        expect(row).to_contain_text("延长待批")
        # A receipt awaiting its answer offers neither an extension nor a suspension.
        page.locator(f'tr.case-row[data-number="{received["number"]}"]').click()
        expect(page.locator('[data-action="notice"]')).to_be_visible()
        expect(page.locator('[data-action="extend"]')).to_have_count(0)
        expect(page.locator('[data-action="suspend"]')).to_have_count(0)
        row.click()
        page.locator('[data-action="approve_ext"]').click()
        page.locator("#act-submit").click()
        expect(page.locator("#d-clock")).to_contain_text("已批准")
        promised = requests.get(f"{server.url}/api/v1/cases/{n}", headers=server.login(STAFF),
                                timeout=10).json()["case"]["promised_date"]
        expect(row).to_contain_text(promised)
        # The extension's notice, drawn by the server as it prints.
        expect(page.locator("#d-docs .paper")).to_have_count(2)
        expect(page.locator("#d-docs .paper").first).to_contain_text("延长")

        page.locator('[data-action="suspend"]').click()
        page.locator("#act-kind").select_option("expert_review")
        page.locator("#act-reason").fill("组织专家评审")
        page.locator("#act-submit").click()
        expect(row).to_contain_text("中止计时")
        expect(page.locator('[data-action="resume"]')).to_be_visible()
        page.locator('[data-action="resume"]').click()
        expect(page.locator("#d-clock")).to_contain_text("已恢复计时")

        # The received case is answered with a notice listing what is missing.
        page.locator(f'tr.case-row[data-number="{received["number"]}"]').click()
        page.locator('[data-action="notice"]').click()
        page.locator('#act-fields input[value="PREMISES"]').check()
        page.locator("#act-submit").click()
        expect(page.locator(f'tr.case-row[data-number="{received["number"]}"]')).to_have_count(0)

        row.click()
        expect(page.locator("#d-docs img.paper-img").first).to_have_attribute("src", re.compile(r"^data:image/png"))
        shot(page, "cases-desk.png")
        assert not script_errors(errors), errors
    finally:
        context.close()


def test_a_window_clerk_may_not_approve_an_extension_on_the_desk(browser, server):
    n = accepted_case(server)
    r = requests.post(f"{server.url}/api/v1/cases/{n}/extensions", headers=server.login(STAFF), timeout=10,
                      json={"days": 2, "reason": "核查", "legal_basis": "依据"})
    assert r.status_code == 201, r.text
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1, locale="zh-CN")
    try:
        page: Page = context.new_page()
        sign_in_desk(page, server, STAFF)
        page.locator(f'tr.case-row[data-number="{n}"]').click()
        expect(page.locator('[data-action="review"]')).to_be_visible()
        expect(page.locator('[data-action="approve_ext"]')).to_have_count(0)
        expect(page.locator('[data-action="extend"]')).to_have_count(0)  # one pending already
    finally:
        context.close()


def test_a_manager_on_the_desk_sees_the_papers_listed_without_the_full_name(browser, server):
    """A manager sees the applicant masked: the desk lists the case's papers by number and code,
    without the preview (the paper carries the full name) and without a reprint, saying why."""
    n = accepted_case(server)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1, locale="zh-CN")
    try:
        page: Page = context.new_page()
        errors = page_errors(page)
        sign_in_desk(page, server, "manager")
        page.locator(f'tr.case-row[data-number="{n}"]').click()
        paper = page.locator("#d-docs .paper")
        expect(paper).to_have_count(1)
        expect(paper).to_contain_text("受字〔")
        expect(paper).to_contain_text("仅本办件的窗口人员和本部门首席代表可预览")
        expect(paper.locator("img")).to_have_count(0)
        expect(paper.locator(".paper-reprint")).to_have_count(0)
        assert APPLICANT["name"] not in page.locator("#screen-desk").inner_text()
        shot(page, "cases-desk-manager.png")
        assert not script_errors(errors), errors
    finally:
        context.close()


def test_a_case_chosen_again_before_its_papers_came_shows_them_once(browser, server):
    """The desk reloads a case after every action while the click's own request may still be out:
    the late answer added its papers beside the new one's (CI, two papers shown as four)."""
    n = accepted_case(server)
    context = browser.new_context(viewport={"width": 1440, "height": 960}, locale="zh-CN")
    try:
        page = context.new_page()
        errors = page_errors(page)
        late = LateAnswer(page, r".*/api/v1/cases/[^/]+/documents$")
        sign_in_desk(page, server, "chief-scjg")
        row = page.locator(f'tr.case-row[data-number="{n}"]')
        row.click()
        late.wait_read()
        page.locator("#btn-reload").click()  # the list reloaded with the case kept: a second request
        papers = requests.get(f"{server.url}/api/v1/cases/{n}/documents", headers=server.login(STAFF),
                              timeout=10).json()["documents"]
        expect(page.locator("#d-docs .paper")).to_have_count(len(papers))
        late.deliver()
        expect(page.locator("#d-docs .paper")).to_have_count(len(papers), timeout=1000)
        assert not errors
    finally:
        context.close()


def test_a_reload_answered_after_an_actions_own_reload_does_not_undo_it(browser, server):
    """刷新 then an action: the action reads the list again, and the 刷新's answer, read before
    the action and delivered after it, drew the case back as it was."""
    n = accepted_case(server)
    context = browser.new_context(viewport={"width": 1440, "height": 960}, locale="zh-CN")
    try:
        page = context.new_page()
        errors = page_errors(page)
        sign_in_desk(page, server, "chief-scjg")
        row = page.locator(f'tr.case-row[data-number="{n}"]')
        row.click()
        late = LateAnswer(page, r".*/api/v1/cases/open$")
        page.locator("#btn-reload").click()
        late.wait_read()
        page.locator('[data-action="review"]').click()
        expect(row).to_contain_text("审查中")
        late.deliver()
        expect(row).to_contain_text("审查中", timeout=1000)
        assert not errors
    finally:
        context.close()
