"""The public service guide (/guide/, issue 14 point 5) in Debian's chromium against a real
`hallq serve`: a citizen at home finds an item by pinyin initials, reads every article 7 field in
Chinese with English beside it, downloads the sample form, prints the page, and reads it on a phone;
an admin's edit on /manage/admin/guides is on the public page, the phone page and a kiosk at once.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_console import take
from tests.browser.test_kiosk import open_kiosk, to_item, wait_live
from tests.support.browser import page_maker, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ITEM = "SCJG-001"
# Article 7's fields besides the materials and the common mistakes, which have their own sections.
FIELD_LABELS = ("事项名称", "办理依据", "受理条件", "受理单位", "基本流程", "办理时限", "收费标准", "收费依据",
                "咨询方式")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("guide"))
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def open_page(browser) -> Iterator:
    with page_maker(browser, DESKTOP) as make:
        yield make


def test_the_home_address_opens_departments_and_items_in_chinese_and_english(server, open_page):
    page = open_page()
    page.goto(f"{server.url}/")
    assert page.url.endswith("/guide/")
    expect(page.locator(".top .title")).to_have_text("办事指南 Service guide")
    expect(page.locator("#link-progress")).to_have_attribute("href", "/guide/progress")
    expect(page.locator("#link-progress")).to_contain_text("办件进度查询")
    first = page.locator("details.dept").first
    expect(first.locator("summary")).to_contain_text("市场监督管理局")
    expect(first.locator("summary .en")).to_have_text("Administration for Market Regulation")
    expect(first.locator(".item-list a").first).to_contain_text("有限责任公司设立登记")
    expect(first.locator(".item-list a .en").first).to_have_text(
        "Establishment Registration of a Limited Liability Company")
    page.locator("#dept-CRJ summary").click()
    expect(page.locator("#dept-CRJ .item-list")).to_contain_text("普通护照签发")
    shot(page, "guide-home.png")


def test_pinyin_initials_find_the_item_as_one_types(server, open_page):
    page = open_page()
    page.goto(f"{server.url}/guide/")
    page.locator("#q").press_sequentially("gszc", delay=30)
    results = page.locator("#result-list a")
    expect(results.first).to_contain_text("有限责任公司设立登记")
    expect(page.locator("#departments")).to_be_hidden()
    expect(page.locator("#results")).not_to_contain_text("普通护照签发")
    assert page.url.endswith("/guide/?q=gszc")
    shot(page, "guide-search.png")
    page.locator("#q").fill("huzhao")
    expect(results.first).to_contain_text("普通护照签发")
    page.locator("#q").fill("")
    expect(page.locator("#departments")).to_be_visible()
    # Without script, the form searches on the server: the same answer.
    page.goto(f"{server.url}/guide/?q=sfz")
    expect(page.locator("#result-list a").first).to_contain_text("居民身份证换领")


def test_an_item_shows_every_field_and_its_sample_form_downloads(server, open_page):
    page = open_page()
    page.goto(f"{server.url}/guide/items/{ITEM}")
    expect(page.locator("#item-name")).to_have_text("有限责任公司设立登记")
    labels = page.locator(".fields dt").all_inner_texts()
    for zh in FIELD_LABELS:
        assert any(t.startswith(zh) for t in labels), (zh, labels)
    for value in page.locator(".fields dd").all_inner_texts():
        assert value.strip() and value.strip() != "—"
    expect(page.locator("#f-unit")).to_have_text("某市市场监督管理局")
    expect(page.locator("#f-legal")).to_contain_text("《中华人民共和国公司法》")
    expect(page.locator("#revision")).to_contain_text("2026-10-15")
    expect(page.locator("#revision-note")).to_contain_text("示范文本")
    expect(page.locator("#materials tbody tr")).to_have_count(5)
    expect(page.locator("#materials .mistakes").first).to_contain_text("签字")
    expect(page.locator("#f-mistakes")).to_contain_text("章程")
    shot(page, "guide-item.png", full_page=True)

    with page.expect_download() as info:
        page.locator('tr[data-material="APP_FORM"] a.sample').click()
    download = info.value
    assert download.suggested_filename == "公司登记（备案）申请书（示范文本）.pdf"
    with open(download.path(), "rb") as f:
        data = f.read()
    import pypdf

    assert "公司登记" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().replace(" ", "")


def test_the_print_stylesheet_leaves_the_guide_and_the_download_addresses(server, open_page):
    page = open_page()
    page.goto(f"{server.url}/guide/items/{ITEM}")
    page.emulate_media(media="print")
    expect(page.locator(".links")).to_be_hidden()
    expect(page.locator("#btn-print")).to_be_hidden()
    expect(page.locator(".crumbs")).to_be_hidden()
    expect(page.locator('tr[data-material="APP_FORM"] .print-only')).to_be_visible()
    expect(page.locator('tr[data-material="APP_FORM"] .print-only')).to_have_text(f"/guide/forms/{ITEM}/APP_FORM")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    import pypdf

    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
    assert "办理依据" in text and "收费依据" in text and "全部事项" not in text


def test_a_phone_reads_the_guide_without_scrolling_sideways(server, open_page):
    page = open_page(PHONE)
    page.goto(f"{server.url}/guide/items/{ITEM}")
    expect(page.locator("#f-conditions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#materials thead")).to_be_hidden()  # the table became cards
    shot(page, "guide-phone.png")
    page.goto(f"{server.url}/guide/?q=gszc")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#result-list a").first).to_contain_text("有限责任公司设立登记")


def test_an_admin_edit_reaches_the_public_page_the_phone_page_and_an_open_kiosk(server, open_page, browser):
    context, kiosk = open_kiosk(browser, server, "portrait")
    try:
        wait_live(kiosk)
        to_item(kiosk, "SCJG-002")
        expect(kiosk.locator("#guide-more")).to_contain_text("受理单位")
        expect(kiosk.locator("#guide-more")).to_contain_text("某市市场监督管理局")
        expect(kiosk.locator("#guide-limit")).to_have_text("1 个工作日")

        page = open_page()
        page.goto(f"{server.url}/manage/admin/guides?item=SCJG-002")
        page.fill("#login-user", "admin")
        page.fill("#login-pass", server.credentials["password"])
        page.click("#login-form button[type=submit]")
        expect(page.locator("#g-legal_basis")).to_have_value("《中华人民共和国公司法》；《中华人民共和国市场主体登记管理条例》")
        expect(page.locator("#history-body tr")).to_have_count(1)
        page.fill("#g-time_limit_days", "2")
        page.locator("#materials-body tr").first.locator('input[data-k="mistakes"]').fill("未勾选“变更登记”；未签字")
        page.fill("#g-note", "办理时限调整为2个工作日，补充申请书常见错误")
        shot(page, "admin-guide-edit.png", full_page=True)
        page.click("#guide-save")
        expect(page.locator("#note")).to_contain_text("已保存新修订")
        expect(page.locator("#history-body tr")).to_have_count(2)
        expect(page.locator("#history-body tr").first).to_contain_text("办理时限调整为2个工作日")
        expect(page.locator("#history-body tr").first).to_contain_text("admin")

        # The kiosk showing that guide redraws it (guide.revised), no restart, no reload.
        expect(kiosk.locator("#guide-limit")).to_have_text("2 个工作日")
        expect(kiosk.locator("#guide-more")).to_contain_text("办理时限调整为2个工作日")
    finally:
        context.close()

    public = open_page()
    public.goto(f"{server.url}/guide/items/SCJG-002")
    expect(public.locator("#f-limit")).to_contain_text("2 个工作日")
    expect(public.locator("#revision")).to_contain_text("第 1 次修订")
    expect(public.locator("#revision-note")).to_have_text("办理时限调整为2个工作日，补充申请书常见错误")
    expect(public.locator('tr[data-material="APP_FORM"] .mistakes')).to_have_text("未勾选“变更登记”；未签字")

    ticket = take(server, "SCJG-002")
    phone = open_page(PHONE)
    phone.goto(f"{server.url}/t/{ticket['id']}")
    phone.locator("#guide-full summary").click()
    expect(phone.locator("#guide-full")).to_contain_text("受理单位")
    expect(phone.locator("#guide-full")).to_contain_text("2 个工作日")
    expect(phone.locator("#guide-full")).to_contain_text("办理时限调整为2个工作日")
    r = requests.get(f"{server.url}/api/v1/guide/items/SCJG-002", timeout=10)
    assert r.json()["item"]["guide"]["revision"]["number"] == 1


def test_a_second_admin_saving_a_stale_edit_is_told_to_reload(server, open_page):
    def signed_in() -> Page:
        page = open_page()
        page.goto(f"{server.url}/manage/admin/guides?item=SCJG-003")
        page.fill("#login-user", "admin")
        page.fill("#login-pass", server.credentials["password"])
        page.click("#login-form button[type=submit]")
        expect(page.locator("#g-note")).to_be_visible()
        return page

    first, second = signed_in(), signed_in()
    first.fill("#g-contact", "咨询电话 000-11111111")
    first.fill("#g-note", "更新咨询电话")
    first.click("#guide-save")
    expect(first.locator("#note")).to_contain_text("已保存新修订")

    second.fill("#g-fee", "不收费（第二位管理员）")
    second.fill("#g-note", "核对收费")
    second.click("#guide-save")
    expect(second.locator("#item-revision")).to_contain_text("已被他人修订，请重新加载")
    expect(second.locator("body")).to_contain_text("第 1 次修订")
    expect(second.locator("#g-fee")).to_have_value("不收费（第二位管理员）")  # the edit stays, to copy
    expect(second.locator("#error")).to_be_in_viewport()
    shot(second, "admin-guide-stale.png")
    second.click("#guide-reload")
    expect(second.locator("#item-revision")).to_contain_text("当前第 1 次修订")
    expect(second.locator("#g-contact")).to_have_value("咨询电话 000-11111111")
    expect(second.locator("#guide-reload")).to_be_hidden()
