"""The demo city on one installation (issue 16): the municipal center and the east district center,
each its own `hallq serve` on one database, each with its own kiosks, staff and numbers, and the
city's manager watching every hall (west too: its hall file is there, no visitor yet)."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from server.demo import DEMO_PASSWORD
from server.hallconfig import DEFAULT_CONFIG
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

EAST = DEFAULT_CONFIG.parent / "halls" / "east.toml"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    var = tmp_path_factory.mktemp("city")
    municipal = ServerProcess(var)
    municipal.seed()
    east = ServerProcess(var, extra_args=["--config", str(EAST)])
    out = east.cli("demo", "seed", "--config", str(EAST))
    assert out.returncode == 0, out.stderr
    east.credentials = json.loads((var / "demo-credentials-east.json").read_text())
    municipal.start()
    east.start()
    yield municipal, east
    east.stop()
    municipal.stop()


def login(srv: ServerProcess, username: str) -> str:
    r = requests.post(f"{srv.url}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD},
                      timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def issue(srv: ServerProcess, kiosk: str, item: str) -> dict:
    r = requests.post(f"{srv.url}/api/v1/tickets", json={"item": item},
                      headers={"X-Device-Key": srv.credentials["devices"][kiosk]}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def test_two_halls_number_alone_and_the_city_manager_sees_both(city, new_context):
    municipal, east = city
    assert [issue(municipal, "kiosk-1", "SCJG-001")["number"] for _ in range(2)] == ["A001", "A002"]
    assert [issue(east, "east-kiosk-1", "SCJG-001")["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    # A kiosk of one hall cannot issue in the other; its clerk cannot sign in there either.
    other = requests.post(f"{municipal.url}/api/v1/tickets", json={"item": "SCJG-001"},
                          headers={"X-Device-Key": east.credentials["devices"]["east-kiosk-1"]}, timeout=10)
    assert other.status_code == 401
    assert requests.post(f"{municipal.url}/api/v1/auth/login", timeout=10,
                         json={"username": "east-scjg01", "password": DEMO_PASSWORD}).status_code == 401
    clerk = {"Authorization": f"Bearer {login(east, 'east-scjg01')}"}
    assert requests.post(f"{east.url}/api/v1/windows/1/open", headers=clerk, timeout=10).status_code == 200
    called = requests.post(f"{east.url}/api/v1/windows/1/call-next", headers=clerk, timeout=10).json()["ticket"]
    assert called["number"] == "A001"

    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    errors = page_errors(page)
    # The city's manager opens the overview, is sent to sign in on the board, and comes back.
    page.goto(f"{municipal.url}/manage/city")
    page.locator("#signin-note a").click()
    page.locator("#login-user").fill("city-manager")
    page.locator("#login-pass").fill(DEMO_PASSWORD)
    page.locator("#login-pass").press("Enter")
    page.wait_for_url("**/manage/city")
    expect(page.locator("body")).to_have_attribute("data-loaded", "1")
    cards = page.locator("article.hall")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("某市政务服务中心")
    east_card = page.locator('article[data-hall="east"]')
    expect(east_card).to_contain_text("东城区政务服务中心")
    expect(east_card.locator(".figure .value").nth(0)).to_have_text("2")  # waiting: 3 issued, 1 called
    expect(east_card.locator(".figure .value").nth(2)).to_have_text("1/14")  # windows open
    expect(page.locator('article[data-hall="city"] .figure .value').nth(0)).to_have_text("2")
    expect(page.locator('article[data-hall="west"] .figure .value').nth(0)).to_have_text("0")
    expect(east_card.get_by_role("link", name="进入该大厅监控 Open its board")).to_have_attribute(
        "href", "http://127.0.0.1:5001/manage/")
    shot(page, "city-overview.png")

    # Its board links to the overview for the whole installation's staff only.
    page.goto(f"{municipal.url}/manage/")
    expect(page.locator("#link-city")).to_be_visible()
    # The municipal center's own manager has the hall's board, not the city's.
    page.evaluate("t => sessionStorage.setItem('hallq.manage.token', t)", login(municipal, "manager"))
    page.goto(f"{municipal.url}/manage/")
    expect(page.locator("#who")).to_contain_text("王敏")
    expect(page.locator("#link-city")).to_be_hidden()
    page.goto(f"{municipal.url}/manage/city")
    expect(page.locator("#not-city")).to_contain_text("全市大厅总览仅供全市管理人员使用")
    assert script_errors(errors) == []
