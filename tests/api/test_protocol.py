"""Protocol v1 over HTTP: every endpoint, its success and its error paths."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.app import accounts
from server.core import throttle
from server.core.hall import ClosedQueuePolicy

ITEM_A = "SCJG-001"


@pytest.fixture
def staff1(make_staff):
    return make_staff("alice", "window", "SCJG")


@pytest.fixture
def open1(client, staff1):
    r = client.post("/api/v1/windows/1/open", headers=staff1)
    assert r.status_code == 200, r.get_json()
    return staff1


def take(client, kiosk, **body):
    return client.post("/api/v1/tickets", headers=kiosk, json=body or {"item": ITEM_A})


def assert_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.is_json, r.get_data(as_text=True)
    err = r.get_json()["error"]
    assert set(err) >= {"code", "message"} and err["message"]
    if code:
        assert err["code"] == code, err
    return err


# -- catalog --------------------------------------------------------------------------------


def test_catalog_lists_departments_items_with_guides_queues_and_windows(client):
    cat = client.get("/api/v1/catalog").get_json()
    assert len(cat["departments"]) >= 10 and len(cat["items"]) >= 40 and len(cat["windows"]) >= 30
    item = next(i for i in cat["items"] if i["code"] == ITEM_A)
    assert item["queue"] == "A" and item["guide"]["materials"] and "time_limit_days" in item["guide"]
    assert {"code", "name", "prefix"} <= set(cat["queues"][0])
    assert {"id", "name", "queues"} <= set(cat["windows"][0])
    assert sum(1 for w in cat["windows"] if w["kind"] == "proxy") >= 2


def test_openapi_document_describes_the_core_paths(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/tickets", "/api/v1/windows/{window}/call-next", "/api/v1/hall", "/api/v1/catalog"):
        assert path in doc["paths"]
    assert "IssueTicket" in doc["components"]["schemas"]


# -- tickets ----------------------------------------------------------------------------------


def test_a_kiosk_takes_a_number_and_anyone_with_the_id_can_read_it(client, kiosk, open1):
    r = take(client, kiosk)
    assert r.status_code == 201
    t = r.get_json()["ticket"]
    assert t["number"] == "A001" and t["status"] == "waiting" and t["queue"] == "A" and t["item"] == ITEM_A
    assert t["ahead"] == 0 and t["estimated_wait_s"] == 0
    assert t["issued_at"].endswith("+08:00")
    assert t["status_url"].endswith(f"/t/{t['id']}") and len(t["id"]) >= 20
    assert client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]["number"] == "A001"
    second = take(client, kiosk).get_json()["ticket"]
    assert second["number"] == "A002" and second["ahead"] == 1 and second["estimated_wait_s"] > 0


def test_a_ticket_can_be_taken_by_queue_code_and_in_the_green_channel(client, kiosk, open1):
    normal = take(client, kiosk, queue="A").get_json()["ticket"]
    green = take(client, kiosk, queue="A", priority="green", green_reason="elderly").get_json()["ticket"]
    assert green["priority"] == "green" and green["ahead"] == 0
    assert client.get(f"/api/v1/tickets/{normal['id']}").get_json()["ticket"]["ahead"] == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"item": "NOPE"}, 404, "not_found"),
        ({"queue": "ZZ"}, 404, "not_found"),
        ({}, 400, "invalid_body"),
        ({"item": ITEM_A, "queue": "A"}, 400, "invalid_body"),
        ({"item": ITEM_A, "priority": "vip"}, 400, "invalid_body"),
        ({"item": ITEM_A, "colour": "red"}, 400, "invalid_body"),
        ([1, 2], 400, "invalid_body"),
    ],
)
def test_a_bad_ticket_request_is_refused_with_a_clear_error(client, kiosk, open1, body, status, code):
    assert_error(client.post("/api/v1/tickets", headers=kiosk, json=body), status, code)


def test_malformed_json_is_a_400_not_an_html_page(client, kiosk):
    r = client.post("/api/v1/tickets", headers=kiosk, data=b"{not json", content_type="application/json")
    assert "valid JSON" in assert_error(r, 400, "malformed_json")["message"]


def test_only_a_registered_kiosk_may_take_a_number(client, svc, open1, display_key):
    assert_error(client.post("/api/v1/tickets", json={"item": ITEM_A}), 401)
    assert_error(client.post("/api/v1/tickets", json={"item": ITEM_A}, headers={"X-Device-Key": "x"}), 401)
    assert_error(client.post("/api/v1/tickets", json={"item": ITEM_A}, headers={"X-Device-Key": display_key}), 403)


def test_a_revoked_kiosk_can_no_longer_take_numbers(client, svc, kiosk, open1):
    accounts.revoke_device(svc, "kiosk-test")
    assert_error(take(client, kiosk), 401)


@pytest.fixture
def refusing(svc):
    """The hall's `closed_queue_policy = "refuse"` (the demo warns)."""
    svc.hall = replace(svc.hall, closed_queue_policy=ClosedQueuePolicy.REFUSE)


