"""The last places of a slot, booked by many at once: never more bookings than the slot holds, and
every loser told 409 slot_full. On SQLite and PostgreSQL with threads of one process, and on
PostgreSQL with two OS processes (each with its own engine and pool, as two `hallq serve` behind
one address would be). The CHECK constraints are tested on their own: should a bug ever add past
the total, the database refuses the row.

Queue A of the demo hall offers 44 window minutes a slot (its reserve window is not counted);
SCJG-004 takes 10 of them (4 places), SCJG-001 20."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.app import appointments
from server.app.context import Services
from server.core.appointments import DayFull, SlotFull
from server.core.errors import DomainError
from server.core.idnumber import check_character
from server.db.appointment_tables import appointment_days, appointment_slots
from server.db.appointment_tables import appointments as appointment_rows
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
NINE = datetime.fromisoformat("2026-11-26T09:00:00+08:00")
RACERS = 12


def id_number(n: int) -> str:
    first17 = f"11010519900101{n:03d}"
    return first17 + check_character(first17)


def who(n: int) -> dict[str, str]:
    return {"name": f"申请人{n}", "id_number": id_number(n), "phone": f"138{n:08d}"}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = make_engine(url, pool_size=RACERS + 2)
    upgrade(made)
    yield made
    made.dispose()


def services(engine) -> Services:
    return Services(hall=load_hall(DEFAULT_CONFIG), engine=engine, clock=FakeClock(NOW))


def race(svc: Services, item: str, people: range) -> Counter[str]:
    """Everyone in `people` books `item` at 09:00 tomorrow at the same moment, each from their own
    address; the answers by code (`booked` for a success)."""
    go = threading.Barrier(len(people))
    answers: Counter[str] = Counter()
    lock = threading.Lock()

    def one(n: int) -> None:
        go.wait(30)
        try:
            appointments.book(svc, item, NINE, who(n), f"10.0.{n // 250}.{n % 250}")
            answer = "booked"
        except DomainError as exc:
            answer = exc.code
        with lock:
            answers[answer] += 1

    threads = [threading.Thread(target=one, args=(n,)) for n in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return answers


def slot_state(svc: Services) -> tuple[int, int, int]:
    with svc.engine.connect() as conn:
        booked, total = conn.execute(select(appointment_slots.c.minutes_booked, appointment_slots.c.minutes_total)
                                     .where(appointment_slots.c.queue == "A")).one()
        rows = conn.execute(select(func.count()).select_from(appointment_rows)
                            .where(appointment_rows.c.status == "booked")).scalar_one()
    return booked, total, rows


def test_many_threads_booking_the_last_two_places_get_two(engine):
    svc = services(engine)
    for n in range(2):
        appointments.book(svc, "SCJG-004", NINE, who(n), f"10.1.0.{n}")
    answers = race(svc, "SCJG-004", range(100, 100 + RACERS))
    assert answers == {"booked": 2, SlotFull.code: RACERS - 2}
    assert slot_state(svc) == (40, 44, 4)


def test_items_of_different_lengths_racing_for_one_slot_never_pass_its_minutes(engine):
    svc = services(engine)
    long_, short = race(svc, "SCJG-001", range(200, 206)), race(svc, "SCJG-004", range(300, 306))
    booked, total, rows = slot_state(svc)
    assert booked == 20 * long_["booked"] + 10 * short["booked"] <= total == 44
    assert long_["booked"] == 2 and short.get("booked", 0) == 0 and rows == 2
    assert set(long_) | set(short) == {"booked", SlotFull.code}


def test_the_daily_cap_holds_under_a_race_too(engine):
    import dataclasses
    svc = services(engine)
    svc.hall = dataclasses.replace(svc.hall, appointments=dataclasses.replace(svc.hall.appointments, daily_cap=3))
    answers = race(svc, "SCJG-004", range(400, 400 + RACERS))
    assert answers["booked"] == 3 and answers[DayFull.code] == RACERS - 3
    with engine.connect() as conn:
        assert conn.execute(select(appointment_days.c.booked)).scalar_one() == 3


def test_the_same_id_number_racing_itself_holds_one_booking(engine):
    svc = services(engine)
    go = threading.Barrier(6)
    answers: list[str] = []

    def one(n: int) -> None:
        go.wait(30)
        try:
            appointments.book(svc, "SCJG-004", NINE, who(7), f"10.2.0.{n}")
            answers.append("booked")
        except DomainError as exc:
            answers.append(exc.code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(answers) == {"booked": 1, "already_booked": 5}
    assert slot_state(svc) == (10, 44, 1)


def test_one_address_racing_gets_no_more_than_its_hourly_bookings(engine):
    """Fourteen bookings of different people from one address at once, at different slots: ten are
    taken, four answer 429 (the limit counts rows; two counting at once must not both see room)."""
    svc = services(engine)
    go = threading.Barrier(14)
    answers: list[str] = []

    def one(n: int) -> None:
        go.wait(30)
        start = NINE.replace(hour=9 + n // 2, minute=30 * (n % 2))
        try:
            appointments.book(svc, "SCJG-004", start, who(700 + n), "10.3.0.1")
            answers.append("booked")
        except DomainError as exc:
            answers.append(exc.code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(14)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(answers) == {"booked": 10, "too_many_bookings": 4}


def test_the_database_refuses_an_overbooked_slot_or_day(engine):
    with engine.begin() as conn:
        conn.execute(insert(appointment_slots).values(hall="city", queue="A", start=NINE, minutes_total=50,
                                                      minutes_booked=50))
        conn.execute(insert(appointment_days).values(hall="city", item="SCJG-004", day=NINE.date(), cap=3, booked=3))
    for stmt in (
        update(appointment_slots).values(minutes_booked=appointment_slots.c.minutes_booked + 10),
        update(appointment_slots).values(minutes_total=40),
        update(appointment_slots).values(minutes_booked=-1),
        update(appointment_days).values(booked=appointment_days.c.booked + 1),
        insert(appointment_slots).values(hall="city", queue="B", start=NINE, minutes_total=10, minutes_booked=11),
    ):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(stmt)
    with engine.connect() as conn:
        assert conn.execute(select(appointment_slots.c.minutes_booked)).scalar_one() == 50


# --- two processes on PostgreSQL --------------------------------------------------------------------

BOOKER = """
import json, sys, threading, time
from datetime import UTC, datetime
from server.app import appointments
from server.app.context import Services
from server.core.errors import DomainError
from server.db.engine import make_engine
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.db.test_appointment_overbooking import NINE, NOW, who
from tests.support.clock import FakeClock

