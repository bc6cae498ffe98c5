"""The clock around a receipt (收件) awaiting its completeness answer, and after a decision (issue 14's
review): no extension or suspension before the answer, no answer while suspended, a late answer is
an acceptance from the receipt day (行政许可法 art. 32), no extension of a decided case's delivery."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from server.core.case_clock import (
    ExtensionRequest,
    acceptance_day,
    answer_received,
    check_extension,
    extended,
    resumed,
    suspended,
)
from server.core.case_errors import (
    ClockSuspended,
    DeemedAccepted,
    ExtensionRefused,
    ReceiptUnanswered,
)
from server.core.cases import Outcome, Status, public_view
from server.core.hall import CaseClockRules
from tests.core.test_cases import BEIJING, CALENDAR, ITEM, at, moved, opened

RULES = CaseClockRules()
OK = ExtensionRequest(3, "核查", "《行政许可法》第四十二条")


def received(when=None):
    return opened(Outcome.RECEIVED, when=when or at(2026, 10, 12), materials=("M1", "M2"))


def test_a_receipt_awaiting_its_answer_is_neither_extended_nor_suspended():
    with pytest.raises(ReceiptUnanswered) as e:
        check_extension(received(), OK, granted=0, pending=0, rules=RULES)
    assert e.value.kind == "conflict" and e.value.code == "receipt_unanswered"
    with pytest.raises(ReceiptUnanswered):
        suspended(received(), at(2026, 10, 12))
    with pytest.raises(ReceiptUnanswered):
        extended(received(), 3, CALENDAR)


def test_a_suspended_receipt_stored_before_the_rule_is_not_answered_until_resumed_and_resumes_without_a_promise():
    stuck = replace(received(), suspended_since=at(2026, 10, 12))
    with pytest.raises(ClockSuspended):
        answer_received(stuck, Status.ACCEPTED, item=ITEM, at=at(2026, 10, 14), actor="x", calendar=CALENDAR)
    # A noticed case carrying an old suspension (no promise): ending it must not crash.
    noticed = replace(opened(Outcome.NOTICE, missing=("M3",)), suspended_since=at(2026, 10, 8))
    running, days = resumed(noticed, at(2026, 10, 12), CALENDAR)
    assert running.suspended_since is None and running.promised is None and days == 3  # Thu 8, Fri 9, make-up Sat 10


def test_a_late_acceptance_counts_from_the_receipt_day_as_the_receipt_paper_promised():
    r = received()  # Monday Oct 12, due Mon 19
    assert r.promised == date(2026, 10, 19)
    late = answer_received(r, Status.ACCEPTED, item=ITEM, at=at(2026, 10, 30), actor="x", calendar=CALENDAR,
                           note="材料齐全")
    # 5 working days from Mon 12: Tue 13 .. Mon 19, not from Oct 30.
    assert late.promised == date(2026, 10, 19)
    assert acceptance_day(late, BEIJING) == date(2026, 10, 12)
    assert "第三十二条" in late.history[-1].note and "材料齐全" in late.history[-1].note
    assert public_view(late).history[-1][1].date() == date(2026, 10, 12)


def test_an_answer_on_the_due_day_is_in_time():
    on_time = answer_received(received(), Status.ACCEPTED, item=ITEM, at=at(2026, 10, 19), actor="x",
                              calendar=CALENDAR)
    assert acceptance_day(on_time, BEIJING) == date(2026, 10, 19)
    assert on_time.promised == date(2026, 10, 26)


def test_a_notice_after_the_receipts_due_date_is_refused_the_application_is_deemed_accepted():
    with pytest.raises(DeemedAccepted) as e:
        answer_received(received(), Status.NOTICED, item=ITEM, at=at(2026, 10, 20), actor="x",
                        calendar=CALENDAR, missing=("M3",))
    assert e.value.kind == "conflict" and e.value.code == "deemed_accepted"
    assert "受理" in e.value.message_zh


def test_a_decided_case_is_not_extended_its_delivery_has_no_extension():
    decided = moved(opened(), Status.IN_REVIEW, Status.DECIDED_APPROVED)
    with pytest.raises(ExtensionRefused) as e:
        check_extension(decided, OK, granted=0, pending=0, rules=RULES)
    assert "送达" in e.value.message_zh
    with pytest.raises(ExtensionRefused):
        extended(decided, 3, CALENDAR)


def test_an_approved_extension_is_refused_while_suspended():
    with pytest.raises(ClockSuspended):
        extended(suspended(opened(), at(2026, 10, 8)), 3, CALENDAR)


def test_the_default_extension_is_at_most_ten_working_days_article_42():
    assert CaseClockRules().max_extension_days == 10
