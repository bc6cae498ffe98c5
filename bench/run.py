"""HallQ's benchmark: `python -m bench.run [--quick]` (or `make bench`).

Every figure is measured against a bare Flask-SocketIO app (bench/bare_app.py) run in the same
run on the same machine, and printed as a ratio to it:

1. ticket issuance, 1 and 8 concurrent kiosks (SQLite);
2. call-next + finish with 30 windows at once (SQLite);
3. from the HTTP response of a call to `ticket.called` reaching N displays subscribed to "hall"
   (N = 100, 1000; SQLite), against the bare app broadcasting one event to as many clients;
4. call-next from 30 windows (12 with --quick) across three `hallq serve` processes on PostgreSQL
   + Redis, every ticket checked to have been handed out once, against three bare apps;
5. (full run only) server CPU per ticket and per call as the number of waiting tickets grows;
6. issuance at 8 kiosks with five managers' boards (Socket.IO clients in `hall` with a manager's
   token) connected, against the same with none: the ratio of the two rates (issue 11: the board
   must not slow issuing).

Alongside each figure it prints the server's CPU time per request (robust on a shared machine)
and how much CPU other work on the machine took meanwhile, so a noisy run shows as one.

Everything runs on 127.0.0.1 in a fresh temporary directory and a fresh PostgreSQL database,
both removed at the end; the results go to bench/results/ (git-ignored) as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.load import CpuMeter, Displays, HttpJob, JobResult, raise_file_limit, run_http
from bench.stats import fmt, ratio, summary_ms, table
from tests.support.server_process import REPO, ServerProcess, free_port

PASSWORD = "bench-password-1"
WINDOWS = [str(i) for i in range(1, 31)]
BROADCAST_WINDOW = "1"  # serves queue A only
PACED_SHARE = 0.4  # issuance's paced phase: this share of the bare app's rate at 8 kiosks


@dataclass
class Plan:
    issue_s: float
    windows_s: float
    calls: int
    displays: tuple[int, ...]
    pg_s: float
    pg_processes: int
    pg_tickets: int
    pg_windows: int
    backlog_steps: tuple[int, ...]

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(issue_s=3, windows_s=3, calls=6, displays=(100, 1000), pg_s=4, pg_processes=3,
                       pg_tickets=300, pg_windows=12, backlog_steps=())
        return cls(issue_s=10, windows_s=10, calls=20, displays=(100, 1000), pg_s=10, pg_processes=3,
                   pg_tickets=1500, pg_windows=30,
                   backlog_steps=(250, 1000, 2000, 3000))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- processes -------------------------------------------------------------------------------


class BareApp:
    def __init__(self, work: Path, db_url: str, message_queue: str | None = None) -> None:
        self.port = free_port()
        self.db_url = db_url
        self.message_queue = message_queue
        self.log_path = work / f"bare-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def start(self) -> BareApp:
        args = [sys.executable, "-m", "bench.bare_app", "--port", str(self.port), "--db", self.db_url]
        if self.message_queue:
            args += ["--message-queue", self.message_queue]
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        _wait_healthy(self.url, self.proc, self.log_path)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _cli_ok(sp: ServerProcess, *args: str, stdin: str | None = None) -> str:
    out = sp.cli(*args, stdin=stdin)
    if out.returncode != 0:
        raise RuntimeError(f"hallq {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def add_staff_and_devices(sp: ServerProcess, windows: list[str]) -> dict[str, str]:
    """A window user per window, with no department (they may sign in anywhere), a kiosk and a
    display, all through the `hallq` command line."""
    _cli_ok(sp, "db", "upgrade")  # before the parallel adds, so they never race to migrate
    names = [f"bench-w{w.zfill(2)}" for w in windows]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda n: _cli_ok(sp, "user", "add", n, "--role", "window", stdin=PASSWORD + "\n"), names))
    keys = {}
    _cli_ok(sp, "user", "add", "bench-manager", "--role", "manager", stdin=PASSWORD + "\n")
    for name, kind in (("bench-kiosk", "kiosk"), ("bench-display", "display")):
        keys[kind] = _cli_ok(sp, "device", "add", name, "--kind", kind).strip().splitlines()[-1]
    return keys


def open_windows(urls: list[str], windows: list[str], db_url: str | None = None
                 ) -> tuple[dict[str, dict[str, str]], bool]:
    """Sign each bench user in and open its window; window i goes to urls[(i-1) % len].

    Returns the staff headers by window and whether tokens had to be minted in the database
    because sign-in itself failed (a server bug the report names, not something to hide)."""
    headers: dict[str, dict[str, str]] = {}
    minted = False
    for i, w in enumerate(windows):
        url = urls[i % len(urls)]
        username = f"bench-w{w.zfill(2)}"
        r = requests.post(f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
        if r.status_code >= 500 and db_url and db_url.startswith("postgresql"):
            token = mint_token(db_url, username)
            minted = True
        else:
            r.raise_for_status()
            token = r.json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        requests.post(f"{url}/api/v1/windows/{w}/open", headers=h, timeout=30).raise_for_status()
        headers[w] = h
    if minted:
        log("WARNING: POST /api/v1/auth/login answered 500 on PostgreSQL; tokens were minted in the database")
    return headers, minted


def mint_token(db_url: str, username: str) -> str:
    """A bearer token written the way server.app.accounts.login writes one (SHA-256 of 256 bits)."""
    import hashlib
    import secrets

    import psycopg

    token = secrets.token_urlsafe(32)
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO tokens (hash, user_id, created_at, expires_at) "
            "SELECT %s, id, now(), now() + interval '12 hours' FROM users WHERE username = %s",
            (hashlib.sha256(token.encode()).hexdigest(), username),
        )
    return token


def queue_mix(config: Path, windows: list[str]) -> list[dict]:
    """Queue codes in the proportion these windows call them, so every window has work."""
    from server.hallconfig import load_hall

    hall = load_hall(config)
    demand: dict[str, float] = defaultdict(float)
    for w in hall.windows:
        if w.id not in windows:
            continue
        total = sum(sq.weight for sq in w.queues)
        for sq in w.queues:
            demand[sq.queue] += sq.weight / total
    bodies = []
    for q, d in sorted(demand.items()):
        bodies += [{"queue": q}] * max(1, round(d * 6))
    # interleave so consecutive requests go to different queues
    return [bodies[i] for i in sorted(range(len(bodies)), key=lambda i: (i * 7919) % len(bodies))]


# -- measurements ----------------------------------------------------------------------------


def merged(results: list[JobResult]) -> dict[str, Any]:
    lat = [x for r in results for x in r.latencies]
    fin = [x for r in results for x in r.finish_latencies]
    errors: Counter[str] = Counter()
    for r in results:
        errors.update(r.errors)
    start = min((r.first_start for r in results), default=0.0)
    end = max((r.last_end for r in results), default=0.0)
    emptied = sorted(r.emptied_at for r in results if r.emptied_at)
    # A window whose queues ran dry stops; the rate counts until half the clients had stopped,
    # so a few idle windows never stretch the run (with 15 or more calling the server is busy).
    horizon = emptied[len(results) // 2 - 1] if len(emptied) >= max(1, len(results) // 2) else end
    done = sum(1 for r in results for t in r.ends if t <= horizon)
    return {
        "count": len(lat), "requests": len(lat) + len(fin) + sum(errors.values()),
        "elapsed_s": round(end - start, 3), "rate": done / max(1e-9, horizon - start),
        "latency_ms": summary_ms(lat), "finish_ms": summary_ms(fin), "errors": dict(errors),
        "emptied_windows": len(emptied), "called": [t for r in results for t in r.called],
    }


def issuance(plan: Plan, hq: ServerProcess, bare: BareApp, kiosk_key: str, mix: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kiosks in (1, 8):
        procs = min(kiosks, 4)
        log(f"issuance, {kiosks} kiosk(s): bare app")
        bjobs = [HttpJob("post", bare.url, {}, path="/tickets", bodies=[{"queue": "A"}]) for _ in range(kiosks)]
        b = metered([bare.pid], lambda jobs=bjobs, p=procs: run_http(jobs, procs=p, deadline_s=plan.issue_s))
        log(f"issuance, {kiosks} kiosk(s): HallQ")
        hjobs = [HttpJob("post", hq.url, {"X-Device-Key": kiosk_key}, path="/api/v1/tickets",
                         bodies=mix[k % len(mix):] + mix[:k % len(mix)]) for k in range(kiosks)]
        h = metered([hq.proc.pid], lambda jobs=hjobs, p=procs: run_http(jobs, procs=p, deadline_s=plan.issue_s))
        out[str(kiosks)] = {"hallq": _no_ids(h), "bare": _no_ids(b)}
    # The target's pairing of a rate with a p99: eight kiosks issuing together at 40% of the bare
    # app's flat-out rate, each on its own schedule, and the latency the visitors then see.
    rate = PACED_SHARE * out["8"]["bare"]["rate"]
    interval = 8 / rate
    paced: dict[str, Any] = {"rate_asked": rate}
    for name, pid, url, headers, path in (("bare", bare.pid, bare.url, {}, "/tickets"),
                                          ("hallq", hq.proc.pid, hq.url, {"X-Device-Key": kiosk_key},
                                           "/api/v1/tickets")):
        log(f"issuance, 8 kiosks at {rate:.0f} tickets/s together: {name}")
        jobs = [HttpJob("post", url, headers, path=path, interval_s=interval, offset_s=k * interval / 8,
                        bodies=[{"queue": "A"}] if name == "bare" else mix[k % len(mix):] + mix[:k % len(mix)])
                for k in range(8)]
        paced[name] = _no_ids(metered([pid], lambda jobs=jobs: run_http(jobs, procs=4, deadline_s=plan.issue_s)))
    out["paced"] = paced
    out["waiting_after"] = waiting_count(hq)
    return out


BOARDS = 5


def boards(plan: Plan, hq: ServerProcess, kiosk_key: str, mix: list[dict]) -> dict[str, Any]:
    """Eight kiosks issuing with no board open, then with five managers' boards in the `hall` room
    (each receives every ticket.issued, queue.updated and window.updated), then none again: the rate
    with boards over the mean of the two without, so the backlog each load leaves biases neither side."""
    r = requests.post(f"{hq.url}/api/v1/auth/login", json={"username": "bench-manager", "password": PASSWORD},
                      timeout=30)
    r.raise_for_status()
    token = r.json()["token"]

    def load() -> dict[str, Any]:
        jobs = [HttpJob("post", hq.url, {"X-Device-Key": kiosk_key}, path="/api/v1/tickets",
                        bodies=mix[k % len(mix):] + mix[:k % len(mix)]) for k in range(8)]
        return _no_ids(metered([hq.proc.pid], lambda: run_http(jobs, procs=4, deadline_s=plan.issue_s)))

    log("issuance, 8 kiosks, no board connected")
    none = load()
    boards_on = Displays(hq.port, {"token": token}, ["hall"], "ticket.issued")
    connected = boards_on.add(BOARDS, 1)
    log(f"issuance, 8 kiosks, {connected} boards connected")
    try:
        five = load()
    finally:
        received, _, _ = boards_on.collect()
    log("issuance, 8 kiosks, no board connected again")
    after = load()
    base = (none["rate"] + after["rate"]) / 2
    return {"none": none, "none_after": after, "boards": five, "connected": connected,
            "events_received": len(received), "ratio": five["rate"] / max(1e-9, base)}


def metered(pids: list[int], fn: Any) -> dict[str, Any]:
    """Run an HTTP load, and add the servers' CPU per request and the machine's other load."""
    meter = CpuMeter(pids)
    m = merged(fn())
    cpu = meter.stop()
    cpu["server_cpu_ms_per_request"] = round(cpu["server_cpu_s"] * 1000 / max(1, m["requests"]), 2)
    return {**m, "cpu": cpu}


def waiting_count(sp: ServerProcess) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(sp.var_dir / "hallq.db") as conn:
        return dict(conn.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall())


def _no_ids(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k != "called"}


def windows_sqlite(plan: Plan, hq: ServerProcess, bare: BareApp, staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    log("30 windows calling at once: HallQ")
    waiting = waiting_count(hq).get("waiting", 0)
    jobs = [HttpJob("window", hq.url, staff[w], window=w) for w in WINDOWS]
    h = metered([hq.proc.pid], lambda: run_http(jobs, procs=3, deadline_s=plan.windows_s))
    dupes = [t for t, n in Counter(h["called"]).items() if n > 1]
    log("30 clients posting at once: bare app")
    bjobs = [HttpJob("post", bare.url, {}, path="/tickets", bodies=[{"queue": "A"}]) for _ in WINDOWS]
    b = metered([bare.pid], lambda: run_http(bjobs, procs=3, deadline_s=plan.windows_s))
    return {"hallq": {**_no_ids(h), "duplicates": len(dupes)}, "bare": _no_ids(b), "waiting_at_start": waiting}


def _issue(url: str, key: str, queue: str, n: int) -> None:
    with requests.Session() as s:
        for _ in range(n):
            s.post(f"{url}/api/v1/tickets", json={"queue": queue}, headers={"X-Device-Key": key},
                   timeout=30).raise_for_status()


def broadcast(plan: Plan, hq: ServerProcess, bare: BareApp, kiosk_key: str, display_key: str,
              staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The bare app first, then HallQ: N displays join "hall"; calls are made one at a time, far
    enough apart that every display has its event before the next call."""
    out: dict[str, Any] = {}
    h = staff[BROADCAST_WINDOW]
    call_url = f"{hq.url}/api/v1/windows/{BROADCAST_WINDOW}"
    requests.post(call_url + "/finish", headers=h, json={}, timeout=30)  # in case the last loop left one
    _issue(hq.url, kiosk_key, "A", plan.calls * len(plan.displays) + 5)

    def hq_call(s: requests.Session) -> str:
        r = s.post(call_url + "/call-next", headers=h, timeout=30)
        r.raise_for_status()
        return r.json()["ticket"]["id"]

    def hq_after(s: requests.Session) -> None:
        s.post(call_url + "/finish", headers=h, json={}, timeout=30).raise_for_status()

    def bare_call(s: requests.Session) -> str:
        r = s.post(bare.url + "/tickets", json={"event": "ticket.called"}, timeout=30)
        r.raise_for_status()
        return r.json()["ticket"]["id"]

    for name, url, pid, auth, call, after in (
        ("bare", bare.url, bare.pid, {}, bare_call, None),
        ("hallq", hq.url, hq.proc.pid, {"device_key": display_key}, hq_call, hq_after),
    ):
        displays = Displays(int(url.rsplit(":", 1)[1]), auth, ["hall"], "ticket.called")
        calls: dict[int, list[tuple[str, float, float]]] = {}
        cpu: dict[int, dict] = {}
        joining: dict[int, dict] = {}
        try:
            have = 0
            for n in plan.displays:
                log(f"broadcast to {n} displays: {name} (connecting)")
                before, wall = len(displays.subscribe_s), displays.connect_wall_s
                have = displays.add(n - have, procs=max(1, round((n - have) / 250)))
                joining[n] = {"subscribe_ms": summary_ms(displays.subscribe_s[before:]),
                              "connect_wall_s": round(displays.connect_wall_s - wall, 2),
                              "added": len(displays.subscribe_s) - before}
                gap = 0.15 + n * 0.0004  # several times the slowest delivery seen here
                calls[n] = []
                log(f"broadcast to {have} displays: {name} ({plan.calls} calls)")
                with requests.Session() as s:
                    s.get(url + "/healthz", timeout=10)
                    time.sleep(1.0)
                    meter = CpuMeter([pid], displays.pids)
                    for _ in range(plan.calls):
                        t0 = time.monotonic()
                        tid = call(s)
                        t1 = time.monotonic()
                        calls[n].append((tid, t0, t1))
                        time.sleep(gap)
                        if after:
                            after(s)
                            time.sleep(gap)
                    cpu[n] = meter.stop()
        finally:
            received, frames, closed = displays.collect()
        by_ticket: dict[str, list[float]] = defaultdict(list)
        for tid, t in received:
            by_ticket[tid].append(t)
        for n, made in calls.items():
            lat, from_req, http, last = [], [], [], []
            for tid, t0, t1 in made:
                got = by_ticket.get(tid, [])
                lat += [t - t1 for t in got]
                from_req += [t - t0 for t in got]
                http.append(t1 - t0)
                if got:
                    last.append(max(got) - t1)
            expected = min(n, displays.connected)
            out.setdefault(str(n), {})[name] = {
                "displays": expected, "calls": len(made), "deliveries": len(lat),
                "missing": expected * len(made) - len(lat),
                "latency_ms": summary_ms(lat), "from_request_ms": summary_ms(from_req), "http_ms": summary_ms(http),
                "last_display_ms": summary_ms(last), "cpu": cpu.get(n, {}), "joining": joining.get(n, {}),
                "frames": frames, "closed": closed, "errors": dict(displays.errors),
            }
    return out


