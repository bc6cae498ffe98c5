"""The manager's bookings view (GET /api/v1/manage/appointments, issue #15 point 6) and the
recommendations counting booked arrivals (GET /api/v1/recommendations).

The test clock is Wednesday 2026-11-25 10:00 in Beijing; SCJG-001 (queue A, 20 minutes) fits twice
in one of A's 30-minute slots (44 window minutes offered for booking: the reserve window is not counted)."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.idnumber import check_character

from .test_protocol import assert_error

DAY = "2026-11-25"
ITEM = "SCJG-001"


def id_number(n: int) -> str:
    first17 = f"11010519800101{n:03d}"
    return first17 + check_character(first17)


def book(client, start: str, n: int, item: str = ITEM) -> Any:
    return client.post("/api/v1/appointments", json={"item": item, "start": start, "applicant": {
        "name": "王小明", "id_number": id_number(n), "phone": f"138{n:08d}"}})


def slot_at(client, hhmm: str, item: str = ITEM, day: str = DAY) -> dict:
    slots = client.get(f"/api/v1/appointments/slots?item={item}&date={day}").get_json()["slots"]
    return next(s for s in slots if s["start"][11:16] == hhmm)


def board(client, headers, query: str = "") -> Any:
    return client.get(f"/api/v1/manage/appointments{query}", headers=headers)


def queue_of(answer: dict, day: str, queue: str) -> dict:
    found = next(d for d in answer["days"] if d["date"] == day)
    return next(q for q in found["queues"] if q["queue"] == queue)


def test_bookings_per_slot_for_managers(client, manager):
    start = slot_at(client, "10:30")["start"]
    first = book(client, start, 1)
    assert first.status_code == 201, first.get_json()
    assert book(client, start, 2).status_code == 201
    code = first.get_json()["appointment"]["code"]
    assert client.post(f"/api/v1/appointments/{code}/cancel", json={"last4": id_number(1)[-4:]}).status_code == 200
    later = slot_at(client, "14:00", day="2026-11-26")["start"]
    assert book(client, later, 3).status_code == 201

    r = board(client, manager, f"?from={DAY}&to=2026-11-26")
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["from"] == DAY and data["to"] == "2026-11-26" and data["today"] == DAY
    a = queue_of(data, DAY, "A")
    assert a["name"] == "企业登记" and a["department"] == "SCJG"
    # Every slot the hall offers, booked or not: 09:00 to 16:30 on a 9-to-5 day issuing until 16:30.
    assert [s["start"][11:16] for s in a["slots"]][:3] == ["09:00", "09:30", "10:00"] and len(a["slots"]) == 15
    row = next(s for s in a["slots"] if s["start"] == start)
    assert (row["booked"], row["checked_in"], row["no_show"], row["cancelled"]) == (1, 0, 0, 1)
    assert row["minutes_booked"] == 20 and row["minutes_total"] == 44
    empty = next(s for s in a["slots"] if s["start"][11:16] == "11:00")
    assert empty["booked"] == 0 and empty["minutes_total"] == 44 and empty["minutes_booked"] == 0
    assert a["totals"]["booked"] == 1 and a["totals"]["cancelled"] == 1
    assert queue_of(data, "2026-11-26", "A")["totals"]["booked"] == 1
    # The default range is today; a Saturday is closed, with no queues.
    today = board(client, manager).get_json()
    assert today["from"] == today["to"] == DAY and len(today["days"]) == 1
    saturday = board(client, manager, "?from=2026-11-28").get_json()["days"][0]
    assert saturday == {"date": "2026-11-28", "workday": False, "queues": [], "totals": saturday["totals"]}


def test_chiefs_see_their_department_and_window_staff_none(client, make_staff):
    start = slot_at(client, "11:00")["start"]
    assert book(client, start, 4).status_code == 201
    rsj = board(client, make_staff("chief-rsj", "chief", "RSJ")).get_json()
    assert {q["queue"] for q in rsj["days"][0]["queues"]} == {"E", "F"} and rsj["department"] == "RSJ"
    scjg = board(client, make_staff("chief-scjg", "chief", "SCJG")).get_json()
    assert {q["queue"] for q in scjg["days"][0]["queues"]} == {"A", "B"}
    assert queue_of(scjg, DAY, "A")["totals"]["booked"] == 1
    assert_error(board(client, make_staff("w", "window", "SCJG")), 403)
    assert_error(client.get("/api/v1/manage/appointments"), 401)


@pytest.mark.parametrize("query", ["?from=2026-11-26&to=2026-11-25", "?from=2026-11-01&to=2026-12-15",
                                   "?from=25-11-2026", "?to=tomorrow", "?from=2026-02-30",
                                   "?from=0487-08-04", "?from=2028-01-04"])
def test_a_bad_range_is_refused(client, manager, query):
    assert_error(board(client, manager, query), 400)


def figures(client, headers, queue: str) -> dict:
    r = client.get("/api/v1/recommendations", headers=headers)
    assert r.status_code == 200, r.get_json()
    return next(q for q in r.get_json()["queues"] if q["queue"] == queue)


def test_recommendations_count_the_bookings_due_within_the_hour(client, manager, clock):
    before = figures(client, manager, "A")
    assert before["booked_per_hour"] == 0 and before["arrivals_per_hour"] == 0 and before["windows_needed"] == 0
    soon = slot_at(client, "10:30")["start"]
    assert book(client, soon, 5).status_code == 201
    assert book(client, soon, 6).status_code == 201
    late = slot_at(client, "15:00")["start"]  # beyond the hour: only in its interval's rate
    assert book(client, late, 7).status_code == 201
    after = figures(client, manager, "A")
    assert after["booked_per_hour"] == 2.0
    assert after["arrivals_per_hour"] == before["arrivals_per_hour"] + 2
    assert after["windows_needed"] > before["windows_needed"]
    at_three = next(i for i in after["intervals"] if i["start"] == "15:00")
    assert at_three["arrivals_per_hour"] > next(i for i in before["intervals"] if i["start"] == "15:00")[
        "arrivals_per_hour"]
    # Another queue is untouched.
    assert figures(client, manager, "B")["booked_per_hour"] == 0
    # Past their grace period the two are no longer expected: the rate falls back.
    clock.advance(minutes=50)
    assert figures(client, manager, "A")["booked_per_hour"] == 0


def test_a_checked_in_booking_names_its_ticket(client, kiosk, svc, manager):
    """The booking's page (/a/<code>) shows the number its holder waits with once checked in."""
    from server.core.appointments import Status
    from server.db import appointments_repo

    from .helpers import issue

    made = book(client, slot_at(client, "10:30")["start"], 8).get_json()["appointment"]
    assert "ticket" not in client.get(f"/api/v1/appointments/{made['code']}").get_json()["appointment"]
    ticket = issue(client, kiosk)  # standing in for the kiosk's check-in (its own branch of work)
    with svc.engine.begin() as conn:
        row = appointments_repo.by_code(conn, made["code"])
        assert row is not None
        assert appointments_repo.set_status(conn, row["id"], Status.BOOKED, Status.CHECKED_IN, ticket=ticket["id"],
                                            checked_in_at=svc.clock())
    seen = client.get(f"/api/v1/appointments/{made['code']}").get_json()["appointment"]
    assert seen["status"] == "checked_in" and seen["ticket"] == {"id": ticket["id"], "number": ticket["number"]}
    a = queue_of(board(client, manager).get_json(), DAY, "A")
    assert a["totals"]["checked_in"] == 1 and a["totals"]["booked"] == 0


