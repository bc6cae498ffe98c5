"""Phase 5 (full run only): server CPU per ticket and per call as the backlog grows."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import requests

from bench.cpu import proc_cpu_s
from bench.plan import PASSWORD, WINDOWS, Plan, log
from bench.servers import cli_ok
from tests.support.server_process import ServerProcess


def backlog(plan: Plan, work: Path, mix: list[dict]) -> dict[str, Any]:
    """Server CPU per ticket issued and per call + finish as the number of waiting tickets grows,
    on a fresh SQLite hall with one kiosk and one window calling (no concurrency: pure cost)."""
    sp = ServerProcess(work / "backlog", extra_args=["--no-speech"])
    sp.var_dir.mkdir(parents=True)
    cli_ok(sp, "db", "upgrade")
    cli_ok(sp, "user", "add", "bench-w01", "--role", "window", stdin=PASSWORD + "\n")
    kiosk = {"X-Device-Key": cli_ok(sp, "device", "add", "bench-kiosk", "--kind", "kiosk").strip().splitlines()[-1]}
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
