"""Protocol v1's Socket.IO side against a real `hallq serve`: a python-socketio client per room.

What the protocol promises and these tests hold it to: every change the HTTP API makes is
emitted once, after commit, in commit order, to the rooms of the protocol's table; every event
carries the `seq` of its change (strictly increasing from change to change, shared by the events
of one change); a `subscribe` ack carries `seq` and the rooms' snapshot; `hall`, `queue:` and
`window:` need a device key or a staff token, `ticket:ID` only the id.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import socketio

from tests.support.server_process import ServerProcess

from .conftest import Api, Listener, for_rooms, logged_events, seq_groups

pytestmark = pytest.mark.slow

PROTOCOL_EVENTS = {"ticket.issued", "ticket.called", "ticket.updated", "window.updated", "queue.updated"}


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split(" ", 1)[1]


def protocol_only(events: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The five events of protocol v1's table (the hall room also carries alerts)."""
    return [(n, d) for n, d in events if n in PROTOCOL_EVENTS]


def assert_seq_discipline(events: list[tuple[str, dict]], after: int) -> None:
    """Every event has an int seq above the snapshot's; seqs never go back; one change's events
    arrive together (a seq never comes back once another has been seen)."""
    assert events, "no events arrived"
    seqs = [d.get("seq") for _, d in events]
    assert all(isinstance(s, int) for s in seqs), seqs
    assert seqs[0] > after, (seqs[0], after)
    assert seqs == sorted(seqs), f"events out of seq order: {seqs}"
    groups = [s for s, _ in seq_groups(events)]
    assert len(groups) == len(set(groups)), f"a change's events were split: {groups}"


def of_ticket(events: list[tuple[str, dict]], ticket_id: str, name: str) -> list[dict]:
    return [d for n, d in events if n == name and d["ticket"]["id"] == ticket_id]


