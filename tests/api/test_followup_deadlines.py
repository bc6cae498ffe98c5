"""差评整改 deadlines on the hall calendar (the national holidays, the hall's own closures and make-up
working days 调休), the warning sweep announcing each tier once, and the `followups` rooms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from server.app.context import Followers, Services
from server.app.followups import check_warnings, get_followup
from server.core.hall import CalendarOverrides
from server.core.windows import Role, Staff
from tests.api.followup_helpers import rate
from tests.conftest import PASSWORD

BASE = "/api/v1/followups"


def login(client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def test_a_rating_on_the_eve_of_national_day_is_due_after_the_holiday_counting_the_make_up_saturday(
        client, svc, clock, make_staff):
    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing, the eve of October 1
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1)
    f = client.get(f"{BASE}/{rid}", headers=chief).get_json()["followup"]
    # October 1-7 closed; Saturday October 10 is a make-up working day (调休), Sunday 11 is not.
    assert f["due"] == {"called_back": "2026-10-08", "verified": "2026-10-10", "rectified": "2026-10-13",
                        "answered": "2026-10-13"}
    assert f["next_due"] == "2026-10-08" and f["days_left"] == 1
    clock.now = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # in the holiday: still one working day ahead
    f = client.get(f"{BASE}/{rid}", headers=login(client, "chief")).get_json()["followup"]
    assert f["days_left"] == 1 and f["warning"] is None


def test_the_halls_own_closure_and_make_up_day_move_the_deadlines(hall, db_engine, clock, published):
    # Thursday 2026-11-26 closed by the hall, Saturday 2026-11-28 a make-up working day.
    cal = CalendarOverrides(holidays=frozenset({date(2026, 11, 26)}), workdays=frozenset({date(2026, 11, 28)}))
    svc = Services(hall=replace(hall, calendar=cal), engine=db_engine, clock=clock,
                   followers=Followers(published.append))
    rid = rate(svc, 2)  # Wednesday 2026-11-25
    f = get_followup(svc, Staff(1, "boss", Role.MANAGER), rid)
    assert f["due"] == {"called_back": "2026-11-27", "verified": "2026-11-30", "rectified": "2026-12-02",
                        "answered": "2026-12-02"}


def test_the_sweep_announces_each_tier_of_the_step_ahead_once(client, svc, clock, make_staff, published):
    make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1)  # Wednesday 2026-11-25 10:00: called back due by the end of Thursday
    published.clear()
    assert check_warnings(svc) == []
    clock.advance(days=1)  # Thursday 10:00: 7 of its 15 working hours ahead
    assert check_warnings(svc) == []
    clock.advance(hours=3)  # 13:00: 4 hours ahead, under a third
    assert check_warnings(svc) == [(rid, "yellow")]
    assert check_warnings(svc) == []  # once
    clock.advance(hours=3)  # 16:00: 1 hour ahead, under a tenth
    assert check_warnings(svc) == [(rid, "orange")]
    clock.advance(hours=8)  # Friday 00:00: overdue
    assert check_warnings(svc) == [(rid, "red")]
    clock.advance(hours=9)  # Friday 09:00, still red
    assert check_warnings(svc) == []
    chief = login(client, "chief")
    listed = client.get(BASE, headers=chief).get_json()["followups"]
    assert (listed[0]["warning"], listed[0]["days_left"]) == ("red", -1)
    r = client.post(f"{BASE}/{rid}/steps", headers=chief, json={"step": "called_back", "note": "已电话回访"})
    assert r.status_code == 200 and r.get_json()["followup"]["warning"] is None  # verified by Monday: green
    assert check_warnings(svc) == [(rid, None)]
    clock.advance(days=3, hours=3)  # Monday 12:00: 5 of 31 working hours ahead
    assert check_warnings(svc) == [(rid, "yellow")]
    events = [e for c in published for e in c.events if e.event == "followup.warning"]
    assert [e.data["change"]["level"] for e in events] == ["yellow", "orange", "red", None, "yellow"]
    assert all(e.rooms == ["followups"] for e in events)


# -- the followups rooms --------------------------------------------------------------------------


def connect(hq, headers):
    return hq.socketio.test_client(hq.app, auth={"token": headers["Authorization"].split()[1]})


def subscribe(c, *rooms):
    return c.emit("subscribe", {"rooms": list(rooms)}, callback=True)


def test_the_followups_room_reaches_the_departments_chief_and_the_managers_never_the_window(hq, svc, make_staff):
    chief = connect(hq, make_staff("chief", "chief", "SCJG"))
    other = connect(hq, make_staff("cora", "chief", "CRJ"))
    boss = connect(hq, make_staff("boss", "manager"))
    window = connect(hq, make_staff("scjg01", "window", "SCJG"))
    assert subscribe(window, "followups")["error"]["code"] == "forbidden"
    assert subscribe(window, "hall")["rooms"] == ["hall"]
    first = rate(svc, 1)
    ack = subscribe(chief, "followups")
    assert [f["rating_id"] for f in ack["followups"]["followups"]] == [first] and ack["rooms"] == ["followups:SCJG"]
    assert subscribe(other, "followups")["followups"]["followups"] == []
    assert subscribe(boss, "followups")["rooms"] == ["followups:*"]
    for c in (chief, other, boss, window):
        c.get_received()
    rate(svc, 2)

    def heard(c):
        return [m["name"] for m in c.get_received() if m["name"].startswith("followup.")]

    assert heard(chief) == ["followup.opened"] and heard(boss) == ["followup.opened"]
    assert heard(other) == [] and heard(window) == []
