"""Who may join which room, through Flask-SocketIO's test client (fast; the real-server tests are
in tests/integration)."""

from __future__ import annotations

import psycopg
from socketio import packet as sio_packet
from sqlalchemy.exc import OperationalError

from server.app import sessions
from server.web.sockets import REFUSED, UNAVAILABLE


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


def _refusals(hq, monkeypatch) -> list[dict]:
    """What the server sends with each refused connection (CONNECT_ERROR's data), from now on."""
    sent: list[dict] = []
    base = hq.socketio.server.packet_class

    class Recording(base):  # type: ignore[misc, valid-type]
        def __init__(self, packet_type=sio_packet.EVENT, data=None, *args, **kwargs):
            super().__init__(packet_type, data, *args, **kwargs)
            if packet_type == sio_packet.CONNECT_ERROR:
                sent.append(data)

    monkeypatch.setattr(hq.socketio.server, "packet_class", Recording)
    return sent


def test_a_refusal_says_why_in_both_languages_and_is_for_good(hq, monkeypatch):
    sent = _refusals(hq, monkeypatch)
    connect(hq, device_key="nope")
    connect(hq, token="nope")
    assert sent == [{"message": REFUSED["device"]}, {"message": REFUSED["staff"]}]
    assert "device key" in sent[0]["message"]  # what the kiosk takes for "pair me again"


def test_a_credential_the_server_cannot_check_now_is_refused_for_now_only(hq, display_key, monkeypatch):
    """The database restarting (or a pooled connection it dropped) is no verdict on the key: the
    page is told to connect again (`data.retry`), and does once the database answers."""
    sent = _refusals(hq, monkeypatch)

    def database_away(*_args):
        raise OperationalError("SELECT devices", {}, Exception("the database system is starting up"))

    with monkeypatch.context() as m:
        m.setattr(sessions, "identify", database_away)
        assert not connect(hq, device_key=display_key).is_connected()
    assert sent == [{"message": UNAVAILABLE, "data": {"retry": True}}]
    assert "device key" not in UNAVAILABLE
    assert connect(hq, device_key=display_key).is_connected()


def test_unknown_rooms_are_refused_by_name(hq, display_key):
    screen = connect(hq, device_key=display_key)
    assert "unknown room" in subscribe(screen, "lobby")["error"]["message"]
    assert subscribe(screen, "queue:ZZ")["error"]["code"] == "not_found"


def _database_away(*_args, **_kwargs):
    raise OperationalError("SELECT", {}, psycopg.errors.CannotConnectNow("the database system is starting up"))


def test_a_subscribe_the_database_cannot_answer_now_says_so_at_once(hq, display_key, monkeypatch):
    """Answered at once, `retry` set (the page asks again by itself), rather than left for the
    page to wait out its time-out; the connection stays."""
    import server.web.sockets as sockets

    screen = connect(hq, device_key=display_key)
    for module, name in ((sockets, "snapshot"), (sessions, "recheck")):
        with monkeypatch.context() as m:
            m.setattr(module, name, _database_away)
            ack = subscribe(screen, "hall")
        assert ack == {"error": {"code": "unavailable", "message": sockets.UNAVAILABLE_NOW, "retry": True}}
        assert screen.is_connected()
    # The database back, the same request is answered.
    assert "hall" in subscribe(screen, "hall")["rooms"]


# -- the cases room, per department (issue #9) ------------------------------------------------------

from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT  # noqa: E402 - beside the tests using it


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


def names(client) -> list[str]:
    return [m["name"] for m in client.get_received()]


