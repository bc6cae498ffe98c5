"""Every decision in writing, verifiable, and visible (issue 14, points 1, 2 and 7): each kind of
document decoded from the printer's bytes and read for what the law asks of it; the public check
of a printed code, real and forged; the case's list of papers, its PNG preview and the reprint."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from server.app import documents
from server.db import cases_repo
from server.db.tables import event_log, print_jobs
from server.db.uow import Actor
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, ID, call_one, finish
from tests.support.escpos_decode import decode

REVIEW = "六十日内向某市人民政府申请行政复议"
COURT = "六个月内向某市某区人民法院提起行政诉讼"
SEAL = "（某市市场监督管理局行政审批专用章）"
BASIS = "《中华人民共和国行政许可法》第三十八条"


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def open_case(client, kiosk, alice, outcome: str = "accepted", **body) -> dict:
    call_one(client, kiosk, alice)
    fields = {"applicant": APPLICANT, "materials": ALL_MATERIALS} if outcome != "notice" else {
        "applicant": APPLICANT, "materials": ["APP_FORM"], "missing": ["ARTICLES"]}
    r = finish(client, alice, outcome=outcome, **fields, **body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def move(client, headers, number, to, note="", legal_basis=""):
    r = client.post(f"/api/v1/cases/{number}/transition", headers=headers,
                    json={"to": to, "note": note, "legal_basis": legal_basis})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


def paper(svc, job_id: int) -> tuple[str, list[str]]:
    """The job's printed text, lines joined (wrapping apart), and its QR payloads."""
    with svc.engine.connect() as conn:
        job = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).one()
    decoded = decode(job.payload)
    return "".join(decoded.texts), decoded.qr_payloads


def assert_official(text: str, qrs: list[str], doc: dict) -> None:
    """What every paper carries: the full name (never masked, never the ID number), its number,
    the department and seal, the date, the verification code and its QR."""
    assert "张三丰" in text and "张*丰" not in text and ID not in text
    assert doc["number"] in text and "市场监督管理局" + SEAL in text
    assert "2026年11月25日" in text
    assert doc["verify_code"] in text and doc["verify_url"] in qrs
    assert doc["verify_url"].endswith("/verify/" + doc["verify_code"])


def test_an_acceptance_is_numbered_sealed_and_verifiable(client, svc, kiosk, alice):
    body = open_case(client, kiosk, alice)
    doc = body["document"]
    assert doc["kind"] == "acceptance" and doc["number"] == "CITY-市监受字〔2026〕1号"
    text, qrs = paper(svc, body["print"]["job"])
    assert_official(text, qrs, doc)
    assert "受理单" in text and qrs[0] == body["case"]["progress_url"]


def test_a_notice_and_a_conclusion_take_their_own_families_of_numbers(client, svc, kiosk, alice):
    notice = open_case(client, kiosk, alice, "notice")
    concluded = open_case(client, kiosk, alice, "concluded")
    accepted = open_case(client, kiosk, alice, "accepted")
    assert notice["document"]["number"] == "CITY-市监告字〔2026〕1号"
    # 当场办结 is an acceptance decided at once: it shares the acceptances' numbers.
    assert concluded["document"]["number"] == "CITY-市监受字〔2026〕1号"
    # A noun, as the console's "The on-the-spot conclusion was sent to this window's printer" needs.
    assert concluded["document"]["kind_label_en"] == "On-the-spot conclusion"
    assert accepted["document"]["number"] == "CITY-市监受字〔2026〕2号"
    text, qrs = paper(svc, notice["print"]["job"])
    assert_official(text, qrs, notice["document"])
    assert "一次性告知书" in text and "公司章程" in text
    text, qrs = paper(svc, concluded["print"]["job"])
    assert_official(text, qrs, concluded["document"])
    assert "当场办结单" in text


def test_a_refusal_is_addressed_by_name_and_names_the_review_body_and_the_court(client, svc, kiosk, alice):
    body = open_case(client, kiosk, alice, "refused", reason="申请事项不属于本机关职权范围")
    doc = body["document"]
    assert doc["kind"] == "refusal" and doc["number"] == "CITY-市监不受字〔2026〕1号"
    text, qrs = paper(svc, body["print"]["job"])
    assert_official(text, qrs, doc)
    assert "不予受理决定书" in text and "张三丰：" in text
    assert "理由：申请事项不属于本机关职权范围" in text and "依据：《中华人民共和国行政许可法》第三十二条第一款" in text
    assert REVIEW in text and COURT in text
    assert "within 60 days" in text and "within 6 months" in text


