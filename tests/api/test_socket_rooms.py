"""Who may join which room, through Flask-SocketIO's test client (fast; the real-server tests are
in tests/integration)."""

from __future__ import annotations


def connect(hq, **auth):
    return hq.socketio.test_client(hq.app, auth=auth or None)


def subscribe(client, *rooms):
    return client.emit("subscribe", {"rooms": list(rooms)}, callback=True)


def test_a_visitor_follows_only_a_ticket_room(hq, client, kiosk_key, make_staff):
    headers = make_staff("wendy", "window", "SCJG")
    client.post("/api/v1/windows/1/open", headers=headers)
    t = client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"}).get_json()
    phone = connect(hq)
    ack = subscribe(phone, f"ticket:{t['ticket']['id']}")
    assert ack["tickets"][t["ticket"]["id"]]["number"] == "A001" and ack["seq"] > 0
    assert subscribe(phone, "hall")["error"]["code"] == "forbidden"
    assert subscribe(phone, "ticket:nope")["error"]["code"] == "not_found"


def test_a_display_sees_the_hall_but_not_the_cases(hq, display_key):
    screen = connect(hq, device_key=display_key)
    assert "hall" in subscribe(screen, "hall")
    assert subscribe(screen, "cases")["error"]["code"] == "forbidden"


def test_the_cases_room_is_for_chiefs_and_managers(hq, client, make_staff):
    manager = connect(hq, token=make_staff("mona", "manager")["Authorization"].split()[1])
    assert subscribe(manager, "cases")["cases"]["cases"] == []
    staff = connect(hq, token=make_staff("walt", "window", "SCJG")["Authorization"].split()[1])
    assert subscribe(staff, "cases")["error"]["code"] == "forbidden"


def test_a_bad_credential_refuses_the_connection(hq):
    assert not connect(hq, device_key="nope").is_connected()
    assert not connect(hq, token="nope").is_connected()


def test_unknown_rooms_are_refused_by_name(hq, display_key):
    screen = connect(hq, device_key=display_key)
    assert "unknown room" in subscribe(screen, "lobby")["error"]["message"]
    assert subscribe(screen, "queue:ZZ")["error"]["code"] == "not_found"
