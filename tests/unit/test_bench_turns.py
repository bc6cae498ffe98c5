"""The bench's loads taking turns (bench/measure.py `taking_turns`): a ratio of two loads must not
measure the machine's drift between them, so they alternate, and each load's turns count as one."""

from __future__ import annotations

import os
from contextlib import contextmanager

from bench.http_load import JobResult
from bench.measure import taking_turns


def _turn(start: float, requests: int, each_s: float) -> list[JobResult]:
    ends = [start + each_s * (i + 1) for i in range(requests)]
    return [JobResult("post", latencies=[each_s] * requests, ends=ends, first_start=start, last_end=ends[-1])]


def test_loads_alternate_and_each_counts_all_its_turns_as_one():
    order: list[str] = []
    clock = [0.0]

    def load(name: str, requests: int, each_s: float):
        def run() -> list[JobResult]:
            order.append(name)
            out = _turn(clock[0], requests, each_s)
            clock[0] += requests * each_s + 5.0  # the other's turn and a pause lie between
            return out
        return run

    sampled: list[str] = []

    @contextmanager
    def sampler():
        sampled.append("in")
        yield
        sampled.append("out")

    me = [os.getpid()]
    # The machine slows down turn by turn: a's second turn is as slow as b's.
    speeds = iter([0.01, 0.02, 0.02, 0.04])
    both = taking_turns(2, {"a": (me, lambda: load("a", 100, next(speeds))()),
                            "b": (me, lambda: load("b", 100, next(speeds))())}, around={"b": sampler})
    assert order == ["a", "b", "a", "b"]
    assert sampled == ["in", "out", "in", "out"]
    a, b = both["a"], both["b"]
    # 200 requests in 1 s + 2 s of a's own time, 200 in 2 s + 4 s of b's: the pauses between are no one's.
    assert round(a["rate"], 3) == round(200 / 3.0, 3) and round(b["rate"], 3) == round(200 / 6.0, 3)
    assert a["rates"] == [100.0, 50.0] and b["rates"] == [50.0, 25.0]
    assert a["count"] == 200 and a["latency_ms"]["p50"] in (10.0, 20.0)
    assert a["rounds"] == 2 and "server_cpu_ms_per_request" in a["cpu"]