def test_an_approval_and_a_denial_are_issued_in_writing_at_the_window_that_opened_the_case(
        client, svc, kiosk, alice, make_staff):
    first = open_case(client, kiosk, alice)["case"]["number"]
    second = open_case(client, kiosk, alice)["case"]["number"]
    # The chief decides from the back office: the paper still comes out at window 1.
    chief = make_staff("chief", "chief", "SCJG")
    for n in (first, second):
        move(client, chief, n, "in_review")
    approved = move(client, chief, first, "decided_approved")
    assert approved["document"]["kind"] == "approval" and approved["print"]["printer"] == "dummy://window-1"
    text, qrs = paper(svc, approved["print"]["job"])
    assert_official(text, qrs, approved["document"])
    assert "准予行政许可决定书" in text and "决定准予行政许可" in text
    assert "依据：《中华人民共和国公司法》" in text  # the item guide's legal basis

    denied = move(client, chief, second, "decided_denied", "经营范围涉及前置审批，未取得许可", BASIS)
    doc = denied["document"]
    assert doc["kind"] == "denial" and doc["number"] == "CITY-市监不许字〔2026〕1号"
    assert denied["print"]["printer"] == "dummy://window-1"
    text, qrs = paper(svc, denied["print"]["job"])
    assert_official(text, qrs, doc)
    assert "不予行政许可决定书" in text and "张三丰：" in text
    assert "理由：经营范围涉及前置审批，未取得许可" in text and f"依据：{BASIS}" in text
    assert REVIEW in text and COURT in text
    with svc.engine.connect() as conn:
        entry = conn.execute(select(event_log).where(event_log.c.action == "case.transition")
                             .order_by(event_log.c.seq.desc())).first()
    assert entry.detail["legal_basis"] == BASIS
    assert entry.detail["documents"] == [{"id": doc["id"], "number": doc["number"], "kind": "denial", "window": "1"}]


def test_a_denial_without_legal_basis_is_refused_and_prints_nothing(client, svc, kiosk, alice):
    n = open_case(client, kiosk, alice)["case"]["number"]
    move(client, alice, n, "in_review")
    r = client.post(f"/api/v1/cases/{n}/transition", headers=alice,
                    json={"to": "decided_denied", "note": "不符合条件"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "legal_basis_required"
    assert [d["kind"] for d in client.get(f"/api/v1/cases/{n}/documents", headers=alice)
            .get_json()["documents"]] == ["acceptance"]


@pytest.mark.parametrize(("kind", "extra", "words"), [
    ("received", {"due_on": date(2026, 12, 2)}, ["收件凭证", "2026年12月2日前告知是否受理", "公司章程"]),
    ("extension", {"previous_promised": "2026-11-26", "promised": date(2026, 12, 10), "reason": "需现场核查",
                   "legal_basis": "《中华人民共和国行政许可法》第四十二条", "approved_by": "李首席"},
     ["延长审批期限告知书", "原承诺办结：2026年11月26日", "延长至：2026年12月10日", "理由：需现场核查",
      "第四十二条", "批准人：李首席"]),
    ("suspension", {"procedure": "专家评审", "reason": "涉及技术标准", "started_on": "2026-11-25"},
     ["特别程序告知书", "需要专家评审", "中止计时：2026年11月25日"]),
    ("suspension", {"procedure": "听证", "reason": "利害关系人申请", "started_on": "2026-11-25",
                    "resumed_on": "2026-12-01", "promised": "2026-12-03"},
     ["恢复计时：2026年12月1日", "承诺办结：2026年12月3日"]),
])
def test_the_clock_papers_print_what_extra_gives(client, svc, kiosk, alice, kind, extra, words):
    """received, extension and suspension are issued by the clock (clock14) through documents.issue."""
    n = open_case(client, kiosk, alice)["case"]["number"]
    with svc.write(Actor("staff", None, "chief")) as uow:
        stored = cases_repo.get(uow.conn, n)
        issued = documents.issue(svc, uow, stored, kind, window=None, extra=extra)
        uow.audit("case.test", n)
        svc.commit(uow)
    assert issued["print"]["error"] is None and issued["document"]["kind"] == kind
    text, qrs = paper(svc, issued["print"]["job"])
    assert_official(text, qrs, issued["document"])
    for w in words:
        assert w in text, w


def test_a_clock_paper_missing_what_it_must_say_is_refused(svc, client, kiosk, alice):
    n = open_case(client, kiosk, alice)["case"]["number"]
    with svc.write(Actor("staff", None, "chief")) as uow:
        stored = cases_repo.get(uow.conn, n)
        with pytest.raises(ValueError, match="approved_by"):
            documents.issue(svc, uow, stored, "extension", window=None, extra={
                "previous_promised": "2026-11-26", "promised": "2026-12-10", "reason": "x", "legal_basis": "y"})


# -- /verify ------------------------------------------------------------------------------------------


def test_a_real_code_verifies_with_the_applicant_masked(client, kiosk, alice):
    doc = open_case(client, kiosk, alice, "refused", reason="不属于本机关职权范围")["document"]
    typed = doc["verify_code"].replace("-", " ").lower()  # as someone types it off the paper
    r = client.get(f"/api/v1/verify/{typed}")
    assert r.status_code == 200
    found = r.get_json()["document"]
    assert found["number"] == doc["number"] and found["kind_label"] == "不予受理决定书"
    assert found["department"]["name"] == "市场监督管理局" and found["issued_on"] == "2026-11-25"
    assert found["applicant"] == "张*丰" and found["case"] == "CITY-SCJG-2026-000001"
    page = client.get(doc["verify_url"].split("5000", 1)[1])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "本文书真实有效" in html and doc["number"] in html
    assert "张*丰" in html and "张三丰" not in html and ID not in html


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "not a code", "0" * 16, "X" * 64])
def test_a_forged_or_malformed_code_is_plainly_no_such_document(client, kiosk, alice, code):
    open_case(client, kiosk, alice)
    r = client.get(f"/api/v1/verify/{code}")
    assert r.status_code == 404 and r.get_json()["error"]["message_zh"] == "查无此文书"
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404 and "查无此文书" in page.get_data(as_text=True)


