"""Shared fixtures: the demo hall, a fresh migrated SQLite database per test, a fake clock, and
the Flask app with its test clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.app import accounts
from server.app.context import Followers, Services
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import BARE_CONNECTION_HALL
from server.hallconfig import DEFAULT_CONFIG, load_hall
from server.settings import Settings
from tests.support.clock import FakeClock

PASSWORD = "correct-horse-1"

# A repository driven on a bare connection (no unit of work) in a test works for the demo hall;
# the server itself never falls back (server/db/scope.py).
DEMO_HALL = load_hall(DEFAULT_CONFIG).code
BARE_CONNECTION_HALL[:] = [DEMO_HALL]


@pytest.fixture(scope="session")
def hall():
    return load_hall(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """Migrated once; each test copies the file, which is far faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def published() -> list:
    return []


@pytest.fixture
def db_engine(template_db, tmp_path):
    path = tmp_path / "hallq.db"
    shutil.copy(template_db, path)
    made = make_engine(f"sqlite:///{path}")
    yield made
    made.dispose()


@pytest.fixture
def svc(request, hall, db_engine, clock, published) -> Services:
    """The hall's services: the app's own when the test uses the app, else bare ones (no
    publisher), with every committed change recorded in `published` either way."""
    if "hq" in request.fixturenames:
        return request.getfixturevalue("hq").services
    return Services(hall=hall, engine=db_engine, clock=clock, followers=Followers(published.append))


@pytest.fixture
def hq(hall, db_engine, clock, tmp_path, published):
    from server.bootstrap import build

    settings = Settings(db_url=str(db_engine.url), async_mode="threading", var_dir=tmp_path, testing=True)
    return build(settings, hall=hall, engine=db_engine, clock=clock, watch=[published.append])


@pytest.fixture
def client(hq):
    return hq.app.test_client()


@pytest.fixture
def kiosk_key(svc) -> str:
    return accounts.add_device(svc, "kiosk-test", "kiosk")


@pytest.fixture
def display_key(svc) -> str:
    return accounts.add_device(svc, "display-test", "display")


@pytest.fixture
def make_staff(svc, client):
    """Creates a user and returns (token, auth headers)."""

    def make(username: str, role: str = "window", department: str | None = None) -> dict[str, str]:
        accounts.add_user(svc, username, PASSWORD, role, department)
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    return make
