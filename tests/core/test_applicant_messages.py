"""What the applicant is told by SMS of each case change (server/core/applicant_messages.py)."""

from __future__ import annotations

import pytest

from server.core.applicant_messages import message

URL = "https://hall.example/case/tok"
N = "CITY-SCJG-2026-000123"


def said(event, change, status, promised=None):
    return message(event, change, number=N, status=status, promised=promised, url=URL)


def test_warnings_are_never_told():
    assert said("case.warning", {"kind": "warning", "level": "red"}, "accepted") is None


@pytest.mark.parametrize(("change", "status", "template"), [
    ({"kind": "opened", "outcome": "accepted"}, "accepted", "case.accepted"),
    ({"kind": "opened", "outcome": "notice"}, "noticed", "case.notice"),
    ({"kind": "opened", "outcome": "refused"}, "refused", "case.refused"),
    ({"kind": "opened", "outcome": "concluded"}, "concluded", "case.concluded"),
    ({"kind": "status", "status": "in_review"}, "in_review", "case.in_review"),
    ({"kind": "status", "status": "decided_denied"}, "decided_denied", "case.decided_denied"),
    ({"kind": "status", "status": "delivered"}, "delivered", "case.delivered"),
    # A change another part of the hall makes (an extension, a new outcome): told by its status.
    ({"kind": "extended"}, "accepted", "case.updated"),
    ({"kind": "opened", "outcome": "received"}, "received", "case.updated"),
])
def test_each_change_has_a_short_message_in_both_languages(change, status, template):
    m = said("case.opened" if change["kind"] == "opened" else "case.updated", change, status, "2026-12-01")
    assert m is not None and m.template == template
    for text in (m.zh, m.en):
        assert N in text and text.endswith(URL)
    assert len(m.zh) - len(URL) <= 60  # an SMS or two with the link, however long the item's name


# --- the case clock and the receipt's answer (issue 14's review) ------------------------------------


@pytest.mark.parametrize(("change", "status", "template", "words"), [
    ({"kind": "extension_approved", "extension": 3, "days": 5, "promised": "2026-12-08"}, "in_review",
     "case.extension_approved", ["延长至2026-12-08", "extended to 2026-12-08"]),
    ({"kind": "suspended", "suspension": 4, "suspension_kind": "expert_review"}, "in_review",
     "case.suspended", ["专家评审", "expert review"]),
    ({"kind": "resumed", "days": 2, "promised": "2026-12-08"}, "in_review",
     "case.resumed", ["恢复计时", "2026-12-08"]),
    ({"kind": "status", "previous": "received", "status": "accepted", "promised": "2026-12-08"}, "accepted",
     "case.receipt_accepted", ["已受理", "2026-12-08"]),
    ({"kind": "status", "previous": "received", "status": "noticed"}, "noticed",
     "case.receipt_noticed", ["补正", "more materials"]),
])
def test_the_clock_changes_the_applicant_must_hear_have_their_own_messages(change, status, template, words):
    m = said("case.updated", change, status, "2026-12-08")
    assert m is not None and m.template == template
    for text in (m.zh, m.en):
        assert N in text and text.endswith(URL)
    assert len(m.zh) - len(URL) <= 60
    for w in words:
        assert w in m.zh + m.en, w


@pytest.mark.parametrize("kind", ["extension_requested", "extension_rejected"])
def test_an_extensions_request_and_rejection_stay_inside_the_department(kind):
    assert said("case.updated", {"kind": kind, "extension": 3}, "in_review", "2026-12-01") is None
