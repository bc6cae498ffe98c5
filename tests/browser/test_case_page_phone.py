"""The case progress page (/case/<token>, /h/CODE/case/<token>) on a phone, from the demo city's
walkthrough: at 390 px it was 439 px wide (the case number kept on one line pushed the page
sideways) and five of its labels had no English.

The cases desk (/console/cases) said "1 working days" too.

Screenshots: case-progress-phone-HALL-WIDTH.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from server.hallconfig import DEFAULT_CONFIG
from tests.browser.test_console import ITEM, valid_id_number
from tests.support.browser import page_errors, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MATERIALS = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]
LABELS = ["Acceptance number", "Service", "Department", "Applicant", "At the window", "Promised by"]


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Iterator[ServerProcess]:
    """The city with west, on a Wednesday morning: a one-day item is promised for Thursday."""
    var = tmp_path_factory.mktemp("case-phone")
    srv = ServerProcess(var, extra_args=["--all-halls", "--clock-from", "2026-11-25T10:00+08:00"])
    srv.seed()
    out = srv.cli("demo", "seed", "--config", str(DEFAULT_CONFIG.parent / "halls" / "west.toml"))
    assert out.returncode == 0, out.stderr
    srv.west = json.loads((var / "demo-credentials-west.json").read_text())  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


def accepted_case(srv: ServerProcess, base: str, kiosk_key: str, staff: str) -> dict:
    api = srv.url + base + "/api/v1"
    r = requests.post(f"{api}/auth/login", json={"username": staff, "password": srv.credentials["password"]},
                      timeout=10)
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    opened = requests.post(f"{api}/windows/1/open", headers=headers, timeout=10)
    assert opened.status_code == 200 or opened.json()["error"]["code"] == "window_state", opened.text  # held already
    r = requests.post(f"{api}/tickets", json={"item": ITEM}, headers={"X-Device-Key": kiosk_key}, timeout=10)
    assert r.status_code == 201, r.text
    assert requests.post(f"{api}/windows/1/call-next", headers=headers, timeout=10).status_code == 200
    applicant = {"name": "张三丰", "id_number": valid_id_number(), "phone": "13800138000"}
    r = requests.post(f"{api}/windows/1/finish", headers=headers, timeout=10,
                      json={"outcome": "accepted", "applicant": applicant, "materials": MATERIALS})
    assert r.status_code == 200, r.text
    return r.json()["case"]


@pytest.mark.parametrize("hall", ["city", "west"])
def test_the_case_page_fits_a_phone_and_says_each_label_in_english(city, new_context, hall):
    if hall == "city":
        case = accepted_case(city, "", city.device_key("kiosk-1"), "scjg01")
    else:
        case = accepted_case(city, "/h/west", city.west["devices"]["west-kiosk-1"], "west-scjg01")  # type: ignore[attr-defined]
    assert case["number"].startswith(f"{hall.upper()}-SCJG-")
    path = urlsplit(case["progress_url"]).path  # the hall file's public address names another port
    assert path.startswith("/h/west/case/" if hall == "west" else "/case/")
    for width in (390, 360):
        page = new_context(viewport={"width": width, "height": 844}, locale="zh-CN").new_page()
        errors = page_errors(page)
        page.goto(city.url + path)
        body = page.locator("body")
        expect(body).to_contain_text(case["number"])
        for label in LABELS:
            expect(page.locator("dl")).to_contain_text(label)
        expect(body).to_contain_text("1 working day left")
        expect(body).not_to_contain_text("1 working days")
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client == width, (hall, width, scroll)
        number = page.locator("dd.number").bounding_box()
        assert number is not None and number["x"] + number["width"] <= width
        shot(page, f"case-progress-phone-{hall}-{width}.png", full_page=True)
        assert not script_errors(errors), errors


def test_the_cases_desk_counts_one_working_day_in_the_singular(city, new_context):
    n = accepted_case(city, "", city.device_key("kiosk-1"), "scjg01")["number"]
    page = new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    errors = page_errors(page)
    page.goto(f"{city.url}/console/cases")
    page.locator("#login-user").fill("scjg01")
    page.locator("#login-pass").fill(city.credentials["password"])
    page.locator("#login-form button[type=submit]").click()
    row = page.locator(f'tr.case-row[data-number="{n}"]')
    expect(row).to_contain_text("1 个工作日 1 working day")
    expect(row).not_to_contain_text("working days")
    assert not script_errors(errors), errors
