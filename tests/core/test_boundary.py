"""server/core is the hall's rules and nothing else: no framework, no database, no transport.

Every import statement of every module under server/core is read from its source (including
imports inside functions), and importing the whole core in a fresh interpreter must not pull in
any framework behind our back (through a re-export or a side effect).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "server" / "core"

FORBIDDEN = (
    "flask",
    "flask_socketio",
    "socketio",
    "engineio",
    "eventlet",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "redis",
    "werkzeug",
)
# The national holiday table, imported lazily inside the one function that reads it.
ALLOWED_THIRD_PARTY = {("workdays.py", "chinese_calendar")}


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1])


def imports_of(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it sits."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_of(path).split(".")
                base = base[: len(base) - (node.level - 1)]
                if node.module:
                    found.append((node.lineno, ".".join([*base, node.module])))
                else:
                    # `from . import x`: each name is a submodule (or a package attribute).
                    found.extend((node.lineno, ".".join([*base, alias.name])) for alias in node.names)
            else:
                found.append((node.lineno, node.module or ""))
    return found


def violation(path: Path, name: str) -> str | None:
    top = name.split(".")[0]
    if top in FORBIDDEN:
        return f"framework {name}"
    if top == "server":
        if name == "server.core" or name.startswith("server.core."):
            return None
        return f"{name}, outside server.core"
    if top in sys.stdlib_module_names:
        return None
    if (path.name, top) in ALLOWED_THIRD_PARTY:
        return None
    return f"third-party {name}"


def test_the_core_has_modules_to_check():
    names = {p.name for p in core_files()}
    assert {"tickets.py", "calling.py", "estimate.py", "numbering.py", "windows.py", "hall.py"} <= names


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_only_the_stdlib_and_the_core(path):
    problems = [
        f"{path.relative_to(ROOT)}:{line}: imports {why}"
        for line, name in imports_of(path)
        if (why := violation(path, name))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_does_not_import_by_name_at_run_time(path):
    """`__import__("flask")` or importlib would slip past the static walk above."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    dynamic = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module"))
            or (isinstance(node.func, ast.Attribute) and node.func.attr in ("__import__", "import_module"))
        )
    ]
    assert not dynamic, f"{path.relative_to(ROOT)} imports dynamically at lines {dynamic}"


def test_chinese_calendar_is_imported_lazily_and_only_in_workdays():
    for path in core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "chinese_calendar" for n in names), (
                f"{path.name} imports chinese_calendar at module level"
            )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask", "framework flask"),
        ("def f():\n    from sqlalchemy import select", "framework sqlalchemy"),
        ("from ..db import tables", "server.db, outside server.core"),
        ("from server import settings", "server, outside server.core"),
        ("from server.app import views", "server.app, outside server.core"),
        ("import numpy", "third-party numpy"),
        ("import chinese_calendar", "third-party chinese_calendar"),
        ("from .hall import Hall", None),
        ("from . import tickets", None),
        ("import datetime", None),
    ],
)
def test_the_walk_itself_catches_what_it_should(source, expected):
    probe = CORE / "_probe.py"
    found = [violation(probe, name) for _, name in imports_of(probe, source)]
    assert found == [expected]


def test_importing_the_core_loads_no_framework():
    modules = sorted(module_name(p) for p in core_files())
    script = f"import json, sys\nimport {', '.join(modules)}\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    leaked = [
        m
        for m in loaded
        if m.split(".")[0] in FORBIDDEN
        or (m.startswith("server.") and not (m == "server.core" or m.startswith("server.core.")))
    ]
    assert not leaked, f"importing the core loaded {leaked}"
    # The holiday table too stays unloaded until a calendar actually asks it.
    assert "chinese_calendar" not in loaded
