"""Phase 1: ticket issuance at 1 and 8 kiosks flat out, then 8 kiosks paced, against the bare app."""

from __future__ import annotations

from typing import Any

from bench.http_load import HttpJob, run_http
from bench.measure import metered, taking_turns, waiting_count, without_ids
from bench.plan import Plan, kiosk_bodies, log
from bench.servers import BareApp
from tests.support.server_process import ServerProcess

PACED_SHARE = 0.4  # issuance's paced phase: this share of the bare app's rate at 8 kiosks
# The flat-out loads take turns, HallQ and the bare app, in this many runs each (bench/measure.py).
TURNS = 3


def issuance(plan: Plan, hq: ServerProcess, bare: BareApp, kiosk_key: str, mix: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    turn_s = plan.issue_s / TURNS
    for kiosks in (1, 8):
        procs = min(kiosks, 4)
        log(f"issuance, {kiosks} kiosk(s): the bare app and HallQ, taking turns {TURNS} times")
        bjobs = [HttpJob("post", bare.url, {}, path="/tickets", bodies=[{"queue": "A"}]) for _ in range(kiosks)]
        hjobs = [HttpJob("post", hq.url, {"X-Device-Key": kiosk_key}, path="/api/v1/tickets",
                         bodies=kiosk_bodies(mix, k)) for k in range(kiosks)]
        both = taking_turns(TURNS, {
            "bare": ([bare.pid], lambda jobs=bjobs, p=procs: run_http(jobs, procs=p, deadline_s=turn_s)),
            "hallq": ([hq.proc.pid], lambda jobs=hjobs, p=procs: run_http(jobs, procs=p, deadline_s=turn_s)),
        })
        out[str(kiosks)] = {name: without_ids(m) for name, m in both.items()}
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
                        bodies=[{"queue": "A"}] if name == "bare" else kiosk_bodies(mix, k))
                for k in range(8)]
        paced[name] = without_ids(metered([pid], lambda jobs=jobs: run_http(jobs, procs=4, deadline_s=plan.issue_s)))
    out["paced"] = paced
    out["waiting_after"] = waiting_count(hq)
    return out
