"""Under eventlet, psycopg's wait finds a ready socket without a trip round the hub, and still
waits for one that is not ready through it (server/__main__.py). Run in a process of its own:
the test process must not be monkey-patched."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.server_process import REPO

SCRIPT = textwrap.dedent("""
    import os, socket, time
    os.environ["PSYCOPG_WAIT_FUNC"] = "wait_select"
    import eventlet
    eventlet.monkey_patch()
    import server.__main__ as entry
    entry._ready_sockets_skip_the_hub()
    import psycopg.waiting as waiting
    hub = eventlet.hubs.get_hub()
    switches = []
    real_switch = hub.switch
    hub.switch = lambda *a: (switches.append(1), real_switch(*a))[1]
    a, b = socket.socketpair()
    fd = a.fileno()
    # Writable at once: answered without the hub.
    assert waiting.select.select([], [fd], [fd], 5.0) == ([], [fd], []), "not writable"
    assert switches == [], switches
    # Nothing to read: waited for through the hub, where another greenthread runs meanwhile.
    ran = []
    eventlet.spawn(lambda: (ran.append(1), b.send(b"x")))
    r, w, x = waiting.select.select([fd], [], [fd], 5.0)
    assert r == [fd] and ran == [1] and switches, (r, ran, switches)
    print("ok")
""")


def test_a_ready_socket_skips_the_hub_and_a_waiting_one_lets_others_run():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