# -- cost against the backlog ----------------------------------------------------------------


def backlog(plan: Plan, work: Path, mix: list[dict]) -> dict[str, Any]:
    """Server CPU per ticket issued and per call + finish as the number of waiting tickets grows,
    on a fresh SQLite hall with one kiosk and one window calling (no concurrency: pure cost)."""
    from bench.load import proc_cpu_s

    sp = ServerProcess(work / "backlog", extra_args=["--no-speech"])
    sp.var_dir.mkdir(parents=True)
    _cli_ok(sp, "db", "upgrade")
    _cli_ok(sp, "user", "add", "bench-w01", "--role", "window", stdin=PASSWORD + "\n")
    kiosk = {"X-Device-Key": _cli_ok(sp, "device", "add", "bench-kiosk", "--kind", "kiosk").strip().splitlines()[-1]}
    steps = []
    with ExitStack() as stack:
        sp.start()
        stack.callback(sp.stop)
        s = stack.enter_context(requests.Session())
        token = s.post(f"{sp.url}/api/v1/auth/login", json={"username": "bench-w01", "password": PASSWORD},
                       timeout=30).json()["token"]
        staff = {"Authorization": f"Bearer {token}"}
        for w in WINDOWS:  # one member of staff may open them all; every queue then issues
            s.post(f"{sp.url}/api/v1/windows/{w}/open", headers=staff, timeout=30).raise_for_status()
        pid = sp.proc.pid
        issued = 0
        for target in plan.backlog_steps:
            log(f"backlog: issuing up to {target} tickets with one kiosk")
            c0, t0, n0 = proc_cpu_s(pid), time.monotonic(), issued
            while issued < target:
                s.post(f"{sp.url}/api/v1/tickets", json=mix[issued % len(mix)], headers=kiosk,
                       timeout=30).raise_for_status()
                issued += 1
            n = max(1, issued - n0)
            step = {"waiting": issued, "issue_cpu_ms": round((proc_cpu_s(pid) - c0) * 1000 / n, 2),
                    "issue_wall_ms": round((time.monotonic() - t0) * 1000 / n, 2)}
            for _ in range(35):  # work for window 1 (queue A), not counted above
                s.post(f"{sp.url}/api/v1/tickets", json={"queue": "A"}, headers=kiosk, timeout=30).raise_for_status()
            c0, t0, pairs = proc_cpu_s(pid), time.monotonic(), 0
            for _ in range(30):
                r = s.post(f"{sp.url}/api/v1/windows/1/call-next", headers=staff, timeout=30)
                if r.status_code != 200:
                    break
                s.post(f"{sp.url}/api/v1/windows/1/finish", headers=staff, json={}, timeout=30).raise_for_status()
                pairs += 1
            step |= {"call_finish_cpu_ms": round((proc_cpu_s(pid) - c0) * 1000 / max(1, pairs), 2),
                     "call_finish_wall_ms": round((time.monotonic() - t0) * 1000 / max(1, pairs), 2)}
            steps.append(step)
    return {"steps": steps}


