"""Load generators: HTTP clients in worker processes and raw Socket.IO clients by the hundred.

Every loop here is bounded twice, by a count and by a deadline, and talks to 127.0.0.1 only.

HTTP: each simulated kiosk or window is a thread with its own `requests.Session` (keep-alive),
and the threads are spread over a few processes so the GIL of one client process never becomes
the bottleneck being measured. Workers connect, report ready, and start together on a signal.

Socket.IO: a display is one raw WebSocket (Engine.IO 4 / Socket.IO 5 framing by hand after
websocket-client's handshake), a few hundred per process in one `selectors` loop. Each frame is
timestamped the moment it is read and only the events being measured are decoded, at the end,
so a client process spends microseconds per message and can keep up with a thousand displays on
a 2-core machine. Times are `time.monotonic()`, one clock for every process of the machine.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import queue
import resource
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

CTX = mp.get_context("spawn")
URL_PREFIX = "http://127.0.0.1:"


def raise_file_limit() -> int:
    """Hundreds of sockets per process: lift the soft open-file limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 65536
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def _local(url: str) -> str:
    if not url.startswith(URL_PREFIX):
        raise ValueError(f"the bench only talks to 127.0.0.1, not {url}")
    return url


# -- HTTP workers ----------------------------------------------------------------------------


@dataclass
class HttpJob:
    """One simulated client. kind "post": POST `path` with `bodies` in turn (a kiosk, or the bare
    app); kind "window": loop call-next + finish at window `window` until none waits."""

    kind: str
    base_url: str
    headers: dict[str, str]
    path: str = ""
    bodies: list[dict] = field(default_factory=list)
    window: str = ""
    expect: int = 201
    max_requests: int = 100_000
    # Open loop ("post" only): send every `interval_s`, starting `offset_s` after the go, whatever
    # the answers' pace; a request's latency then counts from when it was due, so a server that
    # falls behind is charged for the wait it causes (no coordinated omission).
    interval_s: float = 0.0
    offset_s: float = 0.0


@dataclass
class JobResult:
    kind: str
    latencies: list[float] = field(default_factory=list)  # seconds: POST, or call-next
    ends: list[float] = field(default_factory=list)  # when each of those answered
    finish_latencies: list[float] = field(default_factory=list)
    called: list[str] = field(default_factory=list)  # ticket ids a window was handed
    errors: dict[str, int] = field(default_factory=dict)
    first_start: float = 0.0
    last_end: float = 0.0
    emptied_at: float | None = None  # a window got 204: nothing left for it


def _run_job(job: HttpJob, session: Any, go: Any, deadline_s: float) -> JobResult:
    res = JobResult(job.kind)
    go.wait(120)
    end = time.monotonic() + deadline_s
    res.first_start = time.monotonic()
    n = 0
    if job.kind == "post":
        url = job.base_url + job.path
        while n < job.max_requests and time.monotonic() < end:
            body = job.bodies[n % len(job.bodies)] if job.bodies else {}
            t0 = time.monotonic()
            if job.interval_s:
                due = res.first_start + job.offset_s + n * job.interval_s
                if due >= end:
                    break
                if due > t0:
                    time.sleep(due - t0)
                t0 = due
            try:
                r = session.post(url, json=body, headers=job.headers, timeout=30)
                status = str(r.status_code)
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                status = type(exc).__name__
            t1 = time.monotonic()
            n += 1
            if status == str(job.expect):
                res.latencies.append(t1 - t0)
                res.ends.append(t1)
            else:
                res.errors[status] = res.errors.get(status, 0) + 1
            res.last_end = t1
        return res
    base = f"{job.base_url}/api/v1/windows/{job.window}"
    misses = 0
    while n < job.max_requests and time.monotonic() < end and misses < 50:
        t0 = time.monotonic()
        try:
            r = session.post(base + "/call-next", headers=job.headers, timeout=30)
            status = r.status_code
        except Exception as exc:  # noqa: BLE001
            res.errors[type(exc).__name__] = res.errors.get(type(exc).__name__, 0) + 1
            misses += 1
            continue
        t1 = time.monotonic()
        n += 1
        res.last_end = t1
        if status == 204:
            res.emptied_at = t1
            break
        if status != 200:
            res.errors[f"call {status}"] = res.errors.get(f"call {status}", 0) + 1
            misses += 1
            time.sleep(0.01)
            continue
        res.latencies.append(t1 - t0)
        res.ends.append(t1)
        res.called.append(r.json()["ticket"]["id"])
        t2 = time.monotonic()
        try:
            r = session.post(base + "/finish", headers=job.headers, json={}, timeout=30)
            status = r.status_code
        except Exception as exc:  # noqa: BLE001
            status = type(exc).__name__
        t3 = time.monotonic()
        res.last_end = t3
        if status == 200:
            res.finish_latencies.append(t3 - t2)
        else:
            res.errors[f"finish {status}"] = res.errors.get(f"finish {status}", 0) + 1
            misses += 1
    return res


