"""Hall screens for the tests of two processes on PostgreSQL (a Redis outage, a database outage):
python-socketio clients that follow the documented client rule (docs/api.md, Socket.IO): apply
events newer than their snapshot, take a fresh snapshot on (re)connect, on a gap in a room's
`prev`, and on `resync`; and what each would show, compared with the hall's truth."""

from __future__ import annotations

import threading
import time
from typing import Any

import engineio
import socketio
from socketio import packet as sio_packet

from tests.support.server_process import ServerProcess

from .conftest import PASSWORD, Api, new_device, new_users


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


def open_on_both(a: ServerProcess, b: ServerProcess, windows: list[str], names: list[str]
                 ) -> tuple[Api, Api, dict[str, tuple[Api, dict]], list[str]]:
    """Each of `names` signs in and opens its window, the first half through `a`, the rest
    through `b`: the two APIs, each window's (API, staff headers), and the queues they serve."""
    api_a, api_b = Api(a), Api(b)
    half = len(windows) // 2
    staff = {w: ((api_a, api_a.login(n, PASSWORD)) if i < half else (api_b, api_b.login(n, PASSWORD)))
             for i, (w, n) in enumerate(zip(windows, names, strict=True))}
    for w, (api, headers) in staff.items():
        api.open(w, headers)
    return api_a, api_b, staff, sorted({q for w in windows for q in api_a.queues_of(w)})
