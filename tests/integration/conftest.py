"""Fixtures for tests against real `hallq serve` processes.

- `start_server(...)`: a seeded demo hall on SQLite in its own var dir (or an unseeded one on a
  given database), stopped (or killed) after the test.
- `Api`: the HTTP calls the tests make, safe to use from many threads.
- `Listener`: a python-socketio client that records every event in the order the frames arrived.
  python-socketio runs each incoming message's handler in a thread of its own, so the order
  handlers run in is not the order frames arrived in; the listener taps the Engine.IO read loop,
  which sees frames one at a time, in order.
- `pg_url` / `redis_url` (from tests/support/services.py): a fresh PostgreSQL database per test and the
  local Redis; the test is skipped, saying why, only when the service does not answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import engineio
import pytest
import requests
import socketio
from socketio import packet as sio_packet

from tests.support.server_process import ServerProcess
from tests.support.services import pg_url, redis_url  # noqa: F401 - fixtures for these tests

HTTP_TIMEOUT = 60  # a loaded 2-core CI machine is slow; a hang still fails, just later
PASSWORD = "password-it-1"


# -- servers ----------------------------------------------------------------------------------


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """`start_server(name="hall", seed=True, prepare=None, **ServerProcess fields)`; `prepare(server)`
    runs after seeding and before the start."""
    started: list[ServerProcess] = []

    def start(name: str = "hall", *, seed: bool = True, prepare: Callable[[ServerProcess], object] | None = None,
              **kwargs: Any) -> ServerProcess:
        server = ServerProcess(tmp_path / name, **kwargs)
        started.append(server)
        if seed:
            server.seed()
        if prepare is not None:
            prepare(server)
        return server.start(timeout=60)

    yield start
    for server in started:
        server.stop()
        server.kill()


@pytest.fixture
def demo_server(start_server) -> ServerProcess:
    """The seeded demo hall on SQLite, eventlet."""
    return start_server()


class Api:
    """The HTTP side of a running server; every call a fresh connection, so threads share it."""

    def __init__(self, server: ServerProcess, base_url: str | None = None) -> None:
        self.server = server
        self.url = (base_url or server.url) + "/api/v1"
        self._catalog: dict | None = None

    def request(self, method: str, path: str, headers: dict | None = None, **kw: Any) -> requests.Response:
        return requests.request(method, self.url + path, headers=headers, timeout=HTTP_TIMEOUT, **kw)

    @property
    def catalog(self) -> dict:
        if self._catalog is None:
            r = self.request("GET", "/catalog")
            r.raise_for_status()
            self._catalog = r.json()
        return self._catalog

    def items_of(self, queue: str) -> list[str]:
        return [i["code"] for i in self.catalog["items"] if i["queue"] == queue]

    def queues_of(self, window: str) -> list[str]:
        w = next(w for w in self.catalog["windows"] if w["id"] == window)
        return [q["queue"] for q in w["queues"]]

    def login(self, username: str, password: str) -> dict[str, str]:
        r = self.request("POST", "/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def open(self, window: str, staff: dict) -> dict:
        r = self.request("POST", f"/windows/{window}/open", headers=staff)
        assert r.status_code == 200, r.text
        return r.json()["window"]

    def take(self, kiosk_key: str, *, item: str | None = None, queue: str | None = None) -> requests.Response:
        body = {"item": item} if item else {"queue": queue}
        return self.request("POST", "/tickets", headers={"X-Device-Key": kiosk_key}, json=body)

    def take_ok(self, kiosk_key: str, **kw: Any) -> dict:
        r = self.take(kiosk_key, **kw)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    def call_next(self, window: str, staff: dict) -> dict | None:
        r = self.request("POST", f"/windows/{window}/call-next", headers=staff)
        if r.status_code == 204:
            return None
        assert r.status_code == 200, r.text
        return r.json()["ticket"]

    def act(self, window: str, action: str, staff: dict, **body: Any) -> requests.Response:
        return self.request("POST", f"/windows/{window}/{action}", headers=staff, json=body or None)

    def hall(self, staff: dict) -> dict:
        r = self.request("GET", "/hall", headers=staff)
        assert r.status_code == 200, r.text
        return r.json()

    def ticket(self, ticket_id: str) -> requests.Response:
        return self.request("GET", f"/tickets/{ticket_id}")


def new_users(db_url: str, names: list[str], *, role: str = "window") -> None:
    """Staff with no department (they may sign in at any window), written straight into the
    hall's (migrated) database: what `hallq user add` does, without starting a Python per user."""
    from server.app import accounts
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.hallconfig import DEFAULT_CONFIG, load_hall

    engine = make_engine(db_url)
    try:
        svc = Services(hall=load_hall(DEFAULT_CONFIG), engine=engine)
        for name in names:
            accounts.add_user(svc, name, PASSWORD, role)
    finally:
        engine.dispose()


def sqlite_url(server: ServerProcess) -> str:
    return f"sqlite:///{server.var_dir / 'hallq.db'}"


