"""差评整改 on PostgreSQL: the same SQL on the production database (JSON deadlines, the row lock on a
joined read, the list's order with closed ones last), and two chiefs' clicks racing on one step."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from server.app import followups as ops
from server.core.followup import StepOutOfOrder
from server.core.windows import Role, Staff
from tests.api.followup_helpers import outbox_rows, rate
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

CHIEF = Staff(1, "chief", Role.CHIEF, "SCJG")
BOSS = Staff(2, "boss", Role.MANAGER)


@pytest.fixture
def pg_svc(pg_url, hall, clock):  # noqa: F811 - the fixture imported above
    from server.app.context import Services
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    yield Services(hall=hall, engine=engine, clock=clock)
    engine.dispose()


def test_on_postgresql_a_followup_goes_to_the_answer_and_another_is_excluded(pg_svc, clock):
    svc = pg_svc
    first, second = rate(svc, 1), rate(svc, 2)
    listed = ops.list_followups(svc, CHIEF)["followups"]
    assert [f["rating_id"] for f in listed] == [first, second]
    assert listed[0]["due"]["called_back"] == "2026-11-26"
    for step in ("called_back", "verified", "rectified", "answered"):
        ops.step(svc, CHIEF, first, step, "done")
    ops.request_appeal(svc, CHIEF, second, "malicious")
    assert ops.decide_appeal(svc, BOSS, second, True, "checked")["status"] == "excluded"
    assert ops.list_followups(svc, CHIEF)["followups"] == []
    closed = ops.list_followups(svc, BOSS, "closed")["followups"]
    assert {f["rating_id"] for f in closed} == {first, second}
    clock.advance(days=1, hours=3)
    assert ops.check_warnings(svc) == []  # nothing open is left to warn of
    assert {o["destination"] for o in outbox_rows(svc)} == {"ratings"}


def test_on_postgresql_two_clicks_on_one_step_take_it_once(pg_svc):
    svc = pg_svc
    rid = rate(svc, 1)

    def click(_: int) -> str:
        try:
            ops.step(svc, CHIEF, rid, "called_back", "called")
            return "ok"
        except (StepOutOfOrder, ops.ChangedMeanwhile) as exc:
            return exc.code

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(click, range(4)))
    assert answers.count("ok") == 1, answers
    history = ops.get_followup(svc, BOSS, rid)["history"]
    assert [h["status"] for h in history] == ["received", "called_back"]
