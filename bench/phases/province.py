"""Phase province (issue 16): N halls of 20 windows on one PostgreSQL and Redis, served by one
`hallq serve --all-halls` process, then by three joined by Redis, under the same load.

The halls are generated into a temporary config folder (`hall.toml` of code `city`, and
`halls/h01.toml` ...), each a `defaults =` of config/hall.toml with 20 of the demo hall's
windows (DEMO_WINDOWS) renumbered 1-20. One database is seeded once (a kiosk, a display and 20
open windows per hall, and a short morning line of 2 tickets per window), and each run gets a
copy of it (CREATE DATABASE ... TEMPLATE), so both runs start from the same state.

The load is paced (open loop, latency counted from when each request was due), every hall at
once: its kiosk issues one ticket every 1/RATE s, each of its windows calls the next ticket every
20/RATE s and finishes it FINISH_AFTER_S later, so a hall calls as fast as it issues. One
display per hall (a raw WebSocket, bench/displays.py) is subscribed to `hall` on one of the
processes; every call of that hall must reach it, and nothing of another hall may.

`python -m bench.run --only province [--quick]`.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.cpu import CpuMeter
from bench.displays import Displays
from bench.http_load import HttpJob, run_http
from bench.measure import merged
from bench.plan import Plan, log, queue_mix
from bench.sampling import PgCpu, transactions
from bench.servers import pg_admin
from bench.stats import fmt, table
from tests.support.server_process import REPO, ServerProcess

WINDOWS_PER_HALL = 20
BACKLOG_PER_WINDOW = 2  # the line already waiting when the measured load starts
IDLE_S = 10.0  # the servers' CPU and the database's transactions with every hall served and nothing asked
# A window finishes its ticket this long after calling it (a service compressed, so that the
# finishes fall within the run as the calls do); its next call comes a window's interval later.
FINISH_AFTER_S = 5.0


def hall_codes(n: int) -> list[str]:
    return ["city"] + [f"h{i:02d}" for i in range(1, n)]


# The demo hall's windows a generated hall has, renumbered 1-20: every queue of the demo hall's
# list is served (a hall file must), the busy departments by two or three windows.
DEMO_WINDOWS = ("1", "2", "4", "5", "6", "7", "9", "11", "14", "15", "17", "20", "21", "23", "25", "26", "28",
                "29", "31", "32")


def _windows_toml(code: str) -> str:
    demo = (REPO / "config" / "hall.toml").read_text()
    blocks = {}
    for b in re.split(r"^\[\[windows\]\]\n", demo, flags=re.M)[1:]:
        b = b.split("\n\n")[0]  # the window's keys, without the comments before the next table
        blocks[re.search(r'^id = "([^"]+)"', b, re.M).group(1)] = b  # type: ignore[union-attr]
    out = []
    for new, old in enumerate(DEMO_WINDOWS, 1):
        b = blocks[old].replace(f'id = "{old}"', f'id = "{new}"').replace(f"{old}号", f"{new}号")
        b = b.replace(f"Window {old} ", f"Window {new} ").replace(f"dummy://window-{old}", f"dummy://{code}-window-{new}")
        out.append(f"[[windows]]\n{b}\n")
    return "\n".join(out)


def write_config(folder: Path, n: int) -> Path:
    """The home hall's file and n - 1 hall files beside it; returns the home file."""
    # The demo hall's overflow rules name its own windows: this one names a window of the 20 (B's).
    overflow = ('\n[[overflow]]\nname = "A-to-4"\nqueue = "A"\nwaiting_over = 10\n'
                'longest_wait_minutes_over = 20\nwindow = "4"\nweight = 1\n')
    (folder / "halls").mkdir(parents=True, exist_ok=True)
    home = folder / "hall.toml"
    for i, code in enumerate(hall_codes(n)):
        text = (f'defaults = "{REPO / "config" / "hall.toml"}"\n\n[hall]\ncode = "{code}"\n'
                f'name = "第{i + 1}政务服务中心"\nname_en = "Service Center {i + 1}"\n'
                f'public_url = "http://127.0.0.1:5000/h/{code}"\n\n' + _windows_toml(code) + overflow)
        (home if code == "city" else folder / "halls" / f"{code}.toml").write_text(text)
    return home


def hall_file(config: Path, code: str) -> Path:
    return config if code == "city" else config.parent / "halls" / f"{code}.toml"