url, go_file, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
engine = make_engine(url, pool_size=count + 2)
svc = Services(hall=load_hall(DEFAULT_CONFIG), engine=engine, clock=FakeClock(NOW))
with engine.connect() as conn:  # connected and warm before the start
    conn.exec_driver_sql("SELECT 1")
print("ready", flush=True)
while not __import__("os").path.exists(go_file):
    time.sleep(0.001)
answers = []
def one(n):
    try:
        appointments.book(svc, "SCJG-004", NINE, who(n), f"10.9.{n // 250}.{n % 250}")
        answers.append("booked")
    except DomainError as exc:
        answers.append(exc.code)
threads = [threading.Thread(target=one, args=(n,)) for n in range(first, first + count)]
for t in threads: t.start()
for t in threads: t.join(120)
print(json.dumps(answers), flush=True)
"""


@pytest.mark.postgres
def test_two_processes_booking_the_last_places_of_a_slot_on_postgresql(pg_url, tmp_path):
    engine = make_engine(pg_url)
    upgrade(engine)
    svc = services(engine)
    try:
        for n in range(1):
            appointments.book(svc, "SCJG-004", NINE, who(n), f"10.1.0.{n}")
        go = tmp_path / "go"
        procs = [subprocess.Popen([sys.executable, "-c", BOOKER, pg_url, str(go), str(first), "8"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for first in (500, 600)]
        assert procs[0].pid != procs[1].pid
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready", p.stderr.read() if p.stderr else ""
        time.sleep(0.05)
        go.touch()
        answers: Counter[str] = Counter()
        per_process = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            got = json.loads(out.strip().splitlines()[-1])
            per_process.append(Counter(got))
            answers.update(got)
        assert answers == {"booked": 3, SlotFull.code: 13}, per_process
        assert slot_state(svc) == (40, 44, 4)
    finally:
        engine.dispose()
