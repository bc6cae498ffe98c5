"""Phase 4: call-next from many windows across three `hallq serve` processes on PostgreSQL + Redis."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.accounts import open_windows
from bench.displays import Displays
from bench.http_load import HttpJob, run_http
from bench.measure import metered, taking_turns, without_ids
from bench.plan import WINDOWS, Plan, kiosk_bodies, log, queue_mix
from bench.sampling import Sampler
from bench.servers import BareApp
from tests.support.server_process import REPO, ServerProcess

CATCH_UP_S = 15.0
# HallQ's windows and the bare app's clients take turns, this many each (bench/measure.py).
TURNS = 3


class PgWaits(Sampler):
    """Samples what the database's backends are doing every 50 ms: running, or waiting on what
    (a row lock held by another transaction, the client, the WAL flush ...)."""

    interval_s = 0.05

    def __init__(self, db_url: str) -> None:
        super().__init__(db_url)
        self.samples: Counter[str] = Counter()
        self.n = 0

    def sample(self, conn: Any) -> None:
        rows = conn.execute(
            "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            (self.dbname,),
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

    @staticmethod
    def summary(turns: list[PgWaits]) -> dict[str, float]:
        """Average number of backends in each state over the samples of all `turns`."""
        samples = sum((t.samples for t in turns), Counter())
        n = sum(t.n for t in turns)
        return {k: round(v / max(1, n), 2) for k, v in samples.most_common(8)}


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
                         bodies=kiosk_bodies(mix, k), max_requests=per) for k in range(12)]
        issued = metered(pids, lambda: run_http(kjobs, procs=3, deadline_s=30.0))
        # The bare apps run beside HallQ's processes, each idle while the other takes its turn.
        bares = []
        for _ in servers:
            bare = BareApp(work, db_url, redis_url).start()  # one at a time: the first creates its table
            stack.callback(bare.stop)
            bares.append(bare)
        log(f"PostgreSQL: {len(windows)} windows on {len(urls)} processes calling at once, taking turns "
            f"{TURNS} times with the bare app's {len(bares)} processes and as many clients posting")
        jobs = [HttpJob("window", urls[i % len(urls)], staff[w], window=w) for i, w in enumerate(windows)]
        bjobs = [HttpJob("post", bares[i % len(bares)].url, {}, path="/tickets", bodies=[{"queue": "A"}])
                 for i in range(len(windows))]
        waits: list[PgWaits] = []

        def sampled() -> PgWaits:
            waits.append(PgWaits(db_url))
            return waits[-1]

        turn_s = plan.pg_s / TURNS
        # HallQ's turn last: the display's catch-up is counted from the end of the load.
        both = taking_turns(TURNS, {
            "bare": ([x.pid for x in bares], lambda: run_http(bjobs, procs=3, deadline_s=turn_s)),
            "hallq": (pids, lambda: run_http(jobs, procs=3, deadline_s=turn_s)),
        }, around={"hallq": sampled})
        h, b = both["hallq"], both["bare"]
        # Flat out, the windows call faster than one emitter sends (a hall's peak is a fraction
        # of it): the display is given time to catch up, and how long it took is reported.
        ended = time.monotonic()
        time.sleep(CATCH_UP_S)
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
    return {
        "processes": len(servers), "windows": len(windows), "tokens_minted_because_login_failed": minted,
        "issued": without_ids(issued),
        "hallq": {
            **without_ids(h),
            "duplicates_in_responses": len(called) - len(set(called)),
            "tickets_called_twice_in_db": twice, "call_rows": calls_rows, "done": done,
            "answered_but_not_in_db": len(set(called) - known),
            "events_at_display": len({t for t, _ in received} & set(called)),
            "events_at_display_within_1s": len({t for t, at in received if at <= ended + 1.0} & set(called)),
            "display_caught_up_s": round(max((at for t, at in received if t in set(called)), default=ended) - ended,
                                         2),
            "pg_backends": PgWaits.summary(waits),
            "display_errors": displays.errors,
        },
        "bare": without_ids(b),
    }
