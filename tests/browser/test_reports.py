"""The board's supervision pages (issue #12 points 4 and 5) in Debian's chromium against a real
`hallq serve` of the demo hall: the statistics page draws its four ECharts charts from the day's
services and downloads the XLSX; the monthly evaluation prints on A4 with its formula; the audit log
finds an allocation change by its kind and exports it. Each page is reached as a manager would:
opened without a sign-in, sent to the board's sign-in, and brought back."""

from __future__ import annotations

import io
import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import page_errors, script_errors, shot
from tests.support.hall_month import TZ, days_to_replay, replay
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}
# The hall's own day, whatever the machine running the tests is set to.
HALL = {"device_scale_factor": 1, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
FORMULA = "得分 = 40×满意率 + 30×按时办结率 + 20×(1−过号率) + 10×(1−暂停占比)"


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Path:
    """The demo hall with this month's working days before today replayed (tests/support/hall_month.py),
    once for the module: each test serves a copy."""
    path = tmp_path_factory.mktemp("month")
    srv = ServerProcess(path)
    creds = srv.seed()
    replay(path, days_to_replay(datetime.now(TZ).date()), creds["devices"]["kiosk-1"])
    return path


@pytest.fixture
def month_server(tmp_path, replayed) -> Iterator[ServerProcess]:
    for name in ("hallq.db", "demo-credentials.json"):
        shutil.copy(replayed / name, tmp_path / name)
    srv = ServerProcess(tmp_path)
    srv.credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    srv.start()
    yield srv
    srv.stop()


def call(server: ServerProcess, who: dict, method: str, path: str, body: dict | None = None) -> requests.Response:
    r = requests.request(method, f"{server.url}/api/v1{path}", json=body, headers=who, timeout=10)
    assert r.status_code in (200, 201, 204), r.text
    return r


def a_morning(server: ServerProcess) -> None:
    """Two windows serve a few visitors: finished services, a no-show, a pause."""
    kiosk = {"X-Device-Key": server.device_key("kiosk-1")}
    for who, window in ((server.login("scjg01"), "1"), (server.login("scjg02"), "2")):
        call(server, who, "POST", f"/windows/{window}/open")
        for _ in range(3):
            call(server, kiosk, "POST", "/tickets", {"item": "SCJG-001"})
        for _ in range(2):
            call(server, who, "POST", f"/windows/{window}/call-next")
            call(server, who, "POST", f"/windows/{window}/start")
            call(server, who, "POST", f"/windows/{window}/finish", {"outcome": "consulted"})
        call(server, who, "POST", f"/windows/{window}/call-next")
        call(server, who, "POST", f"/windows/{window}/no-show")
        call(server, who, "POST", f"/windows/{window}/pause", {"reason": "会议"})
        call(server, who, "POST", f"/windows/{window}/resume")


def open_signed_in(page: Page, server: ServerProcess, path: str, user: str = "manager") -> None:
    """Open `path` with no sign-in: the page sends the reader to the board's sign-in and back."""
    page.goto(f"{server.url}{path}")
    page.locator("#signin-note a").click()
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")


def test_statistics_draw_their_charts_and_download_the_xlsx(browser, month_server):
    server = month_server
    a_morning(server)
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True, **HALL)
    page = context.new_page()
    errors = page_errors(page)
    open_signed_in(page, server, "/manage/stats")
    page.locator("#by").select_option("window")
    expect(page.locator('#stats-table tr[data-key="1"]')).to_be_visible()
    for chart in ("served", "wait", "ratings", "arrivals"):
        expect(page.locator(f"#chart-{chart} canvas").first).to_be_visible()
    served = page.locator('#stats-table tr[data-key="1"] td').nth(2)
    expect(served).to_have_text("2")
    assert page.evaluate("window.echarts.version") == "6.1.0"
    # The bars are drawn: the served chart's canvas holds more than its background.
    painted = page.evaluate("""() => { const c = document.querySelector('#chart-served canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
    assert painted > 1000
    # This month, by window: the replayed days too.
    page.locator('#ranges button[data-range="month"]').click()
    first = datetime.now(TZ).date().replace(day=1).isoformat()
    expect(page.locator("#range-text")).to_contain_text(first)
    shot(page, "stats.png", full_page=True)

    with page.expect_download() as got:
        page.locator("#dl-xlsx").click()
    download = got.value
    assert download.suggested_filename.endswith(".xlsx")
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).worksheets[0]
    assert sheet.max_row >= 3
    context.close()
    assert not script_errors(errors), errors


def test_a_chief_sees_the_department_only(browser, server):
    a_morning(server)
    context = browser.new_context(viewport=LAPTOP, **HALL)
    page = context.new_page()
    errors = page_errors(page)
    open_signed_in(page, server, "/manage/stats", user="chief-scjg")
    expect(page.locator("#scope")).to_be_visible()
    page.locator("#by").select_option("department")
    expect(page.locator("#stats-table tbody tr:not(.total)")).to_have_count(1)
    expect(page.locator('#stats-table tr[data-key="SCJG"]')).to_be_visible()
    context.close()
    assert not script_errors(errors), errors


def test_the_evaluation_prints_on_a4_with_its_formula(browser, month_server):
    server = month_server
    a_morning(server)
    month = datetime.now(TZ).strftime("%Y-%m")
    context = browser.new_context(viewport={"width": 1100, "height": 900}, **HALL)
    page = context.new_page()
    errors = page_errors(page)
    open_signed_in(page, server, f"/manage/evaluation?month={month}&by=staff")
    rows = page.locator("#eval-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2  # today's two, and the replayed days' four when this month had any
    expect(page.locator("#formula-zh")).to_have_text(FORMULA)
    expect(rows.first.locator("td").nth(1)).to_contain_text("工号")
    page.emulate_media(media="print")
    expect(page.locator(".top")).to_be_hidden()
    expect(page.locator(".signatures")).to_contain_text("大厅主任（签字）")
    shot(page, "evaluation.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    context.close()
    assert pdf.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    doc = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(doc.pages) >= 1
    text = "".join(p.extract_text() for p in doc.pages)
    # NFKC: the extracted text may spell a hanzi as its Kangxi radical (⽐ for 比).
    squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    assert re.sub(r"\s+", "", FORMULA) in squeezed, text[:500]
    assert "月度考核报告" in squeezed and "大厅主任(签字)" in squeezed  # NFKC: （ is (
    assert not script_errors(errors), errors


def test_the_audit_log_finds_an_allocation_change_and_exports_it(browser, server):
    manager = server.login("manager")
    body = {"queues": [{"queue": "A", "weight": 1}, {"queue": "B", "weight": 1}], "reason": "午间高峰 / lunch peak"}
    call(server, manager, "PUT", "/windows/2/queues", body)
    a_morning(server)
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True, **HALL)
    page = context.new_page()
    errors = page_errors(page)
    open_signed_in(page, server, "/manage/audit")
    expect(page.locator("#entries tr").first).to_be_visible()
    expect(page.locator('#entries tr[data-action="ticket.finish"]').first).to_contain_text("办结")
    shot(page, "audit.png")
    page.locator("#action").select_option("allocation.change")
    rows = page.locator("#entries tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-action", "allocation.change")
    expect(rows.first).to_contain_text("调整窗口分配")
    expect(rows.first).to_contain_text("午间高峰")
    page.locator("#action").select_option("")
    page.locator("#q").fill("暂停")
    page.locator("#go").click()
    expect(page.locator('#entries tr[data-action="window.pause"]')).to_have_count(2)
    with page.expect_download() as got:
        page.locator("#dl-csv").click()
    text = got.value.path().read_text(encoding="utf-8-sig")
    assert text.startswith("时间 Time") and text.count("window.pause") == 2
    context.close()
    assert not script_errors(errors), errors


def test_the_pages_count_days_in_the_halls_zone_not_the_browsers(browser, server):
    """A PC set to UTC-12 (a day behind Shanghai for 20 hours of 24): "today", "this week" and the
    audit log's week start from the hall's day as the server counts it, not the PC's; the
    evaluation's words come in English too."""
    from datetime import date, timedelta

    a_morning(server)
    day = date.fromisoformat(call(server, server.login("manager"), "GET", "/hall").json()["day"])
    context = browser.new_context(viewport=LAPTOP, **{**HALL, "timezone_id": "Etc/GMT+12"})
    page = context.new_page()
    errors = page_errors(page)
    open_signed_in(page, server, "/manage/stats")
    expect(page.locator("#from")).to_have_value(day.isoformat())
    expect(page.locator("#to")).to_have_value(day.isoformat())
    page.locator('#ranges button[data-range="week"]').click()
    expect(page.locator("#from")).to_have_value((day - timedelta(days=day.weekday())).isoformat())
    expect(page.locator("#to")).to_have_value(day.isoformat())
    page.goto(f"{server.url}/manage/audit")
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")
    expect(page.locator("#from")).to_have_value((day - timedelta(days=6)).isoformat())
    expect(page.locator("#to")).to_have_value(day.isoformat())
    page.goto(f"{server.url}/manage/evaluation?month={day:%Y-%m}&by=window")
    expect(page.locator("#eval-table tbody tr").first).to_be_visible()
    table = page.locator("#eval-table")
    expect(table).to_contain_text("无数据 no data")  # nobody rated this morning
    expect(table).to_contain_text(" 分钟 min")
    expect(table).to_contain_text("分 pts")
    context.close()
    assert not script_errors(errors), errors
