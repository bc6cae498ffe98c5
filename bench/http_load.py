"""HTTP load: simulated kiosks and windows, as threads spread over worker processes.

Each simulated kiosk or window is a thread with its own `requests.Session` (keep-alive), and the
threads are spread over a few processes so the GIL of one client process never becomes the
bottleneck being measured. Workers connect, report ready, and start together on a signal.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench.load import CTX, local, raise_file_limit


@dataclass
class HttpJob:
    """One simulated client. kind "post": POST `path` with `bodies` in turn (a kiosk, or the bare
    app); kind "window": loop call-next + finish at window `window` until none waits."""

    kind: str
    base_url: str
    headers: dict[str, str]
    path: str = ""
    bodies: list[dict] = field(default_factory=list)
    window: str = ""
    expect: int = 201
    max_requests: int = 100_000
    # Open loop ("post" only): send every `interval_s`, starting `offset_s` after the go, whatever
    # the answers' pace; a request's latency then counts from when it was due, so a server that
    # falls behind is charged for the wait it causes (no coordinated omission).
    interval_s: float = 0.0
    offset_s: float = 0.0


@dataclass
class JobResult:
    kind: str
    latencies: list[float] = field(default_factory=list)  # seconds: POST, or call-next
    ends: list[float] = field(default_factory=list)  # when each of those answered
    finish_latencies: list[float] = field(default_factory=list)
    called: list[str] = field(default_factory=list)  # ticket ids a window was handed
    errors: dict[str, int] = field(default_factory=dict)
    first_start: float = 0.0
    last_end: float = 0.0
    emptied_at: float | None = None  # a window got 204: nothing left for it


def _run_job(job: HttpJob, session: Any, go: Any, deadline_s: float) -> JobResult:
    res = JobResult(job.kind)
    go.wait(120)
    end = time.monotonic() + deadline_s
    res.first_start = time.monotonic()
    n = 0
    if job.kind == "post":
        url = job.base_url + job.path
        while n < job.max_requests and time.monotonic() < end:
            body = job.bodies[n % len(job.bodies)] if job.bodies else {}
            t0 = time.monotonic()
            if job.interval_s:
                due = res.first_start + job.offset_s + n * job.interval_s
                if due >= end:
                    break
                if due > t0:
                    time.sleep(due - t0)
                t0 = due
            try:
                r = session.post(url, json=body, headers=job.headers, timeout=30)
                status = str(r.status_code)
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                status = type(exc).__name__
            t1 = time.monotonic()
            n += 1
            if status == str(job.expect):
                res.latencies.append(t1 - t0)
                res.ends.append(t1)
            else:
                res.errors[status] = res.errors.get(status, 0) + 1
            res.last_end = t1
        return res
    base = f"{job.base_url}/api/v1/windows/{job.window}"
    misses = 0
    while n < job.max_requests and time.monotonic() < end and misses < 50:
        t0 = time.monotonic()
        try:
            r = session.post(base + "/call-next", headers=job.headers, timeout=30)
            status = r.status_code
        except Exception as exc:  # noqa: BLE001
            res.errors[type(exc).__name__] = res.errors.get(type(exc).__name__, 0) + 1
            misses += 1
            continue
        t1 = time.monotonic()
        n += 1
        res.last_end = t1
        if status == 204:
            res.emptied_at = t1
            break
        if status != 200:
            res.errors[f"call {status}"] = res.errors.get(f"call {status}", 0) + 1
            misses += 1
            time.sleep(0.01)
            continue
        res.latencies.append(t1 - t0)
        res.ends.append(t1)
        res.called.append(r.json()["ticket"]["id"])
        t2 = time.monotonic()
        try:
            r = session.post(base + "/finish", headers=job.headers, json={}, timeout=30)
            status = r.status_code
        except Exception as exc:  # noqa: BLE001
            status = type(exc).__name__
        t3 = time.monotonic()
        res.last_end = t3
        if status == 200:
            res.finish_latencies.append(t3 - t2)
        else:
            res.errors[f"finish {status}"] = res.errors.get(f"finish {status}", 0) + 1
            misses += 1
    return res


def _http_process(jobs: list[HttpJob], deadline_s: float, ready: Any, go: Any, out: Any) -> None:
    import requests

    raise_file_limit()
    sessions = []
    for job in jobs:
        s = requests.Session()
        s.get(local(job.base_url) + "/healthz", timeout=10)  # open the keep-alive connection now
        sessions.append(s)
    results: list[JobResult | None] = [None] * len(jobs)

    def one(i: int) -> None:
        results[i] = _run_job(jobs[i], sessions[i], go, deadline_s)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(jobs))]
    for t in threads:
        t.start()
    ready.put(os.getpid())
    for t in threads:
        t.join(deadline_s + 120)
    out.put([r for r in results if r is not None])


def run_http(jobs: list[HttpJob], *, procs: int, deadline_s: float) -> list[JobResult]:
    """Run the jobs as threads spread over `procs` processes, all starting at once."""
    procs = max(1, min(procs, len(jobs)))
    ready, out, go = CTX.Queue(), CTX.Queue(), CTX.Event()
    groups = [jobs[i::procs] for i in range(procs)]
    workers = [CTX.Process(target=_http_process, args=(g, deadline_s, ready, go, out), daemon=True)
               for g in groups]
    for w in workers:
        w.start()
    try:
        deadline = time.monotonic() + 180
        waiting = len(workers)
        while waiting:
            try:
                ready.get(timeout=1)
                waiting -= 1
            except queue.Empty:
                if time.monotonic() > deadline or any(w.exitcode not in (None, 0) for w in workers):
                    raise RuntimeError("HTTP load workers failed to start") from None
        go.set()
        results: list[JobResult] = []
        for _ in workers:
            results += out.get(timeout=deadline_s + 180)
        return results
    finally:
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.kill()
