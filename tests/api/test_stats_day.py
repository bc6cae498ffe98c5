"""The statistics of a generated day (issue #12 point 6) match the same figures recomputed
independently in plain Python from the raw records (event log, cases and their history, ratings),
for every `by`, on SQLite through the HTTP API and on PostgreSQL through the handler."""

from __future__ import annotations

import pytest

from server.app import stats_ops
from server.app.context import Services
from tests.conftest import PASSWORD
from tests.support import stats_day
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

DAY = stats_day.DAY.isoformat()


def _check_day(svc: Services, clock, fetch) -> dict[str, dict]:
    stats_day.drive_day(svc, clock)
    answers = {}
    for by in stats_ops.BY:
        answer = fetch(by)
        with svc.read() as uow:
            want = stats_day.expected(svc, uow.conn, by, clock.now)
        stats_day.compare(answer["rows"], want, by)
        answers[by] = answer
    return answers


def _sanity(answers: dict[str, dict]) -> None:
    """The generated day does reach every kind of figure (else the comparison proves little)."""
    totals = answers["department"]["totals"]
    for name in ("issued", "served", "no_show", "transferred", "suspended", "released", "forced"):
        assert totals[name] > 0, (name, totals)
    assert totals["rated"] > 0 and totals["paused_s"] is None  # time is counted by window and staff only
    by_window = answers["window"]["totals"]
    assert by_window["paused_s"] and by_window["idle_s"] > 0 and answers["staff"]["totals"]["idle_s"] == by_window[
        "idle_s"]
    assert all(totals["cases"][o] > 0 for o in ("accepted", "notice", "refused", "concluded")), totals["cases"]
    assert 0 < totals["cases_on_time"] < totals["cases_due"]
    # Totals are the same whatever the rows are; the rows add up to them.
    for by, answer in answers.items():
        time_of = ("paused_s", "open_s", "idle_s")
        assert {k: v for k, v in answer["totals"].items() if k not in time_of} == {
            k: v for k, v in totals.items() if k not in time_of}, by
        assert sum(r["served"] for r in answer["rows"]) == totals["served"], by
        assert sum(r["rated"] for r in answer["rows"]) == totals["rated"], by
    assert sum(h["issued"] for h in answers["queue"]["arrivals_by_hour"]) == totals["issued"]
    assert [h["hour"] for h in answers["queue"]["arrivals_by_hour"]] == sorted(
        {h["hour"] for h in answers["queue"]["arrivals_by_hour"]})


def test_a_generated_day_on_sqlite_matches_the_raw_events(client, svc, clock, manager):
    def fetch(by: str) -> dict:
        # Signed in again: deciding the cases took the clock days past the day (and the token).
        login = client.post("/api/v1/auth/login", json={"username": "boss", "password": PASSWORD}).get_json()
        r = client.get(f"/api/v1/stats?from={DAY}&to={DAY}&by={by}",
                       headers={"Authorization": f"Bearer {login['token']}"})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    answers = _check_day(svc, clock, fetch)
    _sanity(answers)
    staff_rows = answers["staff"]["rows"]
    assert {r["username"] for r in staff_rows if r["key"]} >= {"alice", "bob", "carol", "dave"}
    assert all(r["label"] for r in staff_rows)
    assert [r["number"] for r in answers["window"]["rows"] if r["key"]] == sorted(
        r["number"] for r in answers["window"]["rows"] if r["key"])


@pytest.fixture
def pg_svc(pg_url, hall, clock):  # noqa: F811 - the fixture imported above
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    yield Services(hall=hall, engine=engine, clock=clock)
    engine.dispose()


def test_a_generated_day_on_postgresql_matches_the_raw_events(pg_svc, clock):
    boss: list = []

    def fetch(by: str) -> dict:
        if not boss:
            boss.append(stats_day.staff_of(pg_svc, "boss"))
        return stats_ops.stats(pg_svc, boss[0], stats_day.DAY, stats_day.DAY, by)

    _sanity(_check_day(pg_svc, clock, fetch))