@pytest.mark.parametrize("async_mode", ["eventlet", "threading"])
def test_each_change_reaches_its_rooms_once_with_its_seq(start_server, listeners, async_mode):
    server: ServerProcess = start_server(async_mode=async_mode)
    api = Api(server)
    password = server.credentials["password"]
    display = {"device_key": server.device_key("display-hall")}
    kiosk = server.device_key("kiosk-2")
    items = api.items_of("A")
    s1, s2 = api.login("scjg01", password), api.login("scjg02", password)

    hall_l = listeners(server.url, display).connect()
    ack = hall_l.subscribe(["hall"])
    assert "error" not in ack, ack
    assert isinstance(ack["seq"], int) and ack["seq"] > 0
    snap = ack["hall"]
    assert {q["code"] for q in snap["queues"]} >= {"A", "B"}
    assert {w["id"] for w in snap["windows"]} >= {"1", "2"}
    assert next(w for w in snap["windows"] if w["id"] == "1")["status"] == "closed"
    queue_l = listeners(server.url, display).connect()
    qack = queue_l.subscribe(["queue:A"])
    assert qack["queues"]["A"]["waiting"] == 0 and isinstance(qack["seq"], int)
    window_l = listeners(server.url, {"token": token_of(s1)}, transports=("polling", "websocket")).connect()
    wack = window_l.subscribe(["window:1"])
    assert wack["windows"]["1"]["status"] == "closed"

    api.open("1", s1)
    api.open("2", s2)
    mine = api.take_ok(kiosk, item=items[0])
    assert mine["number"] == "A001" and mine["status"] == "waiting"
    ticket_l = listeners(server.url).connect()  # a visitor's phone: no credentials
    tack = ticket_l.subscribe([f"ticket:{mine['id']}"])
    assert tack["tickets"][mine["id"]]["number"] == "A001"
    assert tack["seq"] >= ack["seq"]
    other = api.take_ok(kiosk, item=items[1 % len(items)])
    assert other["number"] == "A002"

    called = api.call_next("1", s1)
    assert called["id"] == mine["id"] and called["status"] == "called" and called["window"] == "1"
    r = api.act("1", "finish", s1)
    assert r.status_code == 200, r.text
    assert api.call_next("2", s2)["id"] == other["id"]
    r = api.act("2", "no-show", s2)
    assert r.status_code == 200, r.text

    final = api.hall(s1)["seq"]
    # Each client got exactly what the event log holds for its rooms, in the log's order.
    logged = logged_events(server, ack["seq"], final)
    for listener, rooms in ((hall_l, {"hall"}), (queue_l, {"queue:A"}), (window_l, {"window:1"}),
                            (ticket_l, {f"ticket:{mine['id']}", "progress:A"})):
        expected = [e for e in for_rooms(logged, rooms) if e[0] > (tack["seq"] if listener is ticket_l else 0)]
        assert listener.wait_for_log(expected) == expected, rooms
    hall_events = protocol_only(hall_l.snapshot())
    assert_seq_discipline(hall_events, ack["seq"])
    assert hall_events[-1][1]["seq"] == final

    # The changes, as groups of events sharing a seq, in the order they were made.
    expected = [
        ["window.updated", "queue.updated"],                    # window 1 opens (serves A)
        ["window.updated", "queue.updated"],                    # window 2 opens
        ["ticket.issued", "queue.updated"],                     # A001
        ["ticket.issued", "queue.updated"],                     # A002
        ["ticket.called", "window.updated", "queue.updated"],   # A001 to window 1
        ["ticket.updated", "window.updated", "queue.updated"],  # A001 done
        ["ticket.called", "window.updated", "queue.updated"],   # A002 to window 2
        ["ticket.updated", "window.updated", "queue.updated"],  # A002 did not come
    ]
    groups = seq_groups(hall_events)
    assert [sorted(names) for _, names in groups] == [sorted(names) for names in expected], groups
    seqs = [s for s, _ in groups]
    assert seqs == sorted(set(seqs)), seqs  # strictly increasing from change to change

    # Payloads, as the protocol's table says.
    (issued,) = of_ticket(hall_events, mine["id"], "ticket.issued")
    t = issued["ticket"]
    for key in ("id", "number", "queue", "item", "status", "issued_at", "ahead", "estimated_wait_s", "status_url"):
        assert key in t, key
    assert (t["number"], t["queue"], t["status"], t["ahead"]) == ("A001", "A", "waiting", 0)
    (call,) = of_ticket(hall_events, mine["id"], "ticket.called")
    assert call["window"] == "1" and call["recall"] is False and call["window_name"]
    assert call["ticket"]["status"] == "called" and call["ticket"]["window"] == "1"
    (done,) = of_ticket(hall_events, mine["id"], "ticket.updated")
    assert done["ticket"]["status"] == "done"
    (gone,) = of_ticket(hall_events, other["id"], "ticket.updated")
    assert gone["ticket"]["status"] == "no_show"
    windows = [d["window"] for n, d in hall_events if n == "window.updated"]
    assert [(w["id"], w["status"]) for w in windows[:2]] == [("1", "open"), ("2", "open")]
    assert windows[0]["staff"] and windows[0]["current"] is None
    at_call = next(d["window"] for n, d in hall_events if n == "window.updated" and d["seq"] == call["seq"])
    assert at_call["current"]["id"] == mine["id"]
    queues = [d["queue"] for n, d in hall_events if n == "queue.updated"]
    assert all(q["code"] == "A" and {"waiting", "longest_wait_s", "estimate_s"} <= q.keys() for q in queues)
    assert [q["waiting"] for q in queues] == [0, 0, 1, 2, 1, 1, 0, 0]

    # The same change reaches every room with the same seq and payload, but for each room's prev
    # and what only some rooms get: a ticket's follows_case (its window's staff) and case_url (the
    # visitor's own room); the hall never gets either.
    def same(d: dict) -> dict:
        out = {k: v for k, v in d.items() if k != "prev"}
        if isinstance(out.get("ticket"), dict):
            out["ticket"] = {k: v for k, v in out["ticket"].items() if k not in ("follows_case", "case_url")}
        return out

    assert not any({"follows_case", "case_url"} & set(d.get("ticket") or {}) for _, d in hall_events)
    by_key = {(n, d["seq"]): same(d) for n, d in hall_events}
    for listener in (queue_l, window_l, ticket_l):
        for n, d in protocol_only(listener.snapshot()):
            assert by_key[(n, d["seq"])] == same(d), n

    # queue:A: the queue's tickets and counts, no window's state.
    queue_events = protocol_only(queue_l.snapshot())
    assert_seq_discipline(queue_events, qack["seq"])
    assert Counter(n for n, _ in queue_events) == {
        "ticket.issued": 2, "ticket.called": 2, "ticket.updated": 2, "queue.updated": 8,
    }
    # window:1: what happens at window 1 only.
    window_events = protocol_only(window_l.snapshot())
    assert_seq_discipline(window_events, wack["seq"])
    assert [n for n, _ in window_events] == [
        "window.updated", "ticket.called", "window.updated", "ticket.updated", "window.updated",
    ]
    assert all(d["window"]["id"] == "1" for n, d in window_events if n == "window.updated")
    assert all(d["ticket"]["id"] == mine["id"] for n, d in window_events if n.startswith("ticket."))
    # ticket:ID: that ticket's events (and its queue's public progress), nothing of A002's.
    ticket_events = protocol_only(ticket_l.snapshot())
    assert_seq_discipline(ticket_events, tack["seq"])
    assert [n for n, _ in ticket_events if n.startswith("ticket.")] == ["ticket.called", "ticket.updated"]
    assert all(d["ticket"]["id"] == mine["id"] for n, d in ticket_events if n.startswith("ticket."))
    assert {n for n, _ in ticket_events} <= {"ticket.called", "ticket.updated", "queue.updated"}
    assert all(d["queue"]["code"] == "A" for n, d in ticket_events if n == "queue.updated")


