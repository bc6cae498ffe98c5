"""Issue #12's "Done when", played as the hall's people play it, in Debian's chromium against one
real `hallq serve` of the demo hall:

1. three visitors take their tickets and wait (a quarter of a minute, so that the waits show in the
   statistics' minutes); a clerk (scjg01, 张丽 SC101) signs in at window 1 on the console, calls and
   finishes them;
2. after each finish the pad paired to window 1 shows who served and the item: visitor 1 taps
   非常满意, visitor 2 taps 不满意 with a reason, visitor 3 rates 满意 on the phone page instead; the
   console hears that ratings came in, never their level;
3. the chief (chief-scjg) sees the poor rating on the board's 差评整改 with its deadline (one working
   day on the hall calendar) and takes it through called back → verified → rectified → answered;
4. the manager opens 统计 for today by window and downloads the XLSX; window 1's row is checked
   against the day recomputed here from the audit log (finishes, ratings with their level) and from
   the rating answers the pad and the phone got and the tickets' own times, not from the statistics
   API; scrolled sideways to 满意率, the table keeps the window's name in view;
5. the manager opens 月度考核 for this month by window and prints it on A4: the PDF holds window 1's
   row, its satisfaction 2/3, the score the formula gives, and the formula.
"""

from __future__ import annotations

import io
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from statistics import mean

import pytest
import requests
from playwright.sync_api import Page, Response, expect

from server.app.workcal import hall_calendar
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.browser.test_console import press, sign_in_at_window, take
from tests.browser.test_followups import sign_in
from tests.browser.test_rater import CONSOLE, PAD, PHONE, open_pad
from tests.browser.test_reports import FORMULA, HALL
from tests.support.browser import page_errors, script_errors, shot
from tests.support.hall_month import TZ
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WALL = {"width": 1920, "height": 1080}
ITEM_NAME = "有限责任公司设立登记"  # SCJG-001, queue A: window 1 serves it
# The visitors wait this long for the window to open: long enough to show in the statistics' minutes.
WAIT_S = 15
LEVEL_NAMES = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
NOTES = {
    "called_back": "已电话回访群众：等候较久，窗口一次性告知不够清楚。",
    "verified": "调阅叫号记录与录音核实属实。",
    "rectified": "已对窗口人员进行业务培训，补充办事指南中的材料说明。",
    "answered": "已将整改情况电话反馈群众，群众表示认可。",
}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def people(new_context) -> Iterator[Callable[..., Page]]:
    """One browser context per person or device, Chinese first, in the hall's time zone; none may
    log a script error."""
    errors: list[str] = []

    def open_page(**options) -> Page:
        page = new_context(**{**HALL, **options}).new_page()
        errors.extend(page_errors(page))
        return page

    yield open_page
    assert not script_errors(errors), errors


def is_rating(r: Response) -> bool:
    return r.request.method == "POST" and r.url.endswith("/rating")


def finish_at_console(console: Page, number: str) -> None:
    """Call the next visitor (F1), check it is `number`, finish as a consultation (f, 5, Ctrl+Enter)."""
    press(console, "F1")
    expect(console.locator("#t-number")).to_have_text(number)
    press(console, "f")
    expect(console.locator("#dlg-finish")).to_be_visible()
    console.keyboard.press("5")  # consulted
    console.keyboard.press("Control+Enter")
    expect(console.locator("#dlg-finish")).to_be_hidden()


def pad_asks_about(pad: Page, number: str) -> None:
    expect(pad.locator("#ask")).to_be_visible()
    expect(pad.locator("#ask-number")).to_have_text(number)
    expect(pad.locator("#ask-name")).to_have_text("张丽")
    expect(pad.locator("#ask-no")).to_have_text("SC101")
    expect(pad.locator("#ask-item")).to_have_text(ITEM_NAME)