def test_a_chief_in_the_cases_room_hears_only_the_cases_of_their_department(hq, client, kiosk_key, make_staff):
    chief_crj = connect(hq, token=token_of(make_staff("cora", "chief", "CRJ")))
    chief_scjg = connect(hq, token=token_of(make_staff("sam", "chief", "SCJG")))
    manager = connect(hq, token=token_of(make_staff("mona", "manager")))
    for c in (chief_crj, chief_scjg, manager):
        assert "cases" in subscribe(c, "cases")
        c.get_received()
    staff = make_staff("wendy", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=staff).status_code == 200
    kiosk = {"X-Device-Key": kiosk_key}
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"}).status_code == 201
    assert client.post("/api/v1/windows/1/call-next", headers=staff).status_code == 200
    r = client.post("/api/v1/windows/1/finish", headers=staff,
                    json={"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})
    assert r.status_code == 200, r.get_json()

    assert "case.opened" in names(chief_scjg)
    assert "case.opened" in names(manager)
    assert "case.opened" not in names(chief_crj)


def test_the_subscribe_answer_names_the_rooms_the_gap_rule_checks(hq, make_staff):
    chief = connect(hq, token=token_of(make_staff("sam", "chief", "SCJG")))
    ack = subscribe(chief, "cases", "hall")
    assert ack["rooms"] == ["cases:SCJG", "hall"]


# -- a credential that ends takes its sockets with it ------------------------------------------------

def test_revoking_a_display_key_drops_its_socket_at_once(hq, svc, display_key):
    from server.app import accounts

    screen = connect(hq, device_key=display_key)
    assert "hall" in subscribe(screen, "hall")
    screen.get_received()
    accounts.revoke_device(svc, "display-test")
    assert not screen.is_connected()
    ended = [m for m in screen.queue if m["name"] == "session.ended"]  # read after the drop
    assert ended and ended[0]["args"][0]["reason"] == "revoked"
    # and it cannot come back with that key
    assert not connect(hq, device_key=display_key).is_connected()


def test_signing_out_drops_that_tokens_sockets_and_only_those(hq, client, make_staff):
    headers = make_staff("wendy", "window", "SCJG")
    console = connect(hq, token=token_of(headers))
    other = connect(hq, token=token_of(make_staff("walt", "window", "SCJG")))
    for c in (console, other):
        assert "windows" in subscribe(c, "window:1")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert not console.is_connected()
    assert other.is_connected()
    assert not connect(hq, token=token_of(headers)).is_connected()


def test_a_socket_cannot_leave_its_credential_room_to_escape_the_drop(hq, svc, display_key):
    from server.app import accounts

    screen = connect(hq, device_key=display_key)
    screen.emit("unsubscribe", {"rooms": ["device-key:1", "device-key:2", "hall"]}, callback=True)
    accounts.revoke_device(svc, "display-test")
    assert not screen.is_connected()


def test_an_expired_token_may_not_subscribe_and_is_swept(hq, make_staff, clock):
    console = connect(hq, token=token_of(make_staff("wendy", "window", "SCJG")))
    assert "windows" in subscribe(console, "window:1")
    clock.advance(hours=12, seconds=1)
    assert subscribe(console, "window:1")["error"]["code"] == "unauthorized"

    second = connect(hq, token=token_of(make_staff("walt", "window", "SCJG")))
    clock.advance(hours=12, seconds=1)
    sweep = hq.app.extensions["hallq_sweep"]
    assert sweep() >= 1
    assert not second.is_connected()


# -- several halls on one installation (issue 16): a hall's rooms carry its code inside ------------

def rooms_of(hq, client) -> set[str]:
    """The Socket.IO rooms a test client's connection sits in, as the server names them."""
    manager = hq.socketio.server.manager
    return set(manager.get_rooms(manager.sid_from_eio_sid(client.eio_sid, "/"), "/"))


def test_a_connection_sits_in_its_halls_rooms_under_the_protocols_names(hq, display_key):
    screen = connect(hq, device_key=display_key)
    ack = subscribe(screen, "hall", "queue:A")
    assert ack["rooms"] == ["hall", "queue:A"]  # what the client sees: the protocol's names
    joined = rooms_of(hq, screen)
    assert {"city/*", "city/hall", "city/queue:A"} <= joined
    assert not {"hall", "queue:A"} & joined
    # its credential's room is the installation's: ending the key ends it wherever it connected
    assert any(r.startswith("device-key:") for r in joined)
    subscribe(screen, "window:1")
    joined = rooms_of(hq, screen)
    assert "city/window:1" in joined and "city/hall" not in joined and "city/*" in joined
    screen.emit("unsubscribe", {"rooms": ["window:1"]}, callback=True)
    assert "city/window:1" not in rooms_of(hq, screen)


def test_another_halls_events_and_resync_miss_this_halls_screens(hq, display_key):
    from server.web import factory

    screen = connect(hq, device_key=display_key)
    subscribe(screen, "hall", "queue:A")
    screen.get_received()
    unused = lambda room, data: None  # noqa: E731
    factory.emitter(hq.socketio, None, unused, "d1")("ticket.issued", {"seq": 1, "prev": {}}, ["hall", "queue:A"])
    factory.resync_hall(hq.socketio, "d1")("emitter")
    assert screen.get_received() == []
    factory.emitter(hq.socketio, None, unused, "city")("ticket.issued", {"seq": 9, "prev": {}}, ["hall", "queue:A"])
    factory.resync_hall(hq.socketio, "city")("emitter")
    got = screen.get_received()
    assert [m["name"] for m in got] == ["ticket.issued", "resync"]
    assert got[0]["args"][0]["seq"] == 9


def test_the_relay_marks_only_its_own_halls_unsent_seqs():
    from server.web.relay import Relay

    relay = Relay("redis://127.0.0.1:1/0", "hallq:test")
    relay._down = True  # nothing is sent: every message waits
    relay._retrying = True
    relay._publish({"method": "emit", "event": "ticket.issued", "data": [{"seq": 3}], "room": ["d1/hall"]})
    relay._publish({"method": "emit", "event": "print.job", "data": [{"id": 1}], "room": "city/agent:k1"})
    assert relay.unsent_seq("city") is None
    relay._publish({"method": "emit", "event": "hallq:end-sessions", "data": [{"seq": 5}], "room": "token:ab"})
    relay._publish({"method": "emit", "event": "ticket.issued", "data": [{"seq": 6}], "room": ["city/hall"]})
    assert relay.unsent_seq("city") == 5
    assert relay.unsent_seq("d1") == 3  # one relay serves every hall of the process


def test_a_kiosk_agent_waits_in_its_halls_agent_room(hq, svc):
    from server.app import accounts
    from server.web import printing

    agent = connect(hq, device_key=accounts.add_device(svc, "kiosk-usb", "kiosk", "agent://"))
    hello = agent.emit("agent.hello", {}, callback=True)
    assert hello["device"] == "kiosk-usb"
    assert "city/agent:kiosk-usb" in rooms_of(hq, agent) and "agent:kiosk-usb" not in rooms_of(hq, agent)
    agent.get_received()
    printing.sender(hq.socketio, "d1")("kiosk-usb", {"id": 1})  # another hall's kiosk of that name
    assert agent.get_received() == []
    printing.sender(hq.socketio, "city")("kiosk-usb", {"id": 2})
    assert [m["args"][0]["id"] for m in agent.get_received() if m["name"] == "print.job"] == [2]
