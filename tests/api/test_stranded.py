"""Article 26, no visitor stranded (issue #9): the reproductions, through the HTTP API.

A visitor sent to a window (a transfer there, a suspension) goes back to the queue, keeping the
place, as soon as that window closes or its staff signs off; nobody is sent to a window nobody
holds; a waiting ticket no held window would call is `unserved`, without an estimate, on the
phone and in the managers' alerts; a window paused for lunch keeps its queue issuing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.app import window_ops
from server.core.hall import ClosedQueuePolicy
from server.db import windows_repo
from server.hallconfig import DEFAULT_CONFIG, HallConfigError, loads_hall
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

from .helpers import issue
from .test_protocol import assert_error


@pytest.fixture
def alice(client, make_staff):
    """SCJG staff at window 1 (queue A)."""
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def bob(client, make_staff):
    """SCJG staff at window 2 (queue A too)."""
    headers = make_staff("bob", "window", "SCJG")
    assert client.post("/api/v1/windows/2/open", headers=headers).status_code == 200
    return headers


def ticket(client, t: dict) -> dict:
    return client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]


def call_next(client, staff, window: str):
    return client.post(f"/api/v1/windows/{window}/call-next", headers=staff)


def events(published, name: str) -> list:
    return [e for c in published for e in c.events if e.event == name]


# -- sent to a window nobody holds -------------------------------------------------------------


def test_a_transfer_to_a_window_nobody_holds_is_refused_and_the_visitor_stays(client, kiosk, alice):
    first = issue(client, kiosk)
    assert call_next(client, alice, "1").status_code == 200
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "5", "note": "食品许可"})
    err = assert_error(r, 409, "window_unstaffed")
    assert err["message"].index("5号窗口") < err["message"].index("Window 5") and "not staffed" in err["message"]
    assert ticket(client, first)["status"] == "called", "still at window 1, not sent into the void"


def test_a_visitor_transferred_to_a_window_goes_back_to_the_queue_when_it_closes(client, kiosk, alice, bob,
                                                                                  published):
    first = issue(client, kiosk)
    assert call_next(client, alice, "1").get_json()["ticket"]["id"] == first["id"]
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "2", "note": "找王科长"})
    assert r.status_code == 200 and r.get_json()["ticket"]["target_window"] == "2"
    later = issue(client, kiosk)  # issued after, so behind A001 once it is back in the line
    client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"})
    published.clear()

    assert client.post("/api/v1/windows/2/close", headers=bob).status_code == 200
    back = ticket(client, first)
    assert back["status"] == "waiting" and back["target_window"] is None and back["number"] == "A001"
    assert back["ahead"] == 0 and not back["unserved"]
    assert ticket(client, later)["ahead"] == 1, "A001 kept its place ahead of A002"
    # Once in the public rooms (its own room and a window's get their copies of the same change).
    assert [e.data["ticket"]["number"] for e in events(published, "ticket.updated") if "hall" in e.rooms] == ["A001"]

    client.post("/api/v1/windows/1/resume", headers=alice)
    assert call_next(client, alice, "1").get_json()["ticket"]["id"] == first["id"], "not a 204 while it waits"


def test_a_suspended_visitor_of_a_window_that_closes_is_resumed_at_another(client, kiosk, alice, bob):
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    client.post("/api/v1/windows/1/suspend", headers=alice, json={"note": "缺营业执照复印件"})
    assert client.post("/api/v1/windows/1/close", headers=alice).status_code == 200
    held = ticket(client, first)
    assert held["status"] == "suspended" and held["target_window"] is None

    back = client.post("/api/v1/windows/2/resume-ticket", headers=bob, json={"number": "A001"}).get_json()["ticket"]
    assert back["status"] == "waiting" and back["target_window"] == "2" and back["estimated_wait_s"] == 0
    assert call_next(client, bob, "2").get_json()["ticket"]["id"] == first["id"]


def test_a_resumed_visitor_waiting_for_a_window_that_then_closes_goes_back_to_the_queue(client, kiosk, alice,
                                                                                         bob):
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    client.post("/api/v1/windows/1/suspend", headers=alice, json={})
    client.post("/api/v1/windows/1/resume-ticket", headers=alice, json={"number": "A001"})
    assert ticket(client, first)["target_window"] == "1"
    client.post("/api/v1/windows/1/close", headers=alice)
    assert ticket(client, first)["target_window"] is None
    assert call_next(client, bob, "2").get_json()["ticket"]["id"] == first["id"]


def test_signing_out_closes_the_window_and_sends_its_visitors_back_in_line(client, kiosk, alice, bob):
    first = issue(client, kiosk)
    issue(client, kiosk)
    call_next(client, alice, "1")
    assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204

    hall = client.get("/api/v1/hall", headers=bob).get_json()
    w1 = next(w for w in hall["windows"] if w["id"] == "1")
    assert w1["status"] == "closed" and w1["staff"] is None and w1["current"] is None
    back = ticket(client, first)
    assert back["status"] == "waiting" and back["ahead"] == 0 and back["window"] is None
    assert call_next(client, bob, "2").get_json()["ticket"]["id"] == first["id"]


def test_signing_out_on_one_device_keeps_the_window_open_while_signed_in_on_another(client, kiosk, alice):
    second = client.post("/api/v1/auth/login", json={"username": "alice", "password": "correct-horse-1"})
    other = {"Authorization": f"Bearer {second.get_json()['token']}"}
    assert client.post("/api/v1/auth/logout", headers=other).status_code == 204
    assert client.get("/api/v1/hall", headers=alice).get_json()["windows"][0]["status"] == "open"


def test_an_expired_sign_in_closes_the_window_and_the_managers_are_alerted(svc, client, kiosk, alice, clock,
                                                                            published):
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    clock.advance(hours=13)  # alice's token expired; she never closed window 1
    published.clear()
    assert window_ops.sign_off_absent(svc) == ["1"]
    assert window_ops.sign_off_absent(svc) == [], "once"
    assert [e.data["alert"]["queue"] for e in events(published, "alert.queue_unserved")] == ["A"]
    back = ticket(client, first)
    assert back["status"] == "waiting" and back["unserved"] and back["estimated_wait_s"] is None


# -- unserved: shown, without an estimate, and alerted ----------------------------------------------


def test_a_ticket_no_window_can_call_is_unserved_on_the_phone_and_in_the_alerts(client, kiosk, manager, published):
    t = issue(client, kiosk, "CRJ-001")  # queue C: no window open, the demo hall warns and issues
    assert t["unserved"] and t["estimated_wait_s"] is None
    assert "暂无窗口办理" in t["warning"] and "No window" in t["warning"]
    assert [e.data["alert"]["queue"] for e in events(published, "alert.queue_unserved")] == ["C"]
    alerts = client.get("/api/v1/alerts", headers=manager).get_json()
    assert [(a["queue"], a["waiting"]) for a in alerts["unserved_queues"]] == [("C", 1)]
    page = client.get(f"/t/{t['id']}").get_data(as_text=True)
    assert "暂无窗口办理，请咨询大厅服务台" in page and "No window is serving this queue now" in page


def test_a_morning_of_tickets_before_the_windows_open_raises_each_queues_alert_once_and_looks_once(
        client, kiosk, alice, manager, published, monkeypatch):
    """Before 9:00 every ticket is unserved. The alert of a queue is raised by its first; the rest
    of its line changes nothing the managers see, and is not looked at again for each ticket."""
    from server.app import alerts

    client.post("/api/v1/windows/1/close", headers=alice)
    looks = []
    real = alerts.unserved_queues
    monkeypatch.setattr(alerts, "unserved_queues", lambda svc: looks.append(1) or real(svc))
    for item in ("SCJG-001", "SCJG-001", "CRJ-001", "SCJG-001", "CRJ-001"):
        assert issue(client, kiosk, item)["unserved"]
    assert [e.data["alert"]["queue"] for e in events(published, "alert.queue_unserved")] == ["A", "C"]
    assert len(looks) == 2, "once for A's first ticket and once for C's"
    listed = client.get("/api/v1/alerts", headers=manager).get_json()["unserved_queues"]
    assert [(a["queue"], a["waiting"]) for a in listed] == [("A", 3), ("C", 2)]

    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    assert [e.data["alert"]["queue"] for e in events(published, "alert.queue_served")] == ["A"]
    assert not issue(client, kiosk)["unserved"]
    client.post("/api/v1/windows/1/close", headers=alice)
    issue(client, kiosk)
    assert [e.data["alert"]["queue"] for e in events(published, "alert.queue_unserved")] == ["A", "C", "A"]


def test_a_ticket_left_waiting_for_a_closed_window_is_listed_and_swept_back(svc, client, kiosk, alice, bob,
                                                                            manager):
    """The backstop: a transfer that raced the window's closing (possible on PostgreSQL)."""
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "2"})
    with svc.write(window_ops.actor_of(window_ops.Staff(0, "test", window_ops.win.Role.ADMIN))) as uow:
        windows_repo.save(uow.conn, window_ops.win.WindowState(window="2"))  # closed behind its back
        svc.commit(uow)
    stuck = ticket(client, first)
    assert stuck["unserved"] and stuck["estimated_wait_s"] is None, "window 1 serves A, but it was sent to 2"
    listed = client.get("/api/v1/alerts", headers=manager).get_json()["unserved_tickets"]
    assert [(a["number"], a["window"]) for a in listed] == [("A001", "2")]

    assert window_ops.sign_off_absent(svc) == ["2"]
    assert client.get("/api/v1/alerts", headers=manager).get_json()["unserved_tickets"] == []
    assert call_next(client, alice, "1").get_json()["ticket"]["id"] == first["id"]