def seed(db_url: str, config: Path, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Per hall: a kiosk's and a display's key, a window user per window with its window open
    and a bearer token (minted in the database: a thousand argon2 sign-ins would take minutes),
    and the morning line. In-process, through the application's own operations."""
    import hashlib
    import secrets

    from argon2 import PasswordHasher

    from server.app import accounts, issuing, window_ops
    from server.app.context import Services
    from server.db.accounts_repo import to_staff, user_row
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.db.uow import SYSTEM
    from server.hallconfig import load_hall

    engine = make_engine(db_url)
    upgrade(engine, "city")
    windows = [str(w) for w in range(1, WINDOWS_PER_HALL + 1)]
    # Nobody signs in with these passwords: the cheapest hash keeps seeding to seconds.
    hasher, accounts._hasher = accounts._hasher, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

    def one(code: str) -> dict[str, Any]:
        path = hall_file(config, code)
        svc = Services(hall=load_hall(path), engine=engine)
        out: dict[str, Any] = {"kiosk": accounts.add_device(svc, f"{code}-kiosk", "kiosk"),
                               "display": accounts.add_device(svc, f"{code}-display", "display"), "tokens": {}}
        for w in windows:
            name = f"{code}-w{w.zfill(2)}"
            accounts.add_user(svc, name, "bench-password-1", "window")
            with svc.read() as uow:
                staff = to_staff(user_row(uow.conn, name))
            window_ops.open_window(svc, staff, w)
            token = secrets.token_urlsafe(32)
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO tokens (hash, user_id, created_at, expires_at) "
                    "VALUES (%(h)s, %(u)s, now(), now() + interval '12 hours')",
                    {"h": hashlib.sha256(token.encode()).hexdigest(), "u": staff.id})
            out["tokens"][w] = token
        out["mix"] = queue_mix(path, windows)
        # Each window's first queue: every window has a line to call from when the load starts.
        for _ in range(BACKLOG_PER_WINDOW):
            for w in svc.hall.windows:
                issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(queue=w.queues[0].queue, ignore_hours=True))
        return out

    try:
        with ThreadPoolExecutor(4) as pool:
            return dict(zip(codes, pool.map(one, codes), strict=True))
    finally:
        accounts._hasher = hasher
        engine.dispose()


def _jobs(plan: Plan, codes: list[str], urls: list[str], seeded: dict[str, dict[str, Any]]
          ) -> tuple[list[HttpJob], list[HttpJob], list[HttpJob]]:
    """Kiosks, call-nexts and finishes, each hall's spread over the processes (a load balancer's
    round robin), each client on its own schedule, staggered over the interval."""
    rate = plan.province_rate
    every = WINDOWS_PER_HALL / rate
    kiosks, calls, finishes = [], [], []
    n = 0
    for h, code in enumerate(codes):
        s = seeded[code]
        mix = s["mix"]
        kiosks.append(HttpJob("post", f"{urls[h % len(urls)]}/h/{code}", {"X-Device-Key": s["kiosk"]},
                              path="/api/v1/tickets", bodies=mix[h % len(mix):] + mix[:h % len(mix)],
                              interval_s=1 / rate, offset_s=(h / len(codes)) / rate))
        for j, (w, token) in enumerate(s["tokens"].items()):
            base = f"{urls[n % len(urls)]}/h/{code}"
            n += 1
            offset = ((j + h / len(codes)) / WINDOWS_PER_HALL) * every
            head = {"Authorization": f"Bearer {token}"}
            calls.append(HttpJob("post", base, head, path=f"/api/v1/windows/{w}/call-next", expect=200,
                                 interval_s=every, offset_s=offset))
            finishes.append(HttpJob("post", base, head, path=f"/api/v1/windows/{w}/finish", expect=200,
                                    interval_s=every, offset_s=offset + FINISH_AFTER_S))
    return kiosks, calls, finishes


