"""The monitor's actions on today's tickets (issue #11 point 4): search by number, transfer, change
priority, cancel, reactivate a no-show keeping its place, force-finish a service left open
(flagged `forced`); each needs a reason, is audited with it, and emits like a window action."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db.log_tables import event_log

from .helpers import issue
from .test_protocol import assert_error


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def act(client, headers, t: dict, action: str, **body):
    return client.post(f"/api/v1/manage/tickets/{t['id']}/{action}", headers=headers, json=body)


def audited(svc, action: str) -> list[dict]:
    with svc.engine.connect() as conn:
        rows = conn.execute(select(event_log.c.subject, event_log.c.detail).where(event_log.c.action == action))
        return [{"subject": s, **d} for s, d in rows]


def test_search_finds_todays_tickets_by_part_of_the_number(client, kiosk, manager, make_staff):
    a = issue(client, kiosk)
    e = issue(client, kiosk, "RSJ-001")
    r = client.get(f"/api/v1/manage/tickets?q={a['number'][-2:].lower()}", headers=manager)
    assert r.status_code == 200
    assert {t["number"] for t in r.get_json()["tickets"]} == {a["number"], e["number"]}
    assert r.get_json()["tickets"][0]["forced"] is False
    chief = make_staff("chief", "chief", "SCJG")
    found = client.get(f"/api/v1/manage/tickets?q={a['number'][-3:]}", headers=chief).get_json()["tickets"]
    assert [t["number"] for t in found] == [a["number"]]
    assert_error(client.get("/api/v1/manage/tickets?q=", headers=manager), 400)


def test_every_action_needs_a_reason(client, kiosk, manager):
    t = issue(client, kiosk)
    for action, body in (("cancel", {}), ("reactivate", {}), ("force-finish", {}),
                         ("priority", {"priority": "green"}), ("transfer", {"queue": "B"})):
        assert_error(act(client, manager, t, action, **body), 400)
        assert_error(act(client, manager, t, action, reason="   ", **body), 400)


def test_transfer_moves_a_waiting_ticket_keeping_number_and_place(client, kiosk, manager, svc, published):
    first = issue(client, kiosk)
    b_ticket = issue(client, kiosk, "SCJG-101")
    published.clear()
    r = act(client, manager, first, "transfer", queue="B", reason="办错业务 / wrong item")
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()["ticket"]
    assert (moved["queue"], moved["number"], moved["status"]) == ("B", first["number"], "waiting")
    assert moved["ahead"] == 0  # issued before B's own ticket: its place comes first
    got = client.get(f"/api/v1/tickets/{b_ticket['id']}").get_json()["ticket"]
    assert got["ahead"] == 1
    names = [e.event for c in published for e in c.events]
    assert "ticket.updated" in names and names.count("queue.updated") == 2
    [entry] = audited(svc, "monitor.transfer")
    assert entry["reason"] == "办错业务 / wrong item" and entry["queue_after"] == "B"


def test_transfer_of_a_called_ticket_frees_the_window(client, kiosk, manager, alice):
    t = issue(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    r = act(client, manager, t, "transfer", queue="B", reason="窗口转办")
    assert r.status_code == 200 and r.get_json()["ticket"]["status"] == "waiting"
    window = client.get("/api/v1/hall", headers=manager).get_json()
    w1 = next(w for w in window["windows"] if w["id"] == "1")
    assert w1["current"] is None


def test_priority_change(client, kiosk, manager, alice):
    first = issue(client, kiosk)
    second = issue(client, kiosk)
    r = act(client, manager, second, "priority", priority="green", green_reason="elderly", reason="老人")
    assert r.status_code == 200 and r.get_json()["ticket"]["priority"] == "green"
    called = client.post("/api/v1/windows/1/call-next", headers=alice).get_json()["ticket"]
    assert called["number"] == second["number"] != first["number"]
    assert_error(act(client, manager, second, "priority", priority="green", reason="again"), 409)
    assert_error(act(client, manager, first, "priority", priority="vip", reason="x"), 400)


def test_cancel(client, kiosk, manager):
    t = issue(client, kiosk)
    r = act(client, manager, t, "cancel", reason="群众离开 / visitor left")
    assert r.status_code == 200 and r.get_json()["ticket"]["status"] == "cancelled"
    assert_error(act(client, manager, t, "cancel", reason="again"), 409)


def test_a_reactivated_no_show_keeps_its_place(client, kiosk, manager, alice, clock):
    first = issue(client, kiosk)
    clock.advance(minutes=1)
    later = [issue(client, kiosk) for _ in range(2)]
    client.post("/api/v1/windows/1/call-next", headers=alice)
    assert client.post("/api/v1/windows/1/no-show", headers=alice).status_code == 200
    r = act(client, manager, first, "reactivate", reason="群众返回 / came back")
    assert r.status_code == 200, r.get_json()
    back = r.get_json()["ticket"]
    assert back["status"] == "waiting" and back["number"] == first["number"] and back["ahead"] == 0
    called = client.post("/api/v1/windows/1/call-next", headers=alice).get_json()["ticket"]
    assert called["number"] == first["number"]
    assert_error(act(client, manager, later[0], "reactivate", reason="not a no-show"), 409)


def test_force_finish_is_flagged(client, kiosk, manager, alice, svc):
    t = issue(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    client.post("/api/v1/windows/1/start", headers=alice)
    r = act(client, manager, t, "force-finish", reason="工作人员忘记办结")
    assert r.status_code == 200, r.get_json()
    done = r.get_json()["ticket"]
    assert done["status"] == "done" and done["forced"] is True
    found = client.get(f"/api/v1/manage/tickets?q={t['number']}", headers=manager).get_json()["tickets"]
    assert found[0]["forced"] is True
    # The window is free for its next visitor, and the forced visit is no service measured.
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 204
    board = client.get("/api/v1/manage/board", headers=manager).get_json()
    assert next(q for q in board["queues"] if q["code"] == "A")["served_today"] == 0
    [entry] = audited(svc, "monitor.force_finish")
    assert entry["by"] == "boss" and entry["reason"] == "工作人员忘记办结"
    assert_error(act(client, manager, t, "force-finish", reason="again"), 409)


def test_permissions(client, kiosk, make_staff, alice):
    a = issue(client, kiosk)
    e = issue(client, kiosk, "RSJ-001")
    chief = make_staff("chief", "chief", "SCJG")
    assert act(client, chief, a, "cancel", reason="本部门").status_code == 200
    assert_error(act(client, chief, e, "cancel", reason="他部门"), 403)
    assert_error(act(client, chief, issue(client, kiosk), "transfer", queue="E", reason="跨部门"), 403)
    assert_error(act(client, alice, e, "cancel", reason="窗口人员"), 403)
    assert_error(act(client, make_staff("boss", "manager"), {"id": "nope"}, "cancel", reason="x"), 404)
