"""One-window acceptance through the API (articles 12-14): every outcome of finishing a service,
the case it opens, the document printed on the window's printer (decoded and read back), and the
errors that name what is wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from server.app import acceptance
from server.cli import run as cli_run
from server.core.idnumber import check_character
from server.db import print_jobs_repo
from server.db.tables import cases, event_log, outbox, print_jobs, tickets
from server.db.uow import Actor
from tests.support.escpos_decode import decode

ITEM = "SCJG-001"  # time limit 1 working day; materials APP_FORM ARTICLES SHAREHOLDER_ID OFFICER_ID PREMISES
ALL_MATERIALS = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]


def id_number(first17: str = "11010519491231002") -> str:
    return first17 + check_character(first17)


ID = id_number()
APPLICANT = {"name": "张三丰", "id_number": ID, "phone": "13800138000"}


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def serving(client, kiosk, alice):
    """A visitor for ITEM called at window 1; returns the ticket."""
    return call_one(client, kiosk, alice)


def call_one(client, kiosk, staff, item: str = ITEM, window: str = "1") -> dict:
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": item}).status_code == 201
    r = client.post(f"/api/v1/windows/{window}/call-next", headers=staff)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["ticket"]


def finish(client, staff, window: str = "1", **body):
    return client.post(f"/api/v1/windows/{window}/finish", headers=staff, json=body)


def assert_error(r, status: int, code: str) -> str:
    assert r.status_code == status, r.get_data(as_text=True)
    err = r.get_json()["error"]
    assert err["code"] == code, err
    return err["message"]


def printed(svc, number: str) -> list:
    with svc.engine.connect() as conn:
        return print_jobs_repo.jobs_for(conn, number)


def printed_text(svc, number: str):
    jobs = printed(svc, number)
    assert len(jobs) == 1, jobs
    doc = decode(jobs[0].payload)
    return jobs[0], doc, "\n".join(doc.texts)


# -- accepted -------------------------------------------------------------------------------------


def test_accepting_opens_a_numbered_case_with_its_promised_date_and_prints_the_slip(client, svc, serving, alice):
    r = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["ticket"]["status"] == "done"
    case = body["case"]
    # FakeClock: Wednesday 2026-11-25; one working day → Thursday.
    assert case["number"] == "CITY-SCJG-2026-000001"
    assert case["status"] == "accepted" and case["promised_date"] == "2026-11-26"
    assert case["progress_url"].startswith(f"{svc.hall.public_url}/case/")
    token = case["progress_url"].rsplit("/", 1)[1]
    assert len(token) >= 24 and token not in case["number"]
    assert case["applicant"]["id_number"] == ID  # the window that accepted sees it whole
    assert [m["code"] for m in case["materials"]] == ALL_MATERIALS
    assert body["print"]["printer"] == "dummy://window-1" and body["print"]["error"] is None

    job, doc, text = printed_text(svc, case["number"])
    assert job.kind == "acceptance" and job.printer == "dummy://window-1" and job.printed_at is None
    assert "受理单" in text and "CITY-SCJG-2026-000001" in text
    assert "承诺办结：2026年11月26日" in text
    assert "受理日期：2026年11月25日" in text
    assert "公司章程" in text  # a material received, by name
    # A paper handed to the applicant names them in full (issue 14); the ID number stays off it.
    assert "申请人：张三丰" in text and "张*丰" not in text and ID not in text
    paper = body["document"]
    assert paper["kind"] == "acceptance" and paper["number"] == "CITY-市监受字〔2026〕1号"
    assert doc.qr_payloads == [case["progress_url"], paper["verify_url"]]
    assert paper["verify_code"] in text and paper["number"] in text

    with svc.engine.connect() as conn:
        assert conn.execute(select(tickets.c.case_number).where(tickets.c.id == serving["id"])).scalar() == (
            "CITY-SCJG-2026-000001"
        )
        entry = conn.execute(select(event_log).where(event_log.c.action == "ticket.finish")).one()
        assert entry.subject == serving["number"] and entry.detail["case"] == "CITY-SCJG-2026-000001"
        assert entry.detail["print_job"] == job.id
        rows = conn.execute(select(outbox)).all()
    assert [(o.case_number, o.event) for o in rows] == [("CITY-SCJG-2026-000001", "case.opened")]
    assert rows[0].payload["case"]["applicant"]["id_number"] == ID


def test_case_numbers_run_per_department_and_year_without_gaps(client, kiosk, serving, alice):
    bad = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=["M09"])
    assert bad.status_code == 400
    first = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    call_one(client, kiosk, alice)
    second = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert first.get_json()["case"]["number"] == "CITY-SCJG-2026-000001"
    assert second.get_json()["case"]["number"] == "CITY-SCJG-2026-000002"


def test_the_accepting_window_and_the_case_api_agree(client, serving, alice, make_staff):
    case = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS).get_json()["case"]
    got = client.get(f"/api/v1/cases/{case['number']}", headers=alice).get_json()["case"]
    assert got["number"] == case["number"] and got["promised_date"] == "2026-11-26"
    assert got["applicant"] == {"name": "张三丰", "id_number": ID, "phone": "13800138000", "masked": False}
    manager = make_staff("mia", "manager")
    masked = client.get(f"/api/v1/cases/{case['number'].lower()}", headers=manager).get_json()["case"]
    assert masked["applicant"]["id_number"] == ID[:6] + "********" + ID[-4:]
    assert masked["applicant"]["name"] == "张*丰" and masked["applicant"]["phone"] == "138****8000"


# -- the other outcomes ---------------------------------------------------------------------------


def test_a_notice_lists_every_missing_material_at_once(client, svc, serving, alice):
    r = finish(client, alice, outcome="notice", applicant=APPLICANT, materials=["APP_FORM"],
               missing=["ARTICLES", "PREMISES", "OFFICER_ID"], note="章程须全体股东签字")
    assert r.status_code == 200, r.get_json()
    case = r.get_json()["case"]
    assert case["status"] == "noticed" and case["promised_date"] is None
    assert [m["code"] for m in case["missing"]] == ["ARTICLES", "PREMISES", "OFFICER_ID"]
    assert case["accepted_on"] == "2026-11-25"  # the notice's date (article 14)

    job, _doc, text = printed_text(svc, case["number"])
    assert job.kind == "notice"
    assert "一次性告知书" in text and "2026年11月25日" in text and "张三丰：" in text
    for name in ("公司章程", "住所（经营场所）使用证明", "法定代表人、董事、监事和经理的任职文件及身份证件"):
        assert name in text.replace("\n", ""), name
    assert "1. " in text and "2. " in text and "3. " in text
    assert "公司登记（备案）申请书" not in text  # received, not missing
    assert "章程须全体股东签字" in text


def test_a_notice_must_list_something(client, serving, alice):
    assert "lists none" in assert_error(finish(client, alice, outcome="notice", applicant=APPLICANT), 400,
                                        "invalid_case")


def test_a_refusal_needs_its_reason_and_states_the_rights_of_review_and_lawsuit(client, svc, serving, alice):
    msg = assert_error(finish(client, alice, outcome="refused", applicant=APPLICANT), 400, "reason_required")
    assert "reason" in msg
    r = finish(client, alice, outcome="refused", applicant=APPLICANT, reason="申请事项不属于本机关职权范围")
    assert r.status_code == 200, r.get_json()
    case = r.get_json()["case"]
    assert case["status"] == "refused" and case["reason"] == "申请事项不属于本机关职权范围"
    job, _doc, text = printed_text(svc, case["number"])
    flat = text.replace("\n", "")
    assert job.kind == "refusal" and "不予受理决定书" in flat
    assert "申请事项不属于本机关职权范围" in flat
    assert "行政复议" in flat and "六十日" in flat
    assert "行政诉讼" in flat and "六个月" in flat
    # Addressed by full name, naming who decides, with what seal, and where to turn (issue 14).
    assert "张三丰：" in flat and "市场监督管理局（某市市场监督管理局行政审批专用章）" in flat
    assert "依据：《中华人民共和国行政许可法》第三十二条第一款" in flat


def test_concluded_on_the_spot_is_a_case_done_today(client, svc, serving, alice):
    case = finish(client, alice, outcome="concluded", applicant=APPLICANT,
                  materials=ALL_MATERIALS).get_json()["case"]
    assert case["status"] == "concluded" and case["promised_date"] == "2026-11-25"
    job, _doc, text = printed_text(svc, case["number"])
    assert job.kind == "concluded" and "当场办结单" in text and "承诺办结：2026年11月25日" in text


def test_a_consultation_opens_no_case_and_prints_nothing(client, svc, serving, alice):
    r = finish(client, alice, outcome="consulted")
    assert r.status_code == 200
    assert r.get_json()["case"] is None and r.get_json()["ticket"]["status"] == "done"
    with svc.engine.connect() as conn:
        assert conn.execute(select(cases)).all() == [] and conn.execute(select(print_jobs)).all() == []
        assert conn.execute(select(tickets.c.outcome).where(tickets.c.id == serving["id"])).scalar() == "consulted"


def test_finishing_without_an_outcome_still_works(client, serving, alice):
    r = client.post("/api/v1/windows/1/finish", headers=alice)
    assert r.status_code == 200 and r.get_json()["case"] is None


# -- errors name what is wrong, and change nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"materials": ["APP_FORM", "M09"]}, "unknown_material", ['"M09"', "SCJG-001", "APP_FORM"]),
        ({"missing": ["X1", "X2"], "outcome": "notice"}, "unknown_material", ['"X1"', '"X2"', "missing"]),
        ({"applicant": {**APPLICANT, "id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}},
         "invalid_id_number", ["check digit"]),
        ({"applicant": {**APPLICANT, "id_number": "110105491231002"}}, "invalid_id_number", ["15-digit"]),
        ({"applicant": {**APPLICANT, "phone": "12345"}}, "invalid_applicant", ["phone"]),
        ({"applicant": None}, "applicant_required", ["applicant"]),
        ({"materials": ["APP_FORM"], "missing": ["APP_FORM"], "outcome": "notice"}, "invalid_materials",
         ["APP_FORM"]),
    ],
)
def test_a_bad_outcome_is_refused_naming_the_problem_and_the_visitor_stays(client, svc, serving, alice, body,
                                                                             code, words):
    full = {"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS, **body}
    if full["applicant"] is None:
        del full["applicant"]
    msg = assert_error(finish(client, alice, **full), 400, code)
    for w in words:
        assert w in msg, msg
    if code == "invalid_id_number":
        assert ID[:17] not in msg  # never repeat an ID number in an error
    with svc.engine.connect() as conn:
        assert conn.execute(select(tickets.c.status).where(tickets.c.id == serving["id"])).scalar() == "called"
        assert conn.execute(select(cases)).all() == [] and conn.execute(select(outbox)).all() == []
    ok = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert ok.status_code == 200 and ok.get_json()["case"]["number"] == "CITY-SCJG-2026-000001"


def test_an_unknown_outcome_is_a_400(client, serving, alice):
    assert finish(client, alice, outcome="approved").status_code == 400


def test_only_the_staff_signed_in_at_the_window_finishes_there(client, serving, make_staff):
    bob = make_staff("bob", "window", "SCJG")
    r = finish(client, bob, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert_error(r, 403, "forbidden")


def test_the_item_can_be_named_when_the_ticket_was_taken_by_queue(client, svc, kiosk, alice):
    client.post("/api/v1/tickets", headers=kiosk, json={"queue": "A"})
    client.post("/api/v1/windows/1/call-next", headers=alice)
    msg = assert_error(finish(client, alice, outcome="accepted", applicant=APPLICANT), 400, "item_required")
    assert "SCJG-001" in msg
    r = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=["APP_FORM"], item="SCJG-001")
    assert r.status_code == 200 and r.get_json()["case"]["item"] == "SCJG-001"


# -- the window's printer ---------------------------------------------------------------------------


def test_a_printer_set_for_the_window_overrides_the_hall_config(client, svc, serving, alice):
    acceptance.set_window_printer(svc, Actor("cli", None, "test"), "1", "dummy://counter-1-new")
    case = finish(client, alice, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS).get_json()["case"]
    assert printed(svc, case["number"])[0].printer == "dummy://counter-1-new"
    with svc.engine.connect() as conn:
        assert conn.execute(select(event_log).where(event_log.c.action == "window.set_printer")).one().subject == "1"


def test_hallq_window_set_printer_checks_the_window_and_the_url(svc, tmp_path, capsys):
    db = str(svc.engine.url)
    assert cli_run(["window", "set-printer", "1", "tcp://192.0.2.10:9100", "--db", db]) == 0
    assert "tcp://192.0.2.10:9100" in capsys.readouterr().out
    with svc.engine.connect() as conn:
        assert print_jobs_repo.window_printer_override(conn, "1") == "tcp://192.0.2.10:9100"
    assert cli_run(["window", "set-printer", "99", "dummy://x", "--db", db]) == 2
    assert "unknown window" in capsys.readouterr().err
    assert cli_run(["window", "set-printer", "1", "ftp://nope", "--db", db]) == 2
    assert cli_run(["window", "set-printer", "1", "-", "--db", db]) == 0  # back to the hall config's
    with svc.engine.connect() as conn:
        assert print_jobs_repo.window_printer_override(conn, "1") is None


# -- article 26 alerts ---------------------------------------------------------------------------------


def test_a_queue_left_without_an_open_window_alerts_the_managers(client, svc, kiosk, alice, published):
    client.post("/api/v1/tickets", headers=kiosk, json={"item": ITEM})
    published.clear()
    # A pause is no alert (the window will be back); its closing is.
    assert client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午餐"}).status_code == 200
    assert not [e for c in published for e in c.events if e.event.startswith("alert.")]
    assert client.post("/api/v1/windows/1/close", headers=alice).status_code == 200
    raised = [e for c in published for e in c.events if e.event == "alert.queue_unserved"]
    assert len(raised) == 1 and raised[0].rooms == ["hall"]
    assert raised[0].data["alert"]["queue"] == "A" and raised[0].data["alert"]["waiting"] == 1
    published.clear()
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    cleared = [e for c in published for e in c.events if e.event == "alert.queue_served"]
    assert [e.data["alert"]["queue"] for e in cleared] == ["A"]
    with svc.engine.connect() as conn:
        assert [r.detail for r in conn.execute(select(event_log).where(event_log.c.action == "alert.queues"))] == [
            {"raised": ["A"], "cleared": []}, {"raised": [], "cleared": ["A"]},
        ]


def test_the_managers_see_the_current_unserved_queues(svc, client, kiosk, alice, make_staff):
    manager, chief_crj = make_staff("boss", "manager"), make_staff("chief-crj", "chief", "CRJ")
    client.post("/api/v1/tickets", headers=kiosk, json={"item": ITEM})
    assert client.get("/api/v1/alerts", headers=manager).get_json()["unserved_queues"] == []
    client.post("/api/v1/windows/1/close", headers=alice)
    alerts = client.get("/api/v1/alerts", headers=manager).get_json()["unserved_queues"]
    assert [(a["queue"], a["waiting"]) for a in alerts] == [("A", 1)]
    assert client.get("/api/v1/alerts", headers=chief_crj).get_json()["unserved_queues"] == []  # not theirs
    assert client.get("/api/v1/alerts", headers=alice).status_code == 403


def test_the_managers_are_told_which_years_holidays_the_hall_does_not_know(svc, client, clock, make_staff):
    """No holiday table has a year that far ahead: promised dates would count its holidays as
    working days, so the managers are asked to list them in the hall's [calendar]."""
    clock.now = datetime(2099, 11, 25, 2, 0, tzinfo=UTC)  # 30 working days reach into 2100
    manager = make_staff("boss", "manager")
    gaps = client.get("/api/v1/alerts", headers=manager).get_json()["calendar"]
    assert gaps["years"] == [2099, 2100]
    assert "2099、2100年的节假日" in gaps["message"] and "[calendar]" in gaps["message"]

    listed = replace(svc.hall.calendar, holidays=frozenset({date(2099, 12, 31), date(2100, 1, 1)}))
    svc.hall = replace(svc.hall, calendar=listed)
    assert client.get("/api/v1/alerts", headers=manager).get_json()["calendar"] is None