def rate_on_the_pad(pad: Page, level: int, tag: str | None = None) -> dict:
    """A tap on 3-5 sends at once; 1 and 2 want a reason and a submit. The server's answer."""
    with pad.expect_response(is_rating) as got:
        pad.locator(f'.rating-level[data-level="{level}"]').tap()
        if tag:
            pad.locator(f'.rating-tag[data-tag="{tag}"]').tap()
            expect(pad.locator(f'.rating-tag[data-tag="{tag}"]')).to_have_attribute("aria-pressed", "true")
            shot(pad, "supervision-pad.png")
            pad.locator(".rating-submit").tap()
    assert got.value.status == 201, got.value.text()
    expect(pad.locator("#thanks")).to_contain_text("感谢您的评价")
    return got.value.json()["rating"]


def audit_of_today(server: ServerProcess, manager: dict) -> list[dict]:
    """Today's finishes, ratings and follow-up steps from the readable audit log, every page."""
    today = datetime.now(TZ).date().isoformat()
    entries: list[dict] = []
    before: int | None = None
    while True:
        params = {"from": today, "to": today, "action": "ticket.finish,rating.add,followup.", "limit": 500}
        if before is not None:
            params["before_seq"] = before
        r = requests.get(f"{server.url}/api/v1/audit/log", params=params, headers=manager, timeout=10)
        assert r.status_code == 200, r.text
        entries += r.json()["entries"]
        before = r.json()["next_before_seq"]
        if before is None:
            return entries


def recomputed(entries: list[dict], window: str) -> dict:
    """Window `window`'s figures from the audit log alone: services finished there and the levels of
    the ratings of its services."""
    here = [e for e in entries if e["detail"].get("window") == window]
    served = [e for e in here if e["action"] == "ticket.finish"]
    rated = [e["detail"]["level"] for e in here if e["action"] == "rating.add"]
    levels = Counter(rated)
    return {"served": len(served), "ratings": {str(n): levels.get(n, 0) for n in range(1, 6)},
            "rated": len(rated), "satisfaction_rate": (levels[4] + levels[5]) / len(rated)}


def waited(server: ServerProcess, ticket_id: str) -> float:
    """Seconds from the ticket's issue to its call, as the ticket itself tells (its phone page's API)."""
    r = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10)
    assert r.status_code == 200, r.text
    t = r.json()["ticket"]
    assert t["status"] == "done" and t["window"] == "1", t
    return (datetime.fromisoformat(t["called_at"]) - datetime.fromisoformat(t["issued_at"])).total_seconds()


