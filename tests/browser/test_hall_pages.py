"""A page belongs to the hall of its address (issue 16 follow-up), in Chromium against one
`hallq serve --all-halls` serving the demo municipal center and east.

The walkthrough that found it: after east's manager signed in at /h/east/manage/, /manage/ in the
same tab showed the municipal header over east's floor; a kiosk paired at /h/east/kiosk/ made
/kiosk/ issue east's tickets under the municipal name; and one key name for the whole site meant
pairing a second hall's kiosk in a browser unpaired the first. Now each page names its hall in its
calls, keeps its key or sign-in per hall, and is refused another hall's credential, saying whose.
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

CITY = "某市政务服务中心"
EAST = "东城区政务服务中心"


@pytest.fixture(scope="module")
def halls(tmp_path_factory):
    var = tmp_path_factory.mktemp("halls")
    srv = ServerProcess(var, extra_args=["--all-halls"])
    srv.seed()
    out = srv.cli("demo", "seed", "--config", str(DEFAULT_CONFIG.parent / "halls" / "east.toml"))
    assert out.returncode == 0, out.stderr
    srv.east = json.loads((var / "demo-credentials-east.json").read_text())  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


def sign_in(page, user: str) -> None:
    page.locator("#login-user").fill(user)
    page.locator("#login-pass").fill(DEMO_PASSWORD)
    page.locator("#login-pass").press("Enter")


def waiting(srv: ServerProcess, hall_prefix: str) -> int:
    token = requests.post(f"{srv.url}{hall_prefix}/api/v1/auth/login", timeout=10,
                          json={"username": "city-manager", "password": DEMO_PASSWORD}).json()["token"]
    hall = requests.get(f"{srv.url}{hall_prefix}/api/v1/hall", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()
    return sum(q["waiting"] for q in hall["queues"])


def test_the_board_at_the_home_address_is_the_home_halls_after_a_district_sign_in(halls, new_context):
    base = halls.url
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    errors = page_errors(page)
    page.goto(f"{base}/h/east/manage/")
    sign_in(page, "east-manager")
    expect(page.locator("#screen-board")).to_be_visible()
    expect(page.locator("header.top")).to_contain_text(EAST)

    # The same tab, the home hall's address: its own sign-in, not east's floor under its name.
    page.goto(f"{base}/manage/")
    expect(page.locator("header.top")).to_contain_text(CITY)
    expect(page.locator("#login-user")).to_be_visible()
    expect(page.locator("#screen-board")).to_be_hidden()
    shot(page, "hall-pages-home-board.png")
    for path in ("/manage/stats", "/manage/audit"):
        page.goto(f"{base}{path}")
        expect(page.locator("#signin-note")).to_be_visible()
        expect(page.locator("header")).to_contain_text(CITY)

    # East's board in this tab is still signed in: the home page's refusal deleted nothing of it.
    page.goto(f"{base}/h/east/manage/")
    expect(page.locator("#screen-board")).to_be_visible()
    expect(page.locator("header.top")).to_contain_text(EAST)
    assert script_errors(errors) == []


def test_the_console_at_the_home_address_asks_for_its_own_sign_in(halls, new_context):
    base = halls.url
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base}/h/east/console/")
    sign_in(page, "east-scjg01")
    expect(page.locator("#screen-choose")).to_be_visible()
    page.goto(f"{base}/console/")
    expect(page.locator("header.top")).to_contain_text(CITY)
    expect(page.locator("#login-user")).to_be_visible()
    expect(page.locator("#screen-choose")).to_be_hidden()
    shot(page, "hall-pages-home-console.png")


def test_kiosks_of_two_halls_in_one_browser_keep_their_own_keys(halls, new_context):
    base = halls.url
    east_key = halls.east["devices"]["east-kiosk-1"]  # type: ignore[attr-defined]
    page = new_context(viewport={"width": 1080, "height": 1920}).new_page()
    errors = page_errors(page)
    page.goto(f"{base}/h/east/kiosk/?key={east_key}")
    expect(page.locator("#screen-home")).to_be_visible()
    expect(page.locator("header.bar")).to_contain_text(EAST)

    # The home hall's kiosk page in the same browser: not paired (east's key is not its key).
    page.goto(f"{base}/kiosk/")
    expect(page.locator("#screen-pair")).to_be_visible()
    expect(page.locator("header.bar")).to_contain_text(CITY)
    expect(page.locator("#screen-home")).to_be_hidden()
    # Paired here with the home hall's own key, it issues the home hall's numbers.
    page.goto(f"{base}/kiosk/?key={halls.device_key('kiosk-1')}")
    expect(page.locator("#screen-home")).to_be_visible()

    # ... and east's kiosk is still paired: pairing the second did not unpair the first.
    page.goto(f"{base}/h/east/kiosk/")
    expect(page.locator("#screen-home")).to_be_visible()
    expect(page.locator("header.bar")).to_contain_text(EAST)
    assert script_errors(errors) == []


def test_another_halls_key_at_the_home_kiosk_is_refused_saying_whose(halls, new_context):
    base = halls.url
    east_key = halls.east["devices"]["east-kiosk-1"]  # type: ignore[attr-defined]
    before = waiting(halls, "/h/east")
    page = new_context(viewport={"width": 1080, "height": 1920}).new_page()
    page.goto(f"{base}/kiosk/?key={east_key}")
    expect(page.locator("#screen-pair")).to_be_visible()
    expect(page.locator("#pair-error")).to_contain_text("该设备密钥属于其他大厅（东城区政务服务中心）")
    expect(page.locator("#pair-error")).to_contain_text("belongs to another hall")
    expect(page.locator("header.bar")).to_contain_text(CITY)
    shot(page, "hall-pages-kiosk-other-hall.png")
    assert page.evaluate("localStorage.getItem('hallq.kiosk.key')") is None
    assert waiting(halls, "/h/east") == before


def test_the_city_overview_opens_a_districts_board_without_a_second_sign_in(halls, new_context):
    base = halls.url
    context = new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/manage/city")
    page.locator("#signin-note a").click()
    sign_in(page, "city-manager")
    page.wait_for_url("**/manage/city")
    link = page.locator('article[data-hall="east"]').get_by_role("link", name="进入该大厅监控 Open its board")
    with context.expect_page() as opened:
        link.click()
    board = opened.value
    expect(board.locator("#screen-board")).to_be_visible()
    expect(board.locator("header.top")).to_contain_text(EAST)
    expect(board.locator('.win[data-window="1"]')).to_be_visible()
    expect(board.locator("#conn")).to_be_hidden()  # live
    shot(board, "hall-pages-city-to-east.png")
