"""The statistics' mean and 90th percentile (nearest rank) agree between SQLite and PostgreSQL and
with a plain Python reference, over small generated samples of service times and waits."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from server.db import stats_sql
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import service_segments, ticket_calls, tickets
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SCOPE = stats_sql.Scope(first=DAY, last=DAY, now=T0 + timedelta(days=1), offset_s=8 * 3600,
                        queue_departments={"A": "SCJG", "C": "CRJ"})


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


@pytest.fixture
def engines(pg_url, db_engine):  # noqa: F811 - the fixture imported above
    pg = make_engine(pg_url)
    upgrade(pg)
    yield {"sqlite": db_engine, "postgresql": pg}
    pg.dispose()


samples = st.lists(st.tuples(st.sampled_from(["1", "2", "6"]), st.integers(0, 20_000),
                             st.integers(0, 5_000)), min_size=1, max_size=40)


def _load(engine, sample) -> None:
    with engine.begin() as conn:
        for table in (service_segments, ticket_calls, tickets):
            conn.execute(delete(table))
        for i, (window, service_s, wait_s) in enumerate(sample):
            tid = f"t{i}"
            queue = "C" if window == "6" else "A"
            conn.execute(insert(tickets).values(
                hall="city", id=tid, number=f"{queue}{i:03d}", queue=queue, day=DAY, seq_no=i, priority="normal",
                class_rank=1, status="done", window=window, issued_at=T0, rank_at=T0))
            called = T0 + timedelta(seconds=wait_s)
            conn.execute(insert(ticket_calls).values(hall="city", ticket_id=tid, attempt=1, window=window, queue=queue,
                                                     staff_id=int(window), called_at=called))
            conn.execute(insert(service_segments).values(
                hall="city", ticket_id=tid, day=DAY, queue=queue, window=window, staff_id=int(window),
                called_at=called, started_at=called, ended_at=called + timedelta(seconds=service_s), ending="finished",
                wait_s=wait_s, service_s=service_s))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=samples)
def test_mean_and_p90_agree_on_both_databases_and_with_python(engines, sample):
    want: dict[str | None, dict[str, list[float]]] = {}
    for window, service_s, wait_s in sample:
        for key in (window, None):
            want.setdefault(key, {"service": [], "wait": []})
            want[key]["service"].append(service_s)
            want[key]["wait"].append(wait_s)
    got = {}
    for name, engine in engines.items():
        _load(engine, sample)
        with engine.connect() as conn:
            # Per window, and over all of them (TOTAL); by staff, the same groups.
            got[name] = stats_sql.segment_figures(conn, SCOPE, "window")
            staff = stats_sql.segment_figures(conn, SCOPE, "staff")
            assert {str(k): v for k, v in staff.items()} == got[name]
    assert got["sqlite"] == got["postgresql"], (got["sqlite"], got["postgresql"])
    for key, values in want.items():
        row = got["sqlite"][stats_sql.TOTAL if key is None else key]
        for part in ("service", "wait"):
            vs = values[part]
            assert row[f"{part}_p90_s"] == p90(vs), (key, part)
            assert row[f"{part}_mean_s"] == pytest.approx(round(sum(vs) / len(vs), 1), abs=0.051), (key, part)