# -- PostgreSQL ------------------------------------------------------------------------------


def pg_admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/test", autocommit=True) as conn:
        conn.execute(sql)


class PgWaits:
    """Samples what the database's backends are doing every 50 ms: running, or waiting on what
    (a row lock held by another transaction, the client, the WAL flush ...)."""

    def __init__(self, db_url: str) -> None:
        import threading

        self.db_url = db_url
        self.samples: Counter[str] = Counter()
        self.n = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PgWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        dbname = self.db_url.rsplit("/", 1)[1]
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            deadline = time.monotonic() + 600
            while not self._stop.is_set() and time.monotonic() < deadline:
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    (dbname,),
                ).fetchall()
                self.n += 1
                for state, wtype, wevent, query in rows:
                    if state == "idle":
                        key = "idle (waiting for its client)"
                    elif state == "idle in transaction":
                        key = "idle in transaction (waiting for its client)"
                    elif wtype == "Lock":  # which statement waits for a row another transaction holds
                        key = f"{state}: waiting on {wtype}/{wevent} in {' '.join(query.split())[:48]}"
                    elif wtype:
                        key = f"{state}: waiting on {wtype}/{wevent}"
                    else:
                        key = f"{state}: running"
                    self.samples[key] += 1
                self._stop.wait(0.05)

    def summary(self) -> dict[str, float]:
        """Average number of backends in each state over the samples."""
        return {k: round(v / max(1, self.n), 2) for k, v in self.samples.most_common(8)}


