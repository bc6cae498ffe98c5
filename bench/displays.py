"""Socket.IO load: displays by the hundred, each one raw WebSocket.

A display is one raw WebSocket (Engine.IO 4 / Socket.IO 5 framing by hand after
websocket-client's handshake), a few hundred per process in one `selectors` loop. Each frame is
timestamped the moment it is read and only the events being measured are decoded, at the end,
so a client process spends microseconds per message and can keep up with a thousand displays on
a 2-core machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import struct
import time
from typing import Any

from bench.load import CTX, raise_file_limit


def _ws_frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455 5.3: every client frame is masked)."""
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class _Conn:
    """One display: a buffer of bytes read and a parser of the server's (unmasked) frames."""

    __slots__ = ("sock", "buf", "frames")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.frames = 0

    def feed(self, data: bytes, now: float, want: bytes, hits: list, out: list) -> None:
        self.buf += data
        buf = self.buf
        while len(buf) >= 2:
            b1 = buf[1] & 0x7F
            pos = 2
            if b1 == 126:
                if len(buf) < 4:
                    return
                b1 = struct.unpack_from("!H", buf, 2)[0]
                pos = 4
            elif b1 == 127:
                if len(buf) < 10:
                    return
                b1 = struct.unpack_from("!Q", buf, 2)[0]
                pos = 10
            if len(buf) < pos + b1:
                return
            opcode = buf[0] & 0x0F
            payload = bytes(buf[pos:pos + b1])
            del buf[:pos + b1]
            self.frames += 1
            if opcode == 1:
                if payload == b"2":  # Engine.IO ping: answer pong or the server drops us
                    out.append(self.sock)
                elif payload.startswith(want):
                    hits.append((now, payload))


def _handshake(port: int, auth: dict, rooms: list[str]) -> socket.socket:
    import websocket

    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=30)
    opened = ws.recv()
    if not str(opened).startswith("0"):
        raise RuntimeError(f"unexpected Engine.IO open {opened!r}")
    ws.send("40" + json.dumps(auth))
    while True:
        msg = str(ws.recv())
        if msg == "2":
            ws.send("3")
        elif msg.startswith("40"):
            break
        elif msg.startswith("44"):
            raise RuntimeError(f"connection refused: {msg}")
    ws.send('420["subscribe",' + json.dumps({"rooms": rooms}) + "]")
    while True:
        msg = str(ws.recv())
        if msg == "2":
            ws.send("3")
        elif msg.startswith("430"):
            if '"error"' in msg[:200]:
                raise RuntimeError(f"subscribe refused: {msg[:200]}")
            break
    # websocket-client reads the handshake byte by byte and frames exactly, so nothing of what
    # follows is buffered inside it: from here on the raw socket is ours.
    sock = ws.sock
    sock.setblocking(False)
    return sock


def _display_process(port: int, auth: dict, rooms: list[str], n: int, event: str, ctrl: Any,
                     deadline_s: float) -> None:
    raise_file_limit()
    conns: list[_Conn] = []
    errors: dict[str, int] = {}
    sel = selectors.DefaultSelector()
    want = b'42["' + event.encode() + b'"'
    hits: list[tuple[float, bytes]] = []
    pong = _ws_frame("3")
    closed = 0

    def pump(timeout: float) -> bool:
        """Read what is there; False when the orchestrator said stop."""
        nonlocal closed
        go_on = True
        for key, _ in sel.select(timeout=timeout):
            c = key.data
            if c is None:
                go_on = ctrl.recv() != "stop"
                continue
            try:
                data = c.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            now = time.monotonic()
            if not data:
                sel.unregister(c.sock)
                closed += 1
                continue
            pongs: list[socket.socket] = []
            c.feed(data, now, want, hits, pongs)
            for s in pongs:
                with contextlib.suppress(OSError):
                    s.send(pong)
        return go_on

    # Connect one at a time (a reconnect storm, as after a server restart), answering the pings
    # of the displays already connected in between: a slow subscribe must not time them out.
    subscribe_s: list[float] = []
    end = time.monotonic() + deadline_s
    for _ in range(n):
        if time.monotonic() > end:
            break
        t0 = time.monotonic()
        try:
            c = _Conn(_handshake(port, auth, rooms))
        except Exception as exc:  # noqa: BLE001 - reported to the orchestrator
            key = f"{type(exc).__name__}: {str(exc)[:80]}"
            errors[key] = errors.get(key, 0) + 1
            continue
        subscribe_s.append(time.monotonic() - t0)
        conns.append(c)
        sel.register(c.sock, selectors.EVENT_READ, c)
        pump(0)
    ctrl.send(("ready", len(conns), errors, subscribe_s))
    sel.register(ctrl, selectors.EVENT_READ, None)
    while time.monotonic() < end and pump(1.0):
        pass
    received = []
    for t, payload in hits:
        try:
            data = json.loads(payload[2:])[1]
            received.append((data["ticket"]["id"], t))
        except (ValueError, KeyError, IndexError, TypeError):
            errors["undecodable event"] = errors.get("undecodable event", 0) + 1
    frames = sum(c.frames for c in conns)
    for c in conns:
        with contextlib.suppress(OSError):
            c.sock.close()
    ctrl.send(("done", received, frames, closed, errors))


class Displays:
    """`n` displays subscribed to `rooms`, in `procs` processes, recording when `event` arrives."""

    def __init__(self, port: int, auth: dict, rooms: list[str], event: str, *, deadline_s: float = 600) -> None:
        self.port, self.auth, self.rooms, self.event, self.deadline_s = port, auth, rooms, event, deadline_s
        self.workers: list[tuple[Any, Any]] = []
        self.connected = 0
        self.errors: dict[str, int] = {}
        self.subscribe_s: list[float] = []  # connect + subscribe (ack with snapshot), per display
        self.connect_wall_s = 0.0

    def add(self, n: int, procs: int) -> int:
        """Connect `n` more displays over `procs` new processes; returns how many are connected."""
        started = []
        t0 = time.monotonic()
        for i in range(procs):
            share = n // procs + (1 if i < n % procs else 0)
            if share == 0:
                continue
            mine, theirs = CTX.Pipe()
            p = CTX.Process(target=_display_process,
                            args=(self.port, self.auth, self.rooms, share, self.event, theirs, self.deadline_s),
                            daemon=True)
            p.start()
            started.append((p, mine))
        for _p, conn in started:
            if not conn.poll(300):
                raise RuntimeError("display clients did not connect within 300 s")
            _, ok, errors, subscribe_s = conn.recv()
            self.connected += ok
            self.subscribe_s += subscribe_s
            for k, v in errors.items():
                self.errors[k] = self.errors.get(k, 0) + v
        self.workers += started
        self.connect_wall_s += time.monotonic() - t0
        return self.connected

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self.workers]

    def collect(self) -> tuple[list[tuple[str, float]], int, int]:
        """Stop every client; returns (ticket id, receive time) pairs, frames read, sockets closed."""
        received: list[tuple[str, float]] = []
        frames = closed = 0
        for _, conn in self.workers:
            conn.send("stop")
        for p, conn in self.workers:
            if conn.poll(120):
                _, got, f, c, errors = conn.recv()
                received += got
                frames += f
                closed += c
                for k, v in errors.items():
                    self.errors[k] = self.errors.get(k, 0) + v
            p.join(10)
            if p.is_alive():
                p.kill()
        self.workers = []
        return received, frames, closed
