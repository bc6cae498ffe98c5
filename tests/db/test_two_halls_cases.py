"""Two halls on one database (issue 16): their cases, papers, clock events, ratings, follow-ups and
outbox rows never meet. The same department and year number a case in each hall, and the hall's
code leading the number (and the paper's 文号) keeps the two apart at a shared approval platform;
every read and change of one hall's repository misses the other's rows, also by a key that is
unique in the whole installation (a case number, a token, a verification code, a rating's id).
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, Engine

from server.app.workcal import hall_calendar
from server.core import cases as core
from server.core import documents as documents_core
from server.core.idnumber import check_character
from server.core.rating import RatingInput
from server.db import (
    case_clock_repo,
    cases_repo,
    documents_repo,
    followups_repo,
    outbox_repo,
    ratings_repo,
)
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.ratings_repo import Subject
from server.db.scope import for_hall
from server.hallconfig import DEFAULT_CONFIG, load_hall

HALL = load_hall(DEFAULT_CONFIG)
ITEM = HALL.item("SCJG-001")
assert ITEM is not None
ID = "11010519491231002" + check_character("11010519491231002")
AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
HALLS = ("city", "d1")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'h.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def open_case(conn: Connection, hall: str) -> core.Case:
    """A case of department SCJG in 2026 of `hall`, with its acceptance slip, a running suspension,
    a poor rating and its follow-up, and an outbox row: the same keys in every hall."""
    assert ITEM is not None
    seq = cases_repo.next_case_seq(conn, ITEM.department, AT.year)
    case = core.open_case(hall=hall, item=ITEM, outcome=core.Outcome.ACCEPTED, seq=seq,
                          applicant=core.Applicant("张三丰", ID, "13800138000"),
                          materials=[m.code for m in ITEM.guide.materials], at=AT, actor="t",
                          calendar=hall_calendar(HALL))
    cases_repo.add(conn, case, token=f"token-{hall}", ticket_id=f"ticket-{hall}", window="1", opened_by=None,
                   note="", now=AT)
    kind = documents_core.kind_of("acceptance")
    n = documents_repo.next_number(conn, documents_core.counter_name(case.department, kind, AT.year))
    documents_repo.add(conn, case_number=case.number, kind="acceptance",
                       number=documents_core.format_number(hall, "市监", kind, AT.year, n), department=case.department,
                       issued_on=DAY, issued_at=AT, verify_code=f"CODE{hall.upper():0<12}", fields={}, window="1",
                       issued_by="t")
    case_clock_repo.add(conn, case.number, case_clock_repo.SUSPENSION, "running", by="t", at=AT, reason="听证")
    rating = ratings_repo.add(conn, Subject(day=DAY, case_number=case.number, department="SCJG", window="1"),
                              RatingInput(1, ("attitude",), ""), "case", AT)
    followups_repo.open_followup(conn, rating["id"], "SCJG", {"called_back": DAY}, DAY, AT)
    followups_repo.add_history(conn, rating["id"], AT, "received", None, "system", "")
    outbox_repo.add(conn, case.number, "case.opened", {"hall": hall}, f"key-{hall}", AT)
    return case


@pytest.fixture
def two(engine: Engine) -> Iterator[tuple[Connection, dict[str, core.Case]]]:
    with engine.begin() as conn:
        opened = {}
        for hall in HALLS:
            with for_hall(conn, hall):
                opened[hall] = open_case(conn, hall)
        yield conn, opened


def test_the_same_department_and_year_give_each_hall_its_own_number(two):
    _, opened = two
    assert opened["city"].number == "CITY-SCJG-2026-000001"
    assert opened["d1"].number == "D1-SCJG-2026-000001"


def test_a_case_of_one_hall_is_not_found_in_the_other(two):
    conn, opened = two
    for hall, other in (("city", "d1"), ("d1", "city")):
        mine, theirs = opened[hall], opened[other]
        with for_hall(conn, hall):
            assert cases_repo.get(conn, mine.number) is not None
            assert cases_repo.get(conn, theirs.number) is None
            assert cases_repo.by_token(conn, f"token-{other}") is None
            assert cases_repo.by_ticket(conn, f"ticket-{other}") is None
            assert [s.number for s in cases_repo.updated_since(conn, None, 10)] == [mine.number]
            assert [s.number for s in cases_repo.clocked(conn)] == [mine.number]
            assert [s.number for s in cases_repo.clocked(conn, ["SCJG"])] == [mine.number]
            stored = cases_repo.get(conn, mine.number)
            assert stored is not None and len(stored.case.history) == 1
            # A change aimed at the other hall's case touches nothing.
            assert not cases_repo.set_warning(conn, theirs.number, "red", AT)
            assert cases_repo.set_warning(conn, mine.number, "yellow", AT)
    with for_hall(conn, "d1"):
        d1 = cases_repo.get(conn, opened["d1"].number)
        assert d1 is not None and d1.warning_level == "yellow" and d1.version == 2


def test_papers_carry_their_hall_and_stay_in_it(two):
    conn, opened = two
    for hall, other in (("city", "d1"), ("d1", "city")):
        with for_hall(conn, hall):
            docs = documents_repo.for_case(conn, opened[hall].number)
            assert [d.number for d in docs] == [f"{hall.upper()}-市监受字〔2026〕1号"]
            assert documents_repo.get(conn, docs[0].id) is not None
            assert documents_repo.for_case(conn, opened[other].number) == []
            assert documents_repo.by_number(conn, f"{other.upper()}-市监受字〔2026〕1号") is None
            assert documents_repo.by_code(conn, f"CODE{other.upper():0<12}") is None
            assert documents_repo.by_code(conn, f"CODE{hall.upper():0<12}") is not None
        with for_hall(conn, other):
            assert documents_repo.get(conn, docs[0].id) is None


def test_clock_events_stay_in_their_hall(two):
    conn, opened = two
    with for_hall(conn, "city"):
        mine = case_clock_repo.running_suspension(conn, opened["city"].number)
        assert mine is not None
        assert case_clock_repo.running_suspension(conn, opened["d1"].number) is None
        assert case_clock_repo.count(conn, opened["d1"].number, case_clock_repo.SUSPENSION, "running") == 0
        assert case_clock_repo.of_cases(conn, [opened["d1"].number]) == {opened["d1"].number: []}
    with for_hall(conn, "d1"):
        assert case_clock_repo.get(conn, mine["id"]) is None
        assert not case_clock_repo.decide(conn, mine["id"], from_state="running", state="ended", by="t", at=AT)
    with for_hall(conn, "city"):
        assert case_clock_repo.count(conn, opened["city"].number, case_clock_repo.SUSPENSION, "running") == 1


def test_ratings_and_followups_of_one_hall_are_not_listed_in_the_other(two):
    conn, opened = two
    ids = {}
    for hall in HALLS:
        with for_hall(conn, hall):
            rating = ratings_repo.by_case(conn, opened[hall].number)
            assert rating is not None and rating["hall"] == hall
            ids[hall] = rating["id"]
    for hall, other in (("city", "d1"), ("d1", "city")):
        with for_hall(conn, hall):
            assert ratings_repo.by_case(conn, opened[other].number) is None
            assert ratings_repo.get(conn, ids[other]) is None
            assert [r["id"] for r in ratings_repo.between(conn, DAY, DAY)] == [ids[hall]]
            assert [r["id"] for r in ratings_repo.between(conn, DAY, DAY, "SCJG")] == [ids[hall]]
            assert ratings_repo.count(conn) == 1
            assert [f.rating_id for f in followups_repo.listing(conn, None, "all")] == [ids[hall]]
            assert [f.rating_id for f in followups_repo.listing(conn, ["SCJG"], "open")] == [ids[hall]]
            assert [f.rating_id for f in followups_repo.open_ones(conn)] == [ids[hall]]
            assert followups_repo.get(conn, ids[other]) is None
            assert followups_repo.rating(conn, ids[other]) is None
            assert followups_repo.histories(conn, [ids[other]]) == {}
            mine = followups_repo.get(conn, ids[hall])
            assert mine is not None and [h["status"] for h in mine.history] == ["received"]
            assert not followups_repo.set_warning(conn, ids[other], "red", AT)
    with for_hall(conn, "d1"):
        followups_repo.exclude_rating(conn, ids["city"], "误评", AT)
    with for_hall(conn, "city"):
        city = ratings_repo.get(conn, ids["city"])
        assert city is not None and city["excluded_at"] is None


def test_the_outbox_delivers_only_its_halls_rows(two):
    conn, opened = two
    rows = {}
    for hall in HALLS:
        with for_hall(conn, hall):
            found = outbox_repo.undelivered(conn, 10)
            assert [(r.case_number, r.idempotency_key) for r in found] == [(opened[hall].number, f"key-{hall}")]
            assert outbox_repo.undelivered(conn, 10, ["platform"]) == found
            assert outbox_repo.pending_count(conn) == outbox_repo.pending_count(conn, "platform") == 1
            rows[hall] = found[0]
    # d1 settling city's row by its id changes nothing; its own is settled.
    with for_hall(conn, "d1"):
        outbox_repo.mark_delivered(conn, rows["city"].id, 1, AT)
        outbox_repo.mark_failed(conn, rows["city"].id, 1, "HTTP 500", AT)
        outbox_repo.mark_delivered(conn, rows["d1"].id, 1, AT)
        assert outbox_repo.pending_count(conn) == 0
    with for_hall(conn, "city"):
        [row] = outbox_repo.undelivered(conn, 10)
        assert (row.id, row.attempts) == (rows["city"].id, 0)
