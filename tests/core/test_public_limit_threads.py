"""The /verify limiter is shared by every request thread (async_mode threading): counted requests
must never be lost nor its map broken when threads hit it at once."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

from server.core.public_limit import Budget, Limiter

NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)


def _round() -> tuple[int, list[Exception]]:
    limiter = Limiter(Budget(requests=50), max_keys=64)
    allowed: list[int] = []
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def hammer(i: int) -> None:
        start.wait()
        try:
            for j in range(400):
                if limiter.allow("same", NOW) == 0:
                    allowed.append(1)
                limiter.allow(f"k{i}-{j}", NOW)  # churn: the oldest keys are evicted
        except Exception as exc:  # any crash is the defect
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(allowed), errors


def test_threads_at_once_never_get_past_the_budget_nor_break_the_map():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):
            allowed, errors = _round()
            assert errors == []
            assert allowed <= 50
    finally:
        sys.setswitchinterval(old)