def xlsx_row(data: bytes, key: str) -> dict:
    """The row of `key` in the statistics workbook's first sheet, by the field names in its header
    ("办结数 / served")."""
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    fields = [str(h).rsplit(" / ", 1)[-1] for h in lines[0]]
    [row] = [dict(zip(fields, line, strict=True)) for line in lines[1:] if line[0] == key]
    return row


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without white space; NFKC, as pypdf may spell a hanzi as its Kangxi radical."""
    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_a_day_of_supervision_in_the_demo_hall(people, server):
    hall = load_hall(DEFAULT_CONFIG)
    today = datetime.now(TZ).date()

    # 1-2. Three visitors take their tickets and wait; the window's pad, the clerk's console.
    visitors = [take(server) for _ in range(3)]
    pad = people(viewport=PAD, has_touch=True)
    open_pad(pad, server, server.device_key("rater-1"))
    expect(pad.locator("#pad-window")).to_contain_text("1号窗口")
    time.sleep(WAIT_S)
    console = people(viewport=CONSOLE)
    sign_in_at_window(console, server)
    answers: list[dict] = []

    finish_at_console(console, visitors[0]["number"])
    pad_asks_about(pad, visitors[0]["number"])
    answers.append(rate_on_the_pad(pad, 5))

    finish_at_console(console, visitors[1]["number"])
    pad_asks_about(pad, visitors[1]["number"])
    answers.append(rate_on_the_pad(pad, 2, tag="efficiency"))

    phone = people(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(visitors[2]["status_url"].replace("http://127.0.0.1:5000", server.url))
    expect(phone.locator("#rating")).to_be_hidden()  # still waiting: nothing to rate
    finish_at_console(console, visitors[2]["number"])
    pad_asks_about(pad, visitors[2]["number"])  # the pad asks too; this visitor rates on the phone
    expect(phone.locator("#rating")).to_be_visible()
    phone.locator('.rating-level[data-level="4"]').tap()
    with phone.expect_response(is_rating) as got:
        phone.locator(".rating-submit").tap()
    assert got.value.status == 201, got.value.text()
    answers.append(got.value.json()["rating"])
    expect(phone.locator("#rating")).to_contain_text("感谢您的评价")

    assert [(a["level"], a["channel"]) for a in answers] == [(5, "pad"), (2, "pad"), (4, "phone")]
    assert [a["ticket"] for a in answers] == [v["id"] for v in visitors]
    poor = answers[1]
    # The console: three ratings came in, and not one word of how they went.
    expect(console.locator("body")).to_have_attribute("data-ratings", "3")
    expect(console.locator("#error-text")).to_contain_text("收到一条评价")
    shown = console.locator("body").inner_text()
    assert not [name for name in LEVEL_NAMES if name in shown], shown

    # 3. The chief's 差评整改: the poor rating with its deadline, followed up to the answer.
    chief = people(viewport=WALL)
    sign_in(chief, server, "chief-scjg")
    chief.locator('.view-btn[data-view="followups"]').click()
    card = chief.locator(f'.fu[data-rating="{poor["id"]}"]')
    expect(card).to_be_visible()
    expect(chief.locator(".fu")).to_have_count(1)  # the good ones open nothing
    expect(card.locator(".fu-level")).to_contain_text("不满意")
    expect(card.locator(".fu-staff")).to_have_text("张丽（SC101）")
    expect(card.locator(".chip")).to_contain_text("办事效率")
    due = hall_calendar(hall).add_working_days(today, hall.followup.called_back_days)
    expect(card.locator(".fu-due")).to_have_attribute("data-due", due.isoformat())
    expect(card.locator(".fu-due")).to_contain_text(f"截止 {due.isoformat()}")
    expect(card.locator(".fu-deadline")).to_contain_text("已回访")
    for step, note in NOTES.items():
        card.locator("textarea").first.fill(note)
        card.locator(f'button[data-step="{step}"]').click()
        if step != "answered":
            expect(card).to_have_attribute("data-status", step)
    expect(card).to_have_count(0)  # answered: no longer open
    chief.locator("#fu-status").select_option("closed")
    expect(card).to_have_attribute("data-status", "answered")
    expect(card.locator(".fu-deadline")).to_contain_text("已办结")
    card.locator(".fu-history summary").click()
    expect(card.locator(".fu-history li")).to_have_count(5)
    expect(card.locator(".fu-history")).to_contain_text(NOTES["answered"])
    expect(chief.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))  # drawn a second after load
    shot(chief, "supervision-followup-answered.png")

    # The day as the audit log tells it, and as the visitors' answers tell it.
    entries = audit_of_today(server, server.login("manager"))
    day = recomputed(entries, "1")
    by_answers = Counter(a["level"] for a in answers)
    assert day == {"served": 3, "ratings": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}, "rated": 3,
                   "satisfaction_rate": pytest.approx(2 / 3)}
    assert day["ratings"] == {str(n): by_answers.get(n, 0) for n in range(1, 6)}
    waits = sorted(waited(server, v["id"]) for v in visitors)
    steps = [e["detail"] for e in entries if e["action"] == "followup.step"]
    assert sorted(s["step"] for s in steps) == sorted(NOTES), steps

    # 4. The manager's statistics for today by window, and the XLSX.
    boss = people(viewport=WALL, accept_downloads=True)
    sign_in(boss, server, "manager")
    boss.locator('a[href="/manage/stats"]').click()
    boss.wait_for_url(re.compile(r"/manage/stats"))
    expect(boss.locator("body")).to_have_attribute("data-loaded", "1")
    expect(boss.locator("#from")).to_have_value(today.isoformat())
    expect(boss.locator("#to")).to_have_value(today.isoformat())
    boss.locator("#by").select_option("window")
    row = boss.locator('#stats-table tr[data-key="1"]')
    expect(row).to_be_visible()
    expect(row.locator("td").nth(2)).to_have_text(str(day["served"]))
    expect(row.locator("td").last).to_have_text(f"{day['satisfaction_rate'] * 100:.1f}%")
    for chart in ("served", "wait", "ratings", "arrivals"):
        expect(boss.locator(f"#chart-{chart} canvas").first).to_be_visible()
    expect(boss.locator("#error")).to_be_hidden()
    # The table is a little wider than the screen: the manager scrolls it to 评价数 and 满意率.
    wrap = boss.locator(".table-wrap")
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert wrap.evaluate("e => e.scrollLeft") > 0
    # ... and still sees whose they are: the row's name stays at the left edge.
    name, edge = row.locator("td").first.bounding_box(), wrap.bounding_box()
    assert name and edge and abs(name["x"] - edge["x"]) < 1, (name, edge)
    expect(row.locator("td").first).to_have_text("1号窗口")
    shot(boss, "supervision-stats.png", full_page=True)
    with boss.expect_download() as got_file:
        boss.locator("#dl-xlsx").click()
    assert got_file.value.suggested_filename == f"hallq-stats-window-{today}-{today}.xlsx"
    sheet = xlsx_row(got_file.value.path().read_bytes(), "1")
    assert sheet["served"] == day["served"]
    assert {n: sheet[f"rating_{n}"] for n in day["ratings"]} == day["ratings"]
    assert sheet["rated"] == day["rated"]
    assert sheet["satisfaction_rate"] == round(day["satisfaction_rate"], 4)  # rates keep four decimals
    # The tickets' own times are to the second: the statistics' waits within one of them.
    assert sheet["wait_mean_s"] == pytest.approx(mean(waits), abs=1)
    assert sheet["wait_p90_s"] == pytest.approx(waits[math.ceil(0.9 * len(waits)) - 1], abs=1)

    # 5. The month's evaluation by window, printed on A4.
    month = today.strftime("%Y-%m")
    boss.locator('a[href="/manage/evaluation"]').click()
    boss.wait_for_url(re.compile(r"/manage/evaluation"))
    expect(boss.locator("body")).to_have_attribute("data-loaded", "1")
    boss.locator("#month").fill(month)
    boss.locator("#by").select_option("window")
    boss.locator("#go").click()
    expect(boss.locator("#r-month")).to_have_text(f"{today.year}年{today.strftime('%m')}月")
    erow = boss.locator('#eval-table tr[data-key="1"]')
    expect(erow).to_be_visible()
    satisfied = day["ratings"]["4"] + day["ratings"]["5"]
    sat_text = f"{day['satisfaction_rate'] * 100:.1f}%"
    expect(erow.locator("td").nth(3)).to_contain_text(sat_text)
    expect(erow.locator("td").nth(3)).to_contain_text(f"{satisfied}/{day['rated']}")
    # The formula by hand: no case today (on-time left out, the rest scaled to 100), nobody missed
    # their call, the window never paused.
    w = hall.evaluation
    counted = w.satisfaction + w.no_show + w.pause
    score = (w.satisfaction * day["satisfaction_rate"] + w.no_show + w.pause) * 100 / counted
    expect(erow.locator("td").nth(2)).to_have_text(f"{score:.2f}")
    expect(boss.locator("#formula-zh")).to_have_text(FORMULA)
    boss.set_viewport_size({"width": 1100, "height": 900})  # the screenshot about as wide as the paper
    boss.emulate_media(media="print")
    expect(boss.locator(".top")).to_be_hidden()
    shot(boss, "supervision-evaluation.png", full_page=True)
    text = pdf_text(boss.pdf(format="A4", print_background=True))
    assert "1号窗口" in text and sat_text in text and f"{satisfied}/{day['rated']}" in text, text[:800]
    assert f"{score:.2f}" in text and re.sub(r"\s+", "", FORMULA) in text, text[:800]