def test_a_booked_visitors_ticket_is_no_walk_in_arrival_in_the_forecast(client, kiosk, svc, manager, clock):
    """The forecast adds the day's bookings to the walk-ins' rate: a booked visitor's own ticket is
    not counted again as an arrival, today nor in the weekday history."""
    from .helpers import issue

    made = book(client, slot_at(client, "10:30")["start"], 9).get_json()["appointment"]
    issue(client, kiosk, item=ITEM)
    walk_ins = figures(client, manager, "A")["arrivals_today"]
    clock.advance(minutes=1)
    r = client.post(f"/api/v1/appointments/{made['code']}/check-in", headers=kiosk)
    assert r.status_code == 201 and r.get_json()["ticket"]["priority"] == "appointment"
    assert figures(client, manager, "A")["arrivals_today"] == walk_ins == 1
    # A week later the same weekday's history holds the walk-in only.
    from server.app.recommendations import _history
    from server.core import staffing
    clock.advance(days=7)
    with svc.engine.connect() as conn:
        cut = staffing.intervals(svc.hall.hours, svc.hall.staffing.interval_minutes)
        _, history = _history(svc, conn, svc.today(clock()), cut)
    assert sum(history["A"].values()) * (svc.hall.staffing.interval_minutes / 60) == 1