def postgres(plan: Plan, work: Path, servers: list[ServerProcess], keys: dict[str, str], redis_url: str
             ) -> dict[str, Any]:
    import psycopg

    db_url = servers[0].db_url or ""
    with ExitStack() as stack:
        log(f"PostgreSQL: {len(servers)} hallq serve processes joined by {redis_url}")
        for sp in servers:
            sp.start()  # one at a time: each upgrades the database on start
            stack.callback(sp.stop)
        urls = [sp.url for sp in servers]
        pids = [sp.proc.pid for sp in servers]
        windows = WINDOWS[:plan.pg_windows]
        mix = queue_mix(REPO / "config" / "hall.toml", windows)
        staff, minted = open_windows(urls, windows, db_url)
        # One display on the first process: calls made on every process reach it through the
        # publisher's leader and Redis.
        displays = Displays(servers[0].port, {"device_key": keys["display"]}, ["hall"], "ticket.called")
        displays.add(1, procs=1)
        log(f"PostgreSQL: issuing up to {plan.pg_tickets} tickets through {len(urls)} processes")
        per = plan.pg_tickets // 12 + 1
        kjobs = [HttpJob("post", urls[k % len(urls)], {"X-Device-Key": keys["kiosk"]}, path="/api/v1/tickets",
                         bodies=mix[k % len(mix):] + mix[:k % len(mix)], max_requests=per) for k in range(12)]
        issued = metered(pids, lambda: run_http(kjobs, procs=3, deadline_s=30.0))
        log(f"PostgreSQL: {len(windows)} windows on {len(urls)} processes calling at once")
        jobs = [HttpJob("window", urls[i % len(urls)], staff[w], window=w) for i, w in enumerate(windows)]
        with PgWaits(db_url) as waits:
            h = metered(pids, lambda: run_http(jobs, procs=3, deadline_s=plan.pg_s))
        time.sleep(1.0)
        received, _, _ = displays.collect()
        called = h["called"]
        with psycopg.connect(db_url) as conn:
            twice = conn.execute(
                "SELECT count(*) FROM (SELECT ticket_id FROM ticket_calls GROUP BY ticket_id HAVING count(*) > 1) d"
            ).fetchone()[0]
            calls_rows = conn.execute("SELECT count(*) FROM ticket_calls").fetchone()[0]
            done = conn.execute("SELECT count(*) FROM tickets WHERE status = 'done'").fetchone()[0]
            # every ticket a window got answered with is a called-and-finished ticket in the database
            known = {r[0] for r in conn.execute("SELECT ticket_id FROM ticket_calls")}
    log(f"PostgreSQL: bare app, {len(servers)} processes, {len(windows)} clients posting at once")
    with ExitStack() as stack:
        bares = []
        for _ in servers:
            b = BareApp(work, db_url, redis_url).start()  # one at a time: the first creates its table
            stack.callback(b.stop)
            bares.append(b)
        bjobs = [HttpJob("post", bares[i % len(bares)].url, {}, path="/tickets", bodies=[{"queue": "A"}])
                 for i in range(len(windows))]
        b = metered([x.pid for x in bares], lambda: run_http(bjobs, procs=3, deadline_s=plan.pg_s))
    return {
        "processes": len(servers), "windows": len(windows), "tokens_minted_because_login_failed": minted,
        "issued": _no_ids(issued),
        "hallq": {
            **_no_ids(h),
            "duplicates_in_responses": len(called) - len(set(called)),
            "tickets_called_twice_in_db": twice, "call_rows": calls_rows, "done": done,
            "answered_but_not_in_db": len(set(called) - known),
            "events_at_display": len({t for t, _ in received} & set(called)),
            "pg_backends": waits.summary(),
            "display_errors": displays.errors,
        },
        "bare": _no_ids(b),
    }