def test_rooms_need_a_device_key_or_a_staff_token(demo_server: ServerProcess, listeners):
    api = Api(demo_server)
    password = demo_server.credentials["password"]
    staff = api.login("scjg01", password)
    api.open("1", staff)
    mine = api.take_ok(demo_server.device_key("kiosk-2"), queue="A")

    visitor = listeners(demo_server.url).connect()
    for room in ("hall", "queue:A", "window:1"):
        ack = visitor.subscribe([room])
        assert ack.get("error", {}).get("code") == "forbidden", (room, ack)
        assert "seq" not in ack and "hall" not in ack
    ack = visitor.subscribe([f"ticket:{mine['id']}"])
    assert "error" not in ack and ack["tickets"][mine["id"]]["number"] == mine["number"]
    # A refused subscribe leaves the earlier one as it was.
    assert visitor.subscribe(["hall", f"ticket:{mine['id']}"])["error"]["code"] == "forbidden"
    unknown = visitor.subscribe(["ticket:no-such-ticket"])
    assert unknown["error"]["code"] == "not_found", unknown
    assert visitor.subscribe(["nonsense"])["error"]["code"] == "invalid"

    api.take_ok(demo_server.device_key("kiosk-2"), queue="A")  # someone else's ticket: not the visitor's business
    api.call_next("1", staff)
    final = api.hall(staff)["seq"]
    assert visitor.wait_until(lambda evs: any(n == "ticket.called" for n, _ in evs)), visitor.snapshot()
    assert visitor.wait_seq(final)
    names = [n for n, _ in visitor.snapshot()]
    assert "ticket.issued" not in names and "window.updated" not in names, names
    assert all(d["ticket"]["id"] == mine["id"] for n, d in visitor.snapshot() if n.startswith("ticket."))

    console = listeners(demo_server.url, {"token": token_of(staff)}).connect()
    assert "hall" in console.subscribe(["hall", "queue:A", "window:1"])
    kiosk_device = listeners(demo_server.url, {"device_key": demo_server.device_key("kiosk-2")}).connect()
    assert "queues" in kiosk_device.subscribe(["queue:A"])

    for auth in ({"device_key": "not-a-key"}, {"token": "not-a-token"}):
        refused = Listener(demo_server.url, auth)
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect()
        refused.close()


