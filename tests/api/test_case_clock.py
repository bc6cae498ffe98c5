"""Time limits to the end through the API (articles 14 and 16): a receipt answered within five
working days, delivery on the clock, extensions approved by the chief across National Day, a
suspension moving the promise, the cases desk's list, and the visitor who comes back with the
missing papers linked to the notice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.app.cases import check_warnings
from server.db.tables import event_log, outbox
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, call_one, finish
from tests.api.test_cases import error, login, move

C = "/api/v1/cases"


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def chief(make_staff):
    return make_staff("chief", "chief", "SCJG")


def open_case(client, kiosk, alice, outcome: str = "accepted", **body) -> dict:
    call_one(client, kiosk, alice)
    body.setdefault("materials", ALL_MATERIALS)
    r = finish(client, alice, outcome=outcome, applicant=APPLICANT, **body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


def outbox_events(svc, number: str) -> list[dict]:
    with svc.engine.connect() as conn:
        return [p["change"] for p in conn.execute(
            select(outbox.c.payload).where(outbox.c.case_number == number).order_by(outbox.c.id)).scalars()]


def audited(svc, number: str) -> list[str]:
    with svc.engine.connect() as conn:
        return list(conn.execute(select(event_log.c.action).where(event_log.c.subject == number)
                                 .order_by(event_log.c.seq)).scalars())


# -- the receipt (收件): five working days ----------------------------------------------------------


def test_a_receipt_is_due_in_five_working_days_warned_in_tiers_and_answered_by_a_notice(
        client, svc, kiosk, alice, chief, clock):
    case = open_case(client, kiosk, alice, "received", materials=["APP_FORM", "ARTICLES"])
    n = case["number"]  # Wednesday 2026-11-25
    assert (case["status"], case["outcome"], case["promised_date"]) == ("received", "received", "2026-12-02")
    assert case["days_left"] == 5 and case["warning"] is None
    page = client.get("/case/" + case["progress_url"].rsplit("/", 1)[1]).get_data(as_text=True)
    assert "审查答复期限" in page and "已收件待审查" in page and "2026-12-02" in page
    clock.advance(days=6, hours=4)  # Tuesday Dec 1 14:00: a working day and 3 hours of 5 days ahead
    assert check_warnings(svc) == [(n, "yellow")]
    chief, alice = login(client, "chief"), login(client, "alice")  # the morning's tokens have expired
    listed = client.get(f"{C}/warnings", headers=chief).get_json()["cases"]
    assert [(c["number"], c["status"], c["warning"]) for c in listed] == [(n, "received", "yellow")]
    error(move(client, alice, n, "in_review"), 409, "illegal_transition")
    r = client.post(f"{C}/{n}/transition", headers=alice, json={"to": "noticed", "missing": []})
    error(r, 400)
    r = client.post(f"{C}/{n}/transition", headers=alice,
                    json={"to": "noticed", "missing": ["SHAREHOLDER_ID", "PREMISES"], "note": "缺股东身份证明"})
    assert r.status_code == 200, r.get_json()
    done = r.get_json()["case"]
    assert done["status"] == "noticed" and [m["code"] for m in done["missing"]] == ["SHAREHOLDER_ID", "PREMISES"]
    assert done["warning"] is None and done["days_left"] is None and done["promised_date"] is None
    assert outbox_events(svc, n)[-1]["missing"] == ["SHAREHOLDER_ID", "PREMISES"]
    assert "case.answer" in audited(svc, n)


def test_an_accepted_receipt_promises_the_items_limit_from_the_acceptance_day(client, kiosk, alice, clock):
    case = open_case(client, kiosk, alice, "received")
    clock.advance(days=2)  # Friday 2026-11-27
    r = client.post(f"{C}/{case['number']}/transition", headers=login(client, "alice"), json={"to": "accepted"})
    assert r.status_code == 200, r.get_json()
    accepted = r.get_json()["case"]
    # SCJG-001 promises one working day: Monday 2026-11-30, counted from Friday, not from the receipt.
    assert (accepted["status"], accepted["promised_date"], accepted["share_left"]) == ("accepted", "2026-11-30", 1.0)
    assert [h["status"] for h in accepted["history"]] == ["received", "accepted"]
    # The acceptance slip is printed then, dated the acceptance day.
    assert accepted["document"]["kind"] == "acceptance" and accepted["print"]["error"] is None


# -- delivery on the clock, extensions ------------------------------------------------------------


def test_an_extension_across_national_day_is_approved_by_the_chief_and_moves_the_promise(
        client, svc, kiosk, alice, chief, clock, make_staff):
    clock.now = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Beijing
    case = open_case(client, kiosk, alice)
    n = case["number"]
    assert case["promised_date"] == "2026-09-30"
    move(client, alice, n, "in_review")
    ask = {"days": 3, "reason": "需组织现场核查", "legal_basis": "《中华人民共和国行政许可法》第四十二条"}
    error(client.post(f"{C}/{n}/extensions", headers=alice, json={**ask, "days": 21}), 400, "extension_refused")
    r = client.post(f"{C}/{n}/extensions", headers=alice, json=ask)
    assert r.status_code == 201, r.get_json()
    requested = r.get_json()["clock"][0]
    assert (requested["state"], requested["days"], requested["old_promised"]) == ("requested", 3, "2026-09-30")
    error(client.post(f"{C}/{n}/extensions", headers=alice, json=ask), 400, "extension_refused")  # one at a time
    eid = requested["id"]
    error(client.post(f"{C}/{n}/extensions/{eid}/approve", headers=alice, json={}), 403)
    error(client.post(f"{C}/{n}/extensions/{eid}/approve", headers=make_staff("c2", "chief", "CRJ"), json={}), 403)
    r = client.post(f"{C}/{n}/extensions/{eid}/approve", headers=chief, json={"note": "同意"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    # October 1-7 closed; Thursday 8, Friday 9 and the make-up Saturday 10 are the three working days.
    assert body["case"]["promised_date"] == "2026-10-10"
    # The applicant's notice of the extension (延长审批期限告知书), numbered and printed at the window.
    assert body["document"]["kind"] == "extension" and body["print"]["error"] is None
    assert body["clock"][0]["state"] == "approved" and body["clock"][0]["new_promised"] == "2026-10-10"
    error(client.post(f"{C}/{n}/extensions/{eid}/reject", headers=chief, json={"note": "x"}), 409,
          "extension_decided")
    assert [e["kind"] for e in outbox_events(svc, n)][-2:] == ["extension_requested", "extension_approved"]
    assert audited(svc, n)[-2:] == ["case.extension_requested", "case.extension_approved"]
    # Decided is not delivered: the promise still binds, overdue the day after.
    move(client, alice, n, "decided_approved")
    clock.now = datetime(2026, 10, 11, 2, 0, tzinfo=UTC)
    assert check_warnings(svc) == [(n, "red")]
    alice = login(client, "alice")
    assert move(client, alice, n, "delivered").get_json()["case"]["warning"] is None
    error(client.post(f"{C}/{n}/extensions", headers=alice, json=ask), 409, "clock_not_running")


def test_a_rejected_extension_says_why_and_leaves_the_promise(client, kiosk, alice, chief):
    n = open_case(client, kiosk, alice)["number"]
    r = client.post(f"{C}/{n}/extensions", headers=alice, json={"days": 2, "reason": "补充核查", "legal_basis": "依据"})
    eid = r.get_json()["clock"][0]["id"]
    error(client.post(f"{C}/{n}/extensions/{eid}/reject", headers=chief, json={}), 400)
    r = client.post(f"{C}/{n}/extensions/{eid}/reject", headers=chief, json={"note": "理由不充分"})
    assert r.get_json()["case"]["promised_date"] == "2026-11-26"
    assert r.get_json()["clock"][0]["state"] == "rejected"
    error(client.post(f"{C}/{n}/extensions/999/approve", headers=chief, json={}), 404)


# -- suspensions --------------------------------------------------------------------------------------


def test_a_suspension_stops_warnings_and_moves_the_promise_by_the_working_days_suspended(
        client, svc, kiosk, alice, chief, clock):
    n = open_case(client, kiosk, alice)["number"]  # Wednesday 2026-11-25, due Thursday 26
    r = client.post(f"{C}/{n}/suspension", headers=alice, json={"kind": "expert_review", "reason": "组织专家评审"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["case"]["suspended"] is True and r.get_json()["case"]["days_left"] is None
    # The applicant's progress page says the clock stands still.
    page = client.get("/case/" + r.get_json()["case"]["progress_url"].rsplit("/", 1)[1]).get_data(as_text=True)
    assert "中止计时" in page
    error(client.post(f"{C}/{n}/suspension", headers=alice, json={"kind": "hearing", "reason": "听证"}), 409,
          "clock_suspended")
    error(move(client, alice, n, "in_review"), 409, "clock_suspended")
    clock.advance(days=5)  # Monday Nov 30: overdue but for the suspension
    assert check_warnings(svc) == []
    chief, alice = login(client, "chief"), login(client, "alice")
    assert client.get(f"{C}/warnings", headers=chief).get_json()["cases"] == []
    r = client.post(f"{C}/{n}/suspension/end", headers=alice)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    # Wednesday, Thursday and Friday suspended: Thursday 26 + 3 working days = Tuesday Dec 1.
    assert body["case"]["promised_date"] == "2026-12-01" and body["case"]["suspended"] is False
    assert body["clock"][0]["days"] == 3 and body["clock"][0]["state"] == "ended"
    assert body["document"]["kind"] == "suspension"
    docs = client.get(f"{C}/{n}/documents", headers=alice).get_json()["documents"]
    assert [d["kind"] for d in docs] == ["acceptance", "suspension", "suspension"]
    error(client.post(f"{C}/{n}/suspension/end", headers=alice), 409, "not_suspended")
    assert audited(svc, n)[-2:] == ["case.suspended", "case.resumed"]


def test_the_cases_desk_lists_the_departments_open_cases(client, kiosk, alice, chief, make_staff):
    n = open_case(client, kiosk, alice)["number"]
    listed = client.get(f"{C}/open", headers=chief).get_json()
    assert [c["number"] for c in listed["cases"]] == [n] and listed["cases"][0]["may_approve"] is True
    assert client.get(f"{C}/open", headers=alice).get_json()["cases"][0]["may_approve"] is False
    assert client.get(f"{C}/open", headers=make_staff("c2", "chief", "CRJ")).get_json()["cases"] == []
    assert [c["number"] for c in client.get(f"{C}/open", headers=make_staff("boss", "manager")).get_json()["cases"]] \
        == [n]


# -- the returning visitor (article 14) -----------------------------------------------------------------


def test_a_returning_visitor_gets_a_ticket_linked_to_the_notice_and_the_window_sees_what_was_missing(
        client, svc, kiosk, alice):
    notice = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"],
                       missing=["ARTICLES", "PREMISES"])
    n = notice["number"]
    r = client.post("/api/v1/tickets", headers=kiosk, json={"notice": n.lower().replace("-", " - ")})
    assert r.status_code == 201, r.get_json()
    ticket = r.get_json()["ticket"]
    assert ticket["follows_case"] == n and ticket["item"] == "SCJG-001"
    called = client.post("/api/v1/windows/1/call-next", headers=alice).get_json()["ticket"]
    assert called["id"] == ticket["id"] and called["follows_case"] == n
    # What the console reads for it: the notice's missing materials, date and number.
    seen = client.get(f"{C}/{n}", headers=alice).get_json()["case"]
    assert [m["code"] for m in seen["missing"]] == ["ARTICLES", "PREMISES"] and seen["accepted_on"] == "2026-11-25"
    r = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["case"]["follows"] == n


def test_the_notices_qr_code_finds_it_at_the_kiosk(client, kiosk, alice):
    n = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"], missing=["ARTICLES"])["number"]
    (doc,) = client.get(f"{C}/{n}/documents", headers=alice).get_json()["documents"]
    r = client.post("/api/v1/tickets", headers=kiosk, json={"notice": doc["verify_url"]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["ticket"]["follows_case"] == n
    forged = doc["verify_url"][:-4] + ("AAAA" if not doc["verify_url"].endswith("AAAA") else "BBBB")
    error(client.post("/api/v1/tickets", headers=kiosk, json={"notice": forged}), 404)


def test_a_notice_reference_that_is_no_notice_says_nothing_of_the_case(client, kiosk, alice):
    """Reviewer's finding: a case number that is no notice was answered with its status (a kiosk
    user could probe every case). Now everything that is no notice is one 404."""
    accepted = open_case(client, kiosk, alice)["number"]
    answers = [client.post("/api/v1/tickets", headers=kiosk, json={"notice": ref})
               for ref in (accepted, "CITY-SCJG-2026-009999", "no such thing", "CITY-市监告字〔2026〕999号")]
    for r in answers:
        assert "no such notice" in error(r, 404, "not_found")
        assert "accepted" not in r.get_data(as_text=True) and accepted not in r.get_data(as_text=True)
    assert len({r.get_data() for r in answers}) == 1
    error(client.post("/api/v1/tickets", json={"notice": accepted}), 401)
    error(client.post("/api/v1/tickets", headers=kiosk, json={"notice": accepted, "item": "SCJG-001"}), 400)


def test_a_notice_is_found_by_its_printed_number_too(client, kiosk, alice):
    n = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"], missing=["ARTICLES"])["number"]
    (doc,) = client.get(f"{C}/{n}/documents", headers=alice).get_json()["documents"]
    assert "告字〔2026〕" in doc["number"]
    pasted = " " + doc["number"].replace("〔", "[").replace("〕", "]") + " "
    r = client.post("/api/v1/tickets", headers=kiosk, json={"notice": pasted})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["ticket"]["follows_case"] == n


def test_a_kiosk_probing_numbers_for_notices_is_slowed_down(client, svc, kiosk, alice, display_key):
    from server.app import accounts
    from server.app.returning import KIOSK_NOTICE

    n = open_case(client, kiosk, alice, "notice", materials=["APP_FORM"], missing=["ARTICLES"])["number"]
    for i in range(KIOSK_NOTICE.free):
        error(client.post("/api/v1/tickets", headers=kiosk, json={"notice": f"CITY-SCJG-2026-{900 + i}"}), 404)
    # Past the allowance even a real notice waits: the refusal is decided before anything is read.
    r = client.post("/api/v1/tickets", headers=kiosk, json={"notice": n})
    error(r, 429, "too_many_attempts")
    assert int(r.headers["Retry-After"]) > 0
    # Another kiosk is not held, and taking numbers for services at this one goes on.
    other = {"X-Device-Key": accounts.add_device(svc, "kiosk-other", "kiosk")}
    assert client.post("/api/v1/tickets", headers=other, json={"notice": n}).status_code == 201
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"}).status_code == 201
    with svc.engine.connect() as conn:
        actions = [row.action for row in conn.execute(select(event_log.c.action))]
    assert actions.count("notice.lookup_failed") == KIOSK_NOTICE.free