# -- report ----------------------------------------------------------------------------------


def _issuance_rows(label: str, h: dict[str, Any], b: dict[str, Any], *, rate_ratio: bool) -> list[list[str]]:
    """Rate, p50, p99, CPU and errors of one issuance load; the rate's ratio only where the load
    was flat out (a paced load's rate is the schedule's)."""
    rows = [[label, "tickets/s", fmt(h["rate"]), fmt(b["rate"]), ratio(h["rate"], b["rate"]) if rate_ratio else ""]]
    for p in ("p50", "p99"):
        rows.append(["", f"{p} ms", fmt(h["latency_ms"][p]), fmt(b["latency_ms"][p]),
                     ratio(h["latency_ms"][p], b["latency_ms"][p])])
    rows += _cpu_rows("", h, b)
    if h["errors"] or b["errors"]:
        rows.append(["", "errors", str(h["errors"]), str(b["errors"]), ""])
    return rows


def _cpu_rows(label: str, h: dict[str, Any], b: dict[str, Any]) -> list[list[str]]:
    hc, bc = h.get("cpu", {}), b.get("cpu", {})
    return [
        [label, "server CPU ms/request", fmt(hc.get("server_cpu_ms_per_request"), 2),
         fmt(bc.get("server_cpu_ms_per_request"), 2),
         ratio(hc.get("server_cpu_ms_per_request"), bc.get("server_cpu_ms_per_request"))],
        ["", "other work on the machine (cores)", fmt(hc.get("others_cores"), 2), fmt(bc.get("others_cores"), 2), ""],
    ]


