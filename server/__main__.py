"""The `hallq` command. The only module that knows eventlet.

eventlet must monkey-patch the standard library before anything else imports it (Flask, the
database drivers, threading), so this module parses the command line with argparse alone and
patches before it imports the rest of HallQ.
"""

from __future__ import annotations

import os
import sys
import warnings


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
    from server.cli import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
