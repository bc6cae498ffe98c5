"""A line of estimates is shared by the changes that read the same (server/app/waits.py), and with
`async_mode = "threading"` those run in threads: every reader must get every place right."""

from __future__ import annotations

import sys
import threading

from server.core.estimate import Server, ServiceTimes, wait_estimates


def test_threads_reading_one_line_at_once_each_get_every_place_right():
    servers = [Server(share=0.5, free_in_s=40.0 * i) for i in range(6)]
    service = ServiceTimes(mean_s=420.0, cv=0.7, no_show=0.05)
    expected = list(wait_estimates(400, servers, service, 0.002, [(600.0, 4200.0, 0.5)]))
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as CPython will
    try:
        for _ in range(20):
            shared = wait_estimates(400, servers, service, 0.002, [(600.0, 4200.0, 0.5)])
            assert shared is not None
            wrong: list[str] = []

            def read(stop: int, shared=shared, wrong=wrong) -> None:
                for upto in range(stop % 7 + 1, stop, 37):
                    got = shared[:upto]
                    if got != expected[:upto]:
                        wrong.append(f"{upto}: {len(got)} places")
                if shared[stop - 1] != expected[stop - 1]:
                    wrong.append(f"place {stop - 1}")

            threads = [threading.Thread(target=read, args=(100 + 25 * k,)) for k in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not wrong, wrong
    finally:
        sys.setswitchinterval(old)
