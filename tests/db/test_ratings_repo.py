"""The ratings table's own guard: a second rating of a ticket or a case fails in the database,
on SQLite and PostgreSQL, as `AlreadyRated` (409), and the transaction it failed in is still
usable (a savepoint: PostgreSQL aborts the whole transaction on a failed insert otherwise).
This is what two racing posts meet after both passed the handler's own check."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.core.rating import AlreadyRated, RatingInput
from server.db import ratings_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.ratings_repo import Subject

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
DAY = date(2026, 12, 7)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_second_rating_of_a_ticket_or_a_case_is_already_rated(engine):
    given = RatingInput(2, ("attitude",), "")
    with engine.begin() as conn:
        first = ratings_repo.add(conn, Subject(day=DAY, ticket_id="t1", window="1"), given, "pad", NOW)
        with pytest.raises(AlreadyRated):
            ratings_repo.add(conn, Subject(day=DAY, ticket_id="t1"), given, "phone", NOW)
        ratings_repo.add(conn, Subject(day=DAY, case_number="CITY-SCJG-2026-000001"), given, "case", NOW)
        with pytest.raises(AlreadyRated):
            ratings_repo.add(conn, Subject(day=DAY, case_number="CITY-SCJG-2026-000001"), given, "case", NOW)
        # The transaction goes on after the refusals.
        ratings_repo.add(conn, Subject(day=DAY, ticket_id="t2"), RatingInput(5, (), "好"), "phone", NOW)
    with engine.connect() as conn:
        assert ratings_repo.by_ticket(conn, "t1")["id"] == first["id"]
        assert ratings_repo.by_ticket(conn, "t1")["channel"] == "pad"
        assert ratings_repo.by_case(conn, "CITY-SCJG-2026-000001")["channel"] == "case"
        assert ratings_repo.get(conn, first["id"])["tags"] == ["attitude"]
        assert ratings_repo.rated_tickets(conn, ["t1", "t2", "t3"]) == {"t1", "t2"}
        assert [r["ticket_id"] for r in ratings_repo.between(conn, DAY, DAY)] == ["t1", None, "t2"]
        assert ratings_repo.count(conn) == 3
