"""Checking a booking in at the kiosk (issue 15): POST /api/v1/appointments/{code}/check-in.

The demo hall checks in from 30 minutes before a slot to 15 minutes after its start and gives a
late visitor a normal number. The fake clock starts on Wednesday 2026-11-25 at 10:00 in Beijing.
Bookings are written into the table directly (tests/support/bookings.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from server.app import accounts
from server.app.appointment_checkin import check_in
from server.app.issuing import KIOSK
from server.core import appointment_codes as codes
from server.core.tickets import Priority
from server.db import print_jobs_repo, tickets_repo
from server.db.appointment_tables import appointments
from server.db.tables import event_log, tickets
from tests.support.bookings import CODE, book, local
from tests.support.escpos_decode import decode

DAY = "2026-11-25"
URL = f"/api/v1/appointments/{CODE}/check-in"


@pytest.fixture
def at(clock, hall):
    """Set the clock to a time of the hall's day: at("09:45")."""
    def move(hm: str, day: str = DAY):
        clock.now = local(hall, day, hm)
        return clock.now
    return move


def booking(svc, code: str = CODE) -> dict:
    with svc.engine.connect() as conn:
        return dict(conn.execute(select(appointments).where(appointments.c.code == code)).one()._mapping)


def stored_ticket(svc, ticket_id: str):
    with svc.engine.connect() as conn:
        return tickets_repo.get(conn, ticket_id)


def issued(svc) -> int:
    with svc.engine.connect() as conn:
        return len(conn.execute(select(tickets.c.id)).all())


