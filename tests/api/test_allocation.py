"""Issue #11 points 1-3 and 7 through the API: windows moved between queues at runtime, items
routed to another queue, every change audited and undoable, races and article 26."""

from __future__ import annotations

import pytest

from server.app import accounts

from .test_protocol import assert_error

REASON = {"reason": "B排队过长 / queue B is long"}


@pytest.fixture
def kiosk(svc):
    return {"X-Device-Key": accounts.add_device(svc, "kiosk-m", "kiosk")}


@pytest.fixture
def chief(make_staff):
    return make_staff("chief-scjg", "chief", "SCJG")


def item_of(client, queue: str) -> str:
    return next(i["code"] for i in client.get("/api/v1/catalog").get_json()["items"] if i["queue"] == queue)


def issue(client, kiosk, queue: str) -> dict:
    r = client.post("/api/v1/tickets", headers=kiosk, json={"queue": queue})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def put_queues(client, headers, window: str, queues: list, **extra):
    return client.put(f"/api/v1/windows/{window}/queues", headers=headers,
                      json={"queues": queues, **REASON, **extra})


def test_get_and_put_a_windows_queues(client, manager):
    assert client.get("/api/v1/windows/4/queues", headers=manager).get_json() == {
        "window": "4", "queues": [{"queue": "A", "weight": 2}, {"queue": "B", "weight": 1}]}
    r = put_queues(client, manager, "4", [{"queue": "B", "weight": 3}])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["queues"] == [{"queue": "B", "weight": 3}]
    change = body["change"]
    assert change["window"] == "4" and change["actor"] == {"name": "boss", "role": "manager"}
    assert change["before"] == [{"queue": "A", "weight": 2}, {"queue": "B", "weight": 1}]
    assert change["after"] == [{"queue": "B", "weight": 3}] and change["forced"] is False
    assert client.get("/api/v1/windows/4/queues", headers=manager).get_json()["queues"] == [{"queue": "B", "weight": 3}]
    catalog = client.get("/api/v1/catalog").get_json()
    assert next(w for w in catalog["windows"] if w["id"] == "4")["queues"] == [{"queue": "B", "weight": 3}]
    assert client.get("/api/v1/allocation", headers=manager).get_json()["windows"]["4"] == [{"queue": "B", "weight": 3}]


def test_bad_allocations_are_refused_clearly(client, manager, make_staff):
    staff = make_staff("w1", "window", "SCJG")
    assert_error(put_queues(client, staff, "4", [{"queue": "B", "weight": 1}]), 403, "forbidden")
    assert_error(put_queues(client, manager, "4", [{"queue": "ZZ", "weight": 1}]), 404, "not_found")
    assert_error(put_queues(client, manager, "4", [{"queue": "B", "weight": 0}]), 400, "invalid_body")
    assert_error(put_queues(client, manager, "4", []), 400, "invalid_body")
    r = client.put("/api/v1/windows/4/queues", headers=manager, json={"queues": [{"queue": "B"}], "reason": "  "})
    assert_error(r, 400, "invalid_body")
    assert_error(put_queues(client, manager, "99", [{"queue": "B", "weight": 1}]), 404, "not_found")
    assert client.get("/api/v1/audit", headers=manager).get_json()["changes"] == []


def test_a_rebalance_changes_what_the_next_call_returns(client, kiosk, manager, make_staff):
    staff = make_staff("w2", "window", "SCJG")
    assert client.post("/api/v1/windows/2/open", headers=staff).status_code == 200
    # Window 1 keeps queue A served (article 26), so the move needs no force.
    assert client.post("/api/v1/windows/1/open", headers=make_staff("w1", "window", "SCJG")).status_code == 200
    a = issue(client, kiosk, "A")
    b = issue(client, kiosk, "B")
    assert put_queues(client, manager, "2", [{"queue": "B", "weight": 1}]).status_code == 200
    called = client.post("/api/v1/windows/2/call-next", headers=staff).get_json()["ticket"]
    assert called["number"] == b["number"]
    assert client.get(f"/api/v1/tickets/{a['id']}").get_json()["ticket"]["status"] == "waiting"


def test_the_change_is_emitted_with_the_windows_queues(client, manager, published):
    both = [{"queue": "A", "weight": 1}, {"queue": "B", "weight": 2}]
    assert put_queues(client, manager, "5", both).status_code == 200
    events = {e.event: e for c in published for e in c.events}
    assert events["window.updated"].data["window"]["queues"] == both
    assert events["allocation.changed"].data["change"]["window"] == "5"
    assert {e.data["queue"]["code"] for c in published for e in c.events if e.event == "queue.updated"} >= {"A", "B"}


def test_a_chief_changes_the_departments_and_proxy_windows_only(client, chief):
    assert put_queues(client, chief, "5", [{"queue": "A", "weight": 1}]).status_code == 200
    assert_error(put_queues(client, chief, "6", [{"queue": "C", "weight": 1}]), 403, "forbidden")
    r = put_queues(client, chief, "31", [{"queue": "L", "weight": 2}, {"queue": "M", "weight": 2},
                                         {"queue": "Q", "weight": 1}, {"queue": "A", "weight": 1}])
    assert r.status_code == 200, r.get_json()


