"""What a run measures and for how long, the accounts' names, and the queues kiosks ask for."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "bench-password-1"
WINDOWS = [str(i) for i in range(1, 31)]


@dataclass
class Plan:
    issue_s: float
    windows_s: float
    calls: int
    displays: tuple[int, ...]
    pg_s: float
    pg_processes: int
    pg_tickets: int
    pg_windows: int
    backlog_steps: tuple[int, ...]
    # bench/phases/province.py: halls of 20 windows, each issuing (and calling) this many a second
    province_halls: int = 50
    province_rate: float = 0.3
    # 50 s: a window calls once or not at all in the run, and its keep-alive connection, opened at
    # the start, must still be open then (the server drops one idle for 60 s: HALLQ_IDLE_TIMEOUT_S)
    province_s: float = 50
    # bench/phases/memory.py: a busy hall's day (about 4,000 tickets) in rounds, screens reconnecting
    memory_rounds: int = 10
    memory_tickets_per_round: int = 400
    memory_screens: int = 100

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(issue_s=3, windows_s=3, calls=6, displays=(100, 1000), pg_s=4, pg_processes=3,
                       pg_tickets=300, pg_windows=12, backlog_steps=(),
                       province_halls=10, province_rate=0.5, province_s=20,
                       memory_rounds=4, memory_tickets_per_round=100, memory_screens=50)
        return cls(issue_s=10, windows_s=10, calls=20, displays=(100, 1000), pg_s=10, pg_processes=3,
                   pg_tickets=1500, pg_windows=30,
                   backlog_steps=(250, 1000, 2000, 3000))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

def kiosk_bodies(mix: list[dict], k: int) -> list[dict]:
    """Kiosk k's bodies: the mix begun at its k-th entry, so kiosks issuing together do not all
    ask for the same queue at once."""
    return mix[k % len(mix):] + mix[:k % len(mix)]


def queue_mix(config: Path, windows: list[str]) -> list[dict]:
    """Queue codes in the proportion these windows call them, so every window has work."""
    from server.hallconfig import load_hall

    hall = load_hall(config)
    demand: dict[str, float] = defaultdict(float)
    for w in hall.windows:
        if w.id not in windows:
            continue
        total = sum(sq.weight for sq in w.queues)
        for sq in w.queues:
            demand[sq.queue] += sq.weight / total
    bodies = []
    for q, d in sorted(demand.items()):
        bodies += [{"queue": q}] * max(1, round(d * 6))
    # interleave so consecutive requests go to different queues
    return [bodies[i] for i in sorted(range(len(bodies)), key=lambda i: (i * 7919) % len(bodies))]
