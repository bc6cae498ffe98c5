"""`hallq user list | unlock | disable | enable | reset-password`, run as the command line runs them,
against the database the test's server uses."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from server import cli
from server.app import accounts
from server.core.throttle import DEFAULT
from server.db.tables import users
from tests.api.test_login import CountingHasher, attempt
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cheap_hash(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def hallq(svc, clock, monkeypatch, capsys):
    """Runs `hallq ARGS` (the CLI function) on the test's database and clock; returns (exit code,
    output)."""
    made = cli.services_for

    def on_test_clock(settings):
        services = made(settings)
        services.clock = clock
        return services

    monkeypatch.setattr(cli, "services_for", on_test_clock)

    def run(*args: str, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.run([*args, "--db", str(svc.engine.url)])
        out = capsys.readouterr()
        return code, out.out + out.err

    return run


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    calls: list[float] = []
    real = accounts.login
    monkeypatch.setattr(accounts, "login", lambda *a, **k: real(*a, **{"sleep": calls.append, **k}))
    return calls


def bearer(r) -> dict[str, str]:
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def test_list_shows_role_department_disabled_failures_and_last_sign_in(svc, client, hallq, slept):
    accounts.add_user(svc, "alice", PASSWORD, "window", "SCJG")
    accounts.add_user(svc, "bob", PASSWORD, "manager")
    bearer(attempt(client, "alice", PASSWORD))
    for i in range(DEFAULT.account.free + 1):
        attempt(client, "bob", "wrong-password", f"10.1.0.{i}")
    code, out = hallq("user", "list")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["name", "role", "department", "disabled", "failures", "slowed", "until", "last",
                                "sign-in"]
    alice = lines[1].split()
    assert alice[:5] == ["alice", "window", "SCJG", "no", "0"] and alice[5] == "-" and alice[6].startswith("2026-")
    bob = lines[2].split()
    assert bob[:5] == ["bob", "manager", "-", "no", str(DEFAULT.account.free + 1)]
    assert bob[5].startswith("2026-") and bob[6] == "-"


def test_unlock_forgets_the_failures_that_slowed_an_account(svc, client, hallq, slept):
    accounts.add_user(svc, "alice", PASSWORD, "window")
    for i in range(DEFAULT.account.free + 3):
        attempt(client, "alice", "wrong-password", f"10.2.0.{i}")
    assert hallq("user", "unlock", "alice") == (0, "user alice: failed sign-ins forgotten\n")
    slept.clear()
    bearer(attempt(client, "alice", PASSWORD, "10.3.0.1"))
    assert slept == []
    assert hallq("user", "unlock", "nobody")[0] == 2


def test_disable_refuses_sign_in_and_stops_the_users_tokens(svc, client, hallq, slept):
    accounts.add_user(svc, "alice", PASSWORD, "window")
    headers = bearer(attempt(client, "alice", PASSWORD))
    code, out = hallq("user", "disable", "alice")
    assert code == 0 and "1 token(s) revoked" in out
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    r = attempt(client, "alice", PASSWORD)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    assert "yes" in next(line for line in hallq("user", "list")[1].splitlines() if line.startswith("alice"))
    assert hallq("user", "enable", "alice")[0] == 0
    bearer(attempt(client, "alice", PASSWORD))


def test_disabling_in_the_server_process_stops_a_token_it_has_just_cached(svc, client, slept):
    accounts.add_user(svc, "alice", PASSWORD, "window")
    headers = bearer(attempt(client, "alice", PASSWORD))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # now cached
    accounts.set_disabled(svc, "alice")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_reset_password_reads_stdin_and_revokes_tokens(svc, client, hallq, slept):
    accounts.add_user(svc, "alice", PASSWORD, "window")
    headers = bearer(attempt(client, "alice", PASSWORD))
    code, out = hallq("user", "reset-password", "alice", stdin="brand-new-secret\n")
    assert code == 0 and "1 token(s) revoked" in out
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert attempt(client, "alice", PASSWORD).status_code == 401
    bearer(attempt(client, "alice", "brand-new-secret"))
    code, out = hallq("user", "reset-password", "alice", stdin="short\n")
    assert code == 2 and "at least 8" in out


def test_the_installed_command_lists_users(svc, tmp_path):
    accounts.add_user(svc, "alice", PASSWORD, "chief", "SCJG")
    env = {**os.environ, "HALLQ_DB": str(svc.engine.url), "HALLQ_VAR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "server", "user", "list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split()[:4] == ["alice", "chief", "SCJG", "no"]


def test_add_makes_an_account_of_the_config_s_hall_of_another_or_of_every_hall(svc, client, hallq, slept):
    code, out = hallq("user", "add", "alice", "--role", "window", stdin=f"{PASSWORD}\n")
    assert code == 0 and out.endswith(f"for hall {svc.hall.code}\n"), out
    code, out = hallq("user", "add", "boss", "--role", "manager", "--all-halls", stdin=f"{PASSWORD}\n")
    assert code == 0 and out.endswith("for every hall\n"), out
    code, out = hallq("user", "add", "dora", "--role", "window", "--hall", "d1", stdin=f"{PASSWORD}\n")
    assert code == 0 and out.endswith("for hall d1\n"), out
    with svc.engine.connect() as conn:
        halls = dict(conn.execute(select(users.c.username, users.c.hall)).all())
    assert halls == {"alice": svc.hall.code, "boss": None, "dora": "d1"}
    # This hall lists and signs in its own and the installation's staff; dora is another hall's.
    listed = [line.split()[0] for line in hallq("user", "list")[1].splitlines()[1:]]
    assert listed == ["alice", "boss"]
    bearer(attempt(client, "alice", PASSWORD))
    bearer(attempt(client, "boss", PASSWORD))
    r = attempt(client, "dora", PASSWORD)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    code, out = hallq("user", "add", "dora", "--role", "window", stdin=f"{PASSWORD}\n")
    assert code == 2 and "exists already" in out
    with pytest.raises(SystemExit) as refused:  # argparse: one or the other
        hallq("user", "add", "eve", "--role", "window", "--hall", "d1", "--all-halls", stdin=f"{PASSWORD}\n")
    assert refused.value.code == 2
