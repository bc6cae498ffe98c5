"""Two halls on one database (issue 16): hall "city" (the demo hall) and hall "d1" (the same hall
file under another code), so the same item, queue and slot exist in both. Each hall's bookings,
guide revisions, notice and audit search are its own: the last place of a slot in one leaves the
other's open, one ID number may book the same item and day in each, a booking code of one is
"not found" in the other, revisions are numbered per hall, and neither hall's notice or audit
search shows the other's. On SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from server.app import accounts, appointments
from server.app.appointment_checkin import check_in
from server.app.context import Services
from server.app.issuing import KIOSK
from server.core.appointments import Status
from server.core.errors import DomainError
from server.core.idnumber import check_character
from server.db import admin_repo, appointment_load, appointments_repo, audit_repo, guides_repo
from server.db.appointment_tables import appointments as appointment_rows
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import for_hall
from server.db.uow import Actor, UnitOfWork
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
NINE = datetime.fromisoformat("2026-11-26T09:00:00+08:00")  # tomorrow's first slot
CODE = "7N3R33NVQN"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = make_engine(url)
    upgrade(made)
    yield made
    made.dispose()


def halls(engine: Engine) -> tuple[Services, Services]:
    city = load_hall(DEFAULT_CONFIG)
    assert city.code == "city"
    d1 = dataclasses.replace(city, code="d1")
    return (Services(hall=city, engine=engine, clock=FakeClock(NOW)),
            Services(hall=d1, engine=engine, clock=FakeClock(NOW)))


def id_number(n: int) -> str:
    first17 = f"11010519900101{n:03d}"
    return first17 + check_character(first17)


def who(n: int) -> dict[str, str]:
    return {"name": f"申请人{n}", "id_number": id_number(n), "phone": f"138{n:08d}"}


def book(svc: Services, item: str, n: int) -> str:
    """`who(n)` books `item` at 09:00 tomorrow from an address of their own: "booked" or the refusal's code."""
    try:
        appointments.book(svc, item, NINE, who(n), f"10.0.0.{n}")
    except DomainError as exc:
        return exc.code
    return "booked"


def test_the_last_place_of_a_slot_in_one_hall_leaves_the_other_s_open(engine):
    city, d1 = halls(engine)
    # Queue A offers 44 window minutes a slot; SCJG-004 takes 10 of them: 4 places.
    assert [book(city, "SCJG-004", n) for n in range(1, 6)] == ["booked"] * 4 + ["slot_full"]
    assert book(d1, "SCJG-004", 11) == "booked"
    with engine.connect() as conn:
        start, end = NINE - timedelta(hours=1), NINE + timedelta(hours=1)
        with for_hall(conn, "city"):
            assert appointments_repo.slot_usage(conn, "A", start, end) == {NINE: 40}
            assert appointments_repo.day_booked(conn, "SCJG-004", NINE.date()) == 4
            assert len(appointments_repo.due_bookings(conn, NINE.date())) == 4
            board = appointments_repo.bookings_per_slot(conn, NINE.date(), NINE.date())
            assert [(r["booked"], r["minutes_booked"]) for r in board] == [(4, 40)]
        with for_hall(conn, "d1"):
            assert appointments_repo.slot_usage(conn, "A", start, end) == {NINE: 10}
            assert appointments_repo.day_booked(conn, "SCJG-004", NINE.date()) == 1
            assert len(appointments_repo.due_bookings(conn, NINE.date())) == 1
            board = appointments_repo.bookings_per_slot(conn, NINE.date(), NINE.date())
            assert [(r["booked"], r["minutes_booked"]) for r in board] == [(1, 10)]


def test_one_id_number_books_the_same_item_and_day_in_each_hall(engine):
    city, d1 = halls(engine)
    assert book(city, "SCJG-001", 1) == "booked"
    assert book(d1, "SCJG-001", 1) == "booked"
    assert book(city, "SCJG-001", 1) == "already_booked"
    assert book(d1, "SCJG-001", 1) == "already_booked"
    with engine.connect() as conn:
        for hall in ("city", "d1"):
            with for_hall(conn, hall):
                mine = appointments_repo.active_of(conn, id_number(1), "SCJG-001", NINE.date())
                assert mine is not None and mine["hall"] == hall
                assert appointments_repo.pending_starts(conn, id_number(1), NOW) == [NINE]
                assert appointments_repo.created_from(conn, "10.0.0.1", NOW - timedelta(days=1)) == [NOW]
    # The limits' PostgreSQL locks are keyed by hall too: two halls never wait on each other's keys.
    key = f"id:{id_number(1)}"
    assert appointments_repo._lock_key("city", key) != appointments_repo._lock_key("d1", key)