def test_moving_an_item_keeps_numbers_and_places_and_the_kiosk_follows(client, kiosk, manager, make_staff, clock):
    assert client.post("/api/v1/windows/1/open", headers=make_staff("w1", "window", "SCJG")).status_code == 200
    item = item_of(client, "B")
    first = client.post("/api/v1/tickets", headers=kiosk, json={"item": item}).get_json()["ticket"]
    clock.advance(seconds=10)
    issue(client, kiosk, "A")
    clock.advance(seconds=10)
    second = client.post("/api/v1/tickets", headers=kiosk, json={"item": item}).get_json()["ticket"]
    r = client.put(f"/api/v1/items/{item}/queue", headers=manager, json={"queue": "A", **REASON})
    assert r.status_code == 200, r.get_json()
    assert {k: r.get_json()[k] for k in ("item", "queue", "moved")} == {"item": item, "queue": "A", "moved": 2}
    moved = [client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"] for t in (first, second)]
    assert [(t["number"], t["queue"]) for t in moved] == [(first["number"], "A"), (second["number"], "A")]
    queues = client.get("/api/v1/hall", headers=manager).get_json()["queues"]
    order = next(q for q in queues if q["code"] == "A")["order"]
    assert order.index(first["number"]) < 1 < order.index(second["number"])  # by issue time, among A's own
    new = client.post("/api/v1/tickets", headers=kiosk, json={"item": item}).get_json()["ticket"]
    assert new["queue"] == "A"


def test_undo_restores_exactly_and_409_when_nothing_left(client, kiosk, manager, make_staff):
    assert client.post("/api/v1/windows/1/open", headers=make_staff("w1", "window", "SCJG")).status_code == 200
    assert_error(client.post("/api/v1/allocation/undo", headers=manager), 409, "nothing_to_undo")
    before = client.get("/api/v1/allocation", headers=manager).get_json()
    assert put_queues(client, manager, "4", [{"queue": "B", "weight": 5}]).status_code == 200
    item = item_of(client, "B")
    t = client.post("/api/v1/tickets", headers=kiosk, json={"item": item}).get_json()["ticket"]
    assert client.put(f"/api/v1/items/{item}/queue", headers=manager, json={"queue": "A", **REASON}).status_code == 200
    r = client.post("/api/v1/allocation/undo", headers=manager)
    assert r.status_code == 200 and r.get_json()["change"]["undoes"] and r.get_json()["restored"]["item"] == item
    assert client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]["queue"] == "B"
    assert client.post("/api/v1/allocation/undo", headers=manager).status_code == 200
    after = client.get("/api/v1/allocation", headers=manager).get_json()
    assert {k: after[k] for k in ("windows", "items", "reserve_open")} == {
        k: before[k] for k in ("windows", "items", "reserve_open")}
    assert_error(client.post("/api/v1/allocation/undo", headers=manager), 409, "nothing_to_undo")


def test_the_audit_lists_changes_and_chiefs_see_their_departments(client, manager, chief, make_staff):
    assert put_queues(client, manager, "6", [{"queue": "C", "weight": 2}]).status_code == 200
    assert put_queues(client, manager, "4", [{"queue": "A", "weight": 1}]).status_code == 200
    changes = client.get("/api/v1/audit", headers=manager).get_json()["changes"]
    assert [c["window"] for c in changes] == ["6", "4"] and changes[0]["id"] < changes[1]["id"]
    assert [c["window"] for c in client.get("/api/v1/audit", headers=chief).get_json()["changes"]] == ["4"]
    later = client.get("/api/v1/audit", headers=manager, query_string={"since": "2999-01-01T00:00:00Z"})
    assert later.get_json()["changes"] == []
    assert_error(client.get("/api/v1/audit", headers=make_staff("w9", "window", "SCJG")), 403, "forbidden")


def test_stranding_a_queue_needs_force_and_raises_the_alert(client, kiosk, manager, make_staff, published):
    staff = make_staff("w6", "window", "CRJ")
    assert client.post("/api/v1/windows/6/open", headers=staff).status_code == 200
    issue(client, kiosk, "C")
    others = [w["id"] for w in client.get("/api/v1/catalog").get_json()["windows"]
              if any(q["queue"] == "C" for q in w["queues"]) and w["id"] != "6"]
    assert all(client.get(f"/api/v1/windows/{w}/queues", headers=manager).status_code == 200 for w in others)
    r = put_queues(client, manager, "6", [{"queue": "D", "weight": 1}])
    assert_error(r, 409, "queue_left_unserved")
    r = put_queues(client, manager, "6", [{"queue": "D", "weight": 1}], force=True)
    assert r.status_code == 200 and r.get_json()["change"]["forced"] and r.get_json()["change"]["stranded"] == ["C"]
    raised = [e.data["alert"]["queue"] for c in published for e in c.events if e.event == "alert.queue_unserved"]
    assert raised == ["C"]


def test_a_reserve_window_opens_only_when_a_manager_opens_it(client, manager, make_staff):
    staff = make_staff("w33", "window", "SCJG")
    assert_error(client.post("/api/v1/windows/33/open", headers=staff), 409, "window_state")
    r = client.post("/api/v1/windows/33/reserve", headers=manager, json={"open": True, **REASON})
    assert r.status_code == 200 and r.get_json()["open"] is True
    assert client.post("/api/v1/windows/33/open", headers=staff).status_code == 200
    assert client.get("/api/v1/allocation", headers=manager).get_json()["reserve_open"] == ["33"]
    assert_error(client.post("/api/v1/windows/33/reserve", headers=staff, json={"open": False, **REASON}), 403,
                 "forbidden")