# -- a paused window still serves; the opening-time rule is the hall's --------------------------------


@pytest.fixture
def refusing(svc):
    svc.hall = replace(svc.hall, closed_queue_policy=ClosedQueuePolicy.REFUSE)


def test_a_queue_whose_only_window_is_at_lunch_keeps_issuing(client, kiosk, alice, refusing, manager, published):
    assert client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"}).status_code == 200
    t = issue(client, kiosk)  # was 409 not_issuing
    assert "warning" not in t and not t["unserved"]
    assert t["estimated_wait_s"] is None, "nobody knows when lunch ends: no invented number"
    assert client.get("/api/v1/alerts", headers=manager).get_json()["unserved_queues"] == []
    assert not events(published, "alert.queue_unserved")
    hall = client.get("/api/v1/hall", headers=manager).get_json()
    assert not next(q for q in hall["queues"] if q["code"] == "A")["unserved"]


def test_before_anyone_signs_in_the_demo_hall_issues_with_a_warning(client, kiosk):
    t = issue(client, kiosk)
    assert t["unserved"] and t["estimated_wait_s"] is None and "暂无窗口办理" in t["warning"]


def test_a_hall_that_refuses_issues_nothing_before_anyone_signs_in(client, kiosk, refusing):
    err = assert_error(client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"}), 409, "not_issuing")
    assert "暂无窗口办理" in err["message"] and "No window" in err["message"]


def test_the_demo_hall_warns_and_a_typo_in_the_policy_is_named():
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert 'closed_queue_policy = "warn"' in text
    with pytest.raises(HallConfigError, match=r"closed_queue_policy.*'refuse' or 'warn'.*'wran'"):
        loads_hall(text.replace('closed_queue_policy = "warn"', 'closed_queue_policy = "wran"'))


# -- the same on PostgreSQL: the row locks and the sweep's queries -----------------------------------


@pytest.fixture
def pg_svc(pg_url, hall, clock):  # noqa: F811 - the fixture imported above
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    yield Services(hall=hall, engine=engine, clock=clock)
    engine.dispose()


def test_on_postgresql_a_closing_window_and_an_expired_sign_in_release_their_visitors(pg_svc, clock):
    from server.app import accounts, issuing
    from server.db.accounts_repo import to_staff, user_row
    from server.db.uow import SYSTEM

    svc = pg_svc
    for name in ("alice", "bob"):
        accounts.add_user(svc, name, "correct-horse-1", "window", "SCJG")
        accounts.login(svc, name, "correct-horse-1")
    with svc.read() as uow:
        alice, bob = (to_staff(user_row(uow.conn, n)) for n in ("alice", "bob"))
    window_ops.open_window(svc, alice, "1")
    window_ops.open_window(svc, bob, "2")
    first = issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(item="SCJG-001"))
    window_ops.call_next(svc, alice, "1")
    window_ops.transfer(svc, alice, "1", queue=None, to_window="2", note="")
    window_ops.close(svc, bob, "2")
    assert window_ops.call_next(svc, alice, "1")["id"] == first["id"]

    window_ops.suspend(svc, alice, "1", "缺材料")
    clock.advance(hours=13)
    assert sorted(window_ops.sign_off_absent(svc)) == ["1"]
    with svc.read() as uow:
        held = issuing.tickets_repo.get(uow.conn, first["id"])
    assert held.status.value == "suspended" and held.target_window is None


