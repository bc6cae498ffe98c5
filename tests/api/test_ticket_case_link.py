"""The ticket's phone page leads on to the case its visit opened (issue 14 point 6, article 21):
the ticket's view carries the case's tokenised progress URL once there is a case, and nothing
personal, in the API's answer and in the ticket's live events."""

from __future__ import annotations

import pytest

from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, ID, call_one


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def ticket(client, ticket_id: str) -> dict:
    r = client.get(f"/api/v1/tickets/{ticket_id}")
    assert r.status_code == 200
    return r.get_json()["ticket"]


def test_the_ticket_links_to_its_case_once_the_service_opened_one(client, kiosk, alice, published):
    called = call_one(client, kiosk, alice)
    assert ticket(client, called["id"])["case_url"] is None
    published.clear()
    r = client.post("/api/v1/windows/1/finish", headers=alice,
                    json={"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})
    case = r.get_json()["case"]
    seen = ticket(client, called["id"])
    assert seen["case_url"] == case["progress_url"] and "/case/" in seen["case_url"]
    # The finish's event in the ticket's own room carries it: an open phone page shows it at once.
    finished = [e for c in published for e in c.events
                if e.event == "ticket.updated" and f"ticket:{called['id']}" in e.rooms]
    assert finished and finished[-1].data["ticket"]["case_url"] == case["progress_url"]
    text = str(finished[-1].data)
    assert ID not in text and APPLICANT["phone"] not in text and APPLICANT["name"] not in text
    # The phone page renders the link.
    page = client.get(f"/t/{called['id']}").get_data(as_text=True)
    assert case["progress_url"] in page and "查看办件进度" in page


def test_a_consultation_opens_no_case_and_links_nowhere(client, kiosk, alice):
    called = call_one(client, kiosk, alice)
    assert client.post("/api/v1/windows/1/finish", headers=alice, json={"outcome": "consulted"}).status_code == 200
    assert ticket(client, called["id"])["case_url"] is None
    page = client.get(f"/t/{called['id']}").get_data(as_text=True)
    assert 'id="case-link" class="case-link" hidden>' in page
