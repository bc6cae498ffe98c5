"""The guides in force are cached per process by one counter every guide write bumps, read in the
same SELECT as the allocation's id: the hot paths (issue, call-next, finish) pay one statement for
both, and a revision committed late with a lower id than one already cached is still seen."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, update

from server.app import allocated
from server.core import guides as core
from server.db import guides_repo
from server.db.guide_tables import guide_revisions

AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def _revise(svc, item: str, days: int) -> None:
    stored = core.to_json(svc.hall.item(item).guide)
    with svc.engine.begin() as conn:
        guides_repo.add_revision(conn, item=item, guide={**stored, "time_limit_days": days}, author_id=None,
                                 author="admin", at=AT, note="时限调整")


def _limit(svc, item: str) -> int:
    with svc.read() as uow:
        return allocated.current_hall(svc, uow).item(item).guide.time_limit_days


def _statements(svc, read) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(svc.engine, "before_cursor_execute", record)
    try:
        read()
    finally:
        event.remove(svc.engine, "before_cursor_execute", record)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def test_a_transaction_reads_allocation_and_guides_in_one_select(svc):
    _revise(svc, "SCJG-001", 9)
    assert _limit(svc, "SCJG-001") == 9  # fills the cache

    def read():
        with svc.read() as uow:
            allocated.current(svc, uow)
            allocated.current_hall(svc, uow)  # asked again: free

    assert len(_statements(svc, read)) == 1


def test_a_revision_committed_later_with_a_lower_id_is_seen(svc):
    items = [i.code for i in svc.hall.items][:2]
    _revise(svc, items[0], 9)
    with svc.engine.begin() as conn:  # its id is the larger one
        conn.execute(update(guide_revisions).values(id=20))
    assert _limit(svc, items[0]) == 9  # cached
    _revise(svc, items[1], 11)  # on PostgreSQL: id taken earlier, committed after
    with svc.engine.begin() as conn:
        conn.execute(update(guide_revisions).where(guide_revisions.c.item == items[1]).values(id=10))
    assert _limit(svc, items[1]) == 11
    assert _limit(svc, items[0]) == 9


def test_every_guide_write_moves_the_version(svc):
    with svc.engine.begin() as conn:
        assert guides_repo.version(conn) == 0
    _revise(svc, "SCJG-001", 9)
    with svc.engine.begin() as conn:
        assert guides_repo.version(conn) == 1
        guides_repo.add_form(conn, item="SCJG-001", material="APP_FORM", filename="a.pdf",
                             content_type="application/pdf", data=b"%PDF-1", author="admin", at=AT)
        assert guides_repo.version(conn) == 2
