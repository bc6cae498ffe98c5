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


# -- a late visitor after the no-show sweep (point 1) -----------------------------------------------


def late_answer(client, kiosk):
    r = client.post(URL, headers=kiosk)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "check_in_late", r.get_json()
    return r.get_json()["ticket"]


def test_a_late_visitor_gets_the_same_answer_before_and_after_the_sweep(client, svc, kiosk, clock, hall):
    from server.app import appointment_ops
    from server.db.tables import event_log

    book(svc, start=local(hall, DAY, "09:30"))
    clock.now = local(hall, DAY, "09:50")
    assert appointment_ops.sweep_no_shows(svc) == [CODE]
    assert status_of(svc) == "no_show"
    t = late_answer(client, kiosk)
    assert t["priority"] == "normal"
    assert status_of(svc) == "checked_in", "the visitor came: no longer a no-show"
    with svc.engine.connect() as conn:
        audited = conn.execute(select(event_log.c.detail).where(event_log.c.action == "appointment.check_in")).one()
    assert audited.detail["late"] is True and audited.detail["was"] == "no_show"
    assert late_answer(client, kiosk)["id"] == t["id"], "asked again, the same number"


def test_a_no_show_of_another_day_stays_refused(client, svc, kiosk, hall):
    book(svc, start=local(hall, "2026-11-24", "09:30"), status="no_show")
    r = client.post(URL, headers=kiosk)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_booked"


# -- check-in opens when the kiosks issue (point 6) -------------------------------------------------


def test_a_nine_oclock_booking_opens_its_check_in_at_nine_not_before_the_hall(client, svc, kiosk, clock, hall):
    made = book_api(client, start="2026-11-26T09:00:00+08:00").get_json()["appointment"]
    assert made["check_in_from"] == "2026-11-26T09:00:00+08:00"
    later = book_api(client, start="2026-11-26T10:00:00+08:00", who=applicant(2)).get_json()["appointment"]
    assert later["check_in_from"] == "2026-11-26T09:30:00+08:00"
    clock.now = local(hall, "2026-11-26", "08:40")
    r = client.post(f"/api/v1/appointments/{made['code']}/check-in", headers=kiosk)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "check_in_early"
    assert "09:00" in r.get_json()["error"]["message"]


# -- the item moved queue between booking and check-in (point 3) ------------------------------------


def test_a_booking_follows_its_item_to_another_queue_at_check_in(client, svc, kiosk, clock, hall, make_staff,
                                                                   monkeypatch):
    from dataclasses import replace

    from tests.api.helpers import issue

    alice = make_staff("alice", "window", "SCJG")
    book(svc, start=local(hall, DAY, "10:30"), item="SCJG-001")  # queue A when booked
    moved = replace(hall, items=tuple(replace(i, queue="B") if i.code == "SCJG-001" else i for i in hall.items))
    monkeypatch.setattr(svc, "hall", moved)
    assert client.post("/api/v1/windows/5/open", headers=alice).status_code == 200  # window 5 serves B only
    clock.now = local(hall, DAY, "10:20")
    walk_in = issue(client, kiosk, item="SCJG-102")
    clock.now = local(hall, DAY, "10:30")
    t = client.post(URL, headers=kiosk).get_json()["ticket"]
    assert t["queue"] == "B"
    with svc.engine.connect() as conn:
        assert conn.execute(select(appointment_rows.c.queue)).scalar_one() == "B"
    first = client.post("/api/v1/windows/5/call-next", headers=alice).get_json()["ticket"]
    assert (first["number"], first["priority"]) == (t["number"], "appointment"), "due now: ahead of the walk-in"
    assert walk_in["queue"] == "B"


# -- another day's slots count the hall file's windows (point 3) -------------------------------------


def test_today_counts_the_live_allocation_and_another_day_the_hall_files(client, svc, manager, monkeypatch):
    from server.app import allocated

    real = allocated.current_hall

    def without_window_5(svc_, uow):
        live = real(svc_, uow)
        return __import__("dataclasses").replace(live, windows=tuple(w for w in live.windows if w.id != "5"))

    monkeypatch.setattr(appointments, "current_hall", without_window_5)
    from server.app import appointment_board
    today = client.get("/api/v1/appointments/slots?item=SCJG-102&date=2026-11-25").get_json()
    tomorrow = client.get("/api/v1/appointments/slots?item=SCJG-102&date=2026-11-26").get_json()
    assert today["slots"] == [], "window 5 gone today: 4 minutes a slot, no room for 10"
    assert tomorrow["slots"][0]["capacity"] == 1, "tomorrow the hall file's windows"
    assert book_api(client, start="2026-11-26T09:00:00+08:00").status_code == 201
    assert book_api(client, start="2026-11-25T11:00:00+08:00", who=applicant(2)).status_code == 400
    board = client.get("/api/v1/manage/appointments?from=2026-11-25&to=2026-11-26", headers=manager).get_json()
    totals = {d["date"]: next(q for q in d["queues"] if q["queue"] == "B")["slots"][-1]["minutes_total"]
              for d in board["days"]}
    assert totals == {"2026-11-25": 4, "2026-11-26": 16}, "the board counts as booking does"
    assert appointment_board.appointments is appointments


