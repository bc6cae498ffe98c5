"""The appointments' queries on SQLite and PostgreSQL alike: a booking's life through the app
(booked, cancelled, missed), the board's bookings per slot, the bookings due, and the no-show
sweep's UPDATE ... RETURNING."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from server.app import appointment_ops, appointments
from server.core.appointments import BookingSuspended
from server.db import appointments_repo as repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from tests.db.test_appointment_overbooking import NINE, services, who

DAY = date(2026, 11, 26)


@pytest.fixture(params=["sqlite", "postgresql"])
def svc(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield services(engine)
    engine.dispose()


def board(svc, day_from=DAY, day_to=DAY):
    with svc.engine.connect() as conn:
        return [{**r, "start": r["start"].isoformat()} for r in repo.bookings_per_slot(conn, day_from, day_to)]


def test_a_bookings_life_shows_on_the_board(svc):
    a = appointments.book(svc, "SCJG-004", NINE, who(1), "10.0.0.1")["appointment"]
    appointments.book(svc, "SCJG-004", NINE, who(2), "10.0.0.2")
    appointments.book(svc, "CRJ-001", NINE + timedelta(hours=1), who(1), "10.0.0.1")
    appointment_ops.cancel(svc, a["code"], "0001", "10.0.0.1")
    rows = board(svc)
    assert [(r["queue"], r["start"], r["booked"], r["cancelled"], r["minutes_booked"], r["minutes_total"])
            for r in rows] == [("A", "2026-11-26T01:00:00+00:00", 1, 1, 10, 44),
                               ("C", "2026-11-26T02:00:00+00:00", 1, 0, 8, 36)]
    with svc.engine.connect() as conn:
        assert [(q, s.isoformat()) for q, s in repo.due_bookings(conn, DAY)] == [
            ("A", "2026-11-26T01:00:00+00:00"), ("C", "2026-11-26T02:00:00+00:00")]
        assert repo.day_booked(conn, "SCJG-004", DAY) == 1
    svc.clock.now = datetime.fromisoformat("2026-11-26T09:15:01+08:00")
    assert len(appointment_ops.sweep_no_shows(svc)) == 1
    assert [(r["queue"], r["booked"], r["no_show"]) for r in board(svc)] == [("A", 0, 1), ("C", 1, 0)]
    svc.clock.now = datetime.fromisoformat("2026-11-26T12:00:00+08:00")
    assert len(appointment_ops.sweep_no_shows(svc)) == 1
    assert board(svc, date(2026, 11, 27), date(2026, 12, 31)) == []


def test_no_shows_suspend_on_either_database(svc):
    for day in (26, 27, 30):
        svc.clock.now = datetime.fromisoformat(f"2026-11-{day - 1}T10:00:00+08:00")
        appointments.book(svc, "SCJG-004", NINE.replace(day=day), who(9), "10.0.0.9")
        svc.clock.now = datetime.fromisoformat(f"2026-11-{day}T10:00:00+08:00")
        appointment_ops.sweep_no_shows(svc)
    with pytest.raises(BookingSuspended) as refused:
        appointments.book(svc, "SCJG-004", NINE.replace(day=1, month=12), who(9), "10.0.0.9")
    assert "30 Dec 09:00" in refused.value.message
