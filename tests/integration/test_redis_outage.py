"""Two processes joined by Redis: a Redis outage delays the screens but never leaves them wrong,
and a credential ended through one process drops its sockets on the other.

The displays here are python-socketio clients that follow the documented client rule
(docs/api.md, Socket.IO): apply events newer than their snapshot, take a fresh snapshot on
(re)connect, on a gap in a room's `prev`, and on `resync`.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import engineio
import pytest
import socketio
from socketio import packet as sio_packet

from tests.support.server_process import ServerProcess, free_port

from .conftest import PASSWORD, Api, new_device, new_users

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

OUTAGE_S = 20
WHOLE_WITHIN_S = 5


class OwnRedis:
    """A redis-server of this test's own, on a free port: the shared one is never touched."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        import redis

        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    from shutil import which

    if which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    r = OwnRedis().start()
    yield r
    r.kill()


class Display:
    """A hall screen following the documented client rule, holding what it would show: each
    window's status and current ticket, each queue's waiting count."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, key
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1,
                                   handle_sigint=False)
        self._lock = threading.Lock()
        self.seq = -1
        self.held: dict[str, int] | None = None
        self.waiting: list[tuple[str, dict]] | None = None
        self.windows: dict[str, Any] = {}
        self.queues: dict[str, int] = {}
        self.resyncs = 0
        self._want = threading.Event()
        self._closed = False
        tapped = self.sio.eio._receive_packet

        # Events in the order their frames arrived (python-socketio runs handlers in threads).
        def tap(pkt: engineio.packet.Packet) -> None:
            if pkt.packet_type == engineio.packet.MESSAGE and isinstance(pkt.data, str) and pkt.data[:1] == "2":
                p = sio_packet.Packet(encoded_packet=pkt.data)
                if p.packet_type == sio_packet.EVENT and p.data:
                    self._receive(p.data[0], p.data[1] if len(p.data) > 1 else None)
            tapped(pkt)

        self.sio.eio._receive_packet = tap
        self.sio.on("connect", self._want.set)
        threading.Thread(target=self._work, daemon=True).start()

    def connect(self) -> Display:
        self.sio.connect(self.url, auth={"device_key": self.key}, transports=["websocket"], wait_timeout=30)
        return self

    def close(self) -> None:
        self._closed = True
        self._want.set()
        self.sio.reconnection = False
        self.sio.disconnect()

    def state(self) -> tuple[dict, dict]:
        with self._lock:
            return dict(self.windows), dict(self.queues)

    def _receive(self, name: str, data: Any) -> None:
        with self._lock:
            if name == "resync":
                self.resyncs += 1
                self._want.set()
            elif isinstance(data, dict) and isinstance(data.get("seq"), int):
                if self.waiting is not None:
                    self.waiting.append((name, data))
                else:
                    self._apply(name, data)

    def _apply(self, name: str, data: dict) -> None:
        if data["seq"] <= self.seq:
            return
        missed = False
        for room, prev in (data.get("prev") or {}).items():
            if self.held is not None and room in self.held:
                missed |= prev > self.held[room]
                self.held[room] = max(self.held[room], data["seq"])
        if name == "window.updated":
            self.windows[data["window"]["id"]] = shown_window(data["window"])
        elif name == "queue.updated":
            self.queues[data["queue"]["code"]] = data["queue"]["waiting"]
        if missed:
            self._want.set()

    def _work(self) -> None:
        while not self._closed:
            self._want.wait()
            self._want.clear()
            if self._closed:
                return
            if not self.sio.connected:  # the connect handler runs before the client says so
                time.sleep(0.1)
                self._want.set()
                continue
            with self._lock:
                self.waiting = self.waiting if self.waiting is not None else []
            try:
                ack = self.sio.call("subscribe", {"rooms": ["hall"]}, timeout=10)
            except Exception:  # noqa: BLE001 - not connected or no answer: try again
                self._want.set()
                time.sleep(0.2)
                continue
            with self._lock:
                self.seq = ack["seq"]
                self.held = {room: ack["seq"] for room in ack.get("rooms", ["hall"])}
                self.windows, self.queues = shown(ack["hall"])
                waited, self.waiting = self.waiting or [], None
                for name, data in waited:
                    self._apply(name, data)


def shown_window(w: dict) -> tuple:
    return (w["status"], (w["current"] or {}).get("number"))


def shown(hall: dict) -> tuple[dict, dict]:
    return ({w["id"]: shown_window(w) for w in hall["windows"]}, {q["code"]: q["waiting"] for q in hall["queues"]})


def two_processes(start_server, pg_url: str, mq: str, names: list[str]) -> tuple[ServerProcess, ServerProcess, dict]:
    keys: dict[str, str] = {}

    def prepare(server: ServerProcess) -> None:
        keys["kiosk"] = new_device(server, "kiosk-mq", "kiosk")
        keys["display"] = new_device(server, "display-mq", "display")
        keys["display-b"] = new_device(server, "display-mq-b", "display")
        new_users(pg_url, names)

    common = {"seed": False, "db_url": pg_url, "message_queue": mq}
    a = start_server("a", prepare=prepare, **common)
    b = start_server("b", **common)
    return a, b, keys


def wait_whole(displays: list[Display], api: Api, staff: dict, timeout: float) -> tuple[bool, list]:
    deadline = time.monotonic() + timeout
    while True:
        truth = shown(api.hall(staff))
        wrong = [i for i, d in enumerate(displays) if d.state() != truth]
        if not wrong or time.monotonic() > deadline:
            return not wrong, [(i, displays[i].state(), truth) for i in wrong]
        time.sleep(0.1)


def test_a_redis_outage_delays_the_screens_but_leaves_none_wrong(start_server, pg_url, own_redis):
    windows = ["1", "2", "3", "4"]
    names = [f"w{w}" for w in windows]
    a, b, keys = two_processes(start_server, pg_url, own_redis.url, names)
    api_a, api_b = Api(a), Api(b)
    staff = {w: ((api_a, api_a.login(n, PASSWORD)) if int(w) <= 2 else (api_b, api_b.login(n, PASSWORD)))
             for w, n in zip(windows, names, strict=True)}
    for w, (api, headers) in staff.items():
        api.open(w, headers)
    queues = sorted({q for w in windows for q in api_a.queues_of(w)})
    displays = [Display(s.url, keys["display"]).connect() for s in (a, a, b, b)]
    manager = staff["1"][1]
    try:
        ok, wrong = wait_whole(displays, api_a, manager, 30)
        assert ok, f"displays never whole before the outage: {wrong}"

        def activity(rounds: int, pause: float) -> int:
            done = 0
            for i in range(rounds):
                api = (api_a, api_b)[i % 2]
                api.take_ok(keys["kiosk"], queue=queues[i % len(queues)])
                w = windows[i % len(windows)]
                wapi, headers = staff[w]
                if wapi.call_next(w, headers) is not None:
                    assert wapi.act(w, "finish", headers).status_code == 200
                done += 1
                time.sleep(pause)
            return done

        activity(4, 0)
        own_redis.kill()
        down_at = time.monotonic()
        calls = 0
        while time.monotonic() - down_at < OUTAGE_S:  # calls during the whole outage
            calls += activity(2, 0.3)
        own_redis.start()
        back_at = time.monotonic()
        calls += activity(4, 0)
        ok, wrong = wait_whole(displays, api_a, manager, WHOLE_WITHIN_S - (time.monotonic() - back_at))
        assert ok, f"{len(wrong)} display(s) still wrong {WHOLE_WITHIN_S} s after Redis came back: {wrong}"
        assert calls > 20
        # The displays on B heard that they had to resync (or saw the gap themselves).
        assert any(d.resyncs for d in displays[2:]) or all(d.state() == displays[0].state() for d in displays)
    finally:
        for d in displays:
            d.close()


def test_a_credential_ended_through_one_process_drops_its_sockets_on_the_other(start_server, pg_url, redis_url):
    a, b, keys = two_processes(start_server, pg_url, redis_url, ["wendy", "walt"])
    api_a, api_b = Api(a), Api(b)
    token = api_a.login("wendy", PASSWORD)["Authorization"].split()[1]
    other = api_a.login("walt", PASSWORD)["Authorization"].split()[1]
    clients: list[socketio.Client] = []
    ended: dict[int, threading.Event] = {}

    def connect(server: ServerProcess, auth: dict) -> socketio.Client:
        c = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1, handle_sigint=False)
        gone = ended[id(c)] = threading.Event()
        c.on("disconnect", lambda *_: gone.set())
        c.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=30)
        assert "hall" in c.call("subscribe", {"rooms": ["hall"]}, timeout=30)
        clients.append(c)
        return c

    try:
        # Made first: a process joined by Redis listens once its first client connects.
        walt = connect(b, {"token": other})
        screen = connect(b, {"device_key": keys["display-b"]})
        console = connect(b, {"token": token})
        assert api_a.request("POST", "/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
        assert ended[id(console)].wait(10), "the signed-out console on the other process kept its socket"
        out = a.cli("device", "revoke", "display-mq-b")
        assert out.returncode == 0, out.stderr
        assert ended[id(screen)].wait(10), "the revoked display on the other process kept its socket"
        # Refused when they try again, and the others stay.
        for c, auth in ((console, {"token": token}), (screen, {"device_key": keys["display-b"]})):
            c.reconnection = False
            with pytest.raises(socketio.exceptions.ConnectionError):
                c.connect(b.url, auth=auth, transports=["websocket"], wait_timeout=10)
        assert walt.connected and not ended[id(walt)].is_set()
        assert api_b.request("GET", "/hall", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    finally:
        for c in clients:
            c.reconnection = False
            if c.connected:
                c.disconnect()
