"""The manager's board data (issue #11 point 4): queues and windows after issuing and calling, each
alert kind rising and clearing (on the board and as `alert.raised` / `alert.cleared` events), and
who sees what: managers the hall, a chief the department, window staff nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.core.hall import AlertThresholds, ClosedQueuePolicy
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

from .helpers import issue
from .test_protocol import assert_error


@pytest.fixture
def alice(client, make_staff):
    """SCJG staff, window 1 (queue A) open."""
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def pg_svc(pg_url, hall, clock):  # noqa: F811 - the fixture imported above
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    yield Services(hall=hall, engine=engine, clock=clock)
    engine.dispose()


def board(client, headers) -> dict:
    r = client.get("/api/v1/manage/board", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def alerts_of(data: dict, kind: str) -> list[dict]:
    return [a for a in data["alerts"] if a["kind"] == kind]


def watch(hq):
    return hq.app.extensions["hallq_board_watch"]


def events(published, name: str) -> list[dict]:
    return [e.data for c in published for e in c.events if e.event == name]


def test_board_shows_queues_and_windows_after_issuing_and_calling(client, kiosk, manager, alice, clock):
    issue(client, kiosk)
    clock.advance(minutes=31)
    for _ in range(3):
        issue(client, kiosk)
    clock.advance(minutes=2)
    called = client.post("/api/v1/windows/1/call-next", headers=alice).get_json()["ticket"]
    clock.advance(minutes=4)
    data = board(client, manager)
    a = next(q for q in data["queues"] if q["code"] == "A")
    assert (a["waiting"], a["arrivals_30m"], a["arrivals_prev_30m"], a["trend"]) == (3, 3, 1, "up")
    assert a["longest_wait_s"] == 6 * 60 and a["estimate_new_s"] is not None
    w1 = next(w for w in data["windows"] if w["id"] == "1")
    assert w1["status"] == "open" and w1["staff"]["name"] == "alice"
    assert w1["current"]["number"] == called["number"] and w1["current"]["since_s"] == 4 * 60
    assert w1["queues"] == [{"queue": "A", "weight": 1}]
    assert w1["idle_s"] == 33 * 60  # open 37 minutes, 4 of them with the visitor
    client.post("/api/v1/windows/1/finish", headers=alice)
    data = board(client, manager)
    assert next(w for w in data["windows"] if w["id"] == "1")["served_today"] == 1
    assert next(q for q in data["queues"] if q["code"] == "A")["served_today"] == 1
    assert data["seq"] > 0


def test_paused_time_is_kept_by_reason(client, manager, alice, clock):
    for reason, minutes in (("午休", 20), ("会议", 5), ("午休", 10)):
        assert client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": reason}).status_code == 200
        clock.advance(minutes=minutes)
        assert client.post("/api/v1/windows/1/resume", headers=alice).status_code == 200
    w1 = next(w for w in board(client, manager)["windows"] if w["id"] == "1")
    assert w1["paused_s_by_reason"] == {"午休": 30 * 60, "会议": 5 * 60}


def test_permissions(client, make_staff, alice):
    chief = make_staff("chief", "chief", "SCJG")
    data = board(client, chief)
    assert {q["department"] for q in data["queues"]} == {"SCJG"}
    assert {w["department"] for w in data["windows"]} <= {"SCJG", None}
    assert all(a["department"] == "SCJG" for a in data["alerts"])
    assert_error(client.get("/api/v1/manage/board", headers=alice), 403)
    assert_error(client.get("/api/v1/manage/board"), 401)


def test_queue_wait_over_rises_and_clears(hq, client, kiosk, manager, alice, clock, published, svc):
    svc.hall = replace(svc.hall, alerts=AlertThresholds(longest_wait_minutes=10))
    issue(client, kiosk)
    watch(hq).check()
    assert not alerts_of(board(client, manager), "queue_wait_over")
    clock.advance(minutes=11)
    data = board(client, manager)
    [alert] = alerts_of(data, "queue_wait_over")
    assert alert["queue"] == "A" and alert["level"] == "warn" and "最长已等候11分钟" in alert["message"]
    assert ("queue_wait_over:A", "raised") in watch(hq).check()
    assert any(e["alert"]["id"] == "queue_wait_over:A" for e in events(published, "alert.raised"))
    client.post("/api/v1/windows/1/call-next", headers=alice)
    assert not alerts_of(board(client, manager), "queue_wait_over")
    assert ("queue_wait_over:A", "cleared") in watch(hq).check()
    assert any(e["alert"]["id"] == "queue_wait_over:A" for e in events(published, "alert.cleared"))


def test_pause_too_long_rises_and_clears(hq, client, manager, alice, clock, published):
    client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "暂时离开"})
    clock.advance(minutes=14)
    assert not alerts_of(board(client, manager), "pause_too_long")
    clock.advance(minutes=2)
    [alert] = alerts_of(board(client, manager), "pause_too_long")
    assert alert["window"] == "1" and alert["reason"] == "暂时离开"
    assert ("pause_too_long:1", "raised") in watch(hq).check()
    client.post("/api/v1/windows/1/resume", headers=alice)  # the commit hook looks again at once
    assert any(e["alert"]["id"] == "pause_too_long:1" for e in events(published, "alert.cleared"))
    assert not alerts_of(board(client, manager), "pause_too_long")


def test_window_not_opened_after_opening_time_until_it_opens(client, make_staff, manager, clock):
    clock.now = clock.now.replace(hour=1, minute=5)  # 09:05 in Beijing: within the grace
    assert not alerts_of(board(client, manager), "window_not_opened")
    clock.now = clock.now.replace(hour=1, minute=20)
    found = {a["window"]: a for a in alerts_of(board(client, manager), "window_not_opened")}
    assert "1" in found and "33" not in found  # reserve windows are closed by default
    assert found["1"]["level"] == "critical" and "A" in found["1"]["queues_unstaffed"]
    bob = make_staff("bob", "window", "SCJG")
    client.post("/api/v1/windows/2/open", headers=bob)
    found = {a["window"]: a for a in alerts_of(board(client, manager), "window_not_opened")}
    assert "2" not in found and found["1"]["level"] == "warn"  # queue A is served by window 2 now


def test_visitors_refused_and_warned_are_counted(hq, client, kiosk, manager, svc, published):
    issue(client, kiosk)  # the demo hall warns: no window serves A yet
    [alert] = alerts_of(board(client, manager), "visitors_refused")
    assert (alert["queue"], alert["refused"], alert["warned"], alert["level"]) == ("A", 0, 1, "warn")
    svc.hall = replace(svc.hall, closed_queue_policy=ClosedQueuePolicy.REFUSE)
    r = client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"})
    assert r.status_code == 409
    watch(hq).check()  # the periodic round
    raised = [e["alert"] for e in events(published, "alert.raised") if e["alert"]["kind"] == "visitors_refused"]
    assert raised and raised[-1]["refused"] == 1
    [alert] = alerts_of(board(client, manager), "visitors_refused")
    assert (alert["refused"], alert["warned"], alert["level"]) == (1, 1, "critical")


def test_printer_alert_from_the_spooler_status(hq, client, manager, svc):
    from server.app.printer_status import record_status

    record_status(svc, "tcp://10.0.0.9:9100", "paper_out")
    [alert] = alerts_of(board(client, manager), "printer")
    assert alert["level"] == "critical" and "缺纸" in alert["message"]
    record_status(svc, "tcp://10.0.0.9:9100", "online")
    assert not alerts_of(board(client, manager), "printer")


def test_unserved_and_calendar_alerts_are_on_the_board(client, kiosk, manager, alice):
    client.post("/api/v1/windows/1/close", headers=alice)
    issue(client, kiosk)
    data = board(client, manager)
    [alert] = alerts_of(data, "queue_unserved")
    assert alert["queue"] == "A" and alert["level"] == "critical"
    assert all(a["message"] and a["message_en"] for a in data["alerts"])


def test_case_deadline_alert_follows_the_tiers(hq, client, kiosk, manager, alice, clock, make_staff):
    from .test_cases import accept, login

    n = accept(client, kiosk, alice)["number"]  # a 1-day item, promised Thursday
    assert not alerts_of(board(client, manager), "case_deadline")
    clock.advance(days=1, hours=3)  # Thursday 13:00: yellow
    manager = login(client, "boss")  # yesterday's sign-in expired
    [alert] = alerts_of(board(client, manager), "case_deadline")
    assert (alert["case"], alert["tier"], alert["level"], alert["department"]) == (n, "yellow", "info", "SCJG")
    clock.advance(hours=11)  # Friday 00:00: the promise is broken
    [alert] = alerts_of(board(client, manager), "case_deadline")
    assert alert["level"] == "critical" and "超期" in alert["message"]
    assert alerts_of(board(client, make_staff("chief", "chief", "SCJG")), "case_deadline")
    assert not alerts_of(board(client, make_staff("chief2", "chief", "CRJ")), "case_deadline")


def test_on_postgresql_the_board_measures_and_the_monitor_acts(pg_svc, clock):
    from server.app import accounts, issuing, manage_board, monitor_ops, window_ops
    from server.app.manage_alerts import AlertWatch
    from server.db.accounts_repo import to_staff, user_row
    from server.db.uow import SYSTEM

    svc = pg_svc
    accounts.add_user(svc, "alice", "correct-horse-1", "window", "SCJG")
    accounts.add_user(svc, "boss", "correct-horse-1", "manager", None)
    with svc.read() as uow:
        alice, boss = (to_staff(user_row(uow.conn, n)) for n in ("alice", "boss"))
    window_ops.open_window(svc, alice, "1")
    first = issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(item="SCJG-001"))
    issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(item="SCJG-101"))  # B: no window, warned and counted
    window_ops.call_next(svc, alice, "1")
    clock.advance(minutes=3)
    assert monitor_ops.force_finish(svc, boss, first["id"], "忘记办结")["ticket"]["forced"] is True
    window_ops.pause(svc, alice, "1", "暂时离开")
    clock.advance(minutes=16)
    data = manage_board.board(svc, boss)
    w1 = next(w for w in data["windows"] if w["id"] == "1")
    assert w1["paused_s_by_reason"] == {"暂时离开": 16 * 60} and w1["served_today"] == 1
    assert next(q for q in data["queues"] if q["code"] == "A")["arrivals_30m"] == 1
    assert monitor_ops.search(svc, boss, first["number"].lower())["tickets"][0]["forced"] is True
    kinds = {a["kind"] for a in data["alerts"]}
    assert {"pause_too_long", "visitors_refused", "window_not_opened"} <= kinds
    assert ("pause_too_long:1", "raised") in AlertWatch(svc).check()


def test_calendar_gap_alert_names_the_years_the_hall_lacks(svc, clock):
    from server.app.manage_alerts import current_alerts
    from server.app.workcal import calendar_gaps

    clock.now = clock.now.replace(year=2098, month=12, day=30)  # the holiday table ends long before
    expected = calendar_gaps(svc.hall, svc.today())
    assert expected is not None and 2099 in expected["years"]
    [gap] = [a for a in current_alerts(svc) if a.kind == "calendar_gap"]
    assert gap.extra["years"] == expected["years"] and "节假日" in gap.message and gap.message_en


def test_the_board_shows_managers_the_wait_a_new_ticket_is_shown(client, kiosk, manager, alice, clock):
    """Review of issue 13: the board's estimate_new_s was the old queue-length predictor, so the
    manager read another figure than the visitor's ticket."""
    client.post("/api/v1/windows/1/open", headers=alice)
    for _ in range(3):
        issue(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    clock.advance(minutes=4)
    a = next(q for q in board(client, manager)["queues"] if q["code"] == "A")
    assert a["waiting"] == 2
    assert a["estimate_new_s"] == issue(client, kiosk)["estimated_wait_s"]



def test_an_alert_is_logged_again_only_when_its_level_or_counts_change(hq, client, kiosk, manager, clock):
    """The demo city's walkthrough: west's log said "raised queue_unserved:A" every 30 s for minutes
    with no new ticket: the longest wait (seconds) and the minutes in the words made the alert look
    new at each round."""

    def logged() -> int:
        r = client.get("/api/v1/audit/log", headers=manager, query_string={"action": "alert.board"})
        assert r.status_code == 200, r.get_json()
        return len(r.get_json()["entries"])

    issue(client, kiosk)  # no window open: queue A is unserved
    assert ("queue_unserved:A", "raised") in watch(hq).check()
    rows = logged()
    for _ in range(10):  # five minutes of rounds, the wait growing
        clock.advance(seconds=30)
        assert watch(hq).check() == []
    assert logged() == rows
    issue(client, kiosk)  # one more waiting: a count changed, announced again
    assert ("queue_unserved:A", "raised") in watch(hq).check()
    assert logged() == rows + 1