# Every refusal of a finish, whole: status, code, English and Chinese exactly as clients have read
# them since before the core's errors became one hierarchy (issue 10), so that change moved none.
REFUSALS = {
    "unknown_material": ({"materials": ["APP_FORM", "M09"]}, 400, "unknown_material",
                         'materials: unknown material code "M09" for item SCJG-001 (有限责任公司设立登记); its '
                         "materials are APP_FORM, ARTICLES, SHAREHOLDER_ID, OFFICER_ID, PREMISES", "不符合办件规则"),
    "unknown_missing": ({"missing": ["X1", "X2"], "outcome": "notice"}, 400, "unknown_material",
                        'missing: unknown material codes "X1", "X2" for item SCJG-001 (有限责任公司设立登记); its '
                        "materials are APP_FORM, ARTICLES, SHAREHOLDER_ID, OFFICER_ID, PREMISES", "不符合办件规则"),
    "both": ({"materials": ["APP_FORM"], "missing": ["APP_FORM"], "outcome": "notice"}, 400, "invalid_materials",
             "material APP_FORM cannot be both received and missing", "不符合办件规则"),
    "check_digit": ({"applicant": {**APPLICANT, "id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}}, 400,
                    "invalid_id_number", "applicant.id_number: The ID number's check digit (character 18) does not "
                    "match the others: a character is wrong.", "申请人身份证号有误"),
    "first_generation": ({"applicant": {**APPLICANT, "id_number": "110105491231002"}}, 400, "invalid_id_number",
                         "applicant.id_number: This is a 15-digit first-generation ID number, no longer valid: ask "
                         "for the 18-character one.", "申请人身份证号有误"),
    "born_later": ({"applicant": {**APPLICANT, "id_number": id_number("11010520300101002")}}, 400,
                   "invalid_id_number", "applicant.id_number: The ID number's birth date (characters 7-14) is not "
                   "valid: in the future.", "申请人身份证号有误"),
    "phone": ({"applicant": {**APPLICANT, "phone": "12345"}}, 400, "invalid_applicant",
              "applicant.phone: The applicant's phone is not valid: neither a mobile (1xxxxxxxxxx) nor a landline "
              "number.", "申请人联系电话有误"),
    "name": ({"applicant": {**APPLICANT, "name": "张\x07"}}, 400, "invalid_applicant",
             "applicant.name: The applicant's name is not valid: it contains control characters.", "申请人姓名有误"),
    "no_applicant": ({"applicant": None}, 400, "applicant_required",
                     'outcome accepted opens a case: give "applicant": {"name", "id_number", "phone"}',
                     "不符合办件规则"),
    "empty_notice": ({"outcome": "notice", "materials": ["APP_FORM"]}, 400, "invalid_case",
                     "A correction notice (一次性告知, article 14) lists every missing material at once; this lists "
                     "none.", "不符合办件规则"),
    "missing_in_acceptance": ({"missing": ["APP_FORM"], "materials": []}, 400, "invalid_case",
                              "Only a correction notice lists missing materials, not an outcome `accepted`.",
                              "不符合办件规则"),
    "refusal_without_reason": ({"outcome": "refused"}, 400, "reason_required",
                               "reason: A refusal must state its reason (articles 14 and 16).",
                               "须填写理由：不予受理、不予批准都要写明理由"),
    "unknown_item": ({"item": "NOPE"}, 404, "not_found", "unknown item 'NOPE'", "未找到"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_every_refusal_of_a_finish_answers_word_for_word_as_before(client, serving, alice, name):
    body, status, code, message, message_zh = REFUSALS[name]
    full = {"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS, **body}
    if full["applicant"] is None:
        del full["applicant"]
    r = finish(client, alice, **full)
    assert (r.status_code, r.get_json()) == (status, {"error": {"code": code, "message": message,
                                                                "message_zh": message_zh}})


def test_a_visit_served_as_another_item_shows_that_item_on_the_ticket(client, serving, alice):
    """The second walkthrough finished a proxy window's visitor as 医师执业注册 while the phone went
    on saying 有限责任公司设立登记, the item the number was taken for."""
    r = finish(client, alice, outcome="accepted", applicant=APPLICANT, item="SCJG-002", materials=["APP_FORM"])
    assert r.status_code == 200, r.get_json()
    t = client.get(f"/api/v1/tickets/{serving['id']}").get_json()["ticket"]
    assert t["item"] == "SCJG-002" and t["item_name"] == "公司变更登记"
    assert r.get_json()["ticket"]["item"] == "SCJG-002", "the finish's own answer and event say so too"


def test_the_day_s_service_record_counts_the_visit_as_the_item_served(client, svc, serving, alice):
    """The statistics read the service records: a visit served as another item counts there as that
    item, as on its ticket."""
    from server.db.service_tables import service_segments

    r = finish(client, alice, outcome="accepted", applicant=APPLICANT, item="SCJG-002", materials=["APP_FORM"])
    assert r.status_code == 200, r.get_json()
    with svc.engine.connect() as conn:
        items = conn.execute(select(service_segments.c.item, service_segments.c.ending)
                             .where(service_segments.c.ticket_id == serving["id"])).all()
    assert [tuple(row) for row in items] == [("SCJG-002", "finished")]
