"""Phase 3: a call reaching N displays subscribed to "hall", against the bare app's broadcast."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import requests

from bench.cpu import CpuMeter
from bench.displays import Displays
from bench.measure import issue_tickets
from bench.plan import Plan, log
from bench.servers import BareApp
from bench.stats import summary_ms
from tests.support.server_process import ServerProcess

BROADCAST_WINDOW = "1"  # serves queue A only


def broadcast(plan: Plan, hq: ServerProcess, bare: BareApp, kiosk_key: str, display_key: str,
              staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The bare app first, then HallQ: N displays join "hall"; calls are made one at a time, far
    enough apart that every display has its event before the next call."""
    out: dict[str, Any] = {}
    h = staff[BROADCAST_WINDOW]
    call_url = f"{hq.url}/api/v1/windows/{BROADCAST_WINDOW}"
    requests.post(call_url + "/finish", headers=h, json={}, timeout=30)  # in case the last loop left one
    issue_tickets(hq.url, kiosk_key, "A", plan.calls * len(plan.displays) + 5)

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
