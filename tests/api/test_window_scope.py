"""A department crossed (issue #9): every window action checks that the window may serve the
ticket, by the one core rule (`calling.may_serve`). Market-supervision staff at window 2 (queue A)
must not call, resume, finish as a case or reprint an exit-entry (queue C) visitor's ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.app import accounts
from server.db.case_tables import cases

from .test_acceptance import ALL_MATERIALS, APPLICANT
from .test_protocol import assert_error


@pytest.fixture
def kiosk(svc):
    return {"X-Device-Key": accounts.add_device(svc, "kiosk-p", "kiosk", printer="dummy://kiosk-p")}


@pytest.fixture
def scjg(client, make_staff):
    """Market supervision (SCJG) at window 2, which serves queue A only."""
    headers = make_staff("scjg02", "window", "SCJG")
    assert client.post("/api/v1/windows/2/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def crj(client, make_staff):
    """Exit-entry (CRJ) at window 6, which serves queue C."""
    headers = make_staff("crj06", "window", "CRJ")
    assert client.post("/api/v1/windows/6/open", headers=headers).status_code == 200
    return headers


def issue(client, kiosk, item: str) -> dict:
    r = client.post("/api/v1/tickets", headers=kiosk, json={"item": item})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def status_of(client, t: dict) -> str:
    return client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]["status"]


def refused_here(r, window: str = "2", queue: str = "C") -> str:
    message = assert_error(r, 403, "not_this_window")["message"]
    assert message.index(f"{window}号窗口") < message.index(f"Window {window}"), message
    assert f"queue {queue}" in message, message
    return message


def test_a_window_cannot_call_another_departments_number_out_of_turn(svc, client, kiosk, scjg, crj):
    c001 = issue(client, kiosk, "CRJ-001")
    r = client.post("/api/v1/windows/2/call-number", headers=scjg, json={"number": "C001"})
    refused_here(r)
    assert status_of(client, c001) == "waiting"
    # So no case, and no applicant's identity, at window 2.
    finish = client.post("/api/v1/windows/2/finish", headers=scjg,
                         json={"outcome": "accepted", "applicant": APPLICANT, "item": "CRJ-001"})
    assert finish.status_code == 409  # nothing is current at window 2
    with svc.engine.connect() as conn:
        assert conn.execute(select(cases)).all() == []
    # Its own department's window calls it.
    r = client.post("/api/v1/windows/6/call-number", headers=crj, json={"number": "C001"})
    assert r.status_code == 200 and r.get_json()["ticket"]["window"] == "6"


def test_a_window_cannot_take_back_another_departments_suspended_visitor(client, kiosk, scjg, crj, make_staff):
    c001 = issue(client, kiosk, "CRJ-001")
    client.post("/api/v1/windows/6/call-next", headers=crj)
    client.post("/api/v1/windows/6/suspend", headers=crj, json={"note": "缺照片"})
    refused_here(client.post("/api/v1/windows/2/resume-ticket", headers=scjg, json={"number": "C001"}))
    assert status_of(client, c001) == "suspended"
    colleague = make_staff("crj07", "window", "CRJ")
    client.post("/api/v1/windows/7/open", headers=colleague)
    back = client.post("/api/v1/windows/7/resume-ticket", headers=colleague, json={"number": "C001"})
    assert back.status_code == 200 and back.get_json()["ticket"]["target_window"] == "7"


def test_a_case_is_opened_only_for_an_item_the_window_serves(svc, client, kiosk, scjg, crj):
    """A CRJ visitor sent on to queue A keeps their first item: finishing it at a market-supervision
    window as that item would open an exit-entry case there."""
    issue(client, kiosk, "CRJ-001")
    client.post("/api/v1/windows/6/call-next", headers=crj)
    assert client.post("/api/v1/windows/6/transfer", headers=crj, json={"queue": "A"}).status_code == 200
    called = client.post("/api/v1/windows/2/call-next", headers=scjg).get_json()["ticket"]
    assert called["number"] == "C001" and called["item"] == "CRJ-001"

    body = {"outcome": "accepted", "applicant": APPLICANT, "materials": ["ID_CARD", "APP_FORM", "PHOTO"]}
    message = refused_here(client.post("/api/v1/windows/2/finish", headers=scjg, json=body), queue="C")
    assert "CRJ-001" in message
    assert status_of(client, called) == "called", "the visitor stays at the window"
    ok = client.post("/api/v1/windows/2/finish", headers=scjg,
                     json={**body, "item": "SCJG-001", "materials": ALL_MATERIALS})
    assert ok.status_code == 200 and ok.get_json()["case"]["number"].startswith("CITY-SCJG-")
    with svc.engine.connect() as conn:
        assert [r.number for r in conn.execute(select(cases))] == [ok.get_json()["case"]["number"]]


def test_reprint_only_at_a_window_one_holds_and_only_its_tickets(client, kiosk, scjg, crj, make_staff):
    a001, c001 = issue(client, kiosk, "SCJG-001"), issue(client, kiosk, "CRJ-001")

    def reprint(who, t, **body):
        return client.post(f"/api/v1/tickets/{t['id']}/reprint", headers=who, json=body)

    refused_here(reprint(scjg, c001, window="2"))
    assert assert_error(reprint(scjg, a001, window="6"), 403)["message"]  # not her window
    assert_error(reprint(scjg, c001), 403, "not_this_window")  # nor at its kiosk: no SCJG window serves C
    mine = reprint(scjg, a001, window="2")
    assert mine.status_code == 200 and mine.get_json()["printer"] == "dummy://window-2"
    at_kiosk = reprint(crj, c001)
    assert at_kiosk.status_code == 200 and at_kiosk.get_json()["printer"] == "dummy://kiosk-p"
    assert reprint(make_staff("boss", "manager"), c001).status_code == 200