# -- items that never fit a slot, and a day whose slots are over (point 5) ---------------------------


def test_an_item_longer_than_a_slot_says_so_instead_of_an_empty_list(client):
    body = client.get("/api/v1/appointments/slots?item=SCJG-101&date=2026-11-26").get_json()
    assert body["slots"] == []
    assert body["closed"]["code"] == "not_bookable"
    assert body["closed"]["message"] == ("此事项办理时间较长，暂不提供预约，请到大厅取号 / This service takes longer "
                                         "than a bookable slot: take a number at the hall")
    r = book_api(client, item="SCJG-101")
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "not_bookable" and err["message"] == body["closed"]["message"]


def test_today_after_its_last_slot_says_the_day_is_over(client, clock, hall):
    clock.now = local(hall, DAY, "16:05")
    body = client.get(f"/api/v1/appointments/slots?item=SCJG-102&date={DAY}").get_json()
    assert body["slots"] == [] and body["closed"]["code"] == "day_over"
    assert body["closed"]["message"] == "今日可预约时段已结束 / Today's bookable slots are over"
    assert client.get("/api/v1/appointments/slots?item=SCJG-102&date=2026-11-26").get_json()["closed"] is None


# -- cancelling is not brute-forced, and the card never shows the last four (point 2) ---------------