def test_events_follow_commit_order_under_concurrent_requests(demo_server: ServerProcess, listeners):
    """8 kiosks take 20 numbers each while 2 windows call: the events come in commit order."""
    api = Api(demo_server)
    password = demo_server.credentials["password"]
    staff = {"1": api.login("scjg01", password), "2": api.login("scjg02", password)}
    for window, headers in staff.items():
        api.open(window, headers)
    watcher = listeners(demo_server.url, {"device_key": demo_server.device_key("display-hall")}).connect()
    ack = watcher.subscribe(["hall"])
    kiosk = demo_server.device_key("kiosk-2")
    items = api.items_of("A")

    kiosks, per_kiosk = 8, 20
    start = threading.Barrier(kiosks + len(staff))
    issuing_done = threading.Event()
    issued: list[dict] = []
    calls: list[dict] = []
    failures: list[str] = []
    lock = threading.Lock()

    def take(k: int) -> None:
        try:
            start.wait(30)
            for i in range(per_kiosk):
                t = api.take_ok(kiosk, item=items[(k + i) % len(items)])
                with lock:
                    issued.append(t)
        except Exception as exc:  # reported below, with the others
            failures.append(f"kiosk {k}: {exc!r}")

    def call(window: str) -> None:
        try:
            start.wait(30)
            for _ in range(5000):  # bounded; a round is a call or a short wait for the kiosks
                t = api.call_next(window, staff[window])
                if t is not None:
                    with lock:
                        calls.append(t)
                    finished = api.act(window, "finish", staff[window])
                    assert finished.status_code == 200, finished.text
                elif issuing_done.is_set():
                    return
                else:
                    time.sleep(0.02)  # nothing waits yet: back off instead of spinning
            failures.append(f"window {window}: still calling after 5000 rounds")
        except Exception as exc:
            failures.append(f"window {window}: {exc!r}")

    kiosk_threads = [threading.Thread(target=take, args=(k,)) for k in range(kiosks)]
    window_threads = [threading.Thread(target=call, args=(w,)) for w in staff]
    for t in kiosk_threads + window_threads:
        t.start()
    for t in kiosk_threads:
        t.join(300)
    issuing_done.set()
    for t in window_threads:
        t.join(300)
    assert not failures, failures
    assert len(issued) == kiosks * per_kiosk
    # Every ticket called once (the last call-next of each window came after issuing ended).
    assert sorted(t["id"] for t in calls) == sorted(t["id"] for t in issued)

    final = api.hall(staff["1"])["seq"]
    logged = for_rooms(logged_events(demo_server, ack["seq"], final), {"hall"})
    watcher.wait_for_log(logged, timeout=120)
    events = watcher.snapshot()
    assert_seq_discipline(events, ack["seq"])

    # Numbers of one queue were handed out in commit order, so their events come in number order.
    numbers = [d["ticket"]["number"] for n, d in events if n == "ticket.issued"]
    assert len(numbers) == len(set(numbers)) == kiosks * per_kiosk
    assert numbers == sorted(numbers, key=lambda num: int(num[1:]))
    assert sorted(numbers) == sorted(t["number"] for t in issued)
    called = [d["ticket"]["id"] for n, d in events if n == "ticket.called"]
    assert sorted(called) == sorted(t["id"] for t in calls)
    # Each call's event is its ticket's first call at that window, in the order the windows'
    # current tickets changed: a window's calls arrive in the order its requests returned.
    for window in staff:
        ours = [t["id"] for t in calls if t["window"] == window]
        seen = [d["ticket"]["id"] for n, d in events if n == "ticket.called" and d["window"] == window]
        assert seen == ours

    # Against the event log itself: every change bound for the hall room arrived, once, whole,
    # in seq order, and nothing else did.
    assert [(d["seq"], n) for n, d in events] == logged


