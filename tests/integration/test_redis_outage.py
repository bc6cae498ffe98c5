"""Two processes joined by Redis: a Redis outage delays the screens but never leaves them wrong,
and a credential ended through one process drops its sockets on the other.

The displays (screens.py) are python-socketio clients that follow the documented client rule
(docs/api.md, Socket.IO): apply events newer than their snapshot, take a fresh snapshot on
(re)connect, on a gap in a room's `prev`, and on `resync`.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import socketio

from tests.support.server_process import ServerProcess, free_port

from .conftest import PASSWORD, Api
from .screens import Display, open_on_both, two_processes, wait_whole

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


def test_a_redis_outage_delays_the_screens_but_leaves_none_wrong(start_server, pg_url, own_redis):
    windows = ["1", "2", "3", "4"]
    names = [f"w{w}" for w in windows]
    a, b, keys = two_processes(start_server, pg_url, own_redis.url, names)
    api_a, api_b, staff, queues = open_on_both(a, b, windows, names)
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
