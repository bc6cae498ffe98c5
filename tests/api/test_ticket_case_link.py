"""The ticket's phone page leads on to the case its visit opened (issue 14 point 6, article 21):
the ticket's view carries the case's tokenised progress URL once there is a case, and nothing
personal, in the API's answer and in the ticket's live events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db.tables import event_log
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, ID, call_one


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def ticket(client, ticket_id: str) -> dict:
    r = client.get(f"/api/v1/tickets/{ticket_id}")
    assert r.status_code == 200
    return r.get_json()["ticket"]


def connect(hq, **auth):
    return hq.socketio.test_client(hq.app, auth=auth or None)


def ticket_events(sock) -> list[dict]:
    return [m["args"][0]["ticket"] for m in sock.get_received()
            if m["name"].startswith("ticket.") and m["args"] and "ticket" in m["args"][0]]


def test_the_ticket_links_to_its_case_once_the_service_opened_one(hq, client, kiosk, alice, published,
                                                                  display_key):
    called = call_one(client, kiosk, alice)
    assert ticket(client, called["id"])["case_url"] is None
    phone = connect(hq)
    assert phone.emit("subscribe", {"rooms": [f"ticket:{called['id']}"]}, callback=True)["seq"] > 0
    display = connect(hq, device_key=display_key)
    assert "hall" in display.emit("subscribe", {"rooms": ["hall", "queue:A"]}, callback=True)
    clerk = connect(hq, token=alice["Authorization"].split()[1])
    assert "windows" in clerk.emit("subscribe", {"rooms": ["window:1"]}, callback=True)
    published.clear()
    r = client.post("/api/v1/windows/1/finish", headers=alice,
                    json={"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})
    case = r.get_json()["case"]
    seen = ticket(client, called["id"])
    assert seen["case_url"] == case["progress_url"] and "/case/" in seen["case_url"]
    # The finish's event in the ticket's own room carries it: an open phone page shows it at once.
    mine = ticket_events(phone)
    assert mine and mine[-1]["case_url"] == case["progress_url"]
    text = str(mine[-1])
    assert ID not in text and APPLICANT["phone"] not in text and APPLICANT["name"] not in text
    # The secret link reaches no other room (displays, kiosks, every clerk), and rests nowhere
    # in the event log.
    for other in (display, clerk):
        got = ticket_events(other)
        assert got and all("case_url" not in t for t in got), got
    token = case["progress_url"].rsplit("/", 1)[1]
    assert published and token not in str([e.data for c in published for e in c.events])
    with hq.services.engine.connect() as conn:
        assert token not in str(conn.execute(select(event_log)).all())
    # The phone page renders the link.
    page = client.get(f"/t/{called['id']}").get_data(as_text=True)
    assert case["progress_url"] in page and "查看办件进度" in page


def test_a_consultation_opens_no_case_and_links_nowhere(client, kiosk, alice):
    called = call_one(client, kiosk, alice)
    assert client.post("/api/v1/windows/1/finish", headers=alice, json={"outcome": "consulted"}).status_code == 200
    assert ticket(client, called["id"])["case_url"] is None
    page = client.get(f"/t/{called['id']}").get_data(as_text=True)
    assert 'id="case-link" class="case-link" hidden>' in page


def test_a_returning_visitors_notice_number_reaches_staff_only(hq, client, kiosk, alice, display_key):
    """The notice's number is half of a progress lookup's secret: its window's staff see it, the
    hall's displays, the queue rooms and the visitor's own page do not."""
    from tests.api.test_case_clock import open_case

    n = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"], missing=["ARTICLES"])["number"]
    display = connect(hq, device_key=display_key)
    display.emit("subscribe", {"rooms": ["hall", "queue:A"]}, callback=True)
    clerk = connect(hq, token=alice["Authorization"].split()[1])
    clerk.emit("subscribe", {"rooms": ["window:1"]}, callback=True)
    issued = client.post("/api/v1/tickets", headers=kiosk, json={"notice": n})
    assert issued.status_code == 201 and issued.get_json()["ticket"]["follows_case"] == n  # the kiosk typed it
    tid = issued.get_json()["ticket"]["id"]
    phone = connect(hq)
    ack = phone.emit("subscribe", {"rooms": [f"ticket:{tid}"]}, callback=True)
    assert "follows_case" not in ack["tickets"][tid]
    called = client.post("/api/v1/windows/1/call-next", headers=alice).get_json()["ticket"]
    assert called["id"] == tid and called["follows_case"] == n
    assert [t["follows_case"] for t in ticket_events(clerk) if t["id"] == tid] == [n]
    for public in (display, phone):
        got = [t for t in ticket_events(public) if t["id"] == tid]
        assert got and all("follows_case" not in t for t in got), got
    assert "follows_case" not in ticket(client, tid)
    staff_view = client.get(f"/api/v1/tickets/{tid}", headers=alice).get_json()["ticket"]
    assert staff_view["follows_case"] == n


def test_a_ticket_event_without_a_case_is_sent_without_a_database_read(hq, client, kiosk, alice):
    """The emitter sends every change of the hall in order: a transaction for each ticket event,
    only to learn an issue or a call has no case, held up every event behind it (issue 16)."""
    from sqlalchemy import event as sa_event

    from server.app.snapshots import ticket_room_payload

    called = call_one(client, kiosk, alice)
    engine = hq.services.engine
    checkouts: list[object] = []

    def opened(conn) -> None:
        checkouts.append(conn)

    sa_event.listen(engine, "engine_connect", opened)
    try:
        for status in ("waiting", "called", "serving"):
            data = {"ticket": {"id": called["id"], "status": status, "outcome": None}}
            assert ticket_room_payload(hq.services, [f"ticket:{called['id']}"], data)["ticket"]["case_url"] is None
        assert checkouts == []
        # A service done with an outcome may have opened a case: that one is looked up.
        done = {"ticket": {"id": called["id"], "status": "done", "outcome": "consulted"}}
        assert ticket_room_payload(hq.services, [f"ticket:{called['id']}"], done)["ticket"]["case_url"] is None
        assert len(checkouts) == 1
    finally:
        sa_event.remove(engine, "engine_connect", opened)
