"""Phase: a hall's day in a few minutes, and what the serving process's memory does over it.

The serving process collects young objects every 10,000 allocations, not Python's 700
(server/cli.py, `settle_garbage_collection`): a call queues packets on every screen's socket, and
at 700 they were promoted still alive and died in the old generation, whose full collections
stalled calls. Garbage now waits longer before it is collected, so whether memory settles over a
day is measured here, not assumed: rounds of a busy hall's hour (tickets issued, every one called
and finished, the hall's screens and visitors' phones connecting and leaving), the process's
resident memory read after each.

A day of a large county hall is about 4,000 tickets (80,000 cases a month); the default plan runs
that many. A leak shows as growth that goes on round after round: the figure to read is the
growth per 1,000 tickets over the second half of the day, when the caches and pools of the first
hours are full.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.accounts import add_staff_and_devices, open_windows
from bench.displays import Displays
from bench.http_load import HttpJob, run_http
from bench.measure import merged, waiting_count
from bench.plan import WINDOWS, Plan, kiosk_bodies, log, queue_mix
from tests.support.server_process import REPO, ServerProcess

DAY_WINDOWS = WINDOWS[:10]
KIOSKS = 4
# Flat out, ten windows call about 100 times a second, and each call is eight frames to every
# screen: 100 screens take a few seconds after the last call to be sent all of them. They stay
# this long after it, so every call is seen (a hall's peak is a few calls a second).
SETTLE_S = 8.0


def resident_mib(pid: int) -> float:
    """The process's resident memory (VmRSS), as the machine's monitoring would see it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for process {pid}")


def memory_day(plan: Plan, work: Path) -> dict[str, Any]:
    sp = ServerProcess(work / "memory", extra_args=["--no-speech"])
    sp.var_dir.mkdir(parents=True)
    keys = add_staff_and_devices(sp, DAY_WINDOWS)
    sp.start()
    try:
        return _day(plan, sp, keys)
    finally:
        sp.stop()


def _day(plan: Plan, sp: ServerProcess, keys: dict[str, str]) -> dict[str, Any]:
    pid = sp.proc.pid if sp.proc else 0
    staff, _ = open_windows([sp.url], DAY_WINDOWS)
    mix = queue_mix(REPO / "config" / "hall.toml", DAY_WINDOWS)
    per_kiosk = plan.memory_tickets_per_round // KIOSKS
    rounds: list[dict[str, Any]] = []
    started = resident_mib(pid)
    log(f"memory over a day: {plan.memory_rounds} rounds of {per_kiosk * KIOSKS} tickets, "
        f"{plan.memory_screens} screens reconnecting each round; {started} MiB at the start")
    for r in range(plan.memory_rounds):
        t0 = time.monotonic()
        # The hall's screens and the visitors' phones of this hour connect, see the hour's calls, leave.
        screens = Displays(sp.port, {"device_key": keys["display"]}, ["hall"], "ticket.called")
        screens.add(plan.memory_screens, procs=2)
        kiosks = [HttpJob("post", sp.url, {"X-Device-Key": keys["kiosk"]}, path="/api/v1/tickets",
                          bodies=kiosk_bodies(mix, k), max_requests=per_kiosk)
                  for k in range(KIOSKS)]
        issued = merged(run_http(kiosks, procs=2, deadline_s=120))
        windows = [HttpJob("window", sp.url, staff[w], window=w) for w in DAY_WINDOWS]
        called = merged(run_http(windows, procs=2, deadline_s=120))
        time.sleep(SETTLE_S)
        received, _, _ = screens.collect()
        rounds.append({
            "round": r + 1, "issued": issued["count"], "called": called["count"],
            "errors": {**issued["errors"], **called["errors"]}, "screens": screens.connected,
            "calls_seen_by_screens": len({t for t, _ in received}), "rss_mib": resident_mib(pid),
            "seconds": round(time.monotonic() - t0, 1),
        })
        log(f"round {r + 1}: {issued['count']} issued, {called['count']} called, "
            f"{rounds[-1]['rss_mib']} MiB")
    half = len(rounds) // 2
    second = rounds[half - 1:] if half else rounds
    tickets_second = sum(x["issued"] for x in second[1:])
    growth = second[-1]["rss_mib"] - second[0]["rss_mib"]
    return {
        "rss_start_mib": started, "rss_end_mib": rounds[-1]["rss_mib"],
        "rss_peak_mib": max(x["rss_mib"] for x in rounds),
        "issued": sum(x["issued"] for x in rounds), "called": sum(x["called"] for x in rounds),
        "waiting_at_end": waiting_count(sp).get("waiting", 0),
        "second_half_growth_mib": round(growth, 1),
        "second_half_mib_per_1000_tickets": round(growth * 1000 / max(1, tickets_second), 2),
        "rounds": rounds,
    }


# A leak of a few hundred bytes a ticket (a view, an event or a socket's packets kept) is about
# 1 MiB per 1,000 tickets: over a month's 80,000 that is the process's whole size again.
LEAK_MIB_PER_1000 = 1.0


def report_lines(res: dict[str, Any]) -> list[str]:
    from bench.stats import table

    if "memory" not in res:
        return []
    v = res["memory"]
    rows = [[str(x["round"]), str(x["issued"]), str(x["called"]), str(x["screens"]), str(x["calls_seen_by_screens"]),
             f"{x['rss_mib']:.1f}", f"{x['seconds']:.1f}", str(x["errors"] or 0)] for x in v["rounds"]]
    return ["", "", f"A hall's day on SQLite, one process: {v['issued']} tickets issued and {v['called']} called in "
            f"{len(v['rounds'])} rounds, the screens reconnecting each round; the serving process's resident memory "
            f"{v['rss_start_mib']} MiB at the start, {v['rss_peak_mib']} at the peak, {v['rss_end_mib']} at the end; "
            f"second half of the day: {v['second_half_growth_mib']:+.1f} MiB "
            f"({v['second_half_mib_per_1000_tickets']:+.2f} MiB per 1,000 tickets)",
            table(["round", "issued", "called", "screens", "calls they saw", "resident MiB", "s", "errors"], rows)]


# Fewer tickets than this (a quick run's 400) are the start-up's growth, not a day's.
SHORTEST_DAY = 2_000


def targets(res: dict[str, Any]) -> list[list[str]]:
    if "memory" not in res:
        return []
    m = res["memory"]
    v = m["second_half_mib_per_1000_tickets"]
    met = ("yes" if v < LEAK_MIB_PER_1000 else "NO") if m["issued"] >= SHORTEST_DAY else \
        f"- ({m['issued']} tickets: too short to judge)"
    return [[f"memory over a day: second half grows < {LEAK_MIB_PER_1000:g} MiB per 1,000 tickets",
             f"{v:+.2f} MiB", met]]
