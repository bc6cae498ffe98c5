"""A server killed with -9 loses nothing; SIGTERM stops it promptly; a taken port is refused.

The database is the truth: whatever a client was told (a 201 with a number, a window's ticket)
was committed before the answer went out, so a restart on the same var dir finds it all, and
numbering and the event seq go on from there.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import pytest
import requests

from tests.support.server_process import HALLQ, REPO, ServerProcess

from .conftest import Api, db_rows

pytestmark = pytest.mark.slow


def numbers_in_db(server: ServerProcess, queue: str) -> list[int]:
    rows = db_rows(server, "SELECT seq_no FROM tickets WHERE queue = :q ORDER BY seq_no", q=queue)
    return [r[0] for r in rows]


def assert_event_log_gapless(server: ServerProcess) -> int:
    seqs = [r[0] for r in db_rows(server, "SELECT seq FROM event_log ORDER BY seq")]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "the event log has a gap"
    return seqs[-1]


def test_kill_9_right_after_a_burst_loses_nothing(demo_server: ServerProcess, listeners):
    api = Api(demo_server)
    password = demo_server.credentials["password"]
    staff = {"1": api.login("scjg01", password), "2": api.login("scjg02", password)}
    for window, headers in staff.items():
        api.open(window, headers)
    kiosk = demo_server.device_key("kiosk-2")
    display_key = {"device_key": demo_server.device_key("display-hall")}
    display = listeners(demo_server.url, display_key, reconnection=True).connect()
    display.subscribe(["hall"])

    kiosks, per_kiosk, calls_per_window = 4, 10, 5
    start = threading.Barrier(kiosks + len(staff))
    issued: list[dict] = []
    called: dict[str, list[dict]] = {w: [] for w in staff}
    failures: list[str] = []

    def take() -> None:
        try:
            start.wait(30)
            for _ in range(per_kiosk):
                issued.append(api.take_ok(kiosk, queue="A"))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    def call(window: str) -> None:
        """Calls and finishes, except the last ticket, which stays at the window."""
        try:
            start.wait(30)
            for i in range(calls_per_window):
                for _ in range(200):  # bounded: the kiosks' first tickets come within moments
                    t = api.call_next(window, staff[window])
                    if t is not None:
                        break
                    time.sleep(0.05)
                assert t is not None, "nothing to call"
                called[window].append(t)
                if i < calls_per_window - 1:
                    r = api.act(window, "finish", staff[window])
                    assert r.status_code == 200, r.text
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=take) for _ in range(kiosks)]
    threads += [threading.Thread(target=call, args=(w,)) for w in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not failures, failures
    before = api.hall(staff["1"])
    assert len(issued) == kiosks * per_kiosk

    demo_server.kill()
    demo_server.start(timeout=60)  # same var dir, same port

    after = api.hall(staff["1"])  # the staff's tokens survive too
    assert after["seq"] >= before["seq"]
    for t in issued:
        r = api.ticket(t["id"])
        assert r.status_code == 200, (t["number"], r.text)
        again = r.json()["ticket"]
        assert (again["number"], again["queue"]) == (t["number"], t["queue"])
    for w in ("1", "2"):
        was = next(x for x in before["windows"] if x["id"] == w)
        now = next(x for x in after["windows"] if x["id"] == w)
        assert (now["status"], now["staff"], now["current"]) == (was["status"], was["staff"], was["current"])
        assert now["current"]["id"] == called[w][-1]["id"]
    assert {q["code"]: q["waiting"] for q in after["queues"]} == {q["code"]: q["waiting"] for q in before["queues"]}
    assert next(q for q in after["queues"] if q["code"] == "A")["waiting"] == kiosks * per_kiosk - 2 * calls_per_window
    assert numbers_in_db(demo_server, "A") == list(range(1, kiosks * per_kiosk + 1))

    # Numbering goes on without a gap or a repeat; so does the event seq.
    last_seq = assert_event_log_gapless(demo_server)
    assert last_seq == after["seq"]
    nxt = api.take_ok(kiosk, queue="A")
    assert nxt["number"] == f"A{kiosks * per_kiosk + 1:03d}"
    # The display came back by itself; resubscribed, it is whole again and then follows on.
    assert display.wait_connects(2, timeout=60), "the display never reconnected"
    ack = display.subscribe(["hall"])
    assert ack["seq"] > before["seq"]
    assert next(q for q in ack["hall"]["queues"] if q["code"] == "A")["issued_today"] == kiosks * per_kiosk + 1
    newest = api.take_ok(kiosk, queue="A")
    assert display.wait_until(lambda evs: any(n == "ticket.issued" and d["ticket"]["id"] == newest["id"]
                                              for n, d in evs))
    got = next(d for n, d in display.snapshot() if n == "ticket.issued" and d["ticket"]["id"] == newest["id"])
    assert got["seq"] > ack["seq"] > last_seq


def test_kill_9_in_the_middle_of_issuing_leaves_no_gap(demo_server: ServerProcess):
    api = Api(demo_server)
    api.open("1", api.login("scjg01", demo_server.credentials["password"]))
    kiosk = demo_server.device_key("kiosk-2")
    start = threading.Barrier(6)
    answered: list[dict] = []
    enough = threading.Event()
    lock = threading.Lock()

    def take() -> None:
        start.wait(30)
        for _ in range(100):  # bounded; ends at the first refused connection after the kill
            try:
                t = api.take_ok(kiosk, queue="A")
            except (requests.RequestException, AssertionError):
                return
            with lock:
                answered.append(t)
                if len(answered) >= 40:
                    enough.set()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    assert enough.wait(120), "the kiosks never got 40 numbers"
    demo_server.kill()  # requests are in flight now
    for t in threads:
        t.join(120)
    demo_server.start(timeout=60)

    for t in answered:
        again = api.ticket(t["id"]).json()["ticket"]
        assert again["number"] == t["number"]
    numbers = numbers_in_db(demo_server, "A")
    # Some tickets may have committed with their answer lost in the kill; none is missing.
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= len(answered)
    assert api.take_ok(kiosk, queue="A")["number"] == f"A{len(numbers) + 1:03d}"
    assert_event_log_gapless(demo_server)


@pytest.mark.parametrize("async_mode", ["eventlet", "threading"])
def test_sigterm_stops_promptly_with_clients_connected_and_requests_in_flight(start_server, listeners, async_mode):
    server = start_server(async_mode=async_mode)
    api = Api(server)
    api.open("1", api.login("scjg01", server.credentials["password"]))
    kiosk = server.device_key("kiosk-2")
    keep_alive = requests.Session()
    for _ in range(3):
        assert keep_alive.get(f"{server.url}/api/v1/catalog", timeout=60).ok
    display = {"device_key": server.device_key("display-hall")}
    # Long-polling clients hold a request open for up to ping_interval + ping_timeout.
    for transports in (("websocket",), ("polling",), ("polling",)):
        listeners(server.url, display, transports=transports).connect().subscribe(["hall"])

    stop = threading.Event()
    answered: list[dict] = []

    def load() -> None:
        for _ in range(500):  # bounded; ends when the server is gone
            if stop.is_set():
                return
            try:
                answered.append(api.take_ok(kiosk, queue="A"))
            except (requests.RequestException, AssertionError):
                return

    threads = [threading.Thread(target=load) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(answered) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)

    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(30)
    took = time.monotonic() - began
    stop.set()
    for t in threads:
        t.join(60)
    keep_alive.close()
    log = server.log_text()
    assert code == 0, log
    assert took < 6, f"SIGTERM took {took:.1f} s\n{log}"
    assert "HallQ stopped" in log and "exiting now" not in log, log  # the orderly way, not the watchdog

    server.start(timeout=60)
    for t in answered:
        assert api.ticket(t["id"]).json()["ticket"]["number"] == t["number"]
    numbers = numbers_in_db(server, "A")
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_second_server_on_a_taken_port_refuses_to_start(demo_server: ServerProcess, tmp_path):
    env = {**demo_server._env(), "HALLQ_VAR": str(tmp_path / "second")}
    out = subprocess.run([*HALLQ, "serve", "--port", str(demo_server.port), "--any-hours"], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert f"port {demo_server.port}" in out.stderr and "taken" in out.stderr, out.stderr
    assert requests.get(f"{demo_server.url}/healthz", timeout=30).ok  # the first one serves on, alone