def test_a_booking_code_of_one_hall_is_not_found_in_the_other(engine):
    city, d1 = halls(engine)
    city_key = accounts.add_device(city, "kiosk-city", "kiosk")
    d1_key = accounts.add_device(d1, "kiosk-d1", "kiosk")
    start = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo(city.hall.timezone))
    with engine.begin() as conn:
        conn.execute(appointment_rows.insert(), {
            "hall": "city", "id": "b1", "code": CODE, "item": "SCJG-001", "queue": "A", "day": start.date(),
            "start": start, "end": start + timedelta(minutes=30), "minutes": 20, "name": "王小明",
            "id_number": "110101199003074514", "phone": "13800138000", "status": "booked",
            "created_at": NOW - timedelta(days=1), "address": "x"})
    with engine.connect() as conn:
        with for_hall(conn, "d1"):
            assert appointments_repo.by_code(conn, CODE) is None
            assert appointment_load.slot_of(conn, CODE) is None
            assert appointment_load.day_bookings(conn, start.date(), start - timedelta(hours=1)) == {}
        with for_hall(conn, "city"):
            assert appointments_repo.by_code(conn, CODE) is not None
            assert appointment_load.slot_of(conn, CODE) == (start, start + timedelta(minutes=30))
            assert set(appointment_load.day_bookings(conn, start.date(), start - timedelta(hours=1))) == {"A"}
    with pytest.raises(DomainError) as refused:
        check_in(d1, KIOSK, CODE, d1_key)
    assert refused.value.code == "unknown_appointment"
    assert check_in(city, KIOSK, CODE, city_key).ticket["number"]
    # And a change by id in the other hall touches nothing.
    with engine.begin() as conn, for_hall(conn, "d1"):
        assert not appointments_repo.set_status(conn, "b1", Status.CHECKED_IN, Status.CANCELLED)
    with engine.connect() as conn, for_hall(conn, "city"):
        assert appointments_repo.by_code(conn, CODE)["status"] == "checked_in"


def test_guide_revisions_of_the_same_item_are_numbered_per_hall(engine):
    def revise(hall: str, note: str) -> int:
        with engine.begin() as conn, for_hall(conn, hall):
            return guides_repo.add_revision(conn, item="SCJG-001", guide={"note": note}, author_id=None,
                                            author="admin", at=NOW, note=note)

    assert [revise("city", "c1"), revise("city", "c2"), revise("d1", "d1"), revise("city", "c3")] == [1, 2, 1, 3]
    with engine.connect() as conn:
        with for_hall(conn, "city"):
            assert [r["note"] for r in guides_repo.history(conn, "SCJG-001")] == ["c3", "c2", "c1"]
            assert [r["note"] for r in guides_repo.latest(conn)] == ["c3"]
            assert guides_repo.revision_of(conn, "SCJG-001", 2)["note"] == "c2"
            assert guides_repo.version(conn) == 3
        with for_hall(conn, "d1"):
            assert [r["note"] for r in guides_repo.history(conn, "SCJG-001")] == ["d1"]
            assert [r["note"] for r in guides_repo.latest(conn)] == ["d1"]
            assert guides_repo.revision_of(conn, "SCJG-001", 2) is None
            assert guides_repo.version(conn) == 1
    with engine.begin() as conn, for_hall(conn, "city"):
        form = guides_repo.add_form(conn, item="SCJG-001", material="m1", filename="a.pdf",
                                    content_type="application/pdf", data=b"%PDF", author="admin", at=NOW)
    with engine.connect() as conn:
        with for_hall(conn, "d1"):
            assert guides_repo.uploaded_forms(conn) == []
            assert guides_repo.form_data(conn, form) is None
        with for_hall(conn, "city"):
            assert [f["id"] for f in guides_repo.uploaded_forms(conn)] == [form]
            assert guides_repo.form_data(conn, form) == b"%PDF"


def test_the_notice_and_the_audit_search_of_one_hall_never_show_the_other_s(engine):
    with engine.begin() as conn, for_hall(conn, "city"):
        admin_repo.save_notice(conn, "午间暂停", "Lunch break", NOW, "boss")
    with engine.connect() as conn, for_hall(conn, "d1"):
        assert admin_repo.notice(conn) is None
    with engine.begin() as conn, for_hall(conn, "d1"):
        admin_repo.save_notice(conn, "系统维护", "Maintenance", NOW, "d1-admin")
    with engine.begin() as conn, for_hall(conn, "city"):
        admin_repo.save_notice(conn, "午间暂停中", "Lunch break now", NOW, "boss")
    with engine.connect() as conn:
        with for_hall(conn, "city"):
            assert admin_repo.notice(conn).text == "午间暂停中"
        with for_hall(conn, "d1"):
            assert admin_repo.notice(conn).text == "系统维护"

    for hall, name in (("city", "alice"), ("d1", "bob"), ("city", "carol")):
        with UnitOfWork(engine, Actor("staff", None, name), NOW, hall=hall) as uow:
            uow.audit("case.read", f"{hall}-case")
            uow.commit()
    with engine.connect() as conn:
        with for_hall(conn, "city"):
            assert [r.actor_name for r in audit_repo.search(conn, audit_repo.AuditQuery())] == ["carol", "alice"]
            assert audit_repo.search(conn, audit_repo.AuditQuery(actor="bob")) == []
        with for_hall(conn, "d1"):
            rows = audit_repo.search(conn, audit_repo.AuditQuery(text="case"))
            assert [(r.actor_name, r.subject) for r in rows] == [("bob", "d1-case")]
