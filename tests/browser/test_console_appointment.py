"""The console marks appointment (预约) tickets: in its queue's next numbers with the slot, and the
called ticket with a 预约 badge and its slot, in Debian's chromium against a real `hallq serve`.

The server runs from Monday 7 December 2026, 09:59:30 in the hall (`serve --clock-from`): the 10:00
slot is booked through POST /api/v1/appointments and checked in at kiosk-1 through its check-in
API (its check-in is open from 09:30); once the server's clock is past 10:00 the booking is due
and two walk-ins who came after it wait behind it (the calling order itself is tested through the
API, tests/api/test_appointment_calling.py, and in tests/browser/test_appointment_day.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_appointment_booking import id_number
from tests.browser.test_console import console, press, sign_in_at_window, take, waiting  # noqa: F401
from tests.support.browser import shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START = "2026-12-07T10:00:00+08:00"


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path, extra_args=["--clock-from", "2026-12-07T09:59:30+08:00"])
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


def booked_and_checked_in(server: ServerProcess) -> dict:
    """The 10:00 slot booked as a phone books it and checked in as kiosk-1 does: the ticket."""
    r = requests.post(f"{server.url}/api/v1/appointments", timeout=10, json={
        "item": "SCJG-001", "start": START,
        "applicant": {"name": "王五", "id_number": id_number(201), "phone": "13700000000"}})
    assert r.status_code == 201, r.text
    code = r.json()["appointment"]["code"]
    r = requests.post(f"{server.url}/api/v1/appointments/{code}/check-in",
                      headers={"X-Device-Key": server.device_key("kiosk-1")}, timeout=10)
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    assert ticket["priority"] == "appointment"
    return ticket


def test_the_console_marks_an_appointment_ticket_in_its_line_and_when_called(console, server):  # noqa: F811
    _, page = console
    booked = booked_and_checked_in(server)
    offset = datetime.fromisoformat(booked["issued_at"]) - datetime.now(UTC)
    slot = datetime.fromisoformat(START)
    assert datetime.now(UTC) + offset < slot, "the server's start took past 10:00"
    sign_in_at_window(page, server)
    time.sleep(max(0.0, (slot + timedelta(seconds=1) - (datetime.now(UTC) + offset)).total_seconds()))
    take(server)
    take(server)  # walk-ins after 10:00: the booking (placed at 10:00) is ahead of them
    expect(waiting(page)).to_have_text("3")
    nxt = page.locator('li[data-queue="A"] .q-next')
    expect(nxt.locator("b.appt")).to_contain_text(booked["number"])
    expect(nxt.locator(".appt-mark")).to_contain_text("预约")
    shot(page, "console-appointment-line.png")

    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(booked["number"])
    flag = page.locator("#t-flags .flag.appt")
    expect(flag).to_contain_text("预约")
    expect(flag).to_contain_text("Appointment")
    expect(flag).to_contain_text("10:00–10:30")
    expect(waiting(page)).to_have_text("2")
    shot(page, "console-appointment.png")
