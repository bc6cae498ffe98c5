"""Where a call's CPU goes: one window calling and finishing in a row on PostgreSQL, with each
server process's CPU, the database's backends' and Redis's read from /proc.

Not a phase of `bench.run`: nothing runs beside it, so each figure is what a call costs that
part, not what a saturated machine shares out. With several processes the first holds the hall's
emitter (it reads every change back from the log and publishes it); the others only serve.

    python -m bench.call_cpu [--processes 3] [--pairs 500] [--first-only]

`--first-only` sends every call to the first process: what the others then spend is what a
process pays for the changes of others.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg
import requests

from bench.accounts import add_staff_and_devices, open_windows
from bench.cpu import proc_cpu_s
from bench.plan import WINDOWS, kiosk_bodies, queue_mix
from bench.sampling import PgCpu, transactions
from bench.servers import pg_admin
from tests.support.server_process import REPO, ServerProcess

WARM_UP = 30


def pids_of(pattern: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def transactions_of(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        return transactions(conn)


def measure(pg_base: str, redis_url: str, processes: int, pairs: int, first_only: bool = False
            ) -> dict[str, object]:
    dbname = f"hallq_call_cpu_{os.getpid()}"
    db_url = f"{pg_base}/{dbname}"
    pg_admin(pg_base, f'CREATE DATABASE "{dbname}"')
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="hallq-call-cpu-") as work:
        stack.callback(pg_admin, pg_base, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        servers = [ServerProcess(Path(work) / f"p{i}", db_url=db_url, extra_args=["--no-speech"],
                                 message_queue=redis_url if processes > 1 else None) for i in range(processes)]
        window = WINDOWS[0]
        keys = add_staff_and_devices(servers[0], [window])
        for sp in servers:
            sp.start()  # one at a time: each upgrades the database on start
            stack.callback(sp.stop)
        urls = [sp.url for sp in servers]
        staff, _ = open_windows(urls, [window], db_url)
        bodies = kiosk_bodies(queue_mix(REPO / "config" / "hall.toml", [window]), 0)
        kiosk = requests.Session()
        for i in range(pairs + WARM_UP + 10):
            r = kiosk.post(urls[i % processes] + "/api/v1/tickets", json=bodies[i % len(bodies)],
                           headers={"X-Device-Key": keys["kiosk"]}, timeout=30)
            r.raise_for_status()
        sessions = [requests.Session() for _ in urls]

        def call(i: int) -> None:
            # Both requests of a call to one process, the processes in turn.
            at = 0 if first_only else i % processes
            base = f"{urls[at]}/api/v1/windows/{window}"
            for step in ("call-next", "finish"):
                sessions[at].post(f"{base}/{step}", headers=staff[window], json={}, timeout=30
                                             ).raise_for_status()

        for i in range(WARM_UP):
            call(i)
        time.sleep(1.0)
        redis = pids_of("redis-server")

        def cpu() -> dict[str, float]:
            now = {f"server {i + 1}": proc_cpu_s(sp.proc.pid) for i, sp in enumerate(servers)}
            return {**now, "redis": sum(proc_cpu_s(p) for p in redis)}

        before, xacts = cpu(), transactions_of(db_url)
        with PgCpu(db_url) as pg:  # this database's backends only, not the server's own workers
            started = time.monotonic()
            for i in range(pairs):
                call(i)
            wall = time.monotonic() - started
            time.sleep(1.5)  # the emitter's last events, PostgreSQL's own counters, a last sample
        after = {**cpu(), "postgres": pg.seconds}
        before["postgres"] = 0.0
        return {
            "processes": processes, "pairs": pairs, "first_only": first_only,
            "wall_ms_per_call": round(1000 * wall / pairs, 2),
            "cpu_ms_per_call": {k: round(1000 * (after[k] - before[k]) / pairs, 2) for k in after},
            "transactions_per_call": round((transactions_of(db_url) - xacts) / pairs, 2),
        }


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.call_cpu", description=__doc__.splitlines()[0])
    p.add_argument("--processes", type=int, default=3)
    p.add_argument("--pairs", type=int, default=500)
    p.add_argument("--first-only", action="store_true", help="every call to the first process")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14"))
    args = p.parse_args()
    print(json.dumps(measure(args.pg, args.redis, args.processes, args.pairs, args.first_only), indent=2))


if __name__ == "__main__":
    main()
