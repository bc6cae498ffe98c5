"""What the phases share: a load's results merged over its clients with the servers' CPU added,
the tickets waiting in the SQLite hall, and tickets issued ahead of a phase that needs them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import requests

from bench.cpu import CpuMeter
from bench.http_load import JobResult
from bench.stats import summary_ms
from tests.support.server_process import ServerProcess


def merged(results: list[JobResult]) -> dict[str, Any]:
    lat = [x for r in results for x in r.latencies]
    fin = [x for r in results for x in r.finish_latencies]
    errors: Counter[str] = Counter()
    for r in results:
        errors.update(r.errors)
    start = min((r.first_start for r in results), default=0.0)
    end = max((r.last_end for r in results), default=0.0)
    emptied = sorted(r.emptied_at for r in results if r.emptied_at)
    # A window whose queues ran dry stops; the rate counts until half the clients had stopped,
    # so a few idle windows never stretch the run (with 15 or more calling the server is busy).
    horizon = emptied[len(results) // 2 - 1] if len(emptied) >= max(1, len(results) // 2) else end
    done = sum(1 for r in results for t in r.ends if t <= horizon)
    return {
        "count": len(lat), "requests": len(lat) + len(fin) + sum(errors.values()),
        "elapsed_s": round(end - start, 3), "rate": done / max(1e-9, horizon - start),
        "done": done, "counted_s": horizon - start,
        "latency_ms": summary_ms(lat), "finish_ms": summary_ms(fin), "errors": dict(errors),
        "emptied_windows": len(emptied), "called": [t for r in results for t in r.called],
    }

def metered(pids: list[int], fn: Any) -> dict[str, Any]:
    """Run an HTTP load, and add the servers' CPU per request and the machine's other load."""
    meter = CpuMeter(pids)
    m = merged(fn())
    cpu = meter.stop()
    cpu["server_cpu_ms_per_request"] = round(cpu["server_cpu_s"] * 1000 / max(1, m["requests"]), 2)
    return {**m, "cpu": cpu}


def taking_turns(rounds: int, loads: dict[str, tuple[list[int], Callable[[], list[JobResult]]]],
                 around: dict[str, Callable[[], AbstractContextManager[Any]]] | None = None
                 ) -> dict[str, dict[str, Any]]:
    """Each of `loads` (name: the servers' pids and the load) run `rounds` times, taking turns (A B
    A B ...), its runs counted as one: its rate is all it did over all its time, its percentiles
    over all its requests, its CPU over all of them.

    The machine is a shared VM whose speed drifts by up to twice within minutes (the bare app did
    470 to 810 tickets a second at the same load on one morning). A ratio of two loads run one
    after the other measured the drift as much as the servers; taking turns gives both the same
    machine on average. `around`: for a load, what each of its turns runs in (a sampler)."""
    runs: dict[str, list[tuple[dict[str, Any], list[JobResult], dict[str, float]]]] = {n: [] for n in loads}
    for _ in range(rounds):
        for name, (pids, load) in loads.items():
            with (around or {}).get(name, nullcontext)():
                meter = CpuMeter(pids)
                results = load()
                runs[name].append((merged(results), results, meter.stop()))
    out = {}
    for name, done in runs.items():
        m = merged([r for _, results, _ in done for r in results])
        elapsed = sum(part["elapsed_s"] for part, _, _ in done)
        requests = sum(part["requests"] for part, _, _ in done)
        server_s = sum(cpu["server_cpu_s"] for _, _, cpu in done)
        wall = max(1e-9, sum(cpu["wall_s"] for _, _, cpu in done))
        m.update(elapsed_s=round(elapsed, 3), done=sum(part["done"] for part, _, _ in done),
                 counted_s=sum(part["counted_s"] for part, _, _ in done), rounds=rounds,
                 rates=[round(part["rate"], 1) for part, _, _ in done])
        m["rate"] = m["done"] / max(1e-9, m["counted_s"])
        m["cpu"] = {
            "wall_s": round(wall, 2), "server_cpu_s": round(server_s, 3),
            "server_cores": round(server_s / max(1e-9, wall), 2),
            "machine_busy_cores": round(sum(c["machine_busy_cores"] * c["wall_s"] for _, _, c in done) / wall, 2),
            "others_cores": round(sum(c["others_cores"] * c["wall_s"] for _, _, c in done) / wall, 2),
            "server_cpu_ms_per_request": round(server_s * 1000 / max(1, requests), 2),
        }
        out[name] = m
    return out


def waiting_count(sp: ServerProcess) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(sp.var_dir / "hallq.db") as conn:
        return dict(conn.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall())


def without_ids(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k != "called"}

def issue_tickets(url: str, key: str, queue: str, n: int) -> None:
    with requests.Session() as s:
        for _ in range(n):
            s.post(f"{url}/api/v1/tickets", json={"queue": queue}, headers={"X-Device-Key": key},
                   timeout=30).raise_for_status()
