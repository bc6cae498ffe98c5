"""A fixed budget of requests per client address over a sliding window, for public lookups that
need no account (the /verify check of a printed code). Pure: time is an argument.

Failures are not what counts here (a genuine code and a forged one cost the same), so unlike
sign-in throttling (core.throttle) every request is counted. The state is the limiter's own,
in memory: a restart forgets it, which costs an attacker nothing against 80-bit codes anyway.
One limiter is shared by every request: a lock keeps its map whole under threads
(async_mode threading).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Budget:
    requests: int = 30
    per: timedelta = timedelta(minutes=5)


class Limiter:
    """`allow(key, now)` → 0 when the request may go ahead, else the seconds to wait."""

    def __init__(self, budget: Budget = Budget(), max_keys: int = 10_000) -> None:
        self.budget = budget
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: datetime) -> int:
        with self._lock:
            return self._allow(key, now)

    def _allow(self, key: str, now: datetime) -> int:
        times = self._seen.pop(key, None) or deque()
        start = now - self.budget.per
        while times and times[0] <= start:
            times.popleft()
        self._seen[key] = times  # most recent last, so the oldest keys go first when full
        if len(times) >= self.budget.requests:
            wait = times[0] + self.budget.per - now
            return max(1, int(wait.total_seconds() + 0.999))
        times.append(now)
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return 0
