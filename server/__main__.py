"""The `hallq` command. The only module that knows eventlet.

eventlet must monkey-patch the standard library before anything else imports it (Flask, the
database drivers, threading), so this module parses the command line with argparse alone and
patches before it imports the rest of HallQ.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any


def _wants_eventlet(argv: list[str]) -> bool:
    if not argv or argv[0] != "serve":
        return False
    mode = os.environ.get("HALLQ_ASYNC_MODE", "eventlet")
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            mode = argv[i + 1]
        elif arg.startswith("--async-mode="):
            mode = arg.split("=", 1)[1]
    return mode == "eventlet"


def _ready_sockets_skip_the_hub() -> None:
    """psycopg's green wait (`wait_select`) asks eventlet's select even when the socket is ready
    already, and eventlet's select always goes round its hub: on PostgreSQL a pipelined change
    sends each statement that way (server/db/pipeline.py), writable at once, and paid a trip
    round the hub for each. A ready socket is now found by a poll that does not wait; only one that
    would block is waited for through the hub, so other greenthreads still run meanwhile."""
    try:
        import psycopg.waiting as waiting
    except ImportError:  # no PostgreSQL driver: an SQLite hall
        return
    import eventlet.patcher

    real, green = eventlet.patcher.original("select"), waiting.select
    # poll, not select: a hall's thousand screens put its database sockets past select's 1024.
    hup = real.POLLHUP | real.POLLERR | real.POLLNVAL

    class ReadyFirst:
        def __getattr__(self, name: str) -> Any:
            return getattr(green, name)

        @staticmethod
        def select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
            # psycopg asks about its one socket: `rlist`, `wlist` and `xlist` hold it or nothing.
            fd = (list(rlist) or list(wlist) or list(xlist) or [None])[0]
            if fd is not None:
                poller = real.poll()
                poller.register(fd, (real.POLLIN if rlist else 0) | (real.POLLOUT if wlist else 0) | real.POLLPRI)
                for _, ev in poller.poll(0):
                    r = [fd] if rlist and ev & (real.POLLIN | hup) else []
                    w = [fd] if wlist and ev & (real.POLLOUT | hup) else []
                    x = [fd] if xlist and ev & real.POLLPRI else []
                    if r or w or x:
                        return r, w, x
            return green.select(rlist, wlist, xlist, timeout)

    waiting.select = ReadyFirst()  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _wants_eventlet(argv):
        # psycopg 3 yields to eventlet only with this set before it is imported (field notes).
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        # eventlet 0.41 warns on import that it is deprecated; the design card asks for it, and
        # the warning would otherwise greet every hall manager who starts the server.
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
        _ready_sockets_skip_the_hub()
    from server.cli import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