def report(res: dict[str, Any]) -> str:
    out = []
    cols = ["", "figure", "HallQ", "bare", "HallQ/bare"]
    if "issuance" in res:
        rows = []
        for k in ("1", "8"):
            v = res["issuance"][k]
            rows += _issuance_rows(f"{k} kiosk{'s' if k != '1' else ''}", v["hallq"], v["bare"], rate_ratio=True)
        if "paced" in res["issuance"]:
            v = res["issuance"]["paced"]
            rows += _issuance_rows(f"8 kiosks, {fmt(v['rate_asked'])}/s", v["hallq"], v["bare"], rate_ratio=False)
        waiting = res["issuance"].get("waiting_after", {}).get("waiting", 0)
        out += ["Ticket issuance, SQLite: POST /api/v1/tickets vs the bare app's insert + commit + emit "
                f"(hall empty at the start, {waiting} tickets waiting at the end; 1 and 8 kiosks flat out, "
                f"then 8 kiosks together at {PACED_SHARE:.0%} of the bare app's rate, latency from when each "
                "ticket was due)", table(cols, rows)]
    if "windows" in res:
        h, b = res["windows"]["hallq"], res["windows"]["bare"]
        rows = [
            ["30 clients", "calls/s (bare: posts/s)", fmt(h["rate"]), fmt(b["rate"]), ratio(h["rate"], b["rate"])],
            ["", "call-next p50 ms", fmt(h["latency_ms"]["p50"]), fmt(b["latency_ms"]["p50"]),
             ratio(h["latency_ms"]["p50"], b["latency_ms"]["p50"])],
            ["", "call-next p99 ms", fmt(h["latency_ms"]["p99"]), fmt(b["latency_ms"]["p99"]),
             ratio(h["latency_ms"]["p99"], b["latency_ms"]["p99"])],
            ["", "finish p50 / p99 ms", f"{fmt(h['finish_ms']['p50'])} / {fmt(h['finish_ms']['p99'])}", "", ""],
            ["", "calls; handed out twice; errors", f"{h['count']}; {h['duplicates']}; {h['errors'] or 0}",
             f"{b['count']}; -; {b['errors'] or 0}", ""],
            *_cpu_rows("", h, b),
        ]
        out += ["", "30 windows each looping call-next + finish, SQLite (bare: 30 clients posting; "
                f"{res['windows'].get('waiting_at_start', '?')} tickets waiting at the start)", table(cols, rows)]
    if "broadcast" in res:
        rows = []
        for n, v in res["broadcast"].items():
            h, b = v["hallq"], v["bare"]
            for p in ("p50", "p99", "max"):
                rows.append([f"{n} displays" if p == "p50" else "", f"{p} ms", fmt(h["latency_ms"][p]),
                             fmt(b["latency_ms"][p]), ratio(h["latency_ms"][p], b["latency_ms"][p])])
            rows.append(["", "p99 ms from sending the call", fmt(h["from_request_ms"]["p99"]),
                         fmt(b["from_request_ms"]["p99"]),
                         ratio(h["from_request_ms"]["p99"], b["from_request_ms"]["p99"])])
            rows.append(["", "HTTP p50 ms of the call", fmt(h["http_ms"]["p50"]), fmt(b["http_ms"]["p50"]),
                         ratio(h["http_ms"]["p50"], b["http_ms"]["p50"])])
            rows.append(["", "deliveries (missing)", f"{h['deliveries']} ({h['missing']})",
                         f"{b['deliveries']} ({b['missing']})", ""])
            rows.append(["", "other work on the machine (cores)", fmt(h["cpu"].get("others_cores"), 2),
                         fmt(b["cpu"].get("others_cores"), 2), ""])
            hj, bj = h.get("joining", {}), b.get("joining", {})
            if hj and bj:
                rows.append(["", f"joining: {hj['added']} connect + subscribe, p50 / p99 ms",
                             f"{fmt(hj['subscribe_ms']['p50'])} / {fmt(hj['subscribe_ms']['p99'])}",
                             f"{fmt(bj['subscribe_ms']['p50'])} / {fmt(bj['subscribe_ms']['p99'])}", ""])
                rows.append(["", "joining: wall time for all of them, s", fmt(hj["connect_wall_s"]),
                             fmt(bj["connect_wall_s"]), ratio(hj["connect_wall_s"], bj["connect_wall_s"])])
        out += ["", "A call reaching N displays subscribed to hall: ticket.called receive time minus the call's "
                "HTTP response time, SQLite (bare: one event broadcast)", table(cols, rows)]
    if "postgres" in res:
        v = res["postgres"]
        h, b = v["hallq"], v["bare"]
        rows = [
            [f"{v.get('windows', 30)} clients", "calls/s (bare: posts/s)", fmt(h["rate"]), fmt(b["rate"]),
             ratio(h["rate"], b["rate"])],
            ["", "call-next p50 / p99 ms", f"{fmt(h['latency_ms']['p50'])} / {fmt(h['latency_ms']['p99'])}",
             f"{fmt(b['latency_ms']['p50'])} / {fmt(b['latency_ms']['p99'])}", ""],
            ["", "finish p50 / p99 ms", f"{fmt(h['finish_ms']['p50'])} / {fmt(h['finish_ms']['p99'])}", "", ""],
            ["", "calls made", fmt(h["count"]), fmt(b["count"]), ""],
            ["", "handed out twice (responses / database)",
             f"{h['duplicates_in_responses']} / {h['tickets_called_twice_in_db']}", "", ""],
            ["", "calls seen by a display on process 1", f"{h['events_at_display']} of {h['count']}", "", ""],
            ["", "errors", str(h["errors"] or 0), str(b["errors"] or 0), ""],
            *_cpu_rows("", h, b),
            *[["", f"PostgreSQL backends {k}", fmt(n, 2), "", ""] for k, n in h.get("pg_backends", {}).items()],
        ]
        note = " (sign-in failed: tokens minted in the database)" if v.get("tokens_minted_because_login_failed") else ""
        nw = v.get("windows", 30)
        out += ["", f"{nw} windows on {v['processes']} processes, PostgreSQL + Redis "
                f"(bare: {v['processes']} processes, {nw} clients posting){note}", table(cols, rows)]
    if "backlog" in res:
        rows = [[fmt(x["waiting"]), fmt(x["issue_cpu_ms"], 2), fmt(x["issue_wall_ms"], 2),
                 fmt(x["call_finish_cpu_ms"], 2), fmt(x["call_finish_wall_ms"], 2)] for x in res["backlog"]["steps"]]
        out += ["", "Cost against the backlog: one kiosk, then one window, no concurrency, SQLite",
                table(["tickets waiting", "issue: server CPU ms", "issue: wall ms", "call + finish: server CPU ms",
                       "call + finish: wall ms"], rows)]
    for name, why in res.get("failed", {}).items():
        out += ["", f"phase {name} FAILED: {why}"]
    out += ["", "Targets", table(["target", "figure", "met"], targets(res) + _boards_target(res))]
    return "\n".join(out)


