"""Two halls on one database (issue 16): devices, staff and statistics stay each hall's.

Hall "city" (the demo hall) and hall "d1" (the same config under another code) share a database,
with the same keys in both: window "1", queue "A", ticket numbers A001... A device key works in its
own hall only; an account signs in at its own hall (another hall's reads as no account at all)
unless it is the whole installation's; every statistic of one hall leaves the other's rows out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from server.app import accounts, sessions
from server.app.accounts import Unauthorized
from server.app.context import Services
from server.core.errors import Invalid, NotFound
from server.db import accounts_repo, stats_repo, stats_sql
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.scope import for_hall, hall_of
from server.db.tables import (
    case_history,
    cases,
    event_log,
    queue_stats,
    ratings,
    service_segments,
    ticket_calls,
    tickets,
    window_periods,
)
from tests.api.test_login import CountingHasher
from tests.conftest import PASSWORD
from tests.support.clock import FakeClock
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SCOPE = stats_sql.Scope(first=DAY, last=DAY, now=T0 + timedelta(hours=8), offset_s=8 * 3600,
                        queue_departments={"A": "SCJG", "C": "CRJ"})


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, db_engine):
    if request.param == "sqlite":
        yield db_engine
        return
    made = make_engine(request.getfixturevalue("pg_url"))
    upgrade(made)
    yield made
    made.dispose()


@pytest.fixture(autouse=True)
def cheap_hash(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def halls(engine, hall) -> tuple[Services, Services]:
    clock = FakeClock()
    return (Services(hall=hall, engine=engine, clock=clock),
            Services(hall=replace(hall, code="d1"), engine=engine, clock=clock))


def no_sleep(_: float) -> None:
    pass


def sign_in(svc: Services, username: str, password: str = PASSWORD) -> dict:
    return accounts.login(svc, username, password, "10.0.0.1", sleep=no_sleep)


def refusal(svc: Services, username: str) -> tuple[type, str, str]:
    with pytest.raises(Unauthorized) as refused:
        sign_in(svc, username)
    return type(refused.value), refused.value.code, str(refused.value)


# --- devices ---------------------------------------------------------------------------------


def test_a_device_key_works_in_its_own_hall_only(halls):
    city, d1 = halls
    key = accounts.add_device(city, "kiosk-1", "kiosk")
    assert accounts.device_for_key(city, key)["name"] == "kiosk-1"
    assert accounts.device_for_key(d1, key) is None
    with d1.read() as uow, pytest.raises(Unauthorized):
        accounts.kiosk_for_key(uow.conn, key)  # a kiosk of hall city cannot issue in hall d1
    with city.read() as uow:
        assert accounts.kiosk_for_key(uow.conn, key)["name"] == "kiosk-1"
    assert sessions.identify(d1, {"device_key": key}) is None
    assert sessions.identify(city, {"device_key": key})["device"]["name"] == "kiosk-1"

    # Names are the installation's: d1 cannot take it, nor see, change or revoke city's device.
    with pytest.raises(Invalid, match="exists already"):
        accounts.add_device(d1, "kiosk-1", "kiosk")
    other = accounts.add_device(d1, "kiosk-d1", "kiosk")
    with d1.read() as uow:
        assert [d.name for d in accounts_repo.list_devices(uow.conn)] == ["kiosk-d1"]
        assert accounts_repo.device_by_name(uow.conn, "kiosk-1") is None
    with pytest.raises(NotFound):
        accounts.revoke_device(d1, "kiosk-1")
    assert accounts.device_for_key(city, key) is not None
    assert accounts.device_for_key(city, other) is None
    with city.read() as uow:
        assert [d.name for d in accounts_repo.list_devices(uow.conn)] == ["kiosk-1"]


# --- staff -----------------------------------------------------------------------------------


def test_staff_sign_in_at_their_hall_and_the_installation_s_everywhere(halls):
    city, d1 = halls
    accounts.add_user(city, "alice", PASSWORD, "window", "SCJG")
    accounts.add_user(city, "boss", PASSWORD, "manager", all_halls=True)
    accounts.add_user(city, "dora", PASSWORD, "window", hall="d1")

    token = sign_in(city, "alice")["token"]
    assert accounts.staff_for_token(city, token).username == "alice"
    # In d1, alice is no one: the same answer as a name nobody has, and her token is no token.
    assert refusal(d1, "alice") == refusal(d1, "nobody")
    assert accounts.staff_for_token(d1, token) is None
    assert sessions.identify(d1, {"token": token}) is None
    assert sessions.identify(city, {"token": token})["staff"].username == "alice"
    assert sign_in(d1, "dora")["user"]["username"] == "dora"
    assert refusal(city, "dora") == refusal(city, "nobody")

    # The installation's manager signs in at both, and a token of either hall works at the other.
    for here, there in ((city, d1), (d1, city)):
        boss = sign_in(here, "boss")["token"]
        assert accounts.staff_for_token(there, boss).username == "boss"

    # Usernames are the installation's; a hall lists, changes and names its own and the installation's.
    with pytest.raises(Invalid, match="exists already"):
        accounts.add_user(d1, "alice", PASSWORD, "window")
    assert [u["username"] for u in accounts.list_users(city)] == ["alice", "boss"]
    assert [u["username"] for u in accounts.list_users(d1)] == ["boss", "dora"]
    for change in (lambda: accounts.set_disabled(d1, "alice"), lambda: accounts.unlock_user(d1, "alice"),
                   lambda: accounts.reset_password(d1, "alice", "another-password")):
        with pytest.raises(NotFound):
            change()
    assert accounts.staff_for_token(city, token).username == "alice"  # untouched by d1's attempts
    with city.read() as uow:
        alice = accounts_repo.user_row(uow.conn, "alice")
    with d1.read() as uow:
        assert accounts_repo.staff_by_id(uow.conn, alice.id) is None
        assert accounts_repo.staff_many(uow.conn, {alice.id}) == {}
        assert stats_sql.staff_names(uow.conn, [alice.id]) == {}


def test_a_hall_code_must_be_one(halls):
    city, _ = halls
    with pytest.raises(Invalid, match="hall code"):
        accounts.add_user(city, "eve", PASSWORD, "window", hall="no such hall!")
    with pytest.raises(Invalid, match="not both"):
        accounts.add_user(city, "eve", PASSWORD, "window", hall="d1", all_halls=True)


# --- statistics ------------------------------------------------------------------------------


def _hall_day(conn, n_tickets: int, level: int, pause_min: int, refusals: int, prefix: str) -> None:
    """`n_tickets` tickets of queue A on DAY, each served at window "1" by staff 1 for 5 minutes
    after a wait of n_tickets minutes, each rated `level`; window 1 open 2 hours with a pause; one
    case of the first ticket; the same numbers and windows in every hall."""
    for i in range(n_tickets):
        tid = f"{prefix}{i}"
        called = T0 + timedelta(minutes=10 * i + n_tickets)
        conn.execute(insert(tickets).values(
            hall=hall_of(conn), id=tid, number=f"A{i + 1:03d}", queue="A", item="SCJG-001", day=DAY,
            seq_no=i + 1, priority="normal", class_rank=1, status="done", window="1", issued_at=T0 + timedelta(
                minutes=10 * i), rank_at=T0, called_at=called, started_at=called,
            finished_at=called + timedelta(minutes=5)))
        conn.execute(insert(ticket_calls).values(hall=hall_of(conn), ticket_id=tid, attempt=1, window="1",
                                                 queue="A", staff_id=1, called_at=called))
        conn.execute(insert(service_segments).values(
            hall=hall_of(conn), ticket_id=tid, day=DAY, queue="A", item="SCJG-001", department="SCJG",
            window="1", staff_id=1, called_at=called, started_at=called, ended_at=called + timedelta(minutes=5),
            ending="finished", wait_s=60.0 * n_tickets, service_s=300.0))
        conn.execute(insert(ratings).values(
            hall=hall_of(conn), ticket_id=tid, day=DAY, at=called + timedelta(minutes=6), level=level,
            tags=[], channel="pad", department="SCJG", item="SCJG-001", queue="A", window="1", staff_id=1))
    conn.execute(insert(window_periods), [
        {"hall": hall_of(conn), "window": "1", "staff_id": 1, "state": "open", "reason": "", "day": DAY,
         "started_at": T0, "ended_at": T0 + timedelta(hours=2)},
        {"hall": hall_of(conn), "window": "1", "staff_id": 1, "state": "paused", "reason": "午休",
         "day": DAY, "started_at": T0 + timedelta(hours=2), "ended_at": T0 + timedelta(hours=2, minutes=pause_min)},
    ])
    number = f"SCJG-{prefix}-2026-000001"
    conn.execute(insert(cases).values(
        hall=hall_of(conn), number=number, token=f"tok-{prefix}", item="SCJG-001", department="SCJG",
        copied_departments=[], applicant_name="张三", applicant_id_number="110101199003070000",
        applicant_phone="13800000000", materials=[], missing=[], outcome="accepted", status="accepted",
        accepted_on=DAY, promised=DAY, ticket_id=f"{prefix}0", window="1", opened_by=1, created_at=T0,
        updated_at=T0))
    conn.execute(insert(case_history).values(hall=hall_of(conn), case_number=number,
                                             at=T0 + timedelta(hours=1), status="decided_approved",
                                             previous="accepted", actor="boss"))
    for _ in range(refusals):
        stats_repo.record_refusal(conn, T0, DAY, "A", "refused", None)
    conn.execute(insert(event_log).values(
        hall=hall_of(conn), seq=1, at=T0, actor_kind="staff", actor_id=1, actor_name="x",
        action="window.open", subject="1", detail={}, events=[]))
    conn.execute(update(queue_stats).where(queue_stats.c.hall == hall_of(conn))
                 .values(served=n_tickets, service_s=300.0 * n_tickets))


def _figures(conn, by: str | None) -> dict:
    out: dict = {}
    parts = [stats_sql.ticket_figures, stats_sql.segment_figures, stats_sql.case_outcomes, stats_sql.rating_figures]
    if by in (None, "window"):
        parts.append(stats_sql.period_figures)
    for part in parts:
        for key, figures in part(conn, SCOPE, by).items():
            out.setdefault(key, {}).update(figures)
    return out


def test_the_statistics_of_a_hall_count_its_own_rows_only(engine):
    with engine.begin() as conn:
        with for_hall(conn, "city"):
            _hall_day(conn, 3, level=5, pause_min=30, refusals=1, prefix="c")
        with for_hall(conn, "d1"):
            _hall_day(conn, 1, level=1, pause_min=10, refusals=2, prefix="d")
    seen = {}
    with engine.connect() as conn:
        for code in ("city", "d1"):
            with for_hall(conn, code):
                seen[code] = {by: _figures(conn, by) for by in ("department", "queue", "window", None)}
                seen[code]["arrivals"] = stats_sql.arrivals_by_hour(conn, SCOPE)
                seen[code]["repo"] = (
                    stats_repo.arrivals(conn, DAY, T0, T0 + timedelta(days=1)),
                    stats_repo.issue_times(conn, [DAY]),
                    stats_repo.days_with_tickets(conn, [DAY]),
                    stats_repo.service_totals(conn, [DAY]),
                    stats_repo.served_by_window(conn, DAY),
                    len(stats_repo.service_spans(conn, DAY)["1"]),
                    stats_repo.refusals(conn, DAY)["A"]["refused"],
                    len(stats_repo.window_actions(conn, T0, ["window.open"])["1"]),
                )
    for code, n, level, pause_s, refused in (("city", 3, "5", 1800, 1), ("d1", 1, "1", 600, 2)):
        for by, key in (("department", "SCJG"), ("queue", "A"), ("window", "1"), (None, None)):
            row = seen[code][by][key]
            assert row.get("issued", n) == n, (code, by, row)
            assert (row["served"], row["service_mean_s"], row["wait_mean_s"]) == (n, 300.0, 60.0 * n), (code, by)
            assert (row["rated"], row["ratings"][level]) == (n, n), (code, by, row)
            assert (row["cases"]["accepted"], row["cases_due"], row["cases_on_time"]) == (1, 1, 1), (code, by)
            if by in ("window", None):
                assert (row["open_s"], row["paused_s"]) == (7200, {"午休": pause_s}), (code, by, row)
                assert row["idle_s"] == 7200 - n * 300, (code, by, row)
        assert sum(h["issued"] for h in seen[code]["arrivals"]) == n
        assert seen[code]["repo"] == ({"A": n}, [("A", T0 + timedelta(minutes=10 * i)) for i in range(n)], [DAY],
                                      {"A": (300.0 * n, n)}, {"1": n}, n, refused, 1), code