def test_checking_codes_is_rate_limited_per_client_address(client, clock):
    for _ in range(30):
        assert client.get("/api/v1/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404
    r = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_checks"
    assert 1 <= int(r.headers["Retry-After"]) <= 300
    other = client.get("/api/v1/verify/AAAA-BBBB-CCCC-DDDD", environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 404  # another address has its own budget
    clock.advance(seconds=301)
    assert client.get("/api/v1/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404


# -- the case's papers, preview, reprint ---------------------------------------------------------------


def test_the_case_lists_its_papers_and_previews_each_as_printed(client, kiosk, alice, make_staff):
    body = open_case(client, kiosk, alice)
    n = body["case"]["number"]
    listed = client.get(f"/api/v1/cases/{n}/documents", headers=alice).get_json()
    assert [d["number"] for d in listed["documents"]] == ["CITY-市监受字〔2026〕1号"]
    r = client.get(listed["documents"][0]["preview_url"], headers=alice)
    assert r.status_code == 200 and r.mimetype == "image/png"
    image = Image.open(io.BytesIO(r.data))
    assert image.width == 576 + 32  # 80 mm paper at 203 dpi, with its white margin
    assert image.height > 1000 and image.convert("L").getextrema()[0] == 0  # ink on it
    # Staff of another department may not read the case, nor its papers.
    bob = make_staff("bob", "window", "CRJ")
    assert client.get(f"/api/v1/cases/{n}/documents", headers=bob).status_code == 403
    assert client.get(listed["documents"][0]["preview_url"], headers=bob).status_code == 403
    assert client.get("/api/v1/documents/99999/preview.png", headers=alice).status_code == 404


def test_a_reprint_is_queued_at_the_callers_window_and_audited(client, svc, kiosk, alice, make_staff):
    doc = open_case(client, kiosk, alice)["document"]
    r = client.post(f"/api/v1/documents/{doc['id']}/reprint", headers=alice)
    assert r.status_code == 200, r.get_json()
    again = r.get_json()
    assert again["print"]["printer"] == "dummy://window-1" and again["document"]["number"] == doc["number"]
    text, _qrs = paper(svc, again["print"]["job"])
    assert doc["verify_code"] in text  # the same paper, not a new document
    with svc.engine.connect() as conn:
        entry = conn.execute(select(event_log).where(event_log.c.action == "document.reprint")).one()
    assert entry.subject == doc["number"] and entry.detail["window"] == "1"
    # Another window than one's own is refused; a member of staff at no window must name one.
    assert client.post(f"/api/v1/documents/{doc['id']}/reprint", headers=alice,
                       json={"window": "2"}).status_code == 403
    carol = make_staff("carol", "window", "SCJG")
    r = client.post(f"/api/v1/documents/{doc['id']}/reprint", headers=carol)
    assert r.status_code == 400 and "window" in r.get_json()["error"]["message"]


def test_a_manager_or_the_admin_sees_no_paper_with_the_full_name_and_reprints_none(client, kiosk, alice, make_staff):
    """Reviewer's finding: a manager (who sees the applicant masked) or the admin could render or
    reprint any paper, which carries the applicant's full name. The chief of the department may."""
    doc = open_case(client, kiosk, alice)["document"]
    n = doc["case"]
    chief = make_staff("chen", "chief", "SCJG")
    listed = client.get(f"/api/v1/cases/{n}/documents", headers=chief).get_json()["documents"]
    assert client.get(listed[0]["preview_url"], headers=chief).status_code == 200
    for who in (make_staff("mona", "manager"), make_staff("root", "admin")):
        listed = client.get(f"/api/v1/cases/{n}/documents", headers=who)
        assert listed.status_code == 200
        [seen] = listed.get_json()["documents"]
        assert seen["number"] == doc["number"] and seen["preview_url"] is None
        r = client.get(f"/api/v1/documents/{doc['id']}/preview.png", headers=who)
        assert r.status_code == 403 and "full name" in r.get_json()["error"]["message"]
        assert "完整姓名" in r.get_json()["error"]["message_zh"]
        r = client.post(f"/api/v1/documents/{doc['id']}/reprint", headers=who, json={"window": "1"})
        assert r.status_code == 403, r.get_json()


def test_a_window_without_a_printer_or_a_paper_that_cannot_render_does_not_stop_the_change(
        client, svc, kiosk, alice, monkeypatch):
    n = open_case(client, kiosk, alice)["case"]["number"]
    bare = replace(svc.hall.window("1"), printer=None)
    with svc.write(Actor("staff", None, "chief")) as uow:
        issued = documents.issue(svc, uow, cases_repo.get(uow.conn, n), "received", window=bare,
                                 extra={"due_on": "2026-12-02"})
        uow.audit("case.test", n)
        svc.commit(uow)
    assert issued["print"]["job"] is None and "no printer" in issued["print"]["error"]

    def broken(*_args, **_kw):
        raise RuntimeError("printer profile broken")

    monkeypatch.setattr("printers.escpos_render.render", broken)
    move(client, alice, n, "in_review")
    decided = move(client, alice, n, "decided_approved")
    assert decided["status"] == "decided_approved"  # the decision stands
    assert decided["print"]["job"] is None and "could not be rendered" in decided["print"]["error"]
    monkeypatch.undo()
    # Both papers are registered all the same, and can be reprinted once the printer is back.
    kinds = [d["kind"] for d in client.get(f"/api/v1/cases/{n}/documents", headers=alice).get_json()["documents"]]
    assert kinds == ["acceptance", "received", "approval"]
    r = client.post(f"/api/v1/documents/{decided['document']['id']}/reprint", headers=alice)
    assert r.status_code == 200 and r.get_json()["print"]["error"] is None


def test_a_tax_refusal_names_the_tax_authority_above_on_paper_and_on_the_progress_page(client, svc, kiosk,
                                                                                         make_staff):
    """The demo's tax bureau names its own review body (the provincial bureau); its court is the hall's."""
    tax = make_staff("tax", "window", "SWJ")
    assert client.post("/api/v1/windows/21/open", headers=tax).status_code == 200
    call_one(client, kiosk, tax, item="SWJ-001", window="21")
    r = finish(client, tax, window="21", outcome="refused", applicant=APPLICANT, reason="不属于本机关职权范围")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["document"]["number"] == "CITY-税不受字〔2026〕1号" and body["print"]["printer"] == "dummy://window-21"
    text, _qrs = paper(svc, body["print"]["job"])
    assert "六十日内向国家税务总局某省税务局申请行政复议" in text and COURT in text
    assert "（国家税务总局某市税务局行政审批专用章）" in text
    html = client.get(body["case"]["progress_url"].split("5000", 1)[1]).get_data(as_text=True)
    assert "国家税务总局某省税务局" in html and "某市人民政府" not in html


def test_a_preview_with_a_relative_public_url_is_a_clear_error_not_a_500(client, svc, kiosk, alice):
    from dataclasses import replace

    svc.hall = replace(svc.hall, public_url="hallq.local")  # no scheme: no QR a phone could open
    n = open_case(client, kiosk, alice)["case"]["number"]  # registered, its print refused by the layout
    (doc,) = client.get(f"/api/v1/cases/{n}/documents", headers=alice).get_json()["documents"]
    r = client.get(doc["preview_url"], headers=alice)
    assert r.status_code == 503, r.get_data(as_text=True)[:200]
    err = r.get_json()["error"]
    assert err["code"] == "preview_unavailable" and "public_url" in err["message"]
