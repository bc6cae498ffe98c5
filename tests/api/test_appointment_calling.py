"""Appointment tickets through the real call-next (server/app/window_ops.py): a booking's ticket is
called at its slot ahead of the walk-ins, not before it, and never more than the hall's share of a
window's calls while walk-ins wait (server/core/calling.py, rule 4).

The check-in API is another part of issue 15: here a checked-in booking and its ticket are written
straight to the database, as the check-in leaves them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert

from server.app.waits import bookings_changed
from server.core.tickets import Priority, Ticket
from server.db import tickets_repo
from server.db.appointment_tables import appointments
from tests.api.helpers import issue


@pytest.fixture
def alice(make_staff):
    return make_staff("alice", "window", "SCJG")


def check_in(svc, queue: str, slot, n: int, came=None) -> Ticket:
    """A booking of `queue` for the slot at `slot`, checked in at `came` (default now): its ticket
    placed at the later of the two."""
    now = svc.clock()
    came = came or now
    t = Ticket(
        id=f"appt{n:04d}", number=f"Y{n:03d}", queue=queue, item="SCJG-001", day=svc.today(now), seq_no=900 + n,
        issued_at=came, rank_at=max(slot, came), priority=Priority.APPOINTMENT, appointment=f"BOOK{n:06d}",
    )
    with svc.engine.begin() as conn:
        tickets_repo.add(conn, t, None)
        conn.execute(insert(appointments).values(
            hall=svc.hall.code, id=f"a{n:04d}", code=t.appointment, item="SCJG-001", queue=queue, day=t.day, start=slot,
            end=slot + timedelta(minutes=30), minutes=15, name="张三", id_number=f"1101011990010{n:05d}",
            phone="13800000000", status="checked_in", created_at=now - timedelta(days=1), address="127.0.0.1",
            checked_in_at=came, ticket=t.id,
        ))
    bookings_changed(svc.engine)  # as the check-in does
    return t


def call_next(client, staff) -> dict[str, Any]:
    r = client.post("/api/v1/windows/1/call-next", headers=staff)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["ticket"]


def test_a_booking_due_now_is_called_ahead_of_the_walk_ins_who_came_before_its_slot(
    client, kiosk, alice, svc, clock, published,
):
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    walk_ins = [issue(client, kiosk) for _ in range(3)]
    clock.advance(minutes=10)
    booked = check_in(svc, walk_ins[0]["queue"], slot=clock() - timedelta(minutes=5), n=1,
                      came=clock() - timedelta(minutes=20))
    first = call_next(client, alice)
    assert (first["number"], first["priority"]) == (booked.number, "appointment")
    # The console shows the booking and its slot (Beijing time, as every view's times).
    assert first["appointment"] == {"code": booked.appointment, "start": "2026-11-25T10:05:00+08:00",
                                    "end": "2026-11-25T10:35:00+08:00"}
    # The public (the visitor's page, the queue and hall rooms) see the slot, not the booking's
    # code, which reads the booking.
    public = client.get(f"/api/v1/tickets/{booked.id}").get_json()["ticket"]
    assert public["appointment"] == {"start": "2026-11-25T10:05:00+08:00", "end": "2026-11-25T10:35:00+08:00"}
    sent = [e.data for c in published for e in c.events if e.event == "ticket.called"]
    assert sent and all("code" not in d["ticket"]["appointment"] for d in sent)
    client.post("/api/v1/windows/1/finish", headers=alice)
    walk_in = call_next(client, alice)
    assert (walk_in["number"], walk_in["appointment"]) == (walk_ins[0]["number"], None)


def test_a_booking_not_due_yet_waits_behind_the_walk_ins_who_came_first(client, kiosk, alice, svc, clock):
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    walk_in = issue(client, kiosk)
    clock.advance(minutes=5)
    check_in(svc, walk_in["queue"], slot=clock() + timedelta(minutes=15), n=1)  # 10:20 for 10:05 now
    assert call_next(client, alice)["number"] == walk_in["number"]
    client.post("/api/v1/windows/1/finish", headers=alice)
    # Nobody else waits: the window does not idle until 10:20.
    assert call_next(client, alice)["priority"] == "appointment"


def test_bookings_take_at_most_the_share_of_the_windows_calls_while_walk_ins_wait(client, kiosk, alice, svc, clock):
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    share = svc.hall.appointments.call_share
    walk_ins = [issue(client, kiosk) for _ in range(12)]
    clock.advance(minutes=30)
    for n in range(12):
        check_in(svc, walk_ins[0]["queue"], slot=clock() - timedelta(minutes=12 - n), n=n + 1)
    called = []
    for _ in range(20):
        called.append(call_next(client, alice)["priority"])
        client.post("/api/v1/windows/1/finish", headers=alice)
        clock.advance(minutes=1)
    assert called[0] == "appointment", "the window's first call may take a due booking"
    assert called.count("appointment") == int(share * 20) == 10
    for start in range(len(called) - 10 + 1):
        assert called[start : start + 10].count("appointment") <= share * 10


def book(svc, queue: str, start, n: int) -> None:
    """A booking not checked in yet, for the slot at `start`."""
    now = svc.clock()
    with svc.engine.begin() as conn:
        conn.execute(insert(appointments).values(
            hall=svc.hall.code, id=f"b{n:04d}", code=f"WAIT{n:06d}", item="SCJG-001", queue=queue, day=svc.today(now),
            start=start,
            end=start + timedelta(minutes=30), minutes=15, name="李四", id_number=f"1101011990020{n:05d}",
            phone="13900000000", status="booked", created_at=now - timedelta(days=1), address="127.0.0.1",
        ))
    bookings_changed(svc.engine)  # as the booking API does


def test_a_walk_ins_estimate_counts_the_bookings_due_before_its_turn_within_the_share(
    client, kiosk, alice, svc, clock, published,
):
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    walk_ins = [issue(client, kiosk) for _ in range(8)]
    call_next(client, alice)
    clock.advance(minutes=1)
    before = [client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]["estimated_wait_s"] for t in walk_ins]
    assert before[1:] == sorted(before[1:]) and before[3] > 0
    queue = walk_ins[0]["queue"]
    # Bookings whose slots start long after any of these turns change nothing, nor one whose
    # visitor is past the grace period without checking in (a no-show in the making).
    for n in range(3):
        book(svc, queue, clock() + timedelta(hours=5), n)
    book(svc, queue, clock() - timedelta(minutes=svc.hall.appointments.grace_minutes + 1), 99)
    third = walk_ins[3]  # two ahead of it now
    assert client.get(f"/api/v1/tickets/{third['id']}").get_json()["ticket"]["estimated_wait_s"] == before[3]
    # Ten bookings due within the minute: at most half of the calls up to its own go to them, so
    # 3 with 2 ahead of it (3 of 6 calls): it waits as the walk-in 3 places further back does.
    for n in range(3, 13):
        book(svc, queue, clock() + timedelta(minutes=1), n)
    after = client.get(f"/api/v1/tickets/{third['id']}").get_json()["ticket"]
    assert after["ahead"] == 2, "the number ahead stays what the hall screen shows"
    assert after["estimated_wait_s"] == before[6] > before[3]
    # The queue's line carries the same figure for that place (the visitor's phone follows it).
    issue(client, kiosk)
    line = [e.data["queue"] for c in published for e in c.events if e.event == "queue.updated"][-1]
    assert line["waits"][2][0] == after["estimated_wait_s"]


def test_a_day_without_bookings_is_read_once_a_minute_not_on_every_change(client, kiosk, alice, svc, clock):
    reads: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if "FROM appointments" in statement and "appointments.start >=" in statement:  # day_bookings
            reads.append(statement)

    event.listen(svc.engine, "before_cursor_execute", count)
    try:
        assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
        t = issue(client, kiosk)
        issue(client, kiosk)
        client.get(f"/api/v1/tickets/{t['id']}")
        assert len(reads) == 1, "read once, then remembered"
        clock.advance(seconds=61)
        client.get(f"/api/v1/tickets/{t['id']}")
        assert len(reads) == 2
        book(svc, t["queue"], clock() + timedelta(minutes=1), 1)  # the booking says so: read at once
        client.get(f"/api/v1/tickets/{t['id']}")
        assert len(reads) == 3
    finally:
        event.remove(svc.engine, "before_cursor_execute", count)
