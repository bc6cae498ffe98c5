"""What the applicant is told by SMS of each case change (server/core/applicant_messages.py)."""

from __future__ import annotations

import pytest

from server.core.applicant_messages import message

URL = "https://hall.example/case/tok"
N = "SCJG-2026-000123"


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
