"""The layers around the core keep to their own: SQL in server/db, handlers in server/app, the faces
away from the database.

- server/app imports no SQLAlchemy and no table module: it works through repositories and the
  unit of work (server/db/*_repo.py, uow.py, handles.py), never through a table or a statement;
- nothing outside server/db imports SQLAlchemy but the wiring that builds the engine (the
  composition root, the command line, the demo, the benchmark) and the tests;
- the faces (console/, kiosk/, display/, printers/) import nothing of server.db;
- server/web imports only server.app, server.core and the composition root (held once the web
  layer is pure transport).

Every import statement is read from the source, wherever it sits (inside functions too), with the
import walk of tests/core/test_boundary.py.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.test_boundary import ROOT, imports_of, package_of

SERVER = ROOT / "server"
# The modules that hold the schema: none of them may be imported from server/app.
TABLE_MODULES = ("server.db.tables", "server.db.metadata", "server.db.types")
# Wiring: where the engine is built and handed to everything else, so SQLAlchemy is allowed there.
WIRING = {
    "server/bootstrap.py",
    "server/web/factory.py",
    "server/cli.py",
    "server/demo.py",
    "server/__main__.py",
}
FACES = ("console", "kiosk", "display", "admin", "manage", "guide", "printers")
# What server/web may import of the server besides itself.
WEB_MAY_IMPORT = ("server.web", "server.app", "server.core", "server.bootstrap")


def py_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """Every module an import names, with `from package import module` also as `package.module`
    (the boundary walk keeps only `package` for an absolute `from`, enough for the core)."""
    found = imports_of(path, source)
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                parts = package_of(path).split(".")
                base = ".".join([*parts[: len(parts) - (node.level - 1)], node.module])
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_table_module(name: str) -> bool:
    parts = name.split(".")
    in_db_tables = parts[:2] == ["server", "db"] and len(parts) > 2 and parts[2].endswith("_tables")
    return in_db_tables or any(is_under(name, m) for m in TABLE_MODULES)


def app_violation(name: str) -> str | None:
    if is_under(name, "sqlalchemy"):
        return f"SQLAlchemy ({name}): build statements in a server/db repository"
    if is_table_module(name):
        return f"table module {name}: go through a repository"
    return None


def sqlalchemy_violation(path: Path, name: str) -> str | None:
    if not is_under(name, "sqlalchemy"):
        return None
    if rel(path) in WIRING or is_under(package_of(path), "server.db") or rel(path).startswith("bench/"):
        return None
    return f"SQLAlchemy ({name}) outside server/db and the wiring"


def face_violation(name: str) -> str | None:
    return f"{name}: a face talks to the server over HTTP and Socket.IO only" if is_under(name, "server.db") else None


def web_violation(name: str) -> str | None:
    if not is_under(name, "server"):
        return None
    if any(is_under(name, allowed) for allowed in WEB_MAY_IMPORT):
        return None
    return f"{name}: server/web is transport, it calls server/app"


def problems(paths: list[Path], rule: Callable[[str], str | None]) -> list[str]:
    """One line per offending import statement."""
    found: dict[str, str] = {}
    for p in paths:
        for line, name in imported(p):
            if (why := rule(name)) is not None:
                found.setdefault(f"{rel(p)}:{line}", why)
    return [f"{where}: imports {why}" for where, why in found.items()]


def test_there_are_modules_to_check():
    assert len(py_files("server/app")) > 10
    assert {"web", "app", "db", "core"} <= {p.name for p in SERVER.iterdir() if p.is_dir()}


def test_server_app_imports_no_sqlalchemy_and_no_table():
    found = problems(py_files("server/app"), app_violation)
    assert not found, "\n".join(found)


def test_only_server_db_and_the_wiring_import_sqlalchemy():
    found = [
        problem
        for p in py_files("server", "printers", "console", "kiosk", "display", "bench")
        for problem in problems([p], lambda name, p=p: sqlalchemy_violation(p, name))
    ]
    assert not found, "\n".join(found)


def test_the_faces_import_nothing_of_the_database():
    found = problems(py_files(*FACES), face_violation)
    assert not found, "\n".join(found)


# The rule for server/web (only the handlers, the core, the composition root and its framework)
# is held by tests/core/test_web_layer.py.


@pytest.mark.parametrize(
    ("where", "source", "rule", "expected"),
    [
        ("server/app/x.py", "from sqlalchemy import update", app_violation, True),
        ("server/app/x.py", "def f():\n    import sqlalchemy.orm", app_violation, True),
        ("server/app/x.py", "from server.db.tables import tickets", app_violation, True),
        ("server/app/x.py", "from server.db import tables", app_violation, True),
        ("server/app/x.py", "from ..db import case_tables", app_violation, True),
        ("server/app/x.py", "from server.db import tickets_repo", app_violation, False),
        ("server/app/x.py", "from server.db.handles import Connection", app_violation, False),
        ("server/app/x.py", "from server.db.uow import UnitOfWork", app_violation, False),
        ("kiosk/x.py", "from server.db import uow", face_violation, True),
        ("printers/x.py", "from printers.jobs import Job", face_violation, False),
        ("server/web/x.py", "from server.db.uow import Actor", web_violation, True),
        ("server/web/x.py", "from server.app import window_ops", web_violation, False),
        ("server/web/x.py", "from .chain import RoomChain", web_violation, False),
        ("server/web/x.py", "import flask", web_violation, False),
    ],
)
def test_the_walk_itself_catches_what_it_should(where, source, rule, expected):
    probe = ROOT / where
    assert any(rule(name) for _, name in imported(probe, source)) is expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [("server/web/api_staff.py", True), ("server/app/views.py", True), ("server/db/uow.py", False),
     ("server/cli.py", False), ("bench/run.py", False), ("server/bootstrap.py", False)],
)
def test_sqlalchemy_is_allowed_only_in_the_database_and_the_wiring(where, expected):
    assert (sqlalchemy_violation(ROOT / where, "sqlalchemy") is not None) is expected
