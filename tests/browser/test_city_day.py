"""Issue 16's "Done when", in Chromium: one installation, one `hallq serve --all-halls`, serves the
demo municipal center and its two district centers, each with its own kiosks, screens and staff,
and the city's manager watches all three.

East's kiosk, hall screen and clerk's console are the protocol's pages opened under /h/east/: the
visitor takes A001 of east at the kiosk, the clerk calls it with F1 and east's hall screen shows it,
while the municipal center's own numbers and screen go on apart. The city manager's overview shows
the three halls and leads into east's board; a hall's own manager is refused the overview.
"""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from server.demo import DEMO_PASSWORD
from server.hallconfig import DEFAULT_CONFIG
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DISTRICTS = ("east", "west")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    var = tmp_path_factory.mktemp("city")
    srv = ServerProcess(var, extra_args=["--all-halls"])
    srv.seed()
    srv.district = {}  # type: ignore[attr-defined]
    for code in DISTRICTS:
        out = srv.cli("demo", "seed", "--config", str(DEFAULT_CONFIG.parent / "halls" / f"{code}.toml"))
        assert out.returncode == 0, out.stderr
        srv.district[code] = json.loads((var / f"demo-credentials-{code}.json").read_text())  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


def key(srv: ServerProcess, hall: str, device: str) -> str:
    return srv.credentials["devices"][device] if hall == "city" else srv.district[hall]["devices"][device]  # type: ignore[attr-defined]


def issue(srv: ServerProcess, hall: str, device: str) -> dict:
    r = requests.post(f"{srv.url}/api/v1/tickets", json={"item": "SCJG-001"},
                      headers={"X-Device-Key": key(srv, hall, device)}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def sign_in(page, url: str, user: str) -> None:
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(DEMO_PASSWORD)
    page.locator("#login-pass").press("Enter")


def test_one_installation_serves_three_halls_and_the_city_watches_them(city, new_context):
    srv = city
    base = srv.url
    # The municipal center's kiosk goes on at the protocol's address, numbering on its own.
    assert [issue(srv, "city", "kiosk-1")["number"] for _ in range(2)] == ["A001", "A002"]
    assert issue(srv, "west", "west-kiosk-1")["number"] == "A001"

    # East's hall screen and its clerk's console, both under /h/east/.
    screen = new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN", bypass_csp=True).new_page()
    screen_errors = page_errors(screen, console=False)
    screen.goto(f"{base}/h/east/display/hall?key={key(srv, 'east', 'east-display-hall')}")
    screen.wait_for_function("window.__hallqDisplay && window.__hallqDisplay.statusLog.some(s => s.status === 'live')",
                             timeout=15000)
    console = new_context(viewport={"width": 1280, "height": 800}).new_page()
    console_errors = page_errors(console)
    console.goto(f"{base}/h/east/console/")
    sign_in(console, base, "east-scjg01")
    card = console.locator('button.win-card[data-window="1"]')
    expect(card).to_be_visible()
    card.click()
    expect(console.locator("#screen-console")).to_be_visible()
    expect(console.locator("body")).to_have_attribute("data-live", "live")
    expect(console.locator("header.top")).to_contain_text("东城区政务服务中心")

    # East's kiosk: the visitor takes a number there; it is east's first, whatever the city issued.
    kiosk = new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=1).new_page()
    kiosk_errors = page_errors(kiosk)
    kiosk.goto(f"{base}/h/east/kiosk/?key={key(srv, 'east', 'east-kiosk-1')}")
    kiosk.locator('button[data-dept="SCJG"]').click()
    kiosk.locator('button[data-item="SCJG-001"]').click()
    kiosk.locator("#take").click()
    expect(kiosk.locator("#screen-result")).to_be_visible()
    expect(kiosk.locator("#result-number")).to_have_text("A001")
    shot(kiosk, "city-east-kiosk.png")

    # East's clerk calls it with F1; east's screen shows it, the municipal center's line stays.
    expect(console.locator('li[data-queue="A"] .q-next')).to_contain_text("A001")
    expect(console.locator('[data-act="next"]')).to_be_enabled()
    console.keyboard.press("F1")
    expect(console.locator("#t-number")).to_have_text("A001")
    screen.wait_for_function("n => window.__hallqShown && window.__hallqShown[n]", arg="A001", timeout=10000)
    shot(screen, "city-east-display.png")
    home = requests.get(f"{base}/api/v1/tickets/{issue(srv, 'city', 'kiosk-1')['id']}", timeout=10).json()["ticket"]
    assert home["number"] == "A003" and home["status"] == "waiting"

    # The city's manager: the overview of all three, then into east's board.
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    errors = page_errors(page)
    page.goto(f"{base}/manage/city")
    page.locator("#signin-note a").click()
    sign_in(page, base, "city-manager")
    page.wait_for_url("**/manage/city")
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")
    expect(page.locator("article.hall")).to_have_count(3)
    east = page.locator('article[data-hall="east"]')
    expect(east).to_contain_text("东城区政务服务中心")
    expect(east.locator(".figure .value").nth(0)).to_have_text("0")  # its one visitor was called
    expect(east.locator(".figure .value").nth(2)).to_have_text("1/14")  # windows open
    expect(page.locator('article[data-hall="city"] .figure .value').nth(0)).to_have_text("3")
    expect(page.locator('article[data-hall="west"] .figure .value').nth(0)).to_have_text("1")
    link = east.get_by_role("link", name="进入该大厅监控 Open its board")
    expect(link).to_have_attribute("href", "/h/east/manage/")
    shot(page, "city-overview.png")
    page.goto(f"{base}{link.get_attribute('href')}")
    expect(page.locator("#screen-board")).to_be_visible()
    expect(page.locator("header")).to_contain_text("东城区政务服务中心")
    expect(page.locator('.win[data-window="1"]')).to_contain_text("A001")
    shot(page, "city-east-board.png")

    # A hall's own manager has the hall's board, not the city's.
    mgr = new_context(viewport={"width": 1280, "height": 800}).new_page()
    mgr.goto(f"{base}/h/west/manage/city")
    mgr.locator("#signin-note a").click()
    sign_in(mgr, base, "west-manager")
    expect(mgr.locator("#not-city")).to_contain_text("全市大厅总览仅供全市管理人员使用")
    for errs in (screen_errors, console_errors, kiosk_errors, errors):
        assert script_errors(errs) == []