def targets(res: dict[str, Any]) -> list[list[str]]:
    rows = [[f"phase {name}", "failed", "NO"] for name in res.get("failed", {})]
    if "issuance" in res:
        h, b = res["issuance"]["8"]["hallq"], res["issuance"]["8"]["bare"]
        share = h["rate"] / b["rate"] if b["rate"] else 0
        p99 = h["latency_ms"]["p99"] or 1e9
        rows.append(["issuance at 8 kiosks >= 40% of bare", f"{share:.0%}", _yes(share >= 0.4)])
        if "paced" in res["issuance"]:
            v = res["issuance"]["paced"]
            paced99 = v["hallq"]["latency_ms"]["p99"] or 1e9
            kept = v["hallq"]["rate"] >= 0.95 * v["rate_asked"] and not v["hallq"]["errors"]
            rows.append([f"issuance p99 < 50 ms, 8 kiosks at 40% of bare ({fmt(v['rate_asked'])}/s)",
                         f"{fmt(paced99)} ms", _yes(paced99 < 50 and kept)])
        rows.append(["  (p99 at 8 kiosks flat out, for comparison)", f"{fmt(p99)} ms", _yes(p99 < 50)])
    if "broadcast" in res and "1000" in res["broadcast"]:
        h, b = res["broadcast"]["1000"]["hallq"], res["broadcast"]["1000"]["bare"]
        hp, bp = h["latency_ms"]["p99"] or 1e9, b["latency_ms"]["p99"] or 1e-9
        rows.append(["1000 displays p99 < 1.5x bare", f"{hp / bp:.2f}x", _yes(hp < 1.5 * bp)])
        rows.append(["1000 displays p99 < 150 ms", f"{fmt(hp)} ms", _yes(hp < 150)])
        rows.append(["1000 displays: every event delivered", f"{h['missing']} missing", _yes(h["missing"] == 0)])
    if "postgres" in res:
        h = res["postgres"]["hallq"]
        rows.append(["PostgreSQL call-next > 1,000 calls/s", f"{fmt(h['rate'])}/s", _yes(h["rate"] > 1000)])
        # A call is two requests (call-next, finish): half the bare app's posts/s is what this
        # machine allows an app that does nothing but one insert, commit and emit per request.
        bare = res["postgres"]["bare"]["rate"]
        rows.append(["  (the bare app on this machine: posts/s / 2)", f"{fmt(bare / 2)}/s", _yes(bare / 2 > 1000)])
        dup = h["duplicates_in_responses"] + h["tickets_called_twice_in_db"]
        rows.append(["PostgreSQL: no ticket handed out twice", f"{dup} duplicates", _yes(dup == 0)])
    return rows


def boards_report(res: dict[str, Any]) -> list[str]:
    if "boards" not in res:
        return []
    v = res["boards"]
    return ["", "", f"Issuance at 8 kiosks with {v['connected']} managers' boards connected vs none (SQLite): "
            f"{fmt(v['boards']['rate'])}/s vs {fmt(v['none']['rate'])}/s and "
            f"{fmt(v['none_after']['rate'])}/s, ratio {v['ratio']:.2f}; "
            f"p99 {fmt(v['boards']['latency_ms'].get('p99'))} ms vs {fmt(v['none']['latency_ms'].get('p99'))} ms; "
            f"{v['events_received']} ticket.issued events reached the boards"]


def _boards_target(res: dict[str, Any]) -> list[list[str]]:
    if "boards" not in res:
        return []
    ratio = res["boards"]["ratio"]
    return [["issuance with 5 boards >= 90% of none", f"{ratio:.0%}", _yes(ratio >= 0.9)]]


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


# -- main ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "0")
    pkgs = ("flask", "flask-socketio", "python-socketio", "python-engineio", "eventlet", "sqlalchemy", "psycopg",
            "redis", "requests", "websocket-client")
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
        return out.stdout.strip()

    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                            text=True, timeout=30).stdout
    dirty = [ln[3:] for ln in status.splitlines() if ln.strip()]
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(int(mem) / 1024 / 1024, 1),
            "python": sys.version.split()[0], "packages": {p: version(p) for p in pkgs},
            "commit": git("rev-parse", "--short", "HEAD"), "uncommitted": dirty}


def phase(res: dict[str, Any], name: str, fn: Any) -> None:
    """Run one measurement; a failure is reported with the others' figures, not instead of them."""
    try:
        res[name] = fn()
    except Exception as exc:  # noqa: BLE001
        import traceback

        log(f"phase {name} failed: {exc}")
        traceback.print_exc()
        res.setdefault("failed", {})[name] = f"{type(exc).__name__}: {exc}"


