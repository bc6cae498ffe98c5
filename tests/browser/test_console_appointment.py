"""The console marks appointment (预约) tickets: in its queue's next numbers with the slot, and the
called ticket with a 预约 badge and its slot, in Debian's chromium against a real `hallq serve`.

The booking and its checked-in ticket are written to the server's database as the check-in leaves
them (the check-in itself is tested with the kiosk): a slot that began five minutes ago, checked
in twenty minutes ago, so it is due (that it goes ahead of earlier walk-ins is tested through the
API, tests/api/test_appointment_calling.py: here the server's clock is the real one).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from server.core.tickets import Priority, Ticket
from server.db import tickets_repo
from server.db.appointment_tables import appointments
from server.db.engine import make_engine
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.browser.test_console import console, press, server, sign_in_at_window, take, waiting  # noqa: F401
from tests.support.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def check_in(db_url: str, queue: str) -> Ticket:
    hall = load_hall(DEFAULT_CONFIG)
    now = datetime.now(UTC)
    day = now.astimezone(ZoneInfo(hall.timezone)).date()
    slot = now.replace(second=0, microsecond=0) - timedelta(minutes=5)
    came = now - timedelta(minutes=20)
    t = Ticket(id="appt-browser-1", number="A901", queue=queue, item="SCJG-001", day=day, seq_no=901,
               issued_at=came, rank_at=max(slot, came), priority=Priority.APPOINTMENT, appointment="K7M2Q9T4XW")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        tickets_repo.add(conn, t, None)
        conn.execute(insert(appointments).values(
            id="appt-1", code=t.appointment, item="SCJG-001", queue=queue, day=day, start=slot,
            end=slot + timedelta(minutes=30), minutes=30, name="王五", id_number="110105194912310021",
            phone="13700000000", status="checked_in", created_at=now - timedelta(days=1), address="127.0.0.1",
            checked_in_at=came, ticket=t.id,
        ))
    engine.dispose()
    return t


def test_the_console_marks_an_appointment_ticket_in_its_line_and_when_called(console, server):  # noqa: F811
    _, page = console
    # Checked in before anything reads the day's bookings: the server remembers a day without
    # any for a minute, and this check-in does not go through it to say otherwise.
    booked = check_in(f"sqlite:///{server.var_dir / 'hallq.db'}", "A")
    take(server)
    sign_in_at_window(page, server)
    take(server)  # a change of the queue: the console's line now shows the booking too
    expect(waiting(page)).to_have_text("3")
    nxt = page.locator('li[data-queue="A"] .q-next')
    expect(nxt.locator("b.appt")).to_contain_text(booked.number)
    expect(nxt.locator(".appt-mark")).to_contain_text("预约")

    press(page, "F1")
    expect(page.locator("#t-number")).to_have_text(booked.number)
    flag = page.locator("#t-flags .flag.appt")
    expect(flag).to_contain_text("预约")
    expect(flag).to_contain_text("Appointment")
    expect(flag).to_contain_text("–")  # the slot, start–end
    expect(waiting(page)).to_have_text("2")
    shot(page, "console-appointment.png")