# -- sent to a window of other queues (the demo city's walkthrough) ----------------------------


@pytest.fixture
def proxy(client, make_staff):
    """Staff of no department at window 31, the comprehensive proxy window of queues L, M and Q."""
    headers = make_staff("paula", "window", None)
    assert client.post("/api/v1/windows/31/open", headers=headers).status_code == 200
    return headers


def test_a_transfer_to_a_window_of_other_queues_asks_which_and_the_visitor_stays(client, kiosk, alice, proxy):
    """A business-licence visitor sent to the proxy window without a queue was put silently in its
    first queue (health permits) and, when that window closed, left there with nobody to call them."""
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "31"})
    err = assert_error(r, 400, "invalid")
    assert "L/M/Q" in err["message"] and "31号综合代理窗口" in err["message_zh"]
    assert ticket(client, first)["status"] == "called" and ticket(client, first)["queue"] == "A"


def test_a_transfer_to_a_window_that_serves_the_queue_keeps_it_and_back_there_on_close(client, kiosk, alice,
                                                                                        proxy):
    first = issue(client, kiosk, "WJW-001")  # a health permit: queue L, served at the proxy window
    assert ticket(client, first)["queue"] == "L"
    assert client.post("/api/v1/windows/31/call-next", headers=proxy).get_json()["ticket"]["id"] == first["id"]
    other = issue(client, kiosk)  # queue A
    assert client.post("/api/v1/windows/31/transfer", headers=proxy, json={"queue": "M"}).status_code == 200
    assert ticket(client, first)["queue"] == "M"
    call_next(client, alice, "1")
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "31"})
    assert assert_error(r, 400, "invalid")
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "31", "queue": "Q"})
    assert r.status_code == 200 and r.get_json()["ticket"]["queue"] == "Q"
    assert ticket(client, other)["target_window"] == "31"


