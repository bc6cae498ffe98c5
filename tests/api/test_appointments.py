"""Appointments over HTTP (预约): every answer of the booking routes, with the demo hall and a clock
set by hand (Wednesday 2026-11-25, 10:00 in Beijing).

Queue B's slots offer 16 window minutes (1.33 planned windows × 30 min × 40 % for bookings; its
reserve window 33 is not counted): SCJG-102 (10 min) fits once a slot, SCJG-101 (20 min) never."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.app import appointment_ops
from server.core.idnumber import check_character
from server.db.appointment_tables import appointment_days, appointment_slots, appointments

TOMORROW = "2026-11-26"
NINE = "2026-11-26T09:00:00+08:00"
HALF_NINE = "2026-11-26T09:30:00+08:00"


def id_number(n: int) -> str:
    first17 = f"11010519900101{n:03d}"
    return first17 + check_character(first17)


def applicant(n: int = 1, phone: str = "13800138000") -> dict:
    return {"name": "王小明", "id_number": id_number(n), "phone": phone}


def someone(n: int) -> dict:
    """Another person: their own ID number and phone (one phone holds as few bookings as one ID)."""
    return applicant(n, phone=f"137{n:08d}")


def book(client, start: str = NINE, item: str = "SCJG-102", who: dict | None = None, address: str = "203.0.113.7"):
    return client.post("/api/v1/appointments", json={"item": item, "start": start, "applicant": who or applicant()},
                       environ_base={"REMOTE_ADDR": address})


def test_the_slots_of_a_day_give_capacity_and_what_is_left(client):
    r = client.get(f"/api/v1/appointments/slots?item=SCJG-102&date={TOMORROW}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["item"] == "SCJG-102" and body["date"] == TOMORROW and body["closed"] is None
    first = body["slots"][0]
    assert first == {"start": NINE, "end": HALF_NINE, "capacity": 1, "left": 1}
    # 09:00-17:00 less the 30 minutes before closing when no number is issued: 15 half hours.
    assert len(body["slots"]) == 15
    assert book(client).status_code == 201
    again = client.get(f"/api/v1/appointments/slots?item=SCJG-102&date={TOMORROW}").get_json()["slots"]
    assert again[0]["left"] == 0 and again[1]["left"] == 1


def test_today_lists_only_the_slots_not_begun(client):
    slots = client.get("/api/v1/appointments/slots?item=SCJG-102&date=2026-11-25").get_json()["slots"]
    assert slots[0]["start"] == "2026-11-25T10:30:00+08:00"


@pytest.mark.parametrize(("day", "code"), [("2026-11-28", "closed_day"), ("2026-11-24", "slot_past"),
                                          ("2026-12-03", "beyond_horizon")])
def test_a_day_without_slots_says_why(client, day, code):
    body = client.get(f"/api/v1/appointments/slots?item=SCJG-101&date={day}").get_json()
    assert body["slots"] == [] and body["closed"]["code"] == code and body["closed"]["message_zh"]


@pytest.mark.parametrize("query", ["item=SCJG-101&date=2026-13-01", "item=SCJG-101&date=20261126", "item=SCJG-101",
                                   "date=2026-11-26"])
def test_a_bad_date_or_no_item_is_400(client, query):
    assert client.get(f"/api/v1/appointments/slots?{query}").status_code == 400


def test_an_unknown_item_is_404(client):
    assert client.get(f"/api/v1/appointments/slots?item=NOPE&date={TOMORROW}").status_code == 404
    assert book(client, item="NOPE").status_code == 404


def test_a_booking_answers_its_code_qr_and_check_in_window_with_the_applicant_masked(client, published):
    r = book(client)
    assert r.status_code == 201
    a = r.get_json()["appointment"]
    assert len(a["code"]) == 10 and a["code_display"] == f"{a['code'][:5]}-{a['code'][5:]}"
    assert a["qr_url"] == f"http://127.0.0.1:5000/a/{a['code']}"
    assert (a["item"], a["item_name"], a["queue"], a["status"]) == ("SCJG-102", a["item_name"], "B", "booked")
    assert (a["start"], a["end"]) == (NINE, HALF_NINE)
    # Check-in opens when the kiosks issue (09:00), not 30 minutes before the hall does.
    assert (a["check_in_from"], a["check_in_until"]) == ("2026-11-26T09:00:00+08:00", "2026-11-26T09:15:00+08:00")
    # The last fours cancel the booking: the card never shows them.
    assert a["applicant"] == {"name": "王*明", "id_number": "110105************", "phone": "138********"}
    events = [(e.event, e.rooms, e.data) for c in published for e in c.events]
    assert events[-1][:2] == ("appointment.booked", ["hall"])
    assert {k: v for k, v in events[-1][2].items() if k != "seq"} == {
        "queue": "B", "day": TOMORROW, "start": NINE}
    got = client.get(f"/api/v1/appointments/{a['code_display'].lower()}")
    assert got.status_code == 200 and got.get_json()["appointment"] == a


def test_the_code_is_read_from_the_booking_pages_url_too(client):
    a = book(client).get_json()["appointment"]
    assert appointment_ops.get(client.application.extensions["hallq"], a["qr_url"])["appointment"]["code"] == a["code"]


def test_an_unknown_code_is_404(client):
    assert client.get("/api/v1/appointments/ABCDE-FGHJK").status_code == 404
    assert client.get("/api/v1/appointments/not-a-code").status_code == 404


def test_a_full_slot_is_409_and_a_second_booking_of_the_day_too(client):
    assert book(client, who=applicant(1)).status_code == 201
    full = book(client, who=applicant(2))
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "slot_full"
    again = book(client, start=HALF_NINE, who=applicant(1))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_booked"
    # Another item the same day is another booking.
    assert book(client, start=HALF_NINE, item="CRJ-001", who=applicant(1)).status_code == 201


def test_the_daily_cap_is_409_day_full(client, hq):
    import dataclasses
    svc = hq.services
    svc.hall = dataclasses.replace(svc.hall, appointments=dataclasses.replace(svc.hall.appointments, daily_cap=1))
    assert book(client, who=applicant(1)).status_code == 201
    full = book(client, start=HALF_NINE, who=applicant(2))
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "day_full"


@pytest.mark.parametrize(("start", "code"), [
    ("2026-11-25T09:30:00+08:00", "slot_past"),
    ("2026-11-28T09:00:00+08:00", "closed_day"),
    ("2026-12-03T09:00:00+08:00", "beyond_horizon"),
    ("2026-11-26T09:10:00+08:00", "not_a_slot"),
    ("2026-11-26T16:30:00+08:00", "not_a_slot"),
    ("tomorrow at nine", "invalid_start"),
    ("2026-11-26T09:00:00", "invalid_start"),
])
def test_a_slot_that_cannot_be_booked_is_400(client, start, code):
    r = book(client, start=start)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == code


@pytest.mark.parametrize(("who", "field"), [
    ({"name": "王小明", "id_number": id_number(1)[:-1] + ("1" if id_number(1)[-1] != "1" else "2"),
      "phone": "13800138000"}, "id_number"),
    ({"name": "王小明", "id_number": "11010519900101001", "phone": "13800138000"}, "id_number"),
    ({"name": "王小明", "id_number": id_number(1), "phone": "010-12345678"}, "phone"),
    ({"name": "王小明", "id_number": id_number(1), "phone": "1380013800"}, "phone"),
    ({"name": "  ", "id_number": id_number(1), "phone": "13800138000"}, None),
])
def test_an_invalid_id_number_or_phone_is_400(client, who, field):
    r = book(client, who=who)
    assert r.status_code == 400
    if field:
        assert f"applicant.{field}" in r.get_json()["error"]["message"]


def test_a_start_in_another_offset_names_the_same_slot(client):
    r = book(client, start="2026-11-26T01:00:00Z")
    assert r.status_code == 201 and r.get_json()["appointment"]["start"] == NINE
    # 07:30 in Beijing is the day before in UTC: still the hall's 26th, before opening.
    early = book(client, start="2026-11-25T23:30:00Z", who=applicant(2))
    assert early.status_code == 400 and early.get_json()["error"]["code"] == "not_a_slot"


def test_full_width_input_and_plus_86_are_read(client):
    who = {"name": "王小明", "id_number": id_number(1).replace("1", "１"), "phone": "+86 138 0013 8000"}
    r = book(client, who=who)
    assert r.status_code == 201 and r.get_json()["appointment"]["applicant"]["phone"] == "138********"


def test_one_address_may_book_ten_an_hour_then_429_with_retry_after(client, clock):
    for n in range(10):
        clock.advance(minutes=1)
        assert book(client, start=f"2026-11-26T{9 + n // 2:02d}:{30 * (n % 2):02d}:00+08:00",
                    item="SCJG-102", who=someone(n)).status_code == 201
    refused = book(client, start="2026-11-26T15:00:00+08:00", item="SCJG-102", who=applicant(20))
    assert refused.status_code == 429
    body = refused.get_json()["error"]
    assert body["code"] == "too_many_bookings" and body["retry_after_s"] == int(refused.headers["Retry-After"])
    # The first of the ten was made 9 minutes ago: an hour after it, one more is taken.
    assert body["retry_after_s"] == 51 * 60
    assert book(client, start="2026-11-26T15:00:00+08:00", item="SCJG-102", who=applicant(20),
                address="198.51.100.1").status_code == 201
    # An IPv6 client is its /64.
    for n in range(10):
        assert book(client, start=f"2026-11-27T{9 + n // 2:02d}:{30 * (n % 2):02d}:00+08:00", item="SCJG-102",
                    who=someone(40 + n), address=f"2001:db8:1:2::{n + 1:x}").status_code == 201
    assert book(client, start="2026-11-27T15:00:00+08:00", item="SCJG-102", who=applicant(60),
                address="2001:db8:1:2:ffff::1").status_code == 429


def test_one_id_number_may_hold_five_bookings_then_429(client):
    items = ["SCJG-003", "SCJG-102", "SCJG-001", "SCJG-002", "CRJ-001", "CRJ-002"]
    for n, item in enumerate(items[:5]):
        assert book(client, start=f"2026-11-26T{10 + n}:00:00+08:00", item=item,
                    address=f"192.0.2.{n}").status_code == 201, item
    refused = book(client, start="2026-11-26T16:00:00+08:00", item=items[5], address="192.0.2.99")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_bookings"
    assert int(refused.headers["Retry-After"]) > 0


def _cancel(client, code: str, last4: str):
    return client.post(f"/api/v1/appointments/{code}/cancel", json={"last4": last4})


def test_cancel_with_the_last_four_of_the_id_number_or_phone_frees_the_place(client, published):
    a = book(client, who=applicant(1)).get_json()["appointment"]
    assert book(client, who=applicant(2)).status_code == 409
    r = _cancel(client, a["code"], id_number(1)[-4:])
    assert r.status_code == 200 and r.get_json()["appointment"]["status"] == "cancelled"
    assert published[-1].events[0].event == "appointment.cancelled"
    assert client.get(f"/api/v1/appointments/{a['code']}").get_json()["appointment"]["status"] == "cancelled"
    b = book(client, who=applicant(2))
    assert b.status_code == 201
    again = _cancel(client, a["code"], id_number(1)[-4:])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_booked"
    # By the phone's last four, and the same person may then book the slot again.
    assert _cancel(client, b.get_json()["appointment"]["code"], "8000").status_code == 200
    assert book(client, who=applicant(1)).status_code == 201


def test_a_wrong_last_four_and_an_unknown_code_are_the_same_404(client):
    a = book(client).get_json()["appointment"]
    wrong = _cancel(client, a["code"], "0000")
    unknown = _cancel(client, "ABCDE-FGHJK", id_number(1)[-4:])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    assert client.get(f"/api/v1/appointments/{a['code']}").get_json()["appointment"]["status"] == "booked"
    assert _cancel(client, a["code"], "12").status_code == 400


def test_a_slot_begun_cannot_be_cancelled(client, clock):
    a = book(client).get_json()["appointment"]
    clock.advance(hours=23, minutes=1)
    r = _cancel(client, a["code"], "8000")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_late_to_cancel"


def test_the_sweep_marks_bookings_past_their_grace_no_shows(client, clock, hq, published):
    a = book(client).get_json()["appointment"]
    svc = hq.services
    clock.advance(hours=23, minutes=15)  # 09:15 tomorrow: still within the grace
    assert appointment_ops.sweep_no_shows(svc) == []
    clock.advance(seconds=1)
    assert appointment_ops.sweep_no_shows(svc) == [a["code"]]
    assert published[-1].events[0].event == "appointment.no_show" and published[-1].action == "appointment.no_show"
    assert client.get(f"/api/v1/appointments/{a['code']}").get_json()["appointment"]["status"] == "no_show"
    assert appointment_ops.sweep_no_shows(svc) == []
    # The slot is over: its minutes are not given back.
    with svc.engine.connect() as conn:
        assert conn.execute(select(appointment_slots.c.minutes_booked)).scalar_one() == 10
        assert conn.execute(select(appointment_days.c.booked)).scalar_one() == 1


def test_three_no_shows_within_thirty_days_suspend_booking_with_the_reason(client, clock, hq):
    svc = hq.services
    for day in (26, 27, 30):
        clock.now = clock.now.replace(day=day - 1)
        assert book(client, start=f"2026-11-{day}T09:00:00+08:00").status_code == 201
        clock.now = clock.now.replace(day=day, hour=2)
        assert len(appointment_ops.sweep_no_shows(svc)) == 1
    refused = book(client, start="2026-12-01T10:00:00+08:00")
    assert refused.status_code == 403
    err = refused.get_json()["error"]
    assert err["code"] == "booking_suspended"
    assert "30 Dec 09:00" in err["message"] and "12月30日 09:00" in err["message_zh"]
    # Someone else still books.
    assert book(client, start="2026-12-01T10:00:00+08:00", who=applicant(7)).status_code == 201


def test_the_rows_hold_the_applicant_in_full_for_the_window(client, hq):
    book(client, who={"name": "王小明", "id_number": id_number(3).lower(), "phone": "13800138000"})
    with hq.services.engine.connect() as conn:
        row = conn.execute(select(appointments)).one()
    assert (row.id_number, row.phone, row.address) == (id_number(3), "13800138000", "203.0.113.7")
    assert row.start.utcoffset() == timedelta(0)


def test_left_is_bounded_by_the_items_daily_cap(client, hq):
    import dataclasses
    svc = hq.services
    svc.hall = dataclasses.replace(svc.hall, appointments=dataclasses.replace(svc.hall.appointments, daily_cap=2))
    assert book(client, item="SCJG-102", who=applicant(1)).status_code == 201
    slots = client.get(f"/api/v1/appointments/slots?item=SCJG-102&date={TOMORROW}").get_json()["slots"]
    assert [s["left"] for s in slots[:3]] == [0, 1, 1]
    assert book(client, start=HALF_NINE, item="SCJG-102", who=applicant(2)).status_code == 201
    slots = client.get(f"/api/v1/appointments/slots?item=SCJG-102&date={TOMORROW}").get_json()["slots"]
    assert {s["left"] for s in slots} == {0} and slots[2]["capacity"] == 1


def test_the_boards_bookings_per_slot_and_the_bookings_due(client, clock, hq):
    from datetime import date

    from server.db import appointments_repo
    svc = hq.services
    a = book(client, item="SCJG-102", who=applicant(1)).get_json()["appointment"]
    _cancel(client, a["code"], "8000")
    book(client, item="SCJG-102", who=applicant(2))
    book(client, start=HALF_NINE, who=applicant(3))
    with svc.engine.connect() as conn:
        rows = appointments_repo.bookings_per_slot(conn, date(2026, 11, 26), date(2026, 11, 27))
        due = appointments_repo.due_bookings(conn, date(2026, 11, 26))
    assert [(r["queue"], r["day"], r["start"].isoformat(), r["booked"], r["cancelled"], r["minutes_booked"],
             r["minutes_total"]) for r in rows] == [
        ("B", date(2026, 11, 26), "2026-11-26T01:00:00+00:00", 1, 1, 10, 16),
        ("B", date(2026, 11, 26), "2026-11-26T01:30:00+00:00", 1, 0, 10, 16)]
    assert rows[0]["checked_in"] == rows[0]["no_show"] == 0
    assert rows[0]["end"].isoformat() == "2026-11-26T01:30:00+00:00"
    assert [(q, s.isoformat()) for q, s in due] == [("B", "2026-11-26T01:00:00+00:00"),
                                                    ("B", "2026-11-26T01:30:00+00:00")]
    clock.advance(days=1, minutes=1)
    appointment_ops.sweep_no_shows(svc)
    with svc.engine.connect() as conn:
        rows = appointments_repo.bookings_per_slot(conn, date(2026, 11, 26), date(2026, 11, 26))
        assert appointments_repo.due_bookings(conn, date(2026, 11, 26)) == []
    assert [(r["booked"], r["no_show"]) for r in rows] == [(0, 1), (0, 1)]


def test_the_managers_board_hears_of_a_booking_live_without_the_applicant(client, hq, manager):
    board = hq.socketio.test_client(hq.app, auth={"token": manager["Authorization"].split()[1]})
    assert "error" not in board.emit("subscribe", {"rooms": ["hall"]}, callback=True)
    board.get_received()
    a = book(client).get_json()["appointment"]
    _cancel(client, a["code"], "8000")
    got = [(m["name"], m["args"][0]) for m in board.get_received() if m["name"].startswith("appointment.")]
    assert [name for name, _ in got] == ["appointment.booked", "appointment.cancelled"]
    assert set(got[0][1]) <= {"queue", "day", "start", "seq", "prev"}
    assert got[0][1]["start"] == NINE and got[1][1]["seq"] > got[0][1]["seq"]


def test_the_server_sweeps_no_shows_in_the_background(hq, client, clock, monkeypatch):
    from server.web import background
    jobs = {}
    monkeypatch.setattr(background, "every", lambda socketio, seconds, name, fn, phase=0.0: jobs.setdefault(
        name, (seconds, fn)))
    background.start(None, hq.services)  # type: ignore[arg-type]
    seconds, sweep = jobs["no-show sweep of appointments"]
    assert seconds <= 60
    a = book(client).get_json()["appointment"]
    clock.advance(days=1, minutes=16)
    assert sweep() == [a["code"]]