def _db_checks(db_url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(db_url) as conn:
        called_twice = conn.execute("SELECT count(*) FROM (SELECT ticket_id FROM ticket_calls GROUP BY ticket_id "
                                    "HAVING count(*) > 1) d").fetchone()[0]
        number_twice = conn.execute("SELECT count(*) FROM (SELECT hall, day, number FROM tickets "
                                    "GROUP BY hall, day, number HAVING count(*) > 1) d").fetchone()[0]
        calls: dict[str, set[str]] = {}
        for hall, ticket in conn.execute("SELECT hall, ticket_id FROM ticket_calls"):
            calls.setdefault(hall, set()).add(ticket)
        # Read-only transactions end in a rollback: both are round trips to the database.
        commits = transactions(conn)
        # Which backend holds how many halls' emitter locks (one backend per emitting process).
        locks = sorted((r[0] for r in conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY pid")),
            reverse=True)
    return {"called_twice": called_twice, "number_twice": number_twice, "calls": calls, "commits": commits,
            "emitter_locks": locks}


def run_once(plan: Plan, work: Path, db_url: str, redis_url: str, config: Path, processes: int,
             seeded: dict[str, dict[str, Any]]) -> dict[str, Any]:
    codes = list(seeded)
    args = ["--no-speech", "--all-halls", "--config", str(config)]
    servers = [ServerProcess(work / f"province{processes}-{i}", db_url=db_url, extra_args=args,
                             message_queue=redis_url if processes > 1 else None) for i in range(processes)]
    with ExitStack() as stack:
        t0 = time.monotonic()
        for sp in servers:
            sp.start(timeout=180)  # one at a time: each upgrades the database on start
            stack.callback(sp.stop)
        started_s = time.monotonic() - t0
        pids = [sp.proc.pid for sp in servers]
        urls = [sp.url for sp in servers]
        displays = {code: Displays(servers[h % processes].port, {"device_key": seeded[code]["display"]}, ["hall"],
                                   "ticket.called") for h, code in enumerate(codes)}
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda d: d.add(1, procs=1), displays.values()))
        # The emitters' locks are taken within a second of start; pg_stat_database hears of an idle
        # backend's transactions up to 10 s late, and start-up's must not count as idle.
        time.sleep(10)
        idle, idle_commits = CpuMeter(pids), _db_checks(db_url)["commits"]
        time.sleep(IDLE_S)
        idle_cpu = idle.stop()
        before = _db_checks(db_url)
        idle_tps = round((before["commits"] - idle_commits) / idle_cpu["wall_s"], 1)
        kiosks, calls, finishes = _jobs(plan, codes, urls, seeded)
        log(f"province, {processes} process(es): {len(codes)} halls, {len(kiosks)} kiosks, {len(calls)} windows, "
            f"{plan.province_rate:g} tickets and calls/s per hall for {plan.province_s:g} s")
        meter = CpuMeter(pids, [p for d in displays.values() for p in d.pids])
        with PgCpu(db_url) as pg, ThreadPoolExecutor(3) as pool:
            futs = [pool.submit(run_http, jobs, procs=p, deadline_s=plan.province_s)
                    for jobs, p in ((kiosks, 1), (calls, 2), (finishes, 2))]
            raw = [f.result() for f in futs]
            cpu = meter.stop()
        parts = [merged(r) for r in raw]
        # When the slowest requests answered, from the start: bunched at one moment (every hall's
        # timers firing together) or spread (the machine's other work)?
        go = min(x.first_start for r in raw for x in r)
        slowest = sorted(((round(t - go, 1), round(lat * 1000)) for r in raw for x in r
                          for t, lat in zip(x.ends, x.latencies, strict=True)), key=lambda p: -p[1])[:20]
        time.sleep(2.0)  # the last calls' events on their way to the displays
        received = {code: d.collect()[0] for code, d in displays.items()}
        after = _db_checks(db_url)
        errors = {k: v for d in displays.values() for k, v in d.errors.items()}
        logs = [sp.log_text() for sp in servers]
    issued, called, finished = parts
    requests = sum(p["requests"] for p in parts)
    missing = foreign = repeated = 0
    halls_missing = []
    for code in codes:
        made = after["calls"].get(code, set()) - before["calls"].get(code, set())
        got = [t for t, _ in received[code]]
        missing += len(made - set(got))
        foreign += len(set(got) - made)
        repeated += len(got) - len(set(got))
        if made - set(got):
            halls_missing.append(code)
    calls_made = sum(len(after["calls"].get(c, set()) - before["calls"].get(c, set())) for c in codes)
    slim = ("count", "requests", "elapsed_s", "rate", "latency_ms", "errors")
    return {
        "processes": processes, "halls": len(codes), "windows": len(calls), "started_s": round(started_s, 1),
        "issue": {k: issued[k] for k in slim}, "call_next": {k: called[k] for k in slim},
        "finish": {k: finished[k] for k in slim}, "requests": requests, "cpu": cpu,
        "server_cpu_ms_per_request": round(cpu["server_cpu_s"] * 1000 / max(1, requests), 2),
        "pg_cpu_ms_per_request": round(pg.seconds * 1000 / max(1, requests), 2),
        # with what the halls do unasked (every hall's timers, the emitters' reads and lock tries)
        "pg_transactions_per_s": round((after["commits"] - before["commits"]) / cpu["wall_s"], 1),
        "idle_server_cores": idle_cpu["server_cores"],
        # pg_stat_database lags a backend's transactions by up to a second (longer when it is idle): rough
        "idle_pg_transactions_per_s": idle_tps,
        "called_twice_in_db": after["called_twice"], "number_issued_twice": after["number_twice"],
        "calls_made": calls_made, "events_missing": missing, "halls_missing_events": halls_missing,
        "events_of_another_hall": foreign, "events_repeated": repeated, "display_errors": errors,
        "emitter_locks_per_process": after["emitter_locks"], "slowest_at_s_ms": slowest,
        "server_log_errors": [ln for text in logs for ln in text.splitlines()
                              if " ERROR " in ln or "Traceback" in ln][:20],
    }


