"""server/web is transport only: it parses, authenticates, calls a handler and shapes the answer.

So it imports the handlers (server.app), the core's types and errors, the settings the
composition root hands it, its web framework and the standard library: never the database
(server.db, sqlalchemy), the printers or speech directly. Every import statement of every
module under server/web is read from its source, with the walker of test_boundary.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.core.test_boundary import ROOT, imports_of

WEB = ROOT / "server" / "web"

FRAMEWORK = {"flask", "flask_socketio", "socketio", "engineio", "werkzeug"}
# Request bodies are parsed with pydantic models: parsing is the transport's.
PARSING = {"pydantic"}
SERVER_ALLOWED = ("server.app", "server.core", "server.web", "server.bootstrap", "server.settings")
# The faces (kiosk, display, console, admin, manage) are blueprints the pages module registers.
FACES = {"kiosk", "display", "console", "admin", "manage", "rater", "guide"}
# What single modules may import besides, and why.
EXCEPTIONS = {
    # The relay wraps python-socketio's Redis manager, with its own retry policy.
    ("relay.py", "redis"),
}


def web_files() -> list[Path]:
    return sorted(WEB.rglob("*.py"))


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violation(path: Path, name: str) -> str | None:
    top = name.split(".")[0]
    if any((path.name, allowed) in EXCEPTIONS for allowed in (top, ".".join(name.split(".")[:2]))):
        return None
    if top == "server":
        return None if any(_within(name, p) for p in SERVER_ALLOWED) else f"{name}, below the handlers"
    if top in FRAMEWORK or top in PARSING or top in FACES or top in sys.stdlib_module_names:
        return None
    return f"{name}, not the transport's"


def test_the_web_layer_has_modules_to_check():
    assert {"factory.py", "sockets.py", "api_staff.py", "api_kiosk.py", "printing.py"} <= {p.name for p in web_files()}


@pytest.mark.parametrize("path", web_files(), ids=lambda p: str(p.relative_to(WEB)))
def test_web_module_imports_only_the_handlers_the_core_and_its_framework(path):
    problems = [
        f"{path.relative_to(ROOT)}:{line}: imports {why}"
        for line, name in imports_of(path)
        if (why := violation(path, name))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("api_staff.py", "from server.db import accounts_repo", "server.db, below the handlers"),
        ("printing.py", "from server.db.print_store import AGENT_SCHEME", "server.db.print_store, below the handlers"),
        ("factory.py", "from server.hallconfig import load_hall", "server.hallconfig, below the handlers"),
        ("audio.py", "from server.speech.settings import is_audio_id", "server.speech.settings, below the handlers"),
        ("printing.py", "from printers.spooler import Spooler", "printers.spooler, not the transport's"),
        ("factory.py", "def f():\n    import sqlalchemy", "sqlalchemy, not the transport's"),
        ("sockets.py", "import redis", "redis, not the transport's"),
        ("relay.py", "from redis.retry import Retry", None),
        ("publisher.py", "from server.db.event_log import read_events", "server.db.event_log, below the handlers"),
        ("api_kiosk.py", "from server.app.issuing import issue_ticket", None),
        ("api_kiosk.py", "from .auth import services", None),
        ("errors.py", "from server.core.errors import DomainError", None),
        ("factory.py", "from server.settings import Settings", None),
        ("pages.py", "import kiosk", None),
        ("bodies.py", "from pydantic import BaseModel", None),
        ("sockets.py", "from flask_socketio import SocketIO", None),
    ],
)
def test_the_walk_itself_catches_what_it_should(module, source, expected):
    probe = WEB / module
    found = [violation(probe, name) for _, name in imports_of(probe, source)]
    assert found == [expected]
