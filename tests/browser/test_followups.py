"""差评整改 on the board in Debian's chromium against a real `hallq serve`: a chief representative
signs in at /manage/, opens the poor ratings, sees a new one arrive live with whom it is about and
its deadline, and takes it through called back → verified → rectified → answered, a note each.

The poor ratings are stored as the ratings' handler stores them (the row and `open_for` in one
unit of work) on the server's database from this process: the server hears of them through its
event log like any change made by another process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from server.app.context import Services, utc_now
from server.db.engine import make_engine
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.api.followup_helpers import rate, staff_id
from tests.support.browser import LateAnswer, page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WALL = {"width": 1920, "height": 1080}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def hall_svc(server) -> Iterator[Services]:
    engine = make_engine(f"sqlite:///{server.var_dir / 'hallq.db'}")
    yield Services(hall=load_hall(DEFAULT_CONFIG), engine=engine)
    engine.dispose()


def sign_in(page: Page, server: ServerProcess, user: str) -> None:
    page.goto(f"{server.url}/manage/")
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(server.credentials["password"])
    page.locator("#login-pass").press("Enter")
    expect(page.locator("#screen-board")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live")


def test_a_chief_follows_a_poor_rating_up_to_the_answer(new_context, server, hall_svc):
    first = rate(hall_svc, 2, staff=staff_id(hall_svc, "scjg02"), item="SCJG-002", window="2",
                 tags=("efficiency",), comment="材料说明不清楚，来回跑了两趟")
    other = rate(hall_svc, 1, department="CRJ", item="CRJ-001", window="6", comment="not the chief's")
    # One from last week, long overdue for its call back: red on the list.
    week_ago = Services(hall=hall_svc.hall, engine=hall_svc.engine, clock=lambda: utc_now() - timedelta(days=7))
    late = rate(week_ago, 1, staff=staff_id(hall_svc, "scjg02"), item="SCJG-003", window="3", tags=("guide",),
                comment="办事指南写的材料和窗口要求的不一致")
    page = new_context(viewport=WALL, device_scale_factor=1, locale="zh-CN").new_page()
    errors = page_errors(page)
    sign_in(page, server, "chief-scjg")

    page.locator('.view-btn[data-view="followups"]').click()
    expect(page.locator("#screen-followups")).to_be_visible()
    expect(page.locator("#screen-board")).to_be_hidden()
    expect(page.locator(f'.fu[data-rating="{first}"]')).to_be_visible()
    expect(page.locator(f'.fu[data-rating="{late}"]')).to_be_visible()
    expect(page.locator(f'.fu[data-rating="{other}"]')).to_have_count(0)  # another department's

    # A new poor rating of the department arrives while the chief watches.
    rid = rate(hall_svc, 1, staff=staff_id(hall_svc, "scjg01"), tags=("attitude", "efficiency"),
               comment="窗口人员态度冷淡，等候近一小时")
    card = page.locator(f'.fu[data-rating="{rid}"]')
    expect(card).to_be_visible(timeout=10_000)
    expect(page.locator(".fu")).to_have_count(3)
    expect(page.locator("#fu-count")).to_have_text("3")
    expect(card.locator(".fu-level")).to_contain_text("非常不满意")
    expect(card.locator(".fu-staff")).to_have_text("张丽（SC101）")
    expect(card.locator(".fu-comment")).to_have_text("窗口人员态度冷淡，等候近一小时")
    expect(card.locator(".chip")).to_have_count(2)
    expect(card.locator(".fu-deadline")).to_contain_text("已回访")
    expect(card).to_have_class("fu tier-green")
    shot(page, "followup-list.png")

    notes = {
        "called_back": "已电话回访群众，了解到等候时间过长、窗口解释不耐心。",
        "verified": "调阅监控与叫号记录核实属实：当日该窗口 11:00-11:50 仅办结 2 件。",
        "rectified": "已对当事窗口人员批评教育，调整午间弹性排班，增开 1 个窗口。",
        "answered": "已将整改情况电话反馈群众，群众表示认可。",
    }
    for step, note in notes.items():
        card = page.locator(f'.fu[data-rating="{rid}"]')
        card.locator("textarea").first.fill(note)
        card.locator(f'button[data-step="{step}"]').click()
        if step != "answered":
            expect(page.locator(f'.fu[data-rating="{rid}"]')).to_have_attribute("data-status", step)
    # Answered: it leaves the open list and shows among the closed ones with its whole history.
    expect(page.locator(f'.fu[data-rating="{rid}"]')).to_have_count(0)
    expect(page.locator("#fu-count")).to_have_text("2")
    page.locator("#fu-status").select_option("closed")
    card = page.locator(f'.fu[data-rating="{rid}"]')
    expect(card).to_have_attribute("data-status", "answered")
    expect(card.locator(".fu-deadline")).to_contain_text("已办结")
    card.locator(".fu-history summary").click()
    expect(card.locator(".fu-history li")).to_have_count(5)
    expect(card.locator(".fu-history")).to_contain_text("已将整改情况电话反馈群众")
    shot(page, "followup-answered.png")
    assert not script_errors(errors), errors


def test_a_manager_decides_a_pending_appeal_on_the_board(new_context, server, hall_svc):
    rid = rate(hall_svc, 1, comment="恶意差评")
    chief = new_context(viewport=WALL, locale="zh-CN").new_page()
    sign_in(chief, server, "chief-scjg")
    chief.locator('.view-btn[data-view="followups"]').click()
    card = chief.locator(f'.fu[data-rating="{rid}"]')
    card.locator(".fu-appeal summary").click()
    card.locator(".fu-appeal textarea").fill("评价人与窗口发生私人纠纷，系恶意评价")
    card.locator(".fu-appeal button").click()
    expect(card.locator(".fu-appeal-badge")).to_contain_text("申诉待审核")

    boss = new_context(viewport=WALL, locale="zh-CN").new_page()
    errors = page_errors(boss)
    sign_in(boss, server, "manager")
    boss.locator('.view-btn[data-view="followups"]').click()
    card = boss.locator(f'.fu[data-rating="{rid}"]')
    card.locator(".fu-decision textarea").fill("经调查属实，不计入统计")
    card.locator('.fu-decision button[value="approve"]').click()
    expect(card).to_have_count(0)
    # The chief's list follows live: the excluded rating is gone from the open ones.
    expect(chief.locator(f'.fu[data-rating="{rid}"]')).to_have_count(0, timeout=10_000)
    assert not script_errors(errors), errors


def test_a_read_sent_before_a_decision_and_answered_after_it_does_not_bring_the_card_back(
        new_context, server, hall_svc):
    """The view is read on the click, the snapshot, each event and after each action. CI: the
    click's read, sent before the manager's decision and answered after the decision's own read,
    drew the approved appeal back onto the open list, where it stayed."""
    rid = rate(hall_svc, 1, comment="恶意差评")
    r = requests.post(f"{server.url}/api/v1/followups/{rid}/appeal", headers=server.login("chief-scjg"),
                      json={"reason": "评价人与窗口发生私人纠纷，系恶意评价"}, timeout=10)
    assert r.status_code == 200, r.text
    boss = new_context(viewport=WALL, locale="zh-CN").new_page()
    errors = page_errors(boss)
    sign_in(boss, server, "manager")
    late = LateAnswer(boss, r".*/api/v1/followups\?status=open$")
    boss.locator('.view-btn[data-view="followups"]').click()
    late.wait_read()
    card = boss.locator(f'.fu[data-rating="{rid}"]')  # drawn from the snapshot meanwhile
    card.locator(".fu-decision textarea").fill("经调查属实，不计入统计")
    card.locator('.fu-decision button[value="approve"]').click()
    expect(card).to_have_count(0)
    boss.wait_for_timeout(1000)  # the decision's event and its read (200 ms after it) are done
    late.deliver()
    expect(card).to_have_count(0, timeout=1000)
    assert not script_errors(errors), errors


# Browsers without SubmitEvent.submitter (Chromium < 81, Safari < 15.4).
NO_SUBMITTER = "delete SubmitEvent.prototype.submitter;"


def test_the_buttons_say_what_they_do_without_submit_event_submitter(new_context, server, hall_svc):
    rid = rate(hall_svc, 2, comment="窗口解释不清")
    chief = new_context(viewport=WALL, locale="zh-CN").new_page()
    chief.add_init_script(NO_SUBMITTER)
    errors = page_errors(chief)
    sign_in(chief, server, "chief-scjg")
    assert chief.evaluate("'submitter' in SubmitEvent.prototype") is False
    chief.locator('.view-btn[data-view="followups"]').click()
    card = chief.locator(f'.fu[data-rating="{rid}"]')
    for step in ("called_back", "verified", "explained"):  # 已说明情况, the second of two buttons
        card.locator("textarea").first.fill(f"{step} 的办理情况")
        card.locator(f'button[data-step="{step}"]').click()
        expect(card).to_have_attribute("data-status", step)

    other = rate(hall_svc, 1, comment="恶意差评")
    card = chief.locator(f'.fu[data-rating="{other}"]')
    card.locator(".fu-appeal summary").click()
    card.locator(".fu-appeal textarea").fill("系恶意评价")
    card.locator(".fu-appeal button").click()
    expect(card.locator(".fu-appeal-badge")).to_contain_text("申诉待审核")

    boss = new_context(viewport=WALL, locale="zh-CN").new_page()
    boss.add_init_script(NO_SUBMITTER)
    errors += page_errors(boss)
    sign_in(boss, server, "manager")
    boss.locator('.view-btn[data-view="followups"]').click()
    card = boss.locator(f'.fu[data-rating="{other}"]')
    card.locator(".fu-decision textarea").fill("经调查属实，不计入统计")
    card.locator('.fu-decision button[value="approve"]').click()  # 通过: approve, not reject
    expect(card).to_have_count(0)
    assert not script_errors(errors), errors