def trips(db_url: str, config: Path, code: str) -> dict[str, int]:
    """Round trips per issue, call-next and finish (BEGIN and COMMIT included) for one hall of the
    province, in-process on a copy of the seeded database: bench/phases/round_trips.py's count."""
    from server.app import issuing, window_ops
    from server.app.context import Services
    from server.db.accounts_repo import to_staff, user_row
    from server.db.engine import make_engine
    from server.db.uow import SYSTEM
    from server.hallconfig import load_hall

    from .round_trips import count
    from .round_trips import trips as waited


    engine = make_engine(db_url)
    try:
        svc = Services(hall=load_hall(hall_file(config, code)), engine=engine)
        with svc.read() as uow:
            clerk = to_staff(user_row(uow.conn, f"{code}-w01"))
        req = issuing.TicketRequest(queue="A", ignore_hours=True)
        window_ops.call_next(svc, clerk, "1")  # once first, so what is built on first use is not counted
        window_ops.finish(svc, clerk, "1")
        # Round trips, as the roundtrips phase counts them: a statement sent with the next is not one.
        return {"issue": waited(count(engine, lambda: issuing.issue_ticket(svc, SYSTEM, req))),
                "call_next": waited(count(engine, lambda: window_ops.call_next(svc, clerk, "1"))),
                "finish": waited(count(engine, lambda: window_ops.finish(svc, clerk, "1")))}
    finally:
        engine.dispose()


