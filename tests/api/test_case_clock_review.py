"""The clock's review fixes (issue 14) through the API: a receipt awaiting its answer is neither
extended nor suspended; a late answer is an acceptance from the receipt day (行政许可法 art. 32) on
the slip and on the progress page alike; only the department's chief, not the requester nor a
manager, approves an extension, and the notice names them; no extension decided while suspended
or once decided; a notice answering a receipt explains itself by the answer's note."""

from __future__ import annotations

from server.app import accounts
from server.app.cases import progress_page
from tests.api.test_case_clock import C, alice, chief, open_case  # noqa: F401 (fixtures)
from tests.api.test_cases import error, login, move
from tests.api.test_documents import paper
from tests.conftest import PASSWORD

ASK = {"days": 3, "reason": "需组织现场核查", "legal_basis": "《中华人民共和国行政许可法》第四十二条"}


def _token(case: dict) -> str:
    return case["progress_url"].rsplit("/", 1)[1]


def test_a_receipt_awaiting_its_answer_cannot_be_extended_or_suspended(client, kiosk, alice):  # noqa: F811
    n = open_case(client, kiosk, alice, "received")["number"]
    r = client.post(f"{C}/{n}/extensions", headers=alice, json=ASK)
    assert "completeness answer" in error(r, 409, "receipt_unanswered")
    r = client.post(f"{C}/{n}/suspension", headers=alice, json={"kind": "expert_review", "reason": "评审"})
    error(r, 409, "receipt_unanswered")


