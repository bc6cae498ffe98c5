"""One booking scanned at the same moment many times (two kiosks, a scanner that sends twice): one
ticket is issued, the booking names it, and every other answer is that same ticket (its kiosk)
or `not_booked` naming it (another kiosk). On SQLite and on PostgreSQL, where the booking's row
is locked for the check-in's transaction."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.app import accounts
from server.app.appointment_checkin import check_in
from server.app.context import Services
from server.app.issuing import KIOSK
from server.core.errors import DomainError
from server.db.appointment_tables import appointments
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import tickets
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
CODE = "7N3R33NVQN"
RACERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = make_engine(url, pool_size=RACERS + 2)
    upgrade(made)
    yield made
    made.dispose()


def test_one_booking_scanned_at_once_gives_one_ticket(engine):
    hall = load_hall(DEFAULT_CONFIG)
    svc = Services(hall=hall, engine=engine, clock=FakeClock(NOW))
    keys = [accounts.add_device(svc, f"kiosk-{n}", "kiosk") for n in range(2)]
    start = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo(hall.timezone))
    with engine.begin() as conn:
        conn.execute(appointments.insert(), {
            "hall": "city",
            "id": "b1", "code": CODE, "item": "SCJG-001", "queue": "A", "day": start.date(), "start": start,
            "end": start + timedelta(minutes=30), "minutes": 20, "name": "王小明", "id_number": "110101199003074514",
            "phone": "13800138000", "status": "booked", "created_at": NOW - timedelta(days=1), "address": "x"})
    go = threading.Barrier(RACERS)
    answers: Counter[str] = Counter()
    numbers: set[str] = set()
    lock = threading.Lock()

    def one(n: int) -> None:
        go.wait(30)
        try:
            got = check_in(svc, KIOSK, CODE, keys[n % 2]).ticket["number"]
            answer = "ticket"
        except DomainError as exc:
            answer, got = exc.code, str(exc.details.get("number", ""))
        with lock:
            answers[answer] += 1
            numbers.add(got)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with engine.connect() as conn:
        issued = conn.execute(select(func.count()).select_from(tickets)).scalar()
        booking = conn.execute(select(appointments.c.status, appointments.c.ticket)).one()
    assert issued == 1, answers
    assert booking.status == "checked_in" and booking.ticket
    assert set(answers) <= {"ticket", "not_booked"} and answers["ticket"] >= 1, answers
    assert numbers == {"A001"}, (numbers, answers)