def _http_process(jobs: list[HttpJob], deadline_s: float, ready: Any, go: Any, out: Any) -> None:
    import requests

    raise_file_limit()
    sessions = []
    for job in jobs:
        s = requests.Session()
        s.get(_local(job.base_url) + "/healthz", timeout=10)  # open the keep-alive connection now
        sessions.append(s)
    results: list[JobResult | None] = [None] * len(jobs)

    def one(i: int) -> None:
        results[i] = _run_job(jobs[i], sessions[i], go, deadline_s)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(jobs))]
    for t in threads:
        t.start()
    ready.put(os.getpid())
    for t in threads:
        t.join(deadline_s + 120)
    out.put([r for r in results if r is not None])


def run_http(jobs: list[HttpJob], *, procs: int, deadline_s: float) -> list[JobResult]:
    """Run the jobs as threads spread over `procs` processes, all starting at once."""
    procs = max(1, min(procs, len(jobs)))
    ready, out, go = CTX.Queue(), CTX.Queue(), CTX.Event()
    groups = [jobs[i::procs] for i in range(procs)]
    workers = [CTX.Process(target=_http_process, args=(g, deadline_s, ready, go, out), daemon=True)
               for g in groups]
    for w in workers:
        w.start()
    try:
        deadline = time.monotonic() + 180
        waiting = len(workers)
        while waiting:
            try:
                ready.get(timeout=1)
                waiting -= 1
            except queue.Empty:
                if time.monotonic() > deadline or any(w.exitcode not in (None, 0) for w in workers):
                    raise RuntimeError("HTTP load workers failed to start") from None
        go.set()
        results: list[JobResult] = []
        for _ in workers:
            results += out.get(timeout=deadline_s + 180)
        return results
    finally:
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.kill()


# -- Socket.IO displays ----------------------------------------------------------------------


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


# -- CPU accounting --------------------------------------------------------------------------

CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def _machine_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over all cores."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals) - idle) / CLK, sum(vals) / CLK


class CpuMeter:
    """CPU used by the servers under test, by our own load processes, and by everything else.

    The machine may be shared: "others" (busy CPU not ours) says how much of it was taken by
    work outside the bench while a figure was measured."""

    def __init__(self, pids: list[int], client_pids: list[int] | None = None) -> None:
        """`pids`: the servers measured; `client_pids`: our own load processes still running."""
        self.pids = pids
        self.client_pids = client_pids or []
        self.clients0 = [proc_cpu_s(p) for p in self.client_pids]
        self.t0 = time.monotonic()
        self.servers0 = [proc_cpu_s(p) for p in pids]
        self.busy0, self.total0 = _machine_s()
        self.ours0 = self._ours()

    @staticmethod
    def _ours() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def stop(self) -> dict[str, float]:
        wall = max(1e-9, time.monotonic() - self.t0)
        server = sum(proc_cpu_s(p) - s0 for p, s0 in zip(self.pids, self.servers0, strict=True))
        busy, _ = _machine_s()
        clients = sum(proc_cpu_s(p) - c0 for p, c0 in zip(self.client_pids, self.clients0, strict=True))
        ours = self._ours() - self.ours0 + server + clients
        return {
            "wall_s": round(wall, 2),
            "server_cpu_s": round(server, 3),
            "server_cores": round(server / wall, 2),
            "machine_busy_cores": round((busy - self.busy0) / wall, 2),
            "others_cores": round(max(0.0, (busy - self.busy0) - ours) / wall, 2),
        }
