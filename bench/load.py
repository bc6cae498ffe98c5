"""Load generators: what every client process of the bench shares.

Every loop of the bench is bounded twice, by a count and by a deadline, and talks to 127.0.0.1
only. The clients live by kind: HTTP kiosks and windows in bench/http_load.py, Socket.IO
displays in bench/displays.py; bench/cpu.py measures what they and the servers cost. Times are
`time.monotonic()`, one clock for every process of the machine.
"""

from __future__ import annotations

import multiprocessing as mp
import resource

CTX = mp.get_context("spawn")
URL_PREFIX = "http://127.0.0.1:"


def raise_file_limit() -> int:
    """Hundreds of sockets per process: lift the soft open-file limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 65536
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def local(url: str) -> str:
    """The url, if it is on 127.0.0.1; the bench never talks to another machine."""
    if not url.startswith(URL_PREFIX):
        raise ValueError(f"the bench only talks to 127.0.0.1, not {url}")
    return url
