"""Phase 6: issuance at 8 kiosks with five managers' boards connected, against none (issue 11)."""

from __future__ import annotations

from typing import Any

import requests

from bench.displays import Displays
from bench.http_load import HttpJob, run_http
from bench.measure import metered, without_ids
from bench.plan import PASSWORD, Plan, kiosk_bodies, log
from tests.support.server_process import ServerProcess

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
                        bodies=kiosk_bodies(mix, k)) for k in range(8)]
        return without_ids(metered([hq.proc.pid], lambda: run_http(jobs, procs=4, deadline_s=plan.issue_s)))

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
