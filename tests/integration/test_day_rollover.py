"""The day rollover, in process with the fake clock: numbering restarts at the hall's local
midnight (Asia/Shanghai, UTC+8), not at UTC's; yesterday's waiting tickets are never called
today, and the rollover cancels them with an event."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.app import accounts, window_ops
from server.app.issuing import TicketRequest, expire_previous_days, issue_ticket
from server.db import accounts_repo, tickets_repo
from server.db.uow import Actor
from tests.support.clock import FakeClock

KIOSK = Actor("device", None, "kiosk-test")


@pytest.fixture
def clock() -> FakeClock:
    # Tuesday 2026-11-24 23:50 UTC = Wednesday 2026-11-25 07:50 in Beijing.
    return FakeClock(datetime(2026, 11, 24, 23, 50, tzinfo=UTC))


@pytest.fixture
def staff(svc):
    accounts.add_user(svc, "rollover", "password-1", "window")
    with svc.read() as uow:
        return accounts_repo.to_staff(accounts_repo.user_row(uow.conn, "rollover"))


def take(svc) -> dict:
    return issue_ticket(svc, KIOSK, TicketRequest(queue="A", ignore_hours=True))


def test_numbering_restarts_at_local_midnight_and_yesterday_is_not_called(svc, clock, staff, published):
    window_ops.open_window(svc, staff, "1")

    first = take(svc)  # 07:50 Beijing
    clock.advance(minutes=20)  # 00:10 UTC: a new day in London, not in the hall
    second = take(svc)
    assert (first["number"], second["number"]) == ("A001", "A002")
    clock.advance(hours=15, minutes=40)  # 23:50 Beijing
    late = take(svc)
    assert late["number"] == "A003"
    assert late["issued_at"].startswith("2026-11-25T23:50")

    clock.advance(minutes=20)  # 00:10 Beijing, Thursday 26 November
    today = take(svc)
    assert today["number"] == "A001"
    assert today["issued_at"].startswith("2026-11-26T00:10")
    assert today["ahead"] == 0  # yesterday's three are not ahead of it
    assert take(svc)["number"] == "A002"
    with svc.read() as uow:
        assert {t.day for t in tickets_repo.stale_waiting(uow.conn, date(2026, 11, 26))} == {date(2026, 11, 25)}

    called = window_ops.call_next(svc, staff, "1")
    assert (called["id"], called["number"]) == (today["id"], "A001")
    window_ops.finish(svc, staff, "1")
    assert window_ops.call_next(svc, staff, "1")["number"] == "A002"
    window_ops.finish(svc, staff, "1")
    assert window_ops.call_next(svc, staff, "1") is None  # yesterday's A001-A003 are not callable

    published.clear()
    assert expire_previous_days(svc) == 3
    (committed,) = published
    updates = [e for e in committed.events if e.event == "ticket.updated"]
    cancelled = {e.data["ticket"]["id"] for e in updates}
    assert cancelled == {first["id"], second["id"], late["id"]}
    for tid in cancelled:
        mine = [e for e in updates if e.data["ticket"]["id"] == tid]
        assert all(e.data["ticket"]["status"] == "cancelled" and e.data["seq"] == committed.seq for e in mine)
        assert {"hall", "queue:A", f"ticket:{tid}"} <= {r for e in mine for r in e.rooms}
    with svc.read() as uow:
        for tid in cancelled:
            assert tickets_repo.get(uow.conn, tid).status.value == "cancelled"
        assert tickets_repo.get(uow.conn, today["id"]).status.value == "done"
    assert expire_previous_days(svc) == 0  # once is enough; nothing to emit the second time
    assert window_ops.call_next(svc, staff, "1") is None
    clock.advance(hours=9)  # Thursday 09:10: the day goes on from A003
    assert take(svc)["number"] == "A003"
