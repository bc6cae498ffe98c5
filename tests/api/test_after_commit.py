"""Work that must follow a commit runs after it, through the unit of work: the hall's followers
(the publisher first), then the change's own (the spooler's wake-up, speech). A change that rolls
back is neither published nor printed nor spoken."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from server.app import accounts, window_ops
from server.app.context import Followers, Services
from server.app.issuing import KIOSK, TicketRequest, issue_ticket
from server.db import accounts_repo
from server.db.uow import Actor, Committed, current_seq
from server.speech import FakeSpeech

ACTOR = Actor("system", None, "test")


def committed_seq(svc: Services) -> int:
    """The last seq as another connection sees it: what has really committed."""
    with svc.engine.connect() as conn:
        return current_seq(conn)


def test_after_commit_work_runs_once_committed_in_order_and_never_after_a_rollback(svc, published):
    order: list[tuple[str, int]] = []
    with svc.write(ACTOR) as uow:
        uow.audit("test.change")
        uow.emit("test.event", ["hall"], {})
        uow.after_commit(lambda c: order.append(("first", committed_seq(svc))))
        uow.after_commit(lambda c: order.append(("second", c.seq)))
        assert order == [] and published == []
        committed = svc.commit(uow)
    assert order == [("first", committed.seq), ("second", committed.seq)]
    assert published == [committed]  # the hall's followers ran before the change's own work

    with pytest.raises(RuntimeError), svc.write(ACTOR) as uow:
        uow.audit("test.doomed")
        uow.after_commit(lambda c: order.append(("doomed", c.seq)))
        raise RuntimeError("the handler fails before its commit")
    assert [name for name, _ in order] == ["first", "second"] and published == [committed]


def test_a_failing_follower_neither_undoes_the_change_nor_stops_the_others(svc):
    seen: list[int] = []

    def broken(_committed: Committed) -> None:
        raise ValueError("a follower that breaks")

    watched = replace(svc, followers=Followers(broken, lambda c: seen.append(c.seq)))
    with watched.write(ACTOR) as uow:
        uow.audit("test.change")
        uow.after_commit(broken)
        uow.after_commit(lambda c: seen.append(-c.seq))
        committed = watched.commit(uow)
    assert committed.seq == committed_seq(svc)
    assert seen == [committed.seq, -committed.seq]


def test_the_followers_are_sealed_once_the_app_is_built(hq):
    with pytest.raises(RuntimeError):
        hq.services.followers.add(lambda c: None)
    assert hq.services.printers is hq.printing


class Spooler:
    """The spooler as handlers see it, noting what had committed when it was woken."""

    def __init__(self, svc: Services) -> None:
        self.svc, self.woken = svc, []

    def status_of(self, url: str) -> str:
        return "paper_out"

    def wake(self, printer: str) -> None:
        with self.svc.engine.connect() as conn:
            jobs = conn.exec_driver_sql("SELECT count(*) FROM print_jobs WHERE printer = ?", (printer,)).scalar()
        self.woken.append((printer, jobs))


def test_a_kiosks_ticket_wakes_the_spooler_once_its_print_job_has_committed(svc):
    spooler = Spooler(svc)
    printing = replace(svc, printers=spooler)
    key = accounts.add_device(printing, "kiosk-paper", "kiosk", printer="dummy://kiosk-paper")
    view = issue_ticket(printing, KIOSK, TicketRequest(item="SCJG-001", device_key=key, ignore_hours=True))
    assert spooler.woken == [("dummy://kiosk-paper", 1)]
    assert view["print"] == {"printer_status": "paper_out"}


class RecordingSpeech(FakeSpeech):
    """Speech that notes the last committed seq whenever it is asked for a sound."""

    def __init__(self, svc: Services, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.svc, self.asked_at = svc, []

    def request(self, *args: Any, **kw: Any) -> tuple[str, bool]:
        self.asked_at.append(committed_seq(self.svc))
        return super().request(*args, **kw)

    def prewarm(self, texts: Any) -> list[str]:
        self.asked_at.append(committed_seq(self.svc))
        return super().prewarm(texts)


def test_a_call_is_spoken_only_once_it_has_committed(svc, tmp_path, published):
    with RecordingSpeech(svc, tmp_path / "audio") as speech:
        speaking = replace(svc, speech=speech)
        accounts.add_user(speaking, "ann", "correct-horse-1", "window", "SCJG")
        with speaking.read() as uow:
            ann = accounts_repo.to_staff(accounts_repo.user_row(uow.conn, "ann"))
        window_ops.open_window(speaking, ann, "1")
        for _ in range(2):
            issue_ticket(speaking, KIOSK, TicketRequest(item="SCJG-001", ignore_hours=True))
        window_ops.call_next(speaking, ann, "1")
        call = published[-1]
        said = next(e for e in call.events if e.event == "announcement")
        # The full call, the two merged pieces, then the next likely call's voice in advance.
        assert speech.asked_at == [call.seq] * 4
        for url in [said.data["audio_url"], *said.data["parts"].values()]:
            assert speech.path_for(url.removeprefix("/audio/").removesuffix(".wav")) is not None, url