def test_a_queue_no_window_serves_is_refused_plainly(client, kiosk, refusing):
    err = assert_error(take(client, kiosk), 409, "not_issuing")
    assert "暂无窗口" in err["message"] and "No window" in err["message"]


def test_outside_opening_hours_no_number_is_issued(client, kiosk, open1, clock):
    clock.advance(hours=12)  # 22:00 in Beijing
    assert "opening hours" in assert_error(take(client, kiosk), 409, "not_issuing")["message"]


def test_an_unknown_ticket_is_a_404(client):
    assert_error(client.get("/api/v1/tickets/not-a-ticket"), 404, "not_found")


# -- sign-in ------------------------------------------------------------------------------------


def test_login_gives_a_token_that_logout_revokes(client, make_staff):
    headers = make_staff("bob", "manager")
    assert client.get("/api/v1/hall", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_error(client.get("/api/v1/hall", headers=headers), 401)


def test_a_token_has_at_least_128_bits(client, make_staff):
    token = make_staff("bob", "manager")["Authorization"].split()[1]
    assert len(token) >= 22  # url-safe base64: 6 bits a character


def test_a_wrong_password_is_a_401_and_repeated_failures_from_one_client_are_refused(client, svc):
    # Refused for this client and name (tests/api/test_login.py: never a lock of the account itself).
    accounts.add_user(svc, "carol", "right-password", "window")
    for _ in range(throttle.DEFAULT.pair.free):
        assert_error(client.post("/api/v1/auth/login", json={"username": "carol", "password": "wrong"}), 401)
    r = client.post("/api/v1/auth/login", json={"username": "carol", "password": "right-password"})
    assert_error(r, 429, "too_many_attempts")


def test_an_expired_token_is_refused(client, make_staff, clock):
    headers = make_staff("dave", "manager")
    clock.advance(hours=13)
    assert_error(client.get("/api/v1/hall", headers=headers), 401)


def test_the_hall_snapshot_needs_staff(client):
    assert_error(client.get("/api/v1/hall"), 401)
    assert_error(client.get("/api/v1/hall", headers={"Authorization": "Bearer nope"}), 401)


# -- windows --------------------------------------------------------------------------------------


def test_call_next_calls_the_oldest_ticket_and_204_when_none_waits(client, kiosk, open1):
    first = take(client, kiosk).get_json()["ticket"]
    take(client, kiosk)
    r = client.post("/api/v1/windows/1/call-next", headers=open1)
    called = r.get_json()["ticket"]
    assert called["id"] == first["id"] and called["status"] == "called" and called["window"] == "1"
    assert client.post("/api/v1/windows/1/finish", headers=open1).get_json()["ticket"]["status"] == "done"
    client.post("/api/v1/windows/1/call-next", headers=open1)
    client.post("/api/v1/windows/1/finish", headers=open1)
    assert client.post("/api/v1/windows/1/call-next", headers=open1).status_code == 204


def test_the_green_channel_is_called_first(client, kiosk, open1):
    take(client, kiosk)
    green = take(client, kiosk, item=ITEM_A, priority="green").get_json()["ticket"]
    assert client.post("/api/v1/windows/1/call-next", headers=open1).get_json()["ticket"]["id"] == green["id"]


def test_recall_counts_and_no_show_ends_the_ticket(client, kiosk, open1):
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    assert client.post("/api/v1/windows/1/recall", headers=open1).get_json()["ticket"]["recalls"] == 1
    assert client.post("/api/v1/windows/1/no-show", headers=open1).get_json()["ticket"]["status"] == "no_show"
    assert_error(client.post("/api/v1/windows/1/recall", headers=open1), 409)


def test_a_window_still_on_a_ticket_cannot_call_the_next(client, kiosk, open1):
    take(client, kiosk)
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    assert "finish" in assert_error(client.post("/api/v1/windows/1/call-next", headers=open1), 409)["message"]


def test_a_paused_window_calls_nothing_until_resumed(client, kiosk, open1):
    take(client, kiosk)
    assert_error(client.post("/api/v1/windows/1/pause", headers=open1, json={}), 400)
    w = client.post("/api/v1/windows/1/pause", headers=open1, json={"reason": "午休 lunch"}).get_json()["window"]
    assert w["status"] == "paused" and w["pause_reason"] == "午休 lunch"
    assert "paused" in assert_error(client.post("/api/v1/windows/1/call-next", headers=open1), 409)["message"]
    assert client.post("/api/v1/windows/1/resume", headers=open1).get_json()["window"]["status"] == "open"
    assert client.post("/api/v1/windows/1/call-next", headers=open1).status_code == 200


def test_window_actions_need_the_staff_signed_in_there(client, kiosk, open1, make_staff):
    other = make_staff("erin", "window", "SCJG")
    assert_error(client.post("/api/v1/windows/1/call-next"), 401)
    assert_error(client.post("/api/v1/windows/1/call-next", headers=other), 403)
    assert_error(client.post("/api/v1/windows/2/call-next", headers=open1), 409)  # window 2 is closed
    assert_error(client.post("/api/v1/windows/99/call-next", headers=open1), 404)
    assert_error(client.post("/api/v1/windows/1/open", headers=other), 409)  # staffed by alice


def test_staff_of_a_department_may_open_its_windows_and_the_proxy_ones_only(client, make_staff):
    h = make_staff("frank", "window", "SCJG")
    assert client.post("/api/v1/windows/31/open", headers=h).status_code == 200  # proxy window
    assert_error(client.post("/api/v1/windows/30/open", headers=h), 403)  # another department's


def test_transfer_keeps_the_number_and_its_place(client, kiosk, open1, make_staff):
    t = take(client, kiosk).get_json()["ticket"]
    client.post("/api/v1/windows/1/call-next", headers=open1)
    r = client.post("/api/v1/windows/1/transfer", headers=open1, json={"queue": "B", "note": "需要名称核准"})
    moved = r.get_json()["ticket"]
    assert moved["number"] == t["number"] and moved["queue"] == "B" and moved["status"] == "waiting"
    assert_error(client.post("/api/v1/windows/1/transfer", headers=open1, json={"queue": "B"}), 409)


def test_transfer_to_an_unknown_queue_is_a_404(client, kiosk, open1):
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    assert_error(client.post("/api/v1/windows/1/transfer", headers=open1, json={"queue": "ZZ"}), 404)
    assert_error(client.post("/api/v1/windows/1/transfer", headers=open1, json={}), 400)


def test_a_suspended_visitor_rejoins_without_a_new_number_first_at_that_window(client, kiosk, open1):
    t = take(client, kiosk).get_json()["ticket"]
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    s = client.post("/api/v1/windows/1/suspend", headers=open1, json={"note": "缺营业执照复印件"}).get_json()
    assert s["ticket"]["status"] == "suspended"
    back = client.post("/api/v1/windows/1/resume-ticket", headers=open1, json={"number": t["number"]}).get_json()
    assert back["ticket"]["status"] == "waiting"
    again = client.post("/api/v1/windows/1/call-next", headers=open1).get_json()["ticket"]
    assert again["id"] == t["id"] and again["number"] == t["number"]


def test_call_number_calls_a_given_waiting_ticket_out_of_turn(client, kiosk, open1):
    take(client, kiosk)
    second = take(client, kiosk).get_json()["ticket"]
    r = client.post("/api/v1/windows/1/call-number", headers=open1, json={"number": second["number"]})
    assert r.get_json()["ticket"]["id"] == second["id"]
    client.post("/api/v1/windows/1/finish", headers=open1)
    assert_error(client.post("/api/v1/windows/1/call-number", headers=open1, json={"number": "A999"}), 404)


def test_hand_over_lets_a_colleague_cover_a_paused_window(client, kiosk, open1, make_staff):
    client.post("/api/v1/windows/1/pause", headers=open1, json={"reason": "stepped away"})
    colleague = make_staff("gina", "window", "SCJG")
    r = client.post("/api/v1/windows/1/hand-over", headers=colleague, json={"username": "gina"})
    assert r.get_json()["window"]["status"] == "open"
    take(client, kiosk)
    assert client.post("/api/v1/windows/1/call-next", headers=colleague).status_code == 200
    assert_error(client.post("/api/v1/windows/1/call-next", headers=open1), 403)


def test_a_chief_may_assign_a_window_but_a_colleague_may_not_take_an_open_one(client, open1, make_staff):
    colleague = make_staff("hank", "window", "SCJG")
    assert_error(client.post("/api/v1/windows/1/hand-over", headers=colleague, json={"username": "hank"}), 403)
    chief = make_staff("ivy", "chief", "SCJG")
    r = client.post("/api/v1/windows/1/hand-over", headers=chief, json={"username": "hank"})
    assert r.status_code == 200 and r.get_json()["window"]["staff"]["name"] == "hank"


def test_the_hall_snapshot_shows_queues_windows_and_latest_calls(client, kiosk, open1):
    take(client, kiosk)
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    hall = client.get("/api/v1/hall", headers=open1).get_json()
    a = next(q for q in hall["queues"] if q["code"] == "A")
    assert a["waiting"] == 1 and a["open_windows"] == ["1"] and not a["unserved"]
    assert next(q for q in hall["queues"] if q["code"] == "C")["unserved"]
    w1 = next(w for w in hall["windows"] if w["id"] == "1")
    assert w1["status"] == "open" and w1["current"]["number"] == "A001"
    assert hall["latest_calls"][0]["number"] == "A001" and hall["seq"] > 0


def test_unknown_paths_and_methods_answer_json(client):
    assert_error(client.get("/api/v1/nothing"), 404)
    assert_error(client.get("/api/v1/tickets"), 405)


# -- events ------------------------------------------------------------------------------------


def test_each_change_is_published_once_after_commit_with_a_rising_seq(client, kiosk, open1, published):
    before = len(published)
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    changes = published[before:]
    assert [c.seq for c in changes] == sorted({c.seq for c in changes})
    issued, called = changes
    assert [e.event for e in issued.events] == ["ticket.issued", "queue.updated"]
    assert {e.event for e in called.events} == {"ticket.called", "window.updated", "queue.updated"}
    calls = [e for e in called.events if e.event == "ticket.called"]
    # One change, one seq: the public rooms with the window's, and the visitor's own room apart
    # (its copy gains the case's link as it is sent). A window whose staff have more to see (a
    # returning visitor's notice) gets its own copy: tests/api/test_ticket_case_link.py.
    tid = calls[0].data["ticket"]["id"]
    assert {frozenset(e.rooms) for e in calls} == {frozenset({"hall", "queue:A", "window:1"}),
                                                   frozenset({f"ticket:{tid}"})}
    for call in calls:
        assert call.data["seq"] == called.seq and call.data["window"] == "1" and call.data["recall"] is False


def test_a_refused_change_publishes_nothing(client, kiosk, published, refusing):
    before = len(published)
    take(client, kiosk)  # refused: no window open for queue A
    assert published[before:] == []


def test_a_kiosk_retrying_with_the_same_request_id_gets_the_same_ticket(client, kiosk, open1, published):
    first = take(client, kiosk, item=ITEM_A, request_id="press-0001").get_json()["ticket"]
    before = len(published)
    again = take(client, kiosk, item=ITEM_A, request_id="press-0001")
    assert again.status_code == 201 and again.get_json()["ticket"]["id"] == first["id"]
    assert len(published) == before, "no second ticket, no event"
    other = take(client, kiosk, item=ITEM_A, request_id="press-0002").get_json()["ticket"]
    assert other["number"] == "A002"


def test_a_windows_day_counts_outcomes_and_lists_its_suspended_visitors(client, kiosk, open1, make_staff):
    for _ in range(3):
        take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    client.post("/api/v1/windows/1/finish", headers=open1, json={"outcome": "consulted"})
    client.post("/api/v1/windows/1/call-next", headers=open1)
    client.post("/api/v1/windows/1/no-show", headers=open1)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    client.post("/api/v1/windows/1/suspend", headers=open1, json={"note": "缺材料"})
    day = client.get("/api/v1/windows/1/today", headers=open1).get_json()
    assert day["outcomes"] == {"consulted": 1} and day["finished"] == 1 and day["no_show"] == 1
    assert [t["number"] for t in day["suspended"]] == ["A003"]
    assert_error(client.get("/api/v1/windows/1/today", headers=make_staff("otto", "window", "SCJG")), 403)
    assert client.get("/api/v1/windows/1/today", headers=make_staff("maud", "manager")).status_code == 200


def test_finishing_and_no_show_update_the_queue_figures_live(client, kiosk, open1, published):
    take(client, kiosk)
    take(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    before = len(published)
    client.post("/api/v1/windows/1/finish", headers=open1)
    client.post("/api/v1/windows/1/call-next", headers=open1)
    client.post("/api/v1/windows/1/no-show", headers=open1)
    finish, _call, no_show = published[before:]
    for change in (finish, no_show):
        assert "queue.updated" in [e.event for e in change.events]
    served = next(e for e in finish.events if e.event == "queue.updated").data["queue"]["served_today"]
    assert served == 1
