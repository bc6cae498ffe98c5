"""好差评 over HTTP and Socket.IO (Flask's and Flask-SocketIO's test clients): rating a finished
service by its ticket id or on the window's pad, rating a delivered case, and who hears what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.app import accounts
from server.db.tables import event_log, outbox, ratings
from tests.api.helpers import issue
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT


def served(client, kiosk, staff, window: str = "1", item: str = "SCJG-001", **finish) -> dict:
    """A ticket issued, called at `window` and finished there."""
    t = issue(client, kiosk, item)
    assert client.post(f"/api/v1/windows/{window}/call-next", headers=staff).status_code == 200
    r = client.post(f"/api/v1/windows/{window}/finish", headers=staff, json=finish or None)
    assert r.status_code == 200, r.get_json()
    return {**t, "finish": r.get_json()}


def rate(client, ticket_id: str, headers: dict | None = None, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/rating", headers=headers or {}, json=body)


@pytest.fixture
def staff(client, make_staff):
    headers = make_staff("scjg01", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def pad(svc):
    return {"X-Device-Key": accounts.add_device(svc, "rater-1", "rater", settings={"window": "1"})}


def rows(svc) -> list[dict]:
    with svc.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(ratings).order_by(ratings.c.id))]


def test_a_finished_service_is_rated_once_by_its_ticket_id(client, kiosk, staff, svc):
    t = served(client, kiosk, staff)
    r = rate(client, t["id"], level=2, tags=["attitude", "efficiency"], comment="  等了很久  ")
    assert r.status_code == 201, r.get_json()
    got = r.get_json()["rating"]
    assert {k: got[k] for k in ("ticket", "case", "level", "level_name", "tags", "comment", "channel")} == {
        "ticket": t["id"], "case": None, "level": 2, "level_name": "不满意", "tags": ["attitude", "efficiency"],
        "comment": "等了很久", "channel": "phone"}
    again = rate(client, t["id"], level=5)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    [row] = rows(svc)
    # The service rated is copied onto the rating: who served it, where, what.
    assert (row["department"], row["item"], row["queue"], row["window"]) == ("SCJG", "SCJG-001", "A", "1")
    assert row["staff_id"] is not None and row["day"] == svc.today()


def test_a_service_not_finished_cannot_be_rated(client, kiosk, staff, manager):
    t = issue(client, kiosk)
    r = rate(client, t["id"], level=4)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_finished"
    client.post("/api/v1/windows/1/call-next", headers=staff)
    assert rate(client, t["id"], level=4).get_json()["error"]["code"] == "not_finished"
    # Finished by a manager's force, nobody served it to the end: nothing to rate either.
    r = client.post(f"/api/v1/manage/tickets/{t['id']}/force-finish", headers=manager, json={"reason": "忘记办结"})
    assert r.status_code == 200, r.get_json()
    r = rate(client, t["id"], level=4)
    assert r.get_json()["error"]["code"] == "not_finished" and "强制办结" in r.get_json()["error"]["message_zh"]
    assert '"forced": true' in client.get(f"/t/{t['id']}").get_data(as_text=True)  # the phone offers no form
    assert rate(client, "no-such-ticket", level=4).status_code == 404


@pytest.mark.parametrize("body,field", [
    ({"level": 0}, "level"), ({"level": 6}, "level"), ({"level": "x"}, "level"), ({"level": "3"}, "level"),
    ({"level": True}, "level"), ({}, "level"), ({"level": 2, "tags": ["rude"]}, "tags"),
    ({"level": 4, "tags": ["attitude"]}, "tags"), ({"level": 2, "tags": "attitude"}, "tags"),
    ({"level": 3, "comment": "长" * 501}, "comment"),
])
def test_a_bad_rating_is_a_400_naming_the_field(client, kiosk, staff, body, field):
    t = served(client, kiosk, staff)
    r = client.post(f"/api/v1/tickets/{t['id']}/rating", json=body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["message"].startswith(field), r.get_json()


def test_the_pad_rates_only_what_its_window_served(client, kiosk, staff, make_staff, pad, svc):
    t = served(client, kiosk, staff)
    other = {"X-Device-Key": accounts.add_device(svc, "rater-2", "rater", settings={"window": "2"})}
    r = rate(client, t["id"], other, level=5)
    assert r.status_code == 403, r.get_json()
    r = rate(client, t["id"], pad, level=5)
    assert r.status_code == 201 and r.get_json()["rating"]["channel"] == "pad"
    # A kiosk's key is no pad's; a bad key is no credential.
    t2 = served(client, kiosk, staff)
    assert rate(client, t2["id"], kiosk, level=5).status_code == 403
    assert rate(client, t2["id"], {"X-Device-Key": "nope"}, level=5).status_code == 401


def test_a_pad_needs_a_window_of_the_hall(svc):
    with pytest.raises(Exception, match="window"):
        accounts.add_device(svc, "rater-x", "rater", settings={"window": "99"})


def test_each_rating_is_audited_without_the_rater_and_queued_for_the_rating_system(client, kiosk, staff, svc):
    t = served(client, kiosk, staff)
    rid = rate(client, t["id"], level=1, tags=["guide"]).get_json()["rating"]["id"]
    with svc.engine.connect() as conn:
        entry = conn.execute(select(event_log).where(event_log.c.action == "rating.add")).one()
        # The rating itself, then the follow-up its level 1 opened (tests/api/test_rating_followup.py).
        row, opened = conn.execute(select(outbox).where(outbox.c.destination == "ratings").order_by(outbox.c.id)).all()
    assert opened.event == "rating.followup.opened"
    assert (entry.actor_kind, entry.actor_id, entry.actor_name) == ("visitor", None, "visitor")
    assert entry.detail["rating"] == rid and entry.detail["channel"] == "phone"
    assert (row.case_number, row.event) == (f"rating-{rid}", "rating.created")
    body = row.payload
    assert body["key"] == f"rating-{rid}" and "case_number" not in body and body["hall"] == svc.hall.code
    assert body["rating"]["level"] == 1 and body["rating"]["tag_names"][0]["name"] == "指南准确"
    assert body["rating"]["staff"]["name"] and body["rating"]["department"] == "SCJG"


def test_a_case_is_rated_by_its_token_once_delivered(client, kiosk, staff, svc):
    t = served(client, kiosk, staff, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    case = t["finish"]["case"]
    token = case["progress_url"].rsplit("/", 1)[1]
    r = client.post(f"/api/v1/case/{token}/rating", json={"level": 5})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_finished"
    page = client.get(f"/case/{token}").get_data(as_text=True)
    assert 'id="rating"' not in page
    for to in ("in_review", "decided_approved", "delivered"):
        r = client.post(f"/api/v1/cases/{case['number']}/transition", headers=staff, json={"to": to})
        assert r.status_code == 200, r.get_json()
    page = client.get(f"/case/{token}").get_data(as_text=True)
    assert 'id="rating"' in page and "非常满意" in page
    r = client.post(f"/api/v1/case/{token}/rating", json={"level": 4, "comment": "办得快"})
    assert r.status_code == 201, r.get_json()
    got = r.get_json()["rating"]
    assert (got["case"], got["ticket"], got["channel"], got["level_name"]) == (case["number"], None, "case", "满意")
    assert client.post(f"/api/v1/case/{token}/rating", json={"level": 4}).get_json()["error"]["code"] == "already_rated"
    assert "已评价" in client.get(f"/case/{token}").get_data(as_text=True)
    assert client.post("/api/v1/case/nope/rating", json={"level": 4}).status_code == 404
    # The case and its window service are rated apart: 一事一评 and 一次一评.
    assert rate(client, t["id"], level=3).status_code == 201
    assert [r["channel"] for r in rows(svc)] == ["case", "phone"]


def test_a_case_concluded_at_the_window_can_be_rated_at_once(client, kiosk, staff):
    t = served(client, kiosk, staff, outcome="concluded", applicant=APPLICANT, materials=ALL_MATERIALS)
    token = t["finish"]["case"]["progress_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/case/{token}/rating", json={"level": 5}).status_code == 201


def test_the_phone_page_offers_the_form_and_says_when_rated(client, kiosk, staff):
    t = served(client, kiosk, staff)
    page = client.get(f"/t/{t['id']}").get_data(as_text=True)
    assert '"rated": false' in page and "服务态度" in page
    rate(client, t["id"], level=5)
    assert '"rated": true' in client.get(f"/t/{t['id']}").get_data(as_text=True)


# -- events and rooms ---------------------------------------------------------------------------


def connect(hq, **auth):
    return hq.socketio.test_client(hq.app, auth=auth or None)


def subscribe(sock, *rooms):
    return sock.emit("subscribe", {"rooms": list(rooms)}, callback=True)


def received(sock) -> list[tuple[str, dict]]:
    return [(m["name"], m["args"][0]) for m in sock.get_received()]


def token(headers):
    return headers["Authorization"].split()[1]


def test_the_pad_is_asked_after_a_finish_and_the_level_reaches_managers_and_the_chief_only(
        hq, client, kiosk, staff, make_staff, pad):
    screen = connect(hq, device_key=pad["X-Device-Key"])
    ack = subscribe(screen, "rater:1")
    assert ack["rater"]["window"] == "1" and [t["name"] for t in ack["rater"]["tags"]][0] == "服务态度"
    console = connect(hq, token=token(staff))
    subscribe(console, "window:1")
    chief = connect(hq, token=token(make_staff("chief-scjg", "chief", "SCJG")))
    assert "error" not in subscribe(chief, "ratings")
    other_chief = connect(hq, token=token(make_staff("chief-crj", "chief", "CRJ")))
    subscribe(other_chief, "ratings")
    boss = connect(hq, token=token(make_staff("boss2", "manager")))
    subscribe(boss, "ratings")
    for sock in (screen, console, chief, other_chief, boss):
        sock.get_received()

    t = served(client, kiosk, staff)
    [(name, asked)] = [e for e in received(screen)]
    assert name == "rating.requested"
    assert (asked["ticket"], asked["number"], asked["item_name"], asked["window"]) == (
        t["id"], t["number"], "有限责任公司设立登记", "1")
    assert asked["staff"] == {"name": "scjg01", "staff_no": ""} and asked["timeout_s"] == 60
    assert rate(client, t["id"], pad, level=2, tags=["attitude"]).status_code == 201

    at_window = received(console)
    notes = [d for n, d in at_window if n == "rating.received"]
    assert notes == [{**notes[0], "ticket": t["id"], "number": t["number"], "window": "1"}]
    assert set(notes[0]) - {"seq", "prev"} == {"ticket", "number", "window"}
    assert all("level" not in str(d) for n, d in at_window if n.startswith("rating."))
    assert "rating.created" not in [n for n, _ in at_window]
    for sock in (chief, boss):
        [created] = [d for n, d in received(sock) if n == "rating.created"]
        assert created["rating"]["level"] == 2 and created["rating"]["department"] == "SCJG"
        assert created["rating"]["ticket_number"] == t["number"]
    assert "rating.created" not in [n for n, _ in received(other_chief)]
    assert received(screen) == []  # the pad hears only what it is asked


def test_who_may_join_the_rating_rooms(hq, staff, make_staff, pad, display_key):
    console = connect(hq, token=token(staff))
    assert subscribe(console, "ratings")["error"]["code"] == "forbidden"
    assert subscribe(console, "rater:1")["error"]["code"] == "forbidden"
    screen = connect(hq, device_key=display_key)
    assert subscribe(screen, "rater:1")["error"]["code"] == "forbidden"
    assert subscribe(screen, "ratings")["error"]["code"] == "forbidden"
    sheet = connect(hq, device_key=pad["X-Device-Key"])
    for rooms in (["rater:2"], ["hall"], ["window:1"], ["rater:1", "queue:A"], ["ratings"]):
        assert subscribe(sheet, *rooms)["error"]["code"] == "forbidden", rooms
    assert "rater" in subscribe(sheet, "rater:1")


def test_no_rating_is_asked_for_a_no_show_or_a_forced_finish(hq, client, kiosk, staff, manager, pad):
    screen = connect(hq, device_key=pad["X-Device-Key"])
    subscribe(screen, "rater:1")
    screen.get_received()
    t = issue(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=staff)
    client.post("/api/v1/windows/1/no-show", headers=staff)
    issue(client, kiosk)
    called = client.post("/api/v1/windows/1/call-next", headers=staff).get_json()["ticket"]
    r = client.post(f"/api/v1/manage/tickets/{called['id']}/force-finish", headers=manager, json={"reason": "离开"})
    assert r.status_code == 200, r.get_json()
    assert [n for n, _ in received(screen)] == []
    assert t


def test_no_ticket_id_leaves_for_the_ratings_room_or_the_rating_system(hq, client, kiosk, staff, make_staff, svc):
    """The ticket id is the unguessable link to the visitor's status page /t/ID: managers, chiefs
    and the provincial rating system get the ticket's number, never its id."""
    boss = connect(hq, token=token(make_staff("boss3", "manager")))
    subscribe(boss, "ratings")
    boss.get_received()
    t = served(client, kiosk, staff)
    answer = rate(client, t["id"], level=1, tags=["guide"]).get_json()
    assert answer["rating"]["ticket"] == t["id"]  # the rater's own answer may keep it
    events = received(boss)
    [created] = [d for n, d in events if n == "rating.created"]
    assert created["rating"]["ticket_number"] == t["number"] and "ticket" not in created["rating"]
    assert t["id"] not in repr(events)
    with svc.engine.connect() as conn:
        payloads = [r.payload for r in conn.execute(select(outbox).where(outbox.c.destination == "ratings"))]
    assert [p["event"] for p in payloads] == ["rating.created", "rating.followup.opened"]
    assert payloads[0]["rating"]["ticket_number"] == t["number"]
    assert t["id"] not in repr(payloads)


def test_the_pad_rates_only_the_service_just_finished(client, kiosk, staff, pad, clock, svc):
    older = served(client, kiosk, staff)
    clock.advance(seconds=svc.hall.ratings.pad_timeout_s + 61)
    late = rate(client, older["id"], pad, level=5)
    assert late.status_code == 403 and "phone" in late.get_json()["error"]["message"], late.get_json()
    # The visitor can still rate it on the phone page.
    assert rate(client, older["id"], level=5).status_code == 201
    fresh = served(client, kiosk, staff)
    clock.advance(seconds=30)
    assert rate(client, fresh["id"], pad, level=4).status_code == 201


def test_staff_signed_in_may_not_rate_a_service(client, kiosk, staff):
    t = served(client, kiosk, staff)
    r = rate(client, t["id"], staff, level=5)
    assert r.status_code == 403 and r.get_json()["error"]["message_zh"].startswith("工作人员不能评价")
    # The visitor's own rating is still to come.
    assert rate(client, t["id"], level=2, tags=["attitude"]).status_code == 201