def cancel(client, code: str, last4: str, address: str = "203.0.113.9"):
    return client.post(f"/api/v1/appointments/{code}/cancel", json={"last4": last4},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_last_fours_are_counted_per_code_then_429(client, svc):
    from server.db.tables import event_log

    a = book_api(client).get_json()["appointment"]
    for n in range(5):
        assert cancel(client, a["code"], f"{n:04d}", address=f"198.51.100.{n}").status_code == 404
    held = cancel(client, a["code"], "8000", address="198.51.100.77")  # the right one, from elsewhere
    assert held.status_code == 429 and held.get_json()["error"]["code"] == "too_many_attempts"
    assert int(held.headers["Retry-After"]) > 0
    assert status_of(svc, a["code"]) == "booked"
    with svc.engine.connect() as conn:
        assert len(conn.execute(select(event_log).where(event_log.c.action == "appointment.cancel_failed")).all()) == 5


def test_one_address_guessing_many_codes_is_held_too(client):
    answers = [cancel(client, f"ABCDE-FG{n:03d}".replace("0", "A"), "0000").status_code for n in range(12)]
    assert answers[:10] == [404] * 10 and answers[10:] == [429, 429]


def test_a_right_last_four_after_a_few_misses_cancels_and_forgives_nothing_more(client, svc):
    a = book_api(client).get_json()["appointment"]
    assert cancel(client, a["code"], "0000").status_code == 404
    assert cancel(client, a["code"], "8000").status_code == 200
    assert status_of(svc, a["code"]) == "cancelled"




# -- hoarding: per address per day, per phone (point 9) ---------------------------------------------


def test_one_address_books_at_most_twenty_a_day(client, clock):
    made = 0
    for hour in range(3):
        for n in range(10 if hour < 2 else 1):
            start = f"2026-11-{(26, 27, 30)[hour]}T{9 + n // 2:02d}:{30 * (n % 2):02d}:00+08:00"
            r = book_api(client, start=start, who=applicant(100 + made, phone=f"139{made:08d}"))
            if made < 20:
                assert r.status_code == 201, r.get_json()
            else:
                assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_bookings"
                assert "24" in r.get_json()["error"]["message"]
                assert int(r.headers["Retry-After"]) > 21 * 3600
            made += 1
        clock.advance(minutes=61)


def test_one_phone_holds_at_most_as_many_bookings_as_an_id_number(client):
    for n in range(5):
        assert book_api(client, start=f"2026-11-26T{10 + n}:00:00+08:00", who=applicant(200 + n, phone="13912345678"),
                        address=f"192.0.2.{n}").status_code == 201
    r = book_api(client, start="2026-11-26T16:00:00+08:00", who=applicant(299, phone="13912345678"),
                 address="192.0.2.99")
    assert r.status_code == 429 and "phone" in r.get_json()["error"]["message"]
    assert int(r.headers["Retry-After"]) > 0


# -- the hall's own refusals are not the citizen's no-shows (point 7) -------------------------------


def hall_events(published, name: str) -> list:
    return [e for c in published for e in c.events if e.event == name]


def test_a_booking_on_a_day_no_longer_worked_is_cancelled_by_the_hall(client, svc, clock, hall, published,
                                                                      monkeypatch):
    from dataclasses import replace
    from datetime import date

    from server.app import appointment_ops
    from server.db.tables import event_log

    book(svc, start=local(hall, DAY, "10:00"))
    closed = replace(hall, calendar=replace(hall.calendar, holidays=hall.calendar.holidays | {date(2026, 11, 25)}))
    monkeypatch.setattr(svc, "hall", closed)
    clock.now = local(hall, DAY, "10:16")
    assert appointment_ops.sweep_no_shows(svc) == []
    assert status_of(svc) == "cancelled", "the hall's refusal, not the citizen's no-show"
    assert hall_events(published, "appointment.cancelled") and not hall_events(published, "appointment.no_show")
    with svc.engine.connect() as conn:
        audited = conn.execute(select(event_log.c.detail).where(event_log.c.action == "appointment.hall_cancel")).one()
    assert audited.detail["why"] == "closed_day"


def test_a_booking_outside_the_hours_now_kept_is_cancelled_by_the_hall(client, svc, clock, hall, monkeypatch):
    from dataclasses import replace
    from datetime import time

    from server.app import appointment_ops

    book(svc, start=local(hall, DAY, "14:00"))
    book(svc, start=local(hall, DAY, "10:00"), code="7N3R33NVQ0", id_number="11010119900307291X")
    morning = replace(hall, hours=replace(hall.hours, periods=((time(9), time(12)),)))
    monkeypatch.setattr(svc, "hall", morning)
    clock.now = local(hall, DAY, "14:16")
    assert appointment_ops.sweep_no_shows(svc) == ["7N3R33NVQ0"], "the 10:00 one was the visitor's to keep"
    assert status_of(svc) == "cancelled" and status_of(svc, "7N3R33NVQ0") == "no_show"


def test_an_on_time_check_in_of_a_queue_no_window_serves_is_warned_not_refused(client, svc, kiosk, clock, hall,
                                                                                monkeypatch):
    from dataclasses import replace

    from server.core.hall import ClosedQueuePolicy

    monkeypatch.setattr(svc, "hall", replace(hall, closed_queue_policy=ClosedQueuePolicy.REFUSE))
    book(svc, start=local(hall, DAY, "10:00"))
    walk_in = client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"})
    assert walk_in.status_code == 409, "a walk-in is refused: no window serves queue A"
    r = client.post(URL, headers=kiosk)
    assert r.status_code == 201, r.get_json()
    t = r.get_json()["ticket"]
    assert t["priority"] == "appointment" and "暂无窗口办理" in t["warning"]


# -- refusals name times as people read them (point 11) ---------------------------------------------


def test_refusals_name_the_slot_in_hall_time_not_iso(client, clock):
    assert book_api(client, start="2026-11-26T09:30:00+08:00").status_code == 201
    full = book_api(client, start="2026-11-26T09:30:00+08:00", who=applicant(2)).get_json()["error"]
    assert full["code"] == "slot_full"
    assert full["message"] == "The slot at 26 Nov 09:30 is fully booked; pick another"
    assert full["message_zh"] == "11月26日 09:30的时段已约满，请选择其他时段"
    past = book_api(client, start="2026-11-25T09:30:00+08:00", who=applicant(3)).get_json()["error"]
    assert past["code"] == "slot_past" and "25 Nov 09:30" in past["message"] and "11月25日 09:30" in past["message_zh"]
    closed = book_api(client, start="2026-11-28T09:00:00+08:00", who=applicant(4)).get_json()["error"]
    assert closed["message"].startswith("The hall does not open on 28 Nov") and "11月28日" in closed["message_zh"]
    for err in (full, past, closed):
        assert "T0" not in err["message"] and "+08:00" not in err["message"]