def test_a_late_answer_is_an_acceptance_from_the_receipt_day_on_slip_and_page(client, svc, kiosk, alice, clock):  # noqa: F811
    case = open_case(client, kiosk, alice, "received", materials=["APP_FORM", "ARTICLES"])
    n = case["number"]  # Wednesday 2026-11-25, answer due Wednesday 2026-12-02
    clock.advance(days=8)  # Thursday 2026-12-03: too late to ask for more
    alice = login(client, "alice")
    r = client.post(f"{C}/{n}/transition", headers=alice, json={"to": "noticed", "missing": ["PREMISES"]})
    assert "deemed accepted" in error(r, 409, "deemed_accepted")
    r = client.post(f"{C}/{n}/transition", headers=alice, json={"to": "accepted"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    # SCJG-001 promises one working day, counted from the receipt day, not from Dec 3.
    assert body["case"]["promised_date"] == "2026-11-26"
    text, _ = paper(svc, body["case"]["print"]["job"])
    assert "受理日期：2026年11月25日" in text
    page = progress_page(svc, _token(case))
    assert page["accepted_on"] == "2026-11-25" and page["history"][-1]["at"].startswith("2026-11-25")


def test_the_slip_and_the_page_agree_on_an_answer_in_time(client, svc, kiosk, alice, clock):  # noqa: F811
    case = open_case(client, kiosk, alice, "received")
    clock.advance(days=2)  # Friday 2026-11-27
    r = client.post(f"{C}/{case['number']}/transition", headers=login(client, "alice"), json={"to": "accepted"})
    text, _ = paper(svc, r.get_json()["case"]["print"]["job"])
    assert "受理日期：2026年11月27日" in text
    assert progress_page(svc, _token(case))["accepted_on"] == "2026-11-27"


def test_the_receipt_paper_numbers_a_receipt_not_an_acceptance(client, svc, kiosk, alice):  # noqa: F811
    from tests.api.test_acceptance import APPLICANT, call_one, finish

    call_one(client, kiosk, alice)
    r = finish(client, alice, outcome="received", applicant=APPLICANT, materials=["APP_FORM", "ARTICLES"])
    assert r.get_json()["document"]["kind"] == "received"
    text, _ = paper(svc, r.get_json()["print"]["job"])
    assert "收件编号" in text and "受理编号" not in text


def test_a_notice_answering_a_receipt_prints_the_answers_note(client, svc, kiosk, alice, clock):  # noqa: F811
    from tests.api.test_acceptance import APPLICANT, call_one, finish

    call_one(client, kiosk, alice)
    r = finish(client, alice, outcome="received", applicant=APPLICANT, materials=["APP_FORM", "ARTICLES"],
               note="窗口收件备注")
    n = r.get_json()["case"]["number"]
    r = client.post(f"{C}/{n}/transition", headers=alice,
                    json={"to": "noticed", "missing": ["PREMISES"], "note": "缺经营场所证明"})
    assert r.status_code == 200, r.get_json()
    text, _ = paper(svc, r.get_json()["case"]["print"]["job"])
    assert "说明：缺经营场所证明" in text and "窗口收件备注" not in text


def _extension_asked(client, kiosk, alice):  # noqa: F811
    n = open_case(client, kiosk, alice)["number"]
    move(client, alice, n, "in_review")
    r = client.post(f"{C}/{n}/extensions", headers=alice, json=ASK)
    assert r.status_code == 201, r.get_json()
    return n, r.get_json()["clock"][0]["id"]


def test_only_the_departments_chief_approves_not_a_manager_and_the_notice_names_them(
        client, svc, kiosk, alice, make_staff):  # noqa: F811
    n, eid = _extension_asked(client, kiosk, alice)
    r = client.post(f"{C}/{n}/extensions/{eid}/approve", headers=make_staff("boss", "manager"), json={})
    assert "manager" in error(r, 403)
    accounts.add_user(svc, "wangchief", PASSWORD, "chief", "SCJG", display_name="王首席")
    r = client.post(f"{C}/{n}/extensions/{eid}/approve", headers=login(client, "wangchief"), json={})
    assert r.status_code == 200, r.get_json()
    text, _ = paper(svc, r.get_json()["print"]["job"])
    assert "批准人：王首席" in text and "wangchief" not in text


def test_the_requester_does_not_approve_their_own_extension(client, kiosk, alice, chief):  # noqa: F811
    n = open_case(client, kiosk, alice)["number"]
    move(client, alice, n, "in_review")
    r = client.post(f"{C}/{n}/extensions", headers=chief, json=ASK)
    assert r.status_code == 201, r.get_json()
    eid = r.get_json()["clock"][0]["id"]
    (listed,) = client.get(f"{C}/open", headers=chief).get_json()["cases"]
    assert listed["pending_extension"] == eid and listed["may_approve"] is False  # the desk offers no button
    assert "someone else" in error(client.post(f"{C}/{n}/extensions/{eid}/approve", headers=chief, json={}), 403)


def test_no_extension_is_decided_while_suspended(client, kiosk, alice, chief):  # noqa: F811
    n, eid = _extension_asked(client, kiosk, alice)
    r = client.post(f"{C}/{n}/suspension", headers=alice, json={"kind": "expert_review", "reason": "评审"})
    assert r.status_code == 201, r.get_json()
    error(client.post(f"{C}/{n}/extensions/{eid}/approve", headers=chief, json={}), 409, "clock_suspended")
    error(client.post(f"{C}/{n}/extensions/{eid}/reject", headers=chief, json={"note": "x"}), 409, "clock_suspended")


def test_a_decided_case_is_not_extended(client, kiosk, alice, chief):  # noqa: F811
    n, eid = _extension_asked(client, kiosk, alice)
    move(client, alice, n, "decided_approved")
    r = client.post(f"{C}/{n}/extensions/{eid}/approve", headers=chief, json={})
    assert "送达" in r.get_json()["error"]["message"] or "delivery" in error(r, 400, "extension_refused")


def test_a_proxy_clerk_serving_the_returning_visitor_reads_the_notices_missing_list(client, kiosk, make_staff):
    from tests.api.test_acceptance import APPLICANT, call_one, finish

    first, second = make_staff("px1", "window"), make_staff("px2", "window")  # generalists, no department
    assert client.post("/api/v1/windows/31/open", headers=first).status_code == 200
    assert client.post("/api/v1/windows/32/open", headers=second).status_code == 200
    call_one(client, kiosk, first, item="WJW-001", window="31")
    r = finish(client, first, window="31", outcome="notice", applicant=APPLICANT, materials=["APP_FORM"],
               missing=["HEALTH", "EMPLOYER"], note="缺健康证明")
    assert r.status_code == 200, r.get_json()
    n = r.get_json()["case"]["number"]
    assert client.post("/api/v1/windows/31/close", headers=first).status_code in (200, 204)
    # Before calling the visitor, px2 may not read it (the case is WJW's, px1 opened it).
    error(client.get(f"{C}/{n}/notice", headers=second), 403)
    ticket = client.post("/api/v1/tickets", headers=kiosk, json={"notice": n}).get_json()["ticket"]
    called = client.post("/api/v1/windows/32/call-next", headers=second).get_json()["ticket"]
    assert called["id"] == ticket["id"] and called["follows_case"] == n
    error(client.get(f"{C}/{n}", headers=second), 403)  # the case itself (its applicant) stays closed
    r = client.get(f"{C}/{n}/notice", headers=second)
    assert r.status_code == 200, r.get_json()
    notice = r.get_json()["notice"]
    assert [m["code"] for m in notice["missing"]] == ["HEALTH", "EMPLOYER"]
    assert notice["number"] == n and notice["noticed_on"] == "2026-11-25" and notice["reason"] == "缺健康证明"
    assert "applicant" not in notice and APPLICANT["id_number"] not in r.get_data(as_text=True)


def test_a_suspension_left_on_a_case_with_no_promise_still_ends(client, svc, kiosk, alice):  # noqa: F811
    from sqlalchemy import update

    from server.db.case_tables import cases

    n = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"], missing=["ARTICLES"])["number"]
    with svc.engine.begin() as conn:  # as stored before receipts were refused a suspension
        conn.execute(update(cases).where(cases.c.number == n).values(suspended_since=svc.clock()))
    r = client.post(f"{C}/{n}/suspension/end", headers=alice)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["case"]["suspended"] is False and body["case"]["promised_date"] is None and body["document"] is None