def error_of(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    err = r.get_json()["error"]
    assert err["code"] == code, err
    return err


def audit_of(svc, action: str) -> list:
    with svc.engine.connect() as conn:
        return list(conn.execute(select(event_log).where(event_log.c.action == action)))


# -- on time ----------------------------------------------------------------------------------------


def test_on_time_gives_an_appointment_ticket_placed_at_the_slot_start(client, svc, kiosk, hall, at, published):
    start = local(hall, DAY, "10:00")
    book(svc, start=start)
    at("09:45")
    published.clear()
    r = client.post(URL, headers=kiosk)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    t = body["ticket"]
    assert t["priority"] == "appointment" and t["item"] == "SCJG-001"
    shown = {"code": CODE, "start": "2026-11-25T10:00:00+08:00", "end": "2026-11-25T10:30:00+08:00"}
    assert body["appointment"] == shown and t["appointment"] == shown
    stored = stored_ticket(svc, t["id"])
    assert stored.priority is Priority.APPOINTMENT and stored.appointment == CODE
    assert stored.rank_at == start, "in line as if the visitor had come at the slot's start"
    b = booking(svc)
    assert b["status"] == "checked_in" and b["ticket"] == t["id"] and b["checked_in_at"] == at("09:45")
    entry = audit_of(svc, "appointment.check_in")[0]
    assert entry.detail["late"] is False and entry.detail["ticket"] == t["id"] and entry.actor_name == "kiosk-test"
    events = {e.event: e for c in published for e in c.events}
    said = {k: v for k, v in events["appointment.checked_in"].data.items() if k != "seq"}
    assert said == {"queue": b["queue"], "day": DAY, "start": "2026-11-25T10:00:00+08:00"}, "no applicant data"
    assert "ticket.issued" in events


def test_checked_in_after_the_start_the_ticket_is_placed_when_the_visitor_came(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    now = at("10:10")
    r = client.post(URL, headers=kiosk)
    assert r.status_code == 201, r.get_json()
    assert stored_ticket(svc, r.get_json()["ticket"]["id"]).rank_at == now


@pytest.mark.parametrize("typed", ["7n3r3-3nvqn", " 7N3R3 3NVQN ", "7N3R33NVQN", "7N3R3-3NVQO".replace("O", "N")])
def test_the_code_is_read_in_any_case_with_dashes_and_spaces(client, svc, kiosk, hall, at, typed):
    book(svc, start=local(hall, DAY, "10:00"))
    r = client.post(f"/api/v1/appointments/{typed}/check-in", headers=kiosk)
    assert r.status_code == 201, r.get_json()


def test_o_reads_as_zero_and_i_l_as_one():
    assert codes.canonical_code("ab0d1-efgh1") == codes.canonical_code("abOdI-efghL") == "AB0D1EFGH1"
    assert codes.canonical_code("ABCDE-FGHJU") is None, "U is not in the alphabet"
    assert codes.canonical_code("ABCD") is None and codes.canonical_code("") is None


def test_the_scanned_booking_url_is_read_as_its_code(svc, kiosk_key, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    assert codes.canonical_code(f"{hall.public_url}/a/7N3R3-3NVQN") == CODE
    assert codes.canonical_code("HTTP://127.0.0.1:5000/A/7N3R3-3NVQN") == CODE, "a scanner with caps lock on"
    assert codes.canonical_code("https://hall.example/a/7n3r33nvqn?from=sms#top") == CODE
    assert codes.canonical_code("https://hall.example/t/7N3R33NVQN") is None, "a ticket's page is not a booking"
    done = check_in(svc, KIOSK, f"{hall.public_url}/a/7N3R3-3NVQN", kiosk_key)
    assert done.ticket["priority"] == "appointment" and done.late is None


def test_the_kiosk_sends_the_scanned_urls_code_segment(client, svc, kiosk, hall, at):
    """What kiosk/static/checkin.js sends for a scanned URL: the part after /a/."""
    book(svc, start=local(hall, DAY, "10:00"))
    scanned = f"{hall.public_url}/a/7N3R3-3NVQN"
    r = client.post(f"/api/v1/appointments/{scanned.rsplit('/a/', 1)[1]}/check-in", headers=kiosk)
    assert r.status_code == 201, r.get_json()


# -- early, late, another day ---------------------------------------------------------------------


def test_early_says_from_when_and_issues_nothing(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    at("09:10")
    err = error_of(client.post(URL, headers=kiosk), 409, "check_in_early")
    assert "09:30" in err["message"] and "请于 09:30 后签到" in err["message_zh"]
    assert booking(svc)["status"] == "booked"
    assert issued(svc) == 0
    at("09:30")
    assert client.post(URL, headers=kiosk).status_code == 201, "from the time it named"


def test_late_gets_a_normal_number_and_the_booking_counts_as_kept(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    now = at("10:16")
    r = client.post(URL, headers=kiosk)
    err = error_of(r, 409, "check_in_late")
    t = r.get_json()["ticket"]
    assert t["priority"] == "normal" and not t.get("appointment")
    assert t["number"] in err["message"] and t["number"] in err["message_zh"] and "10:15" in err["message"]
    assert r.get_json()["appointment"]["code"] == CODE
    assert stored_ticket(svc, t["id"]).rank_at == now, "a walk-in's place"
    b = booking(svc)
    assert b["status"] == "checked_in" and b["ticket"] == t["id"], "the visitor came: not a no-show"
    assert audit_of(svc, "appointment.check_in")[0].detail["late"] is True
    again = client.post(URL, headers=kiosk)
    assert again.status_code == 409 and again.get_json()["ticket"]["id"] == t["id"]


def test_a_late_walk_in_is_no_appointment_in_its_queues_line(client, svc, kiosk, hall, at, manager):
    """The booking names the walk-in ticket it got, but the line, the estimate and the console
    count that ticket as the walk-in it is."""
    book(svc, start=local(hall, DAY, "10:00"))
    book(svc, start=local(hall, DAY, "10:30"), code="7N3R33NVQ0", id_number="11010119900307291X")
    at("10:20")
    late = client.post(URL, headers=kiosk).get_json()["ticket"]
    on_time = client.post("/api/v1/appointments/7N3R33NVQ0/check-in", headers=kiosk).get_json()["ticket"]
    queue = next(q for q in client.get("/api/v1/hall", headers=manager).get_json()["queues"]
                 if q["code"] == late["queue"])
    assert late["number"] not in queue["appointments"]
    assert queue["appointments"] == {on_time["number"]: "2026-11-25T10:30:00+08:00"}


def test_late_without_walk_in_numbers_only_says_so(client, svc, kiosk, hall, at, monkeypatch):
    monkeypatch.setattr(svc, "hall", replace(hall, appointments=replace(hall.appointments, late_walk_in=False)))
    book(svc, start=local(hall, DAY, "10:00"))
    at("10:40")
    r = client.post(URL, headers=kiosk)
    err = error_of(r, 409, "check_in_late")
    assert "ticket" not in r.get_json() and "普通号" in err["message_zh"]
    assert booking(svc)["status"] == "booked"


def test_a_booking_of_another_day_is_refused(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, "2026-11-26", "10:00"))
    err = error_of(client.post(URL, headers=kiosk), 400, "check_in_other_day")
    assert "26 Nov" in err["message"] and "11月26日" in err["message_zh"]


@pytest.mark.parametrize(("status", "day"), [("cancelled", DAY), ("no_show", "2026-11-24")])
def test_a_cancelled_or_missed_booking_is_not_booked(client, svc, kiosk, hall, at, status, day):
    """A no-show of today is late, not refused (tests/api/test_appointment_edges.py)."""
    book(svc, start=local(hall, day, "10:00"), status=status)
    err = error_of(client.post(URL, headers=kiosk), 409, "not_booked")
    assert err["message_zh"].startswith("该预约")


def test_an_unknown_or_malformed_code_is_404(client, svc, kiosk, hall):
    book(svc, start=local(hall, DAY, "10:00"))
    error_of(client.post("/api/v1/appointments/ZZZZZ-ZZZZZ/check-in", headers=kiosk), 404, "unknown_appointment")
    error_of(client.post("/api/v1/appointments/nonsense/check-in", headers=kiosk), 404, "unknown_appointment")


def test_outside_issuing_hours_the_kiosks_refusal_stands(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "16:00"))
    at("16:35")  # within the slot's grace, but the kiosks stop issuing 30 minutes before closing
    client.application.config["HALLQ_ENFORCE_HOURS"] = True
    err = error_of(client.post(URL, headers=kiosk), 409, "not_issuing")
    assert "取号时间" in err["message_zh"]
    assert booking(svc)["status"] == "booked"


# -- the same booking again -------------------------------------------------------------------------


def test_checking_in_again_at_the_same_kiosk_answers_the_same_ticket(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    first = client.post(URL, headers=kiosk).get_json()["ticket"]
    again = client.post(URL, headers=kiosk)
    assert again.status_code == 201 and again.get_json()["ticket"]["id"] == first["id"]
    assert issued(svc) == 1
    assert len(audit_of(svc, "appointment.check_in")) == 1


def test_another_kiosk_is_told_the_number_already_given(client, svc, kiosk, hall, at):
    book(svc, start=local(hall, DAY, "10:00"))
    first = client.post(URL, headers=kiosk).get_json()["ticket"]
    other = {"X-Device-Key": accounts.add_device(svc, "kiosk-other", "kiosk")}
    err = error_of(client.post(URL, headers=other), 409, "not_booked")
    assert first["number"] in err["message"] and first["number"] in err["message_zh"]


# -- who may --------------------------------------------------------------------------------------


def test_only_a_kiosk_checks_in(client, svc, hall, display_key, manager):
    book(svc, start=local(hall, DAY, "10:00"))
    assert client.post(URL).status_code == 401
    assert client.post(URL, headers=manager).status_code == 401
    assert client.post(URL, headers={"X-Device-Key": "not-a-key"}).status_code == 401
    assert client.post(URL, headers={"X-Device-Key": display_key}).status_code == 403
    assert client.post("/api/v1/appointments/nonsense/check-in", headers={"X-Device-Key": "x"}).status_code == 401
    assert booking(svc)["status"] == "booked"


def test_a_kiosk_cannot_take_an_appointment_number_without_a_booking(client, kiosk):
    r = client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001", "priority": "appointment"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_body"


# -- paper ----------------------------------------------------------------------------------------


def test_the_printed_ticket_says_appointment_and_its_slot(client, svc, hall, at):
    key = accounts.add_device(svc, "kiosk-p", "kiosk", printer="dummy://kiosk-p")
    book(svc, start=local(hall, DAY, "10:00"))
    r = client.post(URL, headers={"X-Device-Key": key})
    assert r.status_code == 201, r.get_json()
    t = r.get_json()["ticket"]
    assert "print" in t
    with svc.engine.connect() as conn:
        jobs = print_jobs_repo.jobs_for(conn, t["id"])
    assert len(jobs) == 1 and jobs[0].printer == "dummy://kiosk-p"
    doc = decode(jobs[0].payload)
    lines = [x.strip() for x in doc.texts]
    assert t["number"] in lines
    assert "预约 Appointment" in lines
    assert any("10:00-10:30" in x and "预约时段" in x for x in lines), lines
    assert doc.qr_payloads == [t["status_url"]]


def test_a_late_walk_in_ticket_prints_as_a_normal_one(client, svc, hall, at):
    key = accounts.add_device(svc, "kiosk-p", "kiosk", printer="dummy://kiosk-p")
    book(svc, start=local(hall, DAY, "10:00"))
    at("10:20")
    t = client.post(URL, headers={"X-Device-Key": key}).get_json()["ticket"]
    with svc.engine.connect() as conn:
        text = "\n".join(decode(print_jobs_repo.jobs_for(conn, t["id"])[0].payload).texts)
    assert "预约" not in text and t["number"] in text


# -- a booking made through the booking API --------------------------------------------------------


def test_a_booking_made_through_the_api_checks_in_with_its_qr_url(client, svc, kiosk, hall, at):
    from tests.api.test_appointments import applicant

    made = client.post("/api/v1/appointments", json={
        "item": "SCJG-102", "start": "2026-11-25T11:00:00+08:00", "applicant": applicant(7)})
    assert made.status_code == 201, made.get_json()
    booked = made.get_json()["appointment"]
    at("10:35")
    scanned = booked["qr_url"]  # what the kiosk's scanner reads; the kiosk sends its code part
    r = client.post(f"/api/v1/appointments/{scanned.rsplit('/a/', 1)[1]}/check-in", headers=kiosk)
    assert r.status_code == 201, r.get_json()
    t = r.get_json()["ticket"]
    assert t["priority"] == "appointment" and t["item"] == "SCJG-102"
    assert t["appointment"] == {"code": booked["code"], "start": booked["start"], "end": booked["end"]}
    assert stored_ticket(svc, t["id"]).rank_at == local(hall, DAY, "11:00")
    after = client.get(f"/api/v1/appointments/{booked['code']}").get_json()["appointment"]
    assert after["status"] == "checked_in"
    # Checked in, it can no longer be cancelled.
    last4 = applicant(7)["phone"][-4:]
    assert client.post(f"/api/v1/appointments/{booked['code']}/cancel", json={"last4": last4}).status_code == 409


def test_the_check_in_is_counted_in_the_estimates_it_sends_at_once(client, svc, kiosk, hall, at, published):
    """The check-in's own events show it, and a hall found without bookings a moment ago (the
    booking came from another process) does not wait its minute to read them again."""
    from tests.api.helpers import issue

    walk_in = issue(client, kiosk)  # the estimate reads the day's bookings: none
    book(svc, start=local(hall, DAY, "10:00"))
    published.clear()
    t = client.post(URL, headers=kiosk).get_json()["ticket"]
    sent = [e.data["queue"] for c in published for e in c.events if e.event == "queue.updated"]
    queue = next(q for q in sent if q["code"] == walk_in["queue"])
    assert queue["appointments"] == {t["number"]: "2026-11-25T10:00:00+08:00"}
