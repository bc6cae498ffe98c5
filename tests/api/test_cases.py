"""Cases after the window (articles 16, 17, 20, 21): their life cycle by staff and by the approval
platform, who sees the applicant whole, pulling changes, tiered warnings on the hall calendar,
the public progress page, and the outbox rows every change leaves."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from server.app import accounts
from server.app.cases import check_warnings
from server.app.outbox import backoff, run_outbox_once
from server.db.tables import event_log, outbox
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, ID, call_one
from tests.conftest import PASSWORD

JOINT = "SCJG-005"  # led by SCJG, copied to SWJ, RSJ and GJJ (article 17)


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def platform(svc):
    return {"X-Device-Key": accounts.add_device(svc, "approval-platform", "platform")}


def accept(client, kiosk, alice, item: str = "SCJG-001", materials=ALL_MATERIALS) -> dict:
    call_one(client, kiosk, alice, item=item)
    r = client.post("/api/v1/windows/1/finish", headers=alice,
                    json={"outcome": "accepted", "applicant": APPLICANT, "materials": materials})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


@pytest.fixture
def case(client, kiosk, alice):
    return accept(client, kiosk, alice)


def move(client, headers, number: str, to: str, note: str = "", legal_basis: str = ""):
    body = {"to": to, "note": note, **({"legal_basis": legal_basis} if legal_basis else {})}
    return client.post(f"/api/v1/cases/{number}/transition", headers=headers, json=body)


def login(client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def error(r, status: int, code: str | None = None) -> str:
    assert r.status_code == status, r.get_data(as_text=True)
    err = r.get_json()["error"]
    if code:
        assert err["code"] == code, err
    return err["message"]


# -- life cycle -------------------------------------------------------------------------------------


def test_a_case_moves_through_review_and_decision_to_delivery(client, svc, case, alice, published):
    n = case["number"]
    published.clear()
    assert move(client, alice, n, "in_review").get_json()["case"]["status"] == "in_review"
    assert move(client, alice, n, "decided_approved").get_json()["case"]["status"] == "decided_approved"
    done = move(client, alice, n, "delivered").get_json()["case"]
    assert done["status"] == "delivered" and done["warning"] is None and done["days_left"] is None
    assert [h["status"] for h in done["history"]] == ["accepted", "in_review", "decided_approved", "delivered"]
    assert done["history"][1]["actor"] == "alice" and done["version"] == 4
    events = [e for c in published for e in c.events if e.event == "case.updated"]
    assert [e.data["case"]["status"] for e in events] == ["in_review", "decided_approved", "delivered"]
    assert all(e.rooms == ["cases"] and "applicant" not in e.data["case"] for e in events)
    with svc.engine.connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).all()
        audit = conn.execute(select(event_log.c.action, event_log.c.subject)
                             .where(event_log.c.action == "case.transition")).all()
    assert [r.event for r in rows] == ["case.opened", "case.updated", "case.updated", "case.updated"]
    assert [r.payload["version"] for r in rows] == [1, 2, 3, 4]
    assert [r.payload["change"].get("status") for r in rows] == ["accepted", "in_review", "decided_approved",
                                                                 "delivered"]
    assert len({r.idempotency_key for r in rows}) == 4
    assert audit == [("case.transition", n)] * 3


def test_an_illegal_step_is_a_409_naming_the_allowed_ones(client, case, alice):
    msg = error(move(client, alice, case["number"], "delivered"), 409, "illegal_transition")
    assert "accepted" in msg and "delivered" in msg and "in_review" in msg
    # Chinese first for the staff who read it, with the English the protocol always had.
    err = move(client, alice, case["number"], "delivered").get_json()["error"]
    assert err["message_zh"] == "办件当前为“已受理”，不能改为“已送达”"
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["message_zh"] == "未找到"


def test_a_denial_states_its_reason(client, case, alice):
    move(client, alice, case["number"], "in_review")
    assert "reason" in error(move(client, alice, case["number"], "decided_denied"), 400, "reason_required")
    # Issue 14: the written decision cites its legal basis, so the denial cannot go without one.
    err = error(move(client, alice, case["number"], "decided_denied", "经营范围涉及前置审批"), 400,
                "legal_basis_required")
    assert "legal basis" in err
    denied = move(client, alice, case["number"], "decided_denied", "经营范围涉及前置审批",
                  "《中华人民共和国行政许可法》第三十八条").get_json()["case"]
    assert denied["status"] == "decided_denied" and denied["reason"] == "经营范围涉及前置审批"
    assert denied["document"]["kind"] == "denial" and denied["document"]["number"] == "CITY-市监不许字〔2026〕1号"


def test_a_bad_transition_body_or_case_is_refused(client, case, alice):
    error(move(client, alice, case["number"], "approved"), 400, "invalid_body")
    error(move(client, alice, "CITY-SCJG-2026-000099", "in_review"), 404, "not_found")
    error(client.get("/api/v1/cases/not-a-number", headers=alice), 404, "not_found")
    error(client.get(f"/api/v1/cases/{case['number']}"), 401)


def test_notice_and_refusal_cases_are_final(client, kiosk, alice):
    call_one(client, kiosk, alice)
    r = client.post("/api/v1/windows/1/finish", headers=alice,
                    json={"outcome": "notice", "applicant": APPLICANT, "missing": ["ARTICLES"]})
    n = r.get_json()["case"]["number"]
    assert "final" in error(move(client, alice, n, "in_review"), 409, "illegal_transition")


# -- who sees and moves what (article 6 of the issue; article 17, 20) ------------------------------------


def test_who_reads_a_case_and_who_sees_the_applicant_whole(client, kiosk, alice, make_staff, platform):
    joint = accept(client, kiosk, alice, item=JOINT, materials=["APP_FORM"])
    n = joint["number"]
    read = {}
    for name, role, dept in [("chief", "chief", "SCJG"), ("swj", "window", "SWJ"), ("crj", "window", "CRJ"),
                             ("boss", "manager", None), ("root", "admin", None), ("chiefcrj", "chief", "CRJ")]:
        r = client.get(f"/api/v1/cases/{n}", headers=make_staff(name, role, dept))
        read[name] = r.get_json()["case"]["applicant"] if r.status_code == 200 else r.status_code
    read["platform"] = client.get(f"/api/v1/cases/{n}", headers=platform).get_json()["case"]["applicant"]
    masked = ID[:6] + "********" + ID[-4:]
    assert read["chief"]["id_number"] == ID  # the lead department's chief representative
    assert read["swj"]["id_number"] == ID  # a copied department handles its part (article 17)
    assert read["platform"]["id_number"] == ID  # the approval platform decides (article 21)
    assert read["boss"]["id_number"] == masked and read["boss"]["masked"] is True  # managers: least privilege
    assert read["root"]["id_number"] == masked
    assert read["crj"] == 403 and read["chiefcrj"] == 403


def test_only_the_lead_department_managers_and_the_platform_move_a_case(client, kiosk, alice, make_staff, platform,
                                                                        kiosk_key):
    n = accept(client, kiosk, alice, item=JOINT, materials=["APP_FORM"])["number"]
    error(move(client, make_staff("swj", "window", "SWJ"), n, "in_review"), 403, "forbidden")
    error(move(client, make_staff("root", "admin"), n, "in_review"), 403)
    error(move(client, {"X-Device-Key": kiosk_key}, n, "in_review"), 403)
    assert move(client, make_staff("chief", "chief", "SCJG"), n, "in_review").status_code == 200
    assert move(client, make_staff("boss", "manager"), n, "decided_approved").status_code == 200
    r = move(client, platform, n, "delivered")
    assert r.status_code == 200
    assert r.get_json()["case"]["history"][-1]["actor"] == "platform:approval-platform"


def test_full_identity_reads_are_audited(client, svc, case, alice, make_staff):
    client.get(f"/api/v1/cases/{case['number']}", headers=alice)
    client.get(f"/api/v1/cases/{case['number']}", headers=make_staff("boss", "manager"))
    with svc.engine.connect() as conn:
        reads = conn.execute(select(event_log.c.actor_name).where(event_log.c.action == "case.read")).all()
    assert reads == [("alice",)]  # the manager saw it masked


# -- pulling ------------------------------------------------------------------------------------------------


def test_a_platform_pulls_the_cases_changed_since_a_time(client, kiosk, alice, clock, platform, make_staff):
    first = accept(client, kiosk, alice)["number"]
    clock.advance(minutes=5)
    mark = clock.now
    second = accept(client, kiosk, alice)["number"]
    got = client.get("/api/v1/cases", headers=platform).get_json()
    assert [c["number"] for c in got["cases"]] == [first, second] and got["more"] is False
    since = mark.isoformat()
    recent = client.get("/api/v1/cases", headers=platform, query_string={"updated_since": since}).get_json()
    assert [c["number"] for c in recent["cases"]] == [second]
    assert recent["cases"][0]["applicant"]["id_number"] == ID
    # An unencoded "+08:00" arrives as " 08:00" and still works.
    local = (mark + timedelta(hours=8)).replace(tzinfo=None).isoformat() + "+08:00"
    r = client.get(f"/api/v1/cases?updated_since={local}", headers=platform)
    assert [c["number"] for c in r.get_json()["cases"]] == [second]
    paged = client.get("/api/v1/cases?limit=1", headers=platform).get_json()
    assert len(paged["cases"]) == 1 and paged["more"] is True and paged["next_since"]
    manager = client.get("/api/v1/cases", headers=make_staff("boss", "manager")).get_json()
    assert manager["cases"][0]["applicant"]["masked"] is True
    error(client.get("/api/v1/cases", headers=alice), 403)
    assert "offset" in error(client.get("/api/v1/cases?updated_since=2026-11-25T10:00:00", headers=platform), 400)
    error(client.get("/api/v1/cases?updated_since=yesterday", headers=platform), 400, "invalid_query")


# -- article 16 warnings -------------------------------------------------------------------------------------


def test_warnings_rise_in_tiers_on_the_hall_calendar_once_each(client, svc, case, alice, clock, published, make_staff):
    n = case["number"]  # a 1-day item accepted Wednesday 2026-11-25 10:00, promised Thursday 2026-11-26
    published.clear()
    # Accepted a moment ago: green, not yellow as "2 working days left" made every 1-day case.
    assert case["warning"] is None and case["share_left"] == 1.0
    assert check_warnings(svc) == []
    clock.advance(days=1)  # Thursday 10:00: 7 of its 15 working hours ahead
    assert check_warnings(svc) == []
    clock.advance(hours=3)  # 13:00: 4 hours ahead, under a third
    assert check_warnings(svc) == [(n, "yellow")]
    assert check_warnings(svc) == []  # once
    clock.advance(hours=3)  # 16:00: 1 hour ahead, under a tenth
    assert check_warnings(svc) == [(n, "orange")]
    clock.advance(hours=8)  # Friday 00:00: the promise is broken
    assert check_warnings(svc) == [(n, "red")]
    clock.advance(days=1)  # Saturday: still red, nothing new
    assert check_warnings(svc) == []
    events = [e for c in published for e in c.events if e.event == "case.warning"]
    assert [e.data["change"]["level"] for e in events] == ["yellow", "orange", "red"]
    assert all(e.rooms == ["hall", "cases"] and "applicant" not in e.data["case"] for e in events)
    with svc.engine.connect() as conn:
        warned = conn.execute(select(outbox.c.payload).where(outbox.c.event == "case.warning")).scalars().all()
    assert [p["change"]["level"] for p in warned] == ["yellow", "orange", "red"]

    alice = login(client, "alice")  # three days on, the morning's token has expired
    chief = make_staff("chief", "chief", "SCJG")
    listed = client.get("/api/v1/cases/warnings", headers=chief).get_json()
    assert [(c["number"], c["warning"], c["days_left"]) for c in listed["cases"]] == [(n, "red", -1)]
    assert client.get("/api/v1/cases/warnings", headers=make_staff("boss", "manager")).get_json()["cases"]
    assert client.get("/api/v1/cases/warnings", headers=make_staff("c2", "chief", "CRJ")).get_json()["cases"] == []
    error(client.get("/api/v1/cases/warnings", headers=alice), 403)

    move(client, alice, n, "in_review")
    move(client, alice, n, "decided_approved")  # decided, not delivered: article 16 still binds it
    assert [c["warning"] for c in client.get("/api/v1/cases/warnings", headers=chief).get_json()["cases"]] == ["red"]
    assert check_warnings(svc) == []  # still red, nothing new
    move(client, alice, n, "delivered")  # delivered: the promise is kept or broken, warnings stop
    assert client.get("/api/v1/cases/warnings", headers=chief).get_json()["cases"] == []
    assert check_warnings(svc) == []


# -- article 20 progress page --------------------------------------------------------------------------------


def test_the_progress_page_shows_where_the_case_stands_with_a_masked_name_only(client, case, alice):
    path = "/case/" + case["progress_url"].rsplit("/", 1)[1]
    r = client.get(path)
    assert r.status_code == 200 and r.content_type.startswith("text/html")
    html = r.get_data(as_text=True)
    assert case["number"] in html and "有限责任公司设立登记" in html
    assert "已受理" in html and "Accepted" in html and "2026-11-26" in html
    assert html.index("已受理") < html.index("Accepted")  # Chinese first
    assert "张*丰" in html and "张三丰" not in html and ID not in html and "13800138000" not in html
    assert r.headers["Cache-Control"] == "no-store"
    move(client, alice, case["number"], "in_review")
    assert "审查中" in client.get(path).get_data(as_text=True)


def progress_html(client, case: dict) -> str:
    r = client.get("/case/" + case["progress_url"].rsplit("/", 1)[1])
    assert r.status_code == 200
    return r.get_data(as_text=True)


def finish_other(client, kiosk, alice, **body) -> dict:
    call_one(client, kiosk, alice)
    r = client.post("/api/v1/windows/1/finish", headers=alice, json={"applicant": APPLICANT, **body})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


def test_the_progress_page_of_a_refusal_gives_its_reason_the_rights_and_a_record_number(client, kiosk, alice):
    case = finish_other(client, kiosk, alice, outcome="refused", reason="申请事项不属于本机关职权范围")
    html = progress_html(client, case)
    assert "不予受理" in html and case["number"] in html
    # Nothing was accepted: the number registers the decision, it is no 受理编号.
    assert "登记编号" in html and "Record number" in html and "受理编号" not in html
    assert "受理日期" not in html
    assert "不予受理理由" in html and "申请事项不属于本机关职权范围" in html
    # The rights, with the bodies the demo hall config names, Chinese first.
    assert "60日内向某市人民政府申请行政复议" in html and "6个月内向某市某区人民法院提起行政诉讼" in html
    assert "within 60 days" in html and "within 6 months" in html
    assert html.index("行政复议") < html.index("administrative review")
    assert "张*丰" in html and "张三丰" not in html and ID not in html


def test_the_refusal_rights_are_stated_without_names_when_the_hall_gives_none(client, svc, kiosk, alice):
    from dataclasses import replace

    from server.core.hall import Appeal

    svc.hall = replace(svc.hall, appeal=Appeal())
    html = progress_html(client, finish_other(client, kiosk, alice, outcome="refused", reason="超出范围"))
    assert "60日内依法申请行政复议" in html and "6个月内依法提起行政诉讼" in html and "某市人民政府" not in html


def test_the_progress_page_of_a_notice_lists_what_to_bring_under_a_record_number(client, kiosk, alice):
    case = finish_other(client, kiosk, alice, outcome="notice", materials=["APP_FORM"], missing=["ARTICLES"],
                        reason="章程须全体股东签字")
    html = progress_html(client, case)
    assert "已一次性告知" in html and case["status_label"] == {"zh": "已一次性告知",
                                                          "en": "Notified of missing materials"}
    assert "登记编号" in html and "受理编号" not in html
    assert "需补正的材料" in html and "章程" in html and "章程须全体股东签字" in html
    assert "行政复议" not in html  # a notice decides nothing to contest


def test_an_accepted_case_keeps_its_acceptance_number_and_no_rights(client, case):
    html = progress_html(client, case)
    assert "受理编号" in html and "Acceptance number" in html and "登记编号" not in html
    assert "行政复议" not in html


def test_a_denial_shows_its_reason_and_the_rights(client, case, alice):
    move(client, alice, case["number"], "in_review", "内部备注：已电话核实")
    move(client, alice, case["number"], "decided_denied", "经营范围涉及前置审批", "《行政许可法》第三十八条")
    html = progress_html(client, case)
    assert "不予批准理由" in html and "经营范围涉及前置审批" in html and "行政复议" in html
    assert "内部备注" not in html  # notes along the way stay off the public page


def test_an_unknown_progress_token_is_a_404_page(client):
    r = client.get("/case/not-a-real-token")
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)


# -- the outbox worker, with a fake webhook ------------------------------------------------------------------


class FakePlatform:
    def __init__(self, fail: int = 0, fail_case: str | None = None) -> None:
        self.fail, self.fail_case, self.calls = fail, fail_case, []

    def __call__(self, url, data, headers, timeout):
        import json

        body = json.loads(data)
        self.calls.append((headers["Idempotency-Key"], body["case_number"], body["version"]))
        if self.fail_case == body["case_number"] or (self.fail_case is None and self.fail > 0):
            self.fail -= 1
            return SimpleNamespace(status_code=503, text="busy")
        return SimpleNamespace(status_code=200, text="ok")


def test_the_outbox_retries_with_backoff_in_order_per_case_and_other_cases_go_on(client, svc, kiosk, alice, clock):
    a = accept(client, kiosk, alice)["number"]
    move(client, alice, a, "in_review")
    b = accept(client, kiosk, alice)["number"]
    fake = FakePlatform(fail_case=a)
    first = run_outbox_once(svc, clock.now, url="http://platform.invalid/hook", post=fake)
    # a's first change failed: its second waits; b is delivered meanwhile.
    assert [(c, v) for _k, c, v in fake.calls] == [(a, 1), (b, 1)]
    assert len(first.delivered) == 1 and len(first.failed) == 1
    key = fake.calls[0][0]
    run_outbox_once(svc, clock.now, url="http://platform.invalid/hook", post=fake)
    assert len(fake.calls) == 2  # not due before its backoff
    fake.fail_case = None
    clock.advance(seconds=backoff(1).total_seconds())
    run_outbox_once(svc, clock.now, url="http://platform.invalid/hook", post=fake)
    assert [(c, v) for _k, c, v in fake.calls[2:]] == [(a, 1), (a, 2)]
    assert fake.calls[2][0] == key  # the same Idempotency-Key on the retry
    with svc.engine.connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).all()
    assert all(r.delivered_at is not None for r in rows)
    assert rows[0].attempts == 2 and rows[0].last_error == ""


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(40).total_seconds() == 600


def test_the_openapi_document_describes_the_case_paths(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/cases", "/api/v1/cases/warnings", "/api/v1/cases/{number}",
                 "/api/v1/cases/{number}/transition", "/case/{token}"):
        assert path in doc["paths"], path
    assert {"CaseTransition", "Case", "Finish"} <= set(doc["components"]["schemas"])
    assert "item" in doc["components"]["schemas"]["Finish"]["properties"]


def test_every_refusal_of_a_case_request_answers_word_for_word_as_before(client, case, alice, make_staff):
    """Status, code, English and Chinese exactly as clients read them before the core's errors became
    one hierarchy and the access rules moved into the core (issue 10)."""
    n = case["number"]
    bob = make_staff("bob", "window", "SWJ")

    def answer(r):
        e = r.get_json()["error"]
        return r.status_code, e["code"], e["message"], e["message_zh"]

    assert answer(move(client, alice, n, "delivered")) == (
        409, "illegal_transition", "A case cannot go from accepted to delivered (from accepted: in_review).",
        "办件当前为“已受理”，不能改为“已送达”")
    assert answer(client.get("/api/v1/cases/not-a-number", headers=alice)) == (
        404, "not_found",
        "no case 'not-a-number': A case number reads HALL-DEPT-YEAR-SEQUENCE, as CITY-SCJG-2026-000042: "
        "this is not one.", "办件编号格式不对，应如 CITY-SCJG-2026-000042")
    assert answer(client.get("/api/v1/cases/CITY-SCJG-2026-000099", headers=alice)) == (
        404, "not_found", "no case CITY-SCJG-2026-000099", "没有编号为 CITY-SCJG-2026-000099 的办件")
    assert answer(client.get(f"/api/v1/cases/{n}", headers=bob)) == (
        403, "forbidden", f"case {n} belongs to SCJG; its staff, chief and the managers see it",
        f"办件 {n} 属于SCJG，仅该部门人员、首席代表和管理人员可查看")
    assert answer(move(client, bob, n, "in_review")) == (
        403, "forbidden", f"case {n} is led by SCJG: its staff, its chief representative, the managers or the "
        "approval platform move it", f"办件 {n} 由SCJG主办，仅该部门人员、首席代表、管理人员或审批平台可办理")
    assert answer(client.get("/api/v1/cases/warnings", headers=bob)) == (
        403, "forbidden", "time-limit warnings are for the chief representatives and the managers",
        "时限预警仅供首席代表和管理人员查看")
    assert answer(client.get("/api/v1/cases", headers=bob)) == (
        403, "forbidden", "pulling cases needs the approval platform's device key or a manager",
        "仅审批平台或管理人员可拉取办件")
    move(client, alice, n, "in_review")
    assert answer(move(client, alice, n, "decided_denied")) == (
        400, "reason_required", "note: A denial must state its reason (articles 14 and 16).",
        "须填写理由：不予受理、不予批准都要写明理由")


def test_cases_and_tickets_carry_the_words_of_their_status_and_outcome(client, kiosk, alice, case):
    assert case["status_label"] == {"zh": "已受理", "en": "Accepted"}
    assert case["outcome_label"] == {"zh": "受理", "en": "Accepted"}
    ticket = call_one(client, kiosk, alice)
    assert ticket["status_label"] == {"zh": "已叫号", "en": "Called"} and ticket["outcome_label"] is None
    done = client.post("/api/v1/windows/1/finish", headers=alice, json={"outcome": "consulted"}).get_json()["ticket"]
    assert done["status_label"] == {"zh": "已办结", "en": "Done"}
    assert done["outcome_label"] == {"zh": "咨询", "en": "Consultation"}
