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
   must not slow issuing);
7. the statistics of a month of a large hall (100,000 tickets, 20,000 with --quick) generated into
   SQLite and PostgreSQL, each `by` of GET /api/v1/stats timed (issue 12: under 2 s);
8. round trips to the database per issue, call-next and finish, on SQLite and PostgreSQL (issue 16:
   at most 4 on PostgreSQL);
9. (only with --only province) a province: 50 halls of 20 windows on one PostgreSQL and Redis
   served by one `hallq serve --all-halls` process, then by three, under the same paced load.

Alongside each figure it prints the server's CPU time per request (robust on a shared machine)
and how much CPU other work on the machine took meanwhile, so a noisy run shows as one.

Everything runs on 127.0.0.1 in a fresh temporary directory and a fresh PostgreSQL database,
both removed at the end; the results go to bench/results/ (git-ignored) as JSON.

Each phase is a module of bench/phases/; the clients they drive are in bench/http_load.py and
bench/displays.py, the report's tables in bench/report.py.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.accounts import add_staff_and_devices, open_windows
from bench.cpu import CpuMeter
from bench.load import raise_file_limit
from bench.measure import issue_tickets
from bench.phases.backlog import backlog
from bench.phases.boards import boards
from bench.phases.broadcast import broadcast
from bench.phases.issuance import issuance
from bench.phases.memory import memory_day
from bench.phases.memory import report_lines as memory_report
from bench.phases.postgres import postgres
from bench.phases.province import province
from bench.phases.province import report_lines as province_report
from bench.phases.round_trips import report_lines as trips_report
from bench.phases.round_trips import run as round_trips
from bench.phases.stats_month import report_lines as stats_report
from bench.phases.stats_month import run as stats_month
from bench.phases.windows import windows_sqlite
from bench.plan import WINDOWS, Plan, log, queue_mix
from bench.report import boards_report, report
from bench.servers import BareApp, pg_admin
from tests.support.server_process import REPO, ServerProcess


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
    p.add_argument("--only", default="issuance,windows,broadcast,postgres,backlog,boards,stats,roundtrips,memory",
                   help="comma-separated phases: issuance, windows, broadcast, postgres, backlog (not with --quick), "
                        "boards, stats, roundtrips, memory, province (not in the default set: about 3.5 minutes)")
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
                        issue_tickets(hq.url, keys["kiosk"], "A", 50)
                    phase(res, "windows", lambda: windows_sqlite(plan, hq, bare, staff))
                if "broadcast" in only:
                    phase(res, "broadcast", lambda: broadcast(plan, hq, bare, keys["kiosk"], keys["display"], staff))
                if "boards" in only:
                    phase(res, "boards", lambda: boards(plan, hq, keys["kiosk"], mix))
        if servers:
            phase(res, "postgres", lambda: postgres(plan, work, servers, pg_keys, args.redis))
        if "backlog" in only and plan.backlog_steps:
            phase(res, "backlog", lambda: backlog(plan, work, mix))
        if "stats" in only:
            phase(res, "stats", lambda: stats_month(work, args.pg, 20_000 if args.quick else 100_000))
        if "roundtrips" in only:
            phase(res, "round_trips", lambda: round_trips(work, args.pg))
        if "memory" in only:
            phase(res, "memory", lambda: memory_day(plan, work))
        if "province" in only:
            phase(res, "province", lambda: province(plan, work, args.pg, args.redis))
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
    text = report(res) + "\n".join(boards_report(res) + stats_report(res) + trips_report(res) + province_report(res)
                                 + memory_report(res))
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
