"""Phase 2: 30 windows each looping call-next + finish at once on SQLite, against the bare app."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.http_load import HttpJob, run_http
from bench.measure import metered, waiting_count, without_ids
from bench.plan import WINDOWS, Plan, log
from bench.servers import BareApp
from tests.support.server_process import ServerProcess


def windows_sqlite(plan: Plan, hq: ServerProcess, bare: BareApp, staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    log("30 windows calling at once: HallQ")
    waiting = waiting_count(hq).get("waiting", 0)
    jobs = [HttpJob("window", hq.url, staff[w], window=w) for w in WINDOWS]
    h = metered([hq.proc.pid], lambda: run_http(jobs, procs=3, deadline_s=plan.windows_s))
    dupes = [t for t, n in Counter(h["called"]).items() if n > 1]
    log("30 clients posting at once: bare app")
    bjobs = [HttpJob("post", bare.url, {}, path="/tickets", bodies=[{"queue": "A"}]) for _ in WINDOWS]
    b = metered([bare.pid], lambda: run_http(bjobs, procs=3, deadline_s=plan.windows_s))
    return {"hallq": {**without_ids(h), "duplicates": len(dupes)}, "bare": without_ids(b), "waiting_at_start": waiting}