def new_device(server: ServerProcess, name: str, kind: str) -> str:
    out = server.cli("device", "add", name, "--kind", kind)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def db_url_of(server: ServerProcess) -> str:
    return server.db_url or sqlite_url(server)


def logged_events(server: ServerProcess, after: int, upto: int) -> list[tuple[int, str, list[str]]]:
    """(seq, event, rooms) of the changes after..upto in the hall's event log, in emission order.
    SQLite in WAL lets this reader in beside the running server."""
    from sqlalchemy import select

    from server.db.engine import make_engine
    from server.db.tables import event_log

    engine = make_engine(db_url_of(server))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(event_log.c.seq, event_log.c.events)
                .where(event_log.c.seq > after, event_log.c.seq <= upto).order_by(event_log.c.seq)
            ).all()
    finally:
        engine.dispose()
    return [(seq, e["event"], e["rooms"]) for seq, events in rows for e in events]


def db_rows(server: ServerProcess, sql: str, **params: Any) -> list[tuple]:
    from sqlalchemy import text

    from server.db.engine import make_engine

    engine = make_engine(db_url_of(server))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def for_rooms(logged: list[tuple[int, str, list[str]]], rooms: set[str]) -> list[tuple[int, str]]:
    """What a client in `rooms` is sent: each event once, however many of its rooms it is in."""
    return [(seq, name) for seq, name, to in logged if rooms & set(to)]


# -- Socket.IO ---------------------------------------------------------------------------------


class Listener:
    """A python-socketio client recording (event, data) in the order the frames arrived."""

    def __init__(self, url: str, auth: dict | None = None, *, transports: tuple[str, ...] = ("websocket",),
                 reconnection: bool = False, path: str = "socket.io") -> None:
        self.url, self.auth, self.transports, self.path = url, auth, list(transports), path
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1,
                                   handle_sigint=False)
        self.events: list[tuple[str, dict]] = []
        self.connects = 0
        self._cond = threading.Condition()
        tapped = self.sio.eio._receive_packet

        def tap(pkt: engineio.packet.Packet) -> None:
            if pkt.packet_type == engineio.packet.MESSAGE and isinstance(pkt.data, str) and pkt.data[:1] == "2":
                p = sio_packet.Packet(encoded_packet=pkt.data)
                if p.packet_type == sio_packet.EVENT and p.data:
                    with self._cond:
                        self.events.append((p.data[0], p.data[1] if len(p.data) > 1 else None))
                        self._cond.notify_all()
            tapped(pkt)

        self.sio.eio._receive_packet = tap

        @self.sio.on("connect")
        def _connected() -> None:
            with self._cond:
                self.connects += 1
                self._cond.notify_all()

    def connect(self) -> Listener:
        self.sio.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=30,
                         socketio_path=self.path)
        return self

    def subscribe(self, rooms: list[str]) -> dict:
        return self.sio.call("subscribe", {"rooms": rooms}, timeout=60)

    def close(self) -> None:
        if self.sio.connected or self.sio.reconnection:
            self.sio.reconnection = False
            self.sio.disconnect()

    def wait_until(self, predicate: Callable[[list[tuple[str, dict]]], bool], timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.events):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def wait_seq(self, seq: int, timeout: float = 60) -> bool:
        """Until an event of change `seq` (or a later one) has arrived."""
        return self.wait_until(lambda evs: any(d and d.get("seq", 0) >= seq for _, d in evs), timeout)

    def wait_for_log(self, expected: list[tuple[int, str]], timeout: float = 60) -> list[tuple[int, str]]:
        """Until as many events of those seqs have arrived as the log says; returns what arrived."""
        if not expected:
            return []
        lo, hi = expected[0][0], expected[-1][0]

        def received(evs: list[tuple[str, dict]]) -> list[tuple[int, str]]:
            return [(d["seq"], n) for n, d in evs if d and isinstance(d.get("seq"), int) and lo <= d["seq"] <= hi]

        self.wait_until(lambda evs: len(received(evs)) >= len(expected), timeout)
        return received(self.snapshot())

    def wait_connects(self, n: int, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.connects < n or not self.sio.connected:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
            return True

    def snapshot(self) -> list[tuple[str, dict]]:
        with self._cond:
            return list(self.events)


@pytest.fixture
def listeners() -> Iterator[Callable[..., Listener]]:
    made: list[Listener] = []

    def make(url: str, auth: dict | None = None, **kw: Any) -> Listener:
        listener = Listener(url, auth, **kw)
        made.append(listener)
        return listener

    yield make
    # Together: a python-socketio client can take seconds to close against the threading server.
    closing = [threading.Thread(target=listener.close) for listener in made]
    for t in closing:
        t.start()
    for t in closing:
        t.join(30)


def seq_groups(events: list[tuple[str, dict]]) -> list[tuple[int, list[str]]]:
    """[(seq, [event names])] in arrival order, one entry per run of events sharing a seq."""
    groups: list[tuple[int, list[str]]] = []
    for name, data in events:
        seq = data["seq"]
        if groups and groups[-1][0] == seq:
            groups[-1][1].append(name)
        else:
            groups.append((seq, [name]))
    return groups
