"""Staffing recommendations and the what-if on the live hall (issue #11 point 5), and the overflow
proposals with their one-click and automatic apply (point 6), through the live allocation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from server.core import staffing
from server.core.hall import OverflowRule

from .helpers import issue
from .test_protocol import assert_error


def open_window(client, make_staff, name: str, window: str, department: str) -> dict:
    headers = make_staff(name, "window", department)
    assert client.post(f"/api/v1/windows/{window}/open", headers=headers).status_code == 200
    return headers


def test_figures_follow_erlang_c_for_a_known_load(client, kiosk, manager, make_staff, svc):
    open_window(client, make_staff, "alice", "1", "SCJG")
    open_window(client, make_staff, "dave", "4", "SCJG")  # A at weight 2 of 3, B at 1 of 3
    for _ in range(3):
        issue(client, kiosk)  # 10:00, the hall opened at 9:00: 3 an hour, no weekday history
    r = client.get("/api/v1/recommendations", headers=manager)
    assert r.status_code == 200
    data = r.get_json()
    assert data["method"] == "erlang_c" and data["target"] == {"share": 0.8, "wait_s": 900}
    a = next(q for q in data["queues"] if q["queue"] == "A")
    service = svc.hall.typical_service_s("A")  # nothing served yet: the items' typical time
    assert a["arrivals_per_hour"] == 3.0 and a["service_s"] == round(service)
    assert a["windows_now"] == pytest.approx(1 + 2 / 3, abs=0.01)
    assert a["windows_needed"] == staffing.windows_needed(3.0, service, 0.8, 900) == 2
    wait_now = staffing.expected_wait_s(1 + 2 / 3, 3.0, service)
    assert wait_now is not None and a["expected_wait_s_now"] == round(wait_now)
    wait_needed = staffing.expected_wait_s(2, 3.0, service)
    assert wait_needed is not None and a["expected_wait_s_needed"] == round(wait_needed)
    assert len(a["intervals"]) == 16 and a["intervals"][0]["start"] == "09:00"
    b = next(q for q in data["queues"] if q["queue"] == "B")
    assert b["windows_now"] == pytest.approx(1 / 3, abs=0.01) and b["arrivals_per_hour"] == 0


def test_visitors_waiting_before_opening_need_a_window(client, kiosk, manager, clock):
    """00:15 in Beijing: the hall has not opened, so today's rate is still 0, but the two visitors
    already in line for C (nobody serving it) need a window: the board must not fold C away."""
    client.application.config["HALLQ_ENFORCE_HOURS"] = False
    clock.now = datetime(2026, 11, 24, 16, 15, tzinfo=UTC)
    for _ in range(2):
        issue(client, kiosk, "CRJ-001")
    data = client.get("/api/v1/recommendations", headers=manager).get_json()
    c = next(q for q in data["queues"] if q["queue"] == "C")
    assert c["arrivals_per_hour"] == 0 and c["waiting"] == 2
    assert c["windows_now"] == 0 and c["windows_needed"] == 1
    assert c["expected_wait_s_now"] is None and c["service_level_now"] == 0  # nobody calls them


def test_recommendations_permissions(client, make_staff):
    chief = make_staff("chief", "chief", "RSJ")
    data = client.get("/api/v1/recommendations", headers=chief).get_json()
    assert {q["queue"] for q in data["queues"]} == {"E", "F"}
    window = make_staff("w", "window", "RSJ")
    assert_error(client.get("/api/v1/recommendations", headers=window), 403)


def test_what_if_shows_both_queues_before_and_after(client, kiosk, manager, make_staff):
    open_window(client, make_staff, "erin", "12", "RSJ")
    open_window(client, make_staff, "frank", "14", "RSJ")
    for item in ("RSJ-001",) * 4 + ("RSJ-101",) * 4:
        issue(client, kiosk, item)
    r = client.post("/api/v1/recommendations/what-if", headers=manager, json={"window": "12", "from": "E", "to": "F"})
    assert r.status_code == 200, r.get_json()
    rows = {q["queue"]: q for q in r.get_json()["queues"]}
    assert set(rows) == {"E", "F"}
    assert rows["E"]["before"]["windows"] == pytest.approx(1 + 1 / 3, abs=0.01)
    assert rows["E"]["after"]["windows"] == pytest.approx(1 / 3, abs=0.01)
    assert rows["F"]["after"]["windows"] == pytest.approx(2 / 3 + 1, abs=0.01)
    # F's 4 an hour at 14 minutes (0.93 erlang) on 2/3 of a window grows without end; with 12 it does not.
    assert rows["F"]["before"]["expected_wait_s"] is None and rows["F"]["after"]["expected_wait_s"] > 0
    assert_error(client.post("/api/v1/recommendations/what-if", headers=manager,
                             json={"window": "12", "from": "F", "to": "E"}), 400)
    assert_error(client.post("/api/v1/recommendations/what-if", headers=manager,
                             json={"window": "99", "from": "E", "to": "F"}), 404)
    assert_error(client.post("/api/v1/recommendations/what-if", headers=manager, json={"window": "12"}), 400)
    chief = make_staff("chief", "chief", "SCJG")
    assert_error(client.post("/api/v1/recommendations/what-if", headers=chief,
                             json={"window": "12", "from": "E", "to": "F"}), 403)


def audit(client, manager) -> list[dict[str, Any]]:
    return client.get("/api/v1/audit", headers=manager).get_json()["changes"]


def test_a_proposal_appears_and_is_applied_in_one_click(client, kiosk, manager, make_staff):
    open_window(client, make_staff, "alice", "1", "SCJG")
    open_window(client, make_staff, "bob", "5", "SCJG")
    for _ in range(10):
        issue(client, kiosk)
    assert client.get("/api/v1/manage/proposals", headers=manager).get_json()["proposals"] == []
    issue(client, kiosk)  # 11 waiting in A: over the rule's 10
    [p] = client.get("/api/v1/manage/proposals", headers=manager).get_json()["proposals"]
    assert (p["rule"], p["window"], p["queue"], p["automatic"]) == ("A-to-5", "5", "A", False)
    assert p["why"].startswith("跨窗通办规则") and "11" in p["why"] and p["why_en"]
    assert p["after"] == [{"queue": "B", "weight": 1}, {"queue": "A", "weight": 1}]
    board = client.get("/api/v1/manage/board", headers=manager).get_json()
    assert [x["rule"] for x in board["proposals"]] == ["A-to-5"]
    r = client.post("/api/v1/manage/proposals/apply", headers=manager,
                    json={"rule": "A-to-5", "window": "5", "queue": "A"})
    assert r.status_code == 200, r.get_json()
    assert client.get("/api/v1/windows/5/queues", headers=manager).get_json()["queues"] == p["after"]
    [change] = audit(client, manager)
    assert (change["actor"]["name"], change["window"], change["after"], change["forced"]) == (
        "boss", "5", p["after"], False)
    # Applied, the rule proposes nothing more: window 5 serves A now.
    assert client.get("/api/v1/manage/proposals", headers=manager).get_json()["proposals"] == []
    assert_error(client.post("/api/v1/manage/proposals/apply", headers=manager,
                             json={"rule": "A-to-5", "window": "5", "queue": "A"}), 409, "no_such_proposal")
    chief = make_staff("chief", "chief", "RSJ")
    assert_error(client.post("/api/v1/manage/proposals/apply", headers=chief,
                             json={"rule": "A-to-5", "window": "5", "queue": "A"}), 403)


def test_an_automatic_rule_applies_itself_as_the_rule(hq, client, kiosk, make_staff, svc, manager, published):
    rule = OverflowRule("A-auto", "A", "5", waiting_over=2, automatic=True)
    svc.hall = replace(svc.hall, overflow=(rule,))
    open_window(client, make_staff, "alice", "1", "SCJG")
    open_window(client, make_staff, "bob", "5", "SCJG")
    for _ in range(3):
        issue(client, kiosk)
    hq.app.extensions["hallq_board_watch"].round()
    [change] = audit(client, manager)
    assert (change["actor"]["name"], change["window"]) == ("rule:A-auto", "5")
    served = client.get("/api/v1/windows/5/queues", headers=manager).get_json()["queues"]
    assert {"queue": "A", "weight": 1} in served
    updates = [e.data for c in published for e in c.events if e.event == "allocation.changed"]
    assert updates and updates[-1]["change"]["actor"]["name"] == "rule:A-auto"