def wait_for_quiet(limit_s: float, busy_cores: float = 0.5) -> float:
    """Wait (at most `limit_s`) until other work uses less than `busy_cores`; returns what it uses."""
    deadline = time.monotonic() + limit_s
    while True:
        meter = CpuMeter([])
        time.sleep(3)
        busy = meter.stop()["machine_busy_cores"]
        if busy < busy_cores or time.monotonic() > deadline:
            return busy
        log(f"the machine is busy with other work ({busy:.1f} cores); waiting for it to calm down")


def setup(work: Path, pg_base: str, redis_url: str, phases: set[str], pg_processes: int, pg_windows: int, dbname: str
          ) -> tuple[ServerProcess | None, dict[str, str], list[ServerProcess], dict[str, str]]:
    """Accounts for both databases at once, before anything is measured (about 30 CLI runs each)."""
    hq: ServerProcess | None = None
    servers: list[ServerProcess] = []
    jobs = []
    if phases & {"issuance", "windows", "broadcast", "boards"}:
        hq = ServerProcess(work / "sqlite", extra_args=["--no-speech"])
        hq.var_dir.mkdir(parents=True)
        jobs.append(("sqlite", hq, WINDOWS))
    if "postgres" in phases:
        pg_admin(pg_base, f'CREATE DATABASE "{dbname}"')
        servers = [ServerProcess(work / f"pg{i}", db_url=f"{pg_base}/{dbname}", message_queue=redis_url,
                                 extra_args=["--no-speech"]) for i in range(pg_processes)]
        jobs.append(("pg", servers[0], WINDOWS[:pg_windows]))
    log(f"setting up accounts ({', '.join(j[0] for j in jobs)}) in {work}")
    with ThreadPoolExecutor(len(jobs) or 1) as pool:
        found = dict(zip([j[0] for j in jobs], pool.map(lambda j: add_staff_and_devices(j[1], j[2]), jobs),
                         strict=True))
    return hq, found.get("sqlite", {}), servers, found.get("pg", {})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description="HallQ's benchmark against a bare app")
    p.add_argument("--quick", action="store_true", help="shorter phases (under 2 minutes in all)")
    p.add_argument("--only", default="issuance,windows,broadcast,postgres,backlog,boards",
                   help="comma-separated phases: issuance, windows, broadcast, postgres, backlog (not with --quick), "
                        "boards")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server (a fresh database is created and dropped)")
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14"))
    p.add_argument("--wait-quiet", type=float, default=None, metavar="S",
                   help="wait up to S seconds for other work on the machine to stop (default 60, quick 0)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, SQLite files)")
    p.add_argument("--out", default=str(REPO / "bench" / "results" / "last.json"))
    args = p.parse_args(argv)
    for u in (args.pg, args.redis):
        if "127.0.0.1" not in u and "localhost" not in u:
            p.error(f"the bench only talks to 127.0.0.1, not {u}")
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    plan = Plan.make(args.quick)
    raise_file_limit()
    began = time.monotonic()
    res: dict[str, Any] = {"machine": machine(), "quick": args.quick, "plan": plan.__dict__,
                           "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    res["others_cores_at_start"] = wait_for_quiet(args.wait_quiet if args.wait_quiet is not None
                                                  else (0 if args.quick else 60))
    mix = queue_mix(REPO / "config" / "hall.toml", WINDOWS)
    work = Path(tempfile.mkdtemp(prefix="hallq-bench-"))
    dbname = f"hallq_bench_{os.getpid()}_{int(time.time())}" if "postgres" in only else None
    try:
        hq, keys, servers, pg_keys = setup(work, args.pg, args.redis, only, plan.pg_processes, plan.pg_windows,
                                           dbname or "")
        if hq is not None:
            with ExitStack() as stack:
                hq.start()
                stack.callback(hq.stop)
                bare = BareApp(work, f"sqlite:///{work / 'bare.db'}").start()
                stack.callback(bare.stop)
                staff, _ = open_windows([hq.url], WINDOWS)
                if "issuance" in only:
                    phase(res, "issuance", lambda: issuance(plan, hq, bare, keys["kiosk"], mix))
                if "windows" in only:
                    if "issuance" not in only:
                        _issue(hq.url, keys["kiosk"], "A", 50)
                    phase(res, "windows", lambda: windows_sqlite(plan, hq, bare, staff))
                if "broadcast" in only:
                    phase(res, "broadcast", lambda: broadcast(plan, hq, bare, keys["kiosk"], keys["display"], staff))
                if "boards" in only:
                    phase(res, "boards", lambda: boards(plan, hq, keys["kiosk"], mix))
        if servers:
            phase(res, "postgres", lambda: postgres(plan, work, servers, pg_keys, args.redis))
        if "backlog" in only and plan.backlog_steps:
            phase(res, "backlog", lambda: backlog(plan, work, mix))
    finally:
        if dbname:
            try:
                pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - leave it and say so
                log(f"could not drop database {dbname}: {exc}")
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    res["duration_s"] = round(time.monotonic() - began, 1)
    text = report(res) + "\n".join(boards_report(res))
    print()
    m = res["machine"]
    print(f"HallQ benchmark, {res['started']}, {'quick' if args.quick else 'full'} run of {res['duration_s']} s "
          f"on {m['nproc']} x {m['cpu']}, commit {m['commit']}"
          + (f" with uncommitted changes to {', '.join(m['uncommitted'])}" if m["uncommitted"] else ""))
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(res, indent=2, ensure_ascii=False)
    out.write_text(data)
    stamped = out.with_name(f"run-{time.strftime('%Y%m%d-%H%M%S')}{'-quick' if args.quick else ''}.json")
    stamped.write_text(data)
    (out.with_suffix(".txt")).write_text(text + "\n")
    print(f"\nfull results: {out} (and {stamped.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
