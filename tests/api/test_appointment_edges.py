"""Appointments at their edges (issue 15, after review): a late visitor after the no-show sweep, a
booking whose item moved queue, the hall's own refusals, estimates that see a booking at once,
and the brute force on cancelling. The fake clock starts on Wednesday 2026-11-25 at 10:00 in
Beijing; bookings are written into the table directly (tests/support/bookings.py) or made
through the API (tests/api/test_appointments.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from server.app import appointment_checkin, appointments, waits
from server.db.appointment_tables import appointments as appointment_rows
from tests.api.test_appointments import applicant
from tests.api.test_appointments import book as book_api
from tests.support.bookings import CODE, book, local

DAY = "2026-11-25"
URL = f"/api/v1/appointments/{CODE}/check-in"


def status_of(svc, code: str = CODE) -> str:
    with svc.engine.connect() as conn:
        return conn.execute(select(appointment_rows.c.status).where(appointment_rows.c.code == code)).scalar_one()


# -- estimates see a booking at once (point 10) ------------------------------------------------------


def test_a_same_day_booking_and_a_cancel_reach_the_estimates_after_they_commit(client, svc, monkeypatch):
    seen: list[int] = []

    def changed(engine) -> None:  # what a reader in another connection sees when the cache is dropped
        with engine.connect() as conn:
            seen.append(conn.execute(select(func.count()).select_from(appointment_rows)
                                     .where(appointment_rows.c.status == "booked")).scalar_one())
        waits.bookings_changed(engine)

    monkeypatch.setattr(appointments, "bookings_changed", changed)
    from server.app import appointment_ops
    monkeypatch.setattr(appointment_ops, "bookings_changed", changed)
    made = book_api(client, start="2026-11-25T11:00:00+08:00", who=applicant(3))
    assert made.status_code == 201
    assert seen == [1], "called once the booking is committed"
    code = made.get_json()["appointment"]["code"]
    assert client.post(f"/api/v1/appointments/{code}/cancel", json={"last4": "8000"}).status_code == 200
    assert seen == [1, 0]


def test_the_check_in_drops_the_no_bookings_cache_after_its_commit(client, svc, kiosk, clock, hall, monkeypatch):
    seen: list[str] = []

    def changed(engine) -> None:
        seen.append(status_of(svc))
        waits.bookings_changed(engine)

    monkeypatch.setattr(appointment_checkin, "bookings_changed", changed)
    book(svc, start=local(hall, DAY, "10:00"))
    assert client.post(URL, headers=kiosk).status_code == 201
    assert seen[-1] == "checked_in", "the last drop is after the commit"
