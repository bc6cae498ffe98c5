"""Document numbers (文号) are unique and gapless under concurrent issue: twelve windows issuing
at once each get their own number of the department's family and year, on SQLite and on
PostgreSQL (where the counter row's upsert holds its lock until the issuing transaction ends).
Real threads on one engine, through `documents.issue` as acceptance and decisions call it."""

from __future__ import annotations

import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.app import documents
from server.app.context import Services
from server.app.workcal import hall_calendar
from server.core import cases as core
from server.core.idnumber import check_character
from server.db import cases_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import documents as documents_table
from server.db.uow import Actor
from server.hallconfig import DEFAULT_CONFIG, load_hall
from tests.support.clock import FakeClock

THREADS = 12
EACH = 5
ID = "11010519491231002" + check_character("11010519491231002")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url, pool_size=THREADS + 2)
    upgrade(engine)
    yield engine
    engine.dispose()


def a_case(svc: Services, n: int) -> str:
    hall = svc.hall
    item = hall.item("SCJG-001")
    assert item is not None
    at = svc.clock().astimezone(ZoneInfo(hall.timezone))
    case = core.open_case(hall=hall.code, item=item, outcome=core.Outcome.ACCEPTED, seq=n,
                          applicant=core.Applicant("张三丰", ID, "13800138000"),
                          materials=[m.code for m in item.guide.materials], at=at, actor="t",
                          calendar=hall_calendar(hall))
    with svc.write(Actor("system", None, "t")) as uow:
        cases_repo.add(uow.conn, case, token=f"token-{n}", ticket_id=None, window="1", opened_by=None, note="",
                       now=uow.now)
        uow.audit("case.test", case.number)
        svc.commit(uow)
    return case.number


def test_concurrent_issues_get_unique_gapless_numbers(engine):
    svc = Services(hall=load_hall(DEFAULT_CONFIG), engine=engine, clock=FakeClock())
    numbers = [a_case(svc, n) for n in range(1, THREADS + 1)]
    start = threading.Barrier(THREADS)
    failures: list[str] = []

    def work(case_number: str) -> None:
        try:
            start.wait(60)
            for i in range(EACH):
                with svc.write(Actor("staff", None, "t")) as uow:
                    stored = cases_repo.get(uow.conn, case_number)
                    assert stored is not None
                    kind = "acceptance" if i % 2 else "approval"
                    documents.issue(svc, uow, stored, kind, window=None)
                    uow.audit("case.test", case_number)
                    svc.commit(uow)
        except Exception as exc:  # noqa: BLE001 - collected and reported by the test
            failures.append(f"{case_number}: {exc!r}")

    threads = [threading.Thread(target=work, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not failures, failures
    with engine.connect() as conn:
        rows = conn.execute(select(documents_table.c.kind, documents_table.c.doc_number,
                                   documents_table.c.verify_code)).all()
    assert len(rows) == THREADS * EACH
    assert not [n for n, c in Counter(r.doc_number for r in rows).items() if c > 1]
    assert len({r.verify_code for r in rows}) == len(rows)
    year = svc.clock().year
    for kind, word in (("acceptance", "受"), ("approval", "许")):
        issued = sorted(int(r.doc_number.split("〕")[1][:-1]) for r in rows if r.kind == kind)
        assert issued == list(range(1, len(issued) + 1)), kind  # gapless from 1
        assert all(r.doc_number.startswith(f"CITY-市监{word}字〔{year}〕") for r in rows if r.kind == kind)
