"""The audit log's search (server/db/audit_repo.py) gives the same answers on SQLite and
PostgreSQL: time range, action names and prefixes, actor and text any case, LIKE's wildcards
taken literally, newest first below a seq; the JSON detail comes back as logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.db import audit_repo
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.uow import Actor, UnitOfWork

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ENTRIES = (
    ("staff", "Wang.Min", "allocation.change", "2", {"reason": "午间高峰"}),
    ("staff", "alice", "case.read", "SCJG-2026-000001", {}),
    ("staff", "boss", "monitor.force_finish", "A007", {"reason": "忘记结束 100%"}),
    ("staff", "boss", "rating.exclude", "R_1", {"rating": 1}),
    ("device", "kiosk-1", "ticket.issue", "A008", {"ticket": "x"}),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = make_engine(url)
    upgrade(made)
    for i, (kind, name, action, subject, detail) in enumerate(ENTRIES):
        with UnitOfWork(made, Actor(kind, None, name), T0 + timedelta(hours=i), hall="city") as uow:
            uow.audit(action, subject, **detail)
            uow.commit()
    yield made
    made.dispose()


def found(engine, **query) -> list[str]:
    with engine.connect() as conn:
        return [r.action for r in audit_repo.search(conn, audit_repo.AuditQuery(**query))]


def test_the_search_agrees_on_both_databases(engine):
    everything = found(engine)
    assert everything == [e[2] for e in reversed(ENTRIES)]
    assert found(engine, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3)) == [
        "monitor.force_finish", "case.read"]
    assert found(engine, actions=["case.read", "rating."]) == ["rating.exclude", "case.read"]
    assert found(engine, actions=["case."]) == ["case.read"]
    assert found(engine, actor="wang") == ["allocation.change"]
    assert found(engine, text="scjg") == ["case.read"]
    assert found(engine, text="BOSS") == ["rating.exclude", "monitor.force_finish"]
    assert found(engine, text="r_") == ["rating.exclude"]  # "_" is no wildcard ("force" would match "r_")
    assert found(engine, text="%") == []
    assert found(engine, text="强制", also_actions=["monitor.force_finish"]) == ["monitor.force_finish"]
    assert found(engine, limit=2) == ["ticket.issue", "rating.exclude"]
    with engine.connect() as conn:
        rows = audit_repo.search(conn, audit_repo.AuditQuery(limit=2))
        below = audit_repo.search(conn, audit_repo.AuditQuery(before_seq=rows[-1].seq, actions=["monitor."]))
    assert [r.detail for r in below] == [{"reason": "忘记结束 100%"}]
    assert below[0].at == T0 + timedelta(hours=2)