def test_the_monitor_cannot_send_a_visitor_to_a_window_nobody_holds(client, kiosk, manager):
    """The board's transfer to a closed window was accepted, into that window's first queue; the
    sign-off sweep then left the visitor in a queue nobody serves."""
    first = issue(client, kiosk)
    r = client.post(f"/api/v1/manage/tickets/{first['id']}/transfer", headers=manager,
                    json={"window": "3", "reason": "找王科长"})
    assert_error(r, 409, "window_unstaffed")
    assert ticket(client, first)["queue"] == "A" and ticket(client, first)["target_window"] is None


def test_the_monitor_sends_a_visitor_to_a_held_window_in_their_own_queue(client, kiosk, manager, alice, bob):
    first = issue(client, kiosk)
    r = client.post(f"/api/v1/manage/tickets/{first['id']}/transfer", headers=manager,
                    json={"window": "2", "reason": "找王科长"})
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()["ticket"]
    assert moved["queue"] == "A" and moved["target_window"] == "2"


# -- a window pauses only once its visitor is done ---------------------------------------------


def test_a_window_with_a_visitor_called_to_it_cannot_pause(client, kiosk, alice):
    """The walkthrough paused window 1 for lunch with A005 called: the hall screen went on sending
    A005 to a window nobody was at."""
    first = issue(client, kiosk)
    call_next(client, alice, "1")
    err = assert_error(client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"}), 409,
                       "window_state")
    assert "请先办结" in err["message_zh"]
    client.post("/api/v1/windows/1/finish", headers=alice, json={})
    assert client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"}).status_code == 200
    assert ticket(client, first)["status"] == "done"


# -- one person, one window --------------------------------------------------------------------


def test_a_clerk_signed_in_at_one_window_cannot_open_a_second(client, alice):
    """The walkthrough signed scjg01 in at windows 1 and 3 at once: both screens could call them, and
    every visit and rating goes to the person at the window."""
    err = assert_error(client.post("/api/v1/windows/2/open", headers=alice), 409, "window_state")
    assert "1号窗口" in err["message_zh"] and "sign off there first" in err["message"]
    assert client.post("/api/v1/windows/1/close", headers=alice).status_code == 200
    assert client.post("/api/v1/windows/2/open", headers=alice).status_code == 200
    assert client.post("/api/v1/windows/2/open", headers=alice).status_code == 200, "again at the same one: harmless"


def test_a_window_is_not_handed_to_someone_holding_another(client, alice, bob):
    r = client.post("/api/v1/windows/1/hand-over", headers=alice, json={"username": "bob"})
    assert "2号窗口" in assert_error(r, 409, "window_state")["message_zh"]
    assert client.post("/api/v1/windows/2/close", headers=bob).status_code == 200
    assert client.post("/api/v1/windows/1/hand-over", headers=alice, json={"username": "bob"}).status_code == 200


def test_the_audit_log_says_where_a_transfer_sent_the_visitor(client, kiosk, alice, proxy, manager):
    """The walkthrough's audit entry for a window's transfer said only "window: 1"."""
    issue(client, kiosk)
    call_next(client, alice, "1")
    r = client.post("/api/v1/windows/1/transfer", headers=alice, json={"window": "31", "queue": "L"})
    assert r.status_code == 200, r.get_json()
    entries = client.get("/api/v1/audit/log", headers=manager, query_string={"action": "ticket.transfer"}
                         ).get_json()["entries"]
    assert len(entries) == 1
    detail = entries[0]["detail"]
    assert (detail["queue_before"], detail["queue_after"], detail["to_window"]) == ("A", "L", "31")