def test_a_client_back_from_a_disconnect_resubscribes_to_a_newer_snapshot(demo_server: ServerProcess, listeners):
    api = Api(demo_server)
    staff = api.login("scjg01", demo_server.credentials["password"])
    api.open("1", staff)
    kiosk = demo_server.device_key("kiosk-2")
    display = listeners(demo_server.url, {"device_key": demo_server.device_key("display-hall")}).connect()
    before = display.subscribe(["hall"])
    assert next(q for q in before["hall"]["queues"] if q["code"] == "A")["waiting"] == 0

    display.sio.disconnect()  # the display's network drops...
    away = [api.take_ok(kiosk, queue="A") for _ in range(3)]
    api.call_next("1", staff)  # ...while the hall goes on
    missed = api.hall(staff)["seq"]
    assert missed > before["seq"]

    display.connect()
    after = display.subscribe(["hall"])
    assert after["seq"] >= missed > before["seq"]
    snap = after["hall"]
    assert next(q for q in snap["queues"] if q["code"] == "A")["waiting"] == 2
    assert next(w for w in snap["windows"] if w["id"] == "1")["current"]["id"] == away[0]["id"]
    assert snap["latest_calls"][0]["number"] == away[0]["number"]
    # Nothing of what happened while it was away is replayed; what comes next is newer.
    assert all(d["seq"] <= before["seq"] or d["seq"] > after["seq"] for _, d in display.snapshot())
    newer = api.take_ok(kiosk, queue="A")
    assert display.wait_until(lambda evs: any(n == "ticket.issued" and d["ticket"]["id"] == newer["id"]
                                              for n, d in evs))
    assert [d["seq"] > after["seq"] for n, d in display.snapshot() if n == "ticket.issued"] == [True]


def test_a_key_revoked_from_the_command_line_drops_the_display_of_a_running_server(demo_server: ServerProcess,
                                                                                   listeners):
    """One process, SQLite: the command line is another process; the server hears of it from the
    event log even when nothing else happens in the hall."""
    screen = listeners(demo_server.url, {"device_key": demo_server.device_key("display-hall")}).connect()
    assert "hall" in screen.subscribe(["hall"])
    out = demo_server.cli("device", "revoke", "display-hall")
    assert out.returncode == 0, out.stderr
    assert screen.wait_until(lambda evs: any(n == "session.ended" for n, _ in evs), timeout=10), screen.snapshot()
    deadline = time.monotonic() + 10
    while screen.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not screen.sio.connected
    again = Listener(demo_server.url, {"device_key": demo_server.device_key("display-hall")})
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect()
    again.close()


def test_each_event_names_the_previous_seq_of_each_of_its_rooms(demo_server: ServerProcess, listeners):
    """The gap rule's data: a client holding `hall` can tell a lost event from a quiet room."""
    api = Api(demo_server)
    staff = api.login("scjg01", demo_server.credentials["password"])
    screen = listeners(demo_server.url, {"device_key": demo_server.device_key("display-windows")}).connect()
    ack = screen.subscribe(["hall"])
    assert ack["rooms"] == ["hall"]
    api.open("1", staff)
    api.take_ok(demo_server.device_key("kiosk-2"), queue="A")
    api.call_next("1", staff)
    final = api.hall(staff)["seq"]
    assert screen.wait_seq(final)
    held = ack["seq"]
    for _, data in screen.snapshot():
        assert data["prev"]["hall"] <= held, "a hall event was skipped"
        held = data["seq"]
