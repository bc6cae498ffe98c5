"""The progress query's failure counters on PostgreSQL (migration 0018, the row lock): failures
that race on one case number from many addresses all count, so racing does not buy guesses."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from server.app import progress
from server.core.progress_lookup import CaseNotMatched
from server.db import progress_repo
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test


@pytest.fixture
def pg_svc(pg_url, hall, clock):  # noqa: F811 - the fixture imported above
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    yield Services(hall=hall, engine=engine, clock=clock)
    engine.dispose()


def test_racing_failures_on_one_number_all_count(pg_svc):
    number = "CITY-SCJG-2026-000042"

    def miss(i: int) -> str:
        try:
            progress.lookup(pg_svc, number, f"{i:04d}", f"10.0.0.{i}")
        except CaseNotMatched:
            return "404"
        except progress.TooManyLookups:
            return "429"
        return "200"

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(miss, range(1, 6)))
    assert answers == ["404"] * 5
    with pg_svc.read() as uow:
        [counted] = progress_repo.records(uow.conn, [("case", number)])
    assert counted.failures == 5 and counted.next_allowed is not None
    with pytest.raises(progress.TooManyLookups):
        progress.lookup(pg_svc, number, "0000", "10.0.9.9")


def test_a_burst_of_guesses_is_compared_no_more_than_allowed(pg_svc, monkeypatch):
    """The reviewer's race: simultaneous guesses all passed the check before any was counted."""
    from tests.api.test_progress_lookup_race import burst, check

    number = "CITY-SCJG-2026-000042"  # no such case: every guess, the "right" one too, is a miss
    out, reads = burst(pg_svc, number, monkeypatch)
    check(out, reads, 12)


def test_a_kiosks_failed_notice_lookups_are_counted_on_postgresql(pg_svc):
    """The kiosk's notice lookup shares the counters (its scope fits the column on PostgreSQL)."""
    from server.app.returning import KIOSK_NOTICE, NoSuchNotice, resolve_notice_reference

    for i in range(KIOSK_NOTICE.free):
        with pytest.raises(NoSuchNotice):
            resolve_notice_reference(pg_svc, f"CITY-SCJG-2026-{i + 1}", "kiosk-1")
    with pytest.raises(progress.TooManyLookups):
        resolve_notice_reference(pg_svc, "CITY-SCJG-2026-000001", "kiosk-1")
    with pytest.raises(NoSuchNotice):
        resolve_notice_reference(pg_svc, "CITY-SCJG-2026-000001", "kiosk-2")