def province(plan: Plan, work: Path, pg_base: str, redis_url: str) -> dict[str, Any]:
    import os

    codes = hall_codes(plan.province_halls)
    config = write_config(work / "province-config", len(codes))
    stamp = f"{os.getpid()}_{int(time.time())}"
    template = f"hallq_bench_province_{stamp}"
    made = [template]
    out: dict[str, Any] = {"halls": len(codes), "windows_per_hall": WINDOWS_PER_HALL,
                           "rate_per_hall": plan.province_rate, "seconds": plan.province_s,
                           "backlog_per_window": BACKLOG_PER_WINDOW}
    try:
        pg_admin(pg_base, f'CREATE DATABASE "{template}"')
        t0 = time.monotonic()
        log(f"province: seeding {len(codes)} halls of {WINDOWS_PER_HALL} windows")
        seeded = seed(f"{pg_base}/{template}", config, codes)
        out["seed_s"] = round(time.monotonic() - t0, 1)
        for name in ("trips", *(f"p{n}" for n in (1, 3))):
            made.append(f"{template}_{name}")
            pg_admin(pg_base, f'CREATE DATABASE "{template}_{name}" TEMPLATE "{template}"')
        out["round_trips"] = trips(f"{pg_base}/{template}_trips", config, codes[-1])
        for n in (1, 3):
            out[str(n)] = run_once(plan, work, f"{pg_base}/{template}_p{n}", redis_url, config, n, seeded)
    finally:
        for db in made:
            try:
                pg_admin(pg_base, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - leave it and say so
                log(f"could not drop database {db}: {exc}")
    return out


def report_lines(res: dict[str, Any]) -> list[str]:
    if "province" not in res:
        return []
    v = res["province"]
    runs = [v[k] for k in ("1", "3") if k in v]

    def row(name: str, get: Any) -> list[str]:
        return [name, *[get(r) for r in runs]]

    def lat(part: str) -> Any:
        return lambda r: f"{fmt(r[part]['latency_ms']['p50'])} / {fmt(r[part]['latency_ms']['p99'])}"

    rows = [
        row("tickets issued / s (asked)",
            lambda r: f"{fmt(r['issue']['rate'])} ({fmt(r['halls'] * v['rate_per_hall'])})"),
        row("calls / s; finishes / s", lambda r: f"{fmt(r['call_next']['rate'])}; {fmt(r['finish']['rate'])}"),
        row("issue p50 / p99 ms", lat("issue")),
        row("call-next p50 / p99 ms", lat("call_next")),
        row("finish p50 / p99 ms", lat("finish")),
        row("errors (HTTP; displays; server log)",
            lambda r: f"{_http_errors(r) or 0}; {sum(r['display_errors'].values())}; {len(r['server_log_errors'])}"),
        row("server CPU ms / request", lambda r: fmt(r["server_cpu_ms_per_request"], 2)),
        row("PostgreSQL CPU ms / request", lambda r: fmt(r["pg_cpu_ms_per_request"], 2)),
        row("server cores busy (idle before)", lambda r: f"{fmt(r['cpu']['server_cores'], 2)} "
                                                         f"({fmt(r['idle_server_cores'], 2)})"),
        row("PostgreSQL transactions / s (idle before, rough)",
            lambda r: f"{fmt(r['pg_transactions_per_s'])} ({fmt(r['idle_pg_transactions_per_s'])})"),
        row("other work on the machine (cores)", lambda r: fmt(r["cpu"]["others_cores"], 2)),
        row("handed out twice; number issued twice",
            lambda r: f"{r['called_twice_in_db']}; {r['number_issued_twice']}"),
        row("calls seen by their hall's display",
            lambda r: f"{r['calls_made'] - r['events_missing']} of {r['calls_made']}"),
        row("events of another hall; repeated", lambda r: f"{r['events_of_another_hall']}; {r['events_repeated']}"),
        row("halls' emitter locks per process",
            lambda r: ", ".join(map(str, r["emitter_locks_per_process"])) or "- (no message queue)"),
        row("start-up s", lambda r: fmt(r["started_s"])),
    ]
    t = v.get("round_trips", {})
    return ["", f"A province: {v['halls']} halls x {v['windows_per_hall']} windows on one PostgreSQL and Redis, "
                f"every hall issuing {v['rate_per_hall']:g} tickets/s and calling as many, for {v['seconds']:g} s "
                f"(paced; {v['backlog_per_window']} tickets per window waiting at the start)",
            table(["", *[f"{r['processes']} process{'es' if r['processes'] > 1 else ''}" for r in runs]], rows),
            f"Round trips per change in a hall of the province (BEGIN, COMMIT included): issue {t.get('issue')}, "
            f"call-next {t.get('call_next')}, finish {t.get('finish')}"]


def _http_errors(r: dict[str, Any]) -> dict[str, int]:
    return {**{f"issue {k}": n for k, n in r["issue"]["errors"].items()},
            **{f"call {k}": n for k, n in r["call_next"]["errors"].items()},
            **{f"finish {k}": n for k, n in r["finish"]["errors"].items()}}


def targets(res: dict[str, Any]) -> list[list[str]]:
    if "province" not in res:
        return []
    rows = []
    for k in ("1", "3"):
        r = res["province"].get(k)
        if r is None:
            continue
        dup = r["called_twice_in_db"] + r["number_issued_twice"]
        rows.append([f"province, {k} process(es): no ticket handed out twice", f"{dup}", _yes(dup == 0)])
        ok = r["events_missing"] == 0 and r["events_of_another_hall"] == 0
        rows.append([f"province, {k} process(es): every call reaches its hall's display, no other's",
                     f"{r['events_missing']} missing, {r['events_of_another_hall']} foreign", _yes(ok)])
    return rows


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"
