"""Sign-in tells nothing: an unknown name and a wrong password get the same answer after the same
work, a client spraying names is refused for every name, and failures from one address never
keep the real user out from another."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from server.app import accounts
from server.core.throttle import DEFAULT
from server.web.auth import forwarded_client
from tests.conftest import PASSWORD
from tests.support.services import pg_url  # noqa: F401,F811 - a fresh PostgreSQL database per test


class CountingHasher(PasswordHasher):
    """argon2 at its cheapest (the tests hash hundreds of times) and counting its verifies."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # noqa: A002, ANN001, ANN201
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    h = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", h)
    accounts._dummy_hash.cache_clear()
    yield h
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The delays sign-in would wait: recorded, not slept (the clock is the fake one anyway)."""
    calls: list[float] = []
    real = accounts.login

    def login(*args, **kwargs):
        kwargs.setdefault("sleep", calls.append)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "login", login)
    return calls


@pytest.fixture
def alice(svc, hasher) -> str:
    accounts.add_user(svc, "alice", PASSWORD, "window")
    return "alice"


def attempt(client, username: str, password: str, address: str = "10.0.0.1", **headers: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_unknown_name_and_wrong_password_answer_alike_after_one_verify_each(client, alice, hasher, slept):
    answers = []
    for name, address in (("alice", "10.0.0.1"), ("nobody", "10.0.0.2")):
        seen = []
        # Past the point where the old code locked real accounts (429 for them, 401 for unknowns).
        for _ in range(DEFAULT.pair.free + 2):
            before = hasher.verified
            r = attempt(client, name, "wrong-password", address)
            seen.append((r.status_code, r.get_json(), r.headers.get("Retry-After"), hasher.verified - before))
        answers.append(seen)
    assert answers[0] == answers[1]
    statuses = [s for s, *_ in answers[0]]
    assert statuses[: DEFAULT.pair.free] == [401] * DEFAULT.pair.free
    assert statuses[-1] == 429
    # Every 401 cost exactly one argon2 verify, whether the name exists or not.
    assert all(n == 1 for s, _, _, n in answers[0] if s == 401)
    wrong = {"code": "unauthorized", "message": "用户名或密码错误 / wrong username or password",
             "message_zh": "用户名或密码错误"}
    assert answers[0][0][1] == {"error": wrong}


def test_a_disabled_account_answers_as_a_wrong_password(client, svc, alice, hasher, slept):
    accounts.set_disabled(svc, "alice")
    before = hasher.verified
    r = attempt(client, "alice", PASSWORD)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    assert hasher.verified - before == 1


def test_spraying_thirty_names_from_one_address_is_refused_before_the_end(client, alice, slept):
    statuses = [attempt(client, f"user{i:02}", "guess-123", "203.0.113.9").status_code for i in range(30)]
    first_refused = statuses.index(429)
    assert first_refused <= DEFAULT.address.free
    assert set(statuses[first_refused:]) == {429}
    # From that address every name is refused alike, a real one with its right password too.
    r = attempt(client, "alice", PASSWORD, "203.0.113.9")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.get_json()["error"]["code"] == "too_many_attempts"
    assert attempt(client, "nobody", "x", "203.0.113.9").get_json() == r.get_json()


def test_failures_from_elsewhere_only_delay_the_real_user(client, alice, slept):
    for i in range(20):  # twenty addresses, each failing for alice until refused
        for _ in range(DEFAULT.pair.free + 1):
            attempt(client, "alice", "wrong-password", f"198.51.100.{i}")
    slept.clear()
    r = attempt(client, "alice", PASSWORD, "192.0.2.50")
    assert r.status_code == 200, r.get_json()
    assert slept and 0 < slept[0] <= DEFAULT.account.cap.total_seconds()
    # Signed in: the account's counter is forgotten, the next sign-in waits for nothing.
    slept.clear()
    assert attempt(client, "alice", PASSWORD, "192.0.2.50").status_code == 200
    assert slept == []


def test_the_wait_ends_and_the_address_may_try_again(client, alice, clock, slept):
    for i in range(DEFAULT.address.free):
        attempt(client, f"n{i}", "guess-123")
    r = attempt(client, "alice", PASSWORD)
    assert r.status_code == 429
    clock.advance(seconds=int(r.headers["Retry-After"]))
    assert attempt(client, "alice", PASSWORD).status_code == 200


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(client, hq, alice, slept):
    # Not trusted: a client writing the header itself changes nothing, it is still one address.
    for i in range(DEFAULT.address.free):
        attempt(client, f"n{i}", "guess-123", "10.9.9.9", **{"X-Forwarded-For": f"1.2.3.{i}"})
    assert attempt(client, "alice", PASSWORD, "10.9.9.9", **{"X-Forwarded-For": "5.5.5.5"}).status_code == 429
    # Behind a trusted nginx, the address nginx saw is the client's: another visitor is not refused.
    hq.settings.trusted_proxies = ("10.9.9.9",)
    assert attempt(client, "alice", PASSWORD, "10.9.9.9", **{"X-Forwarded-For": "5.5.5.5"}).status_code == 200


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "client"),
    [
        ("10.0.0.5", [], ("10.0.0.5",), "10.0.0.5"),
        ("10.0.0.5", ["6.6.6.6, 7.7.7.7"], (), "10.0.0.5"),
        ("10.0.0.5", ["6.6.6.6, 7.7.7.7"], ("10.0.0.0/8",), "7.7.7.7"),
        ("10.0.0.5", ["6.6.6.6", "10.0.0.9"], ("10.0.0.0/8",), "6.6.6.6"),
        ("::1", ["2001:db8::7"], ("::1",), "2001:db8::7"),
        ("10.0.0.5", ["not-an-ip"], ("10.0.0.5",), "not-an-ip"),
    ],
)
def test_the_client_is_the_first_hop_no_trusted_proxy_added(peer, header, trusted, client):
    assert forwarded_client(peer, header, trusted) == client


def test_on_postgresql_concurrent_failures_all_count_and_spraying_is_refused(pg_url, hall, clock, hasher):  # noqa: F811
    """Several processes share the counters through the database; failures arriving together
    (row locks) are each counted, so parallel guesses do not slip under the limit."""
    from concurrent.futures import ThreadPoolExecutor

    from server.app.context import Services
    from server.db import accounts_repo
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    pg = Services(hall=hall, engine=engine, clock=clock)
    accounts.add_user(pg, "alice", PASSWORD, "window")

    def fail(i: int) -> str:
        try:
            accounts.login(pg, f"user{i}", "guess-123", "203.0.113.7", sleep=lambda s: None)
        except accounts.Unauthorized:
            return "401"
        except accounts.TooManyAttempts:
            return "429"
        return "200"

    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(fail, range(DEFAULT.address.free)))
        assert answers == ["401"] * DEFAULT.address.free
        with pg.read() as uow:
            address = accounts_repo.throttle_records(uow.conn, "203.0.113.7", "x")[0]
        assert address.failures == DEFAULT.address.free
        with pytest.raises(accounts.TooManyAttempts):
            accounts.login(pg, "alice", PASSWORD, "203.0.113.7")
        assert accounts.login(pg, "alice", PASSWORD, "192.0.2.1")["user"]["username"] == "alice"
    finally:
        engine.dispose()
