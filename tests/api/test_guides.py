"""The public service guide (issue 14, point 5): every article 7 field, search, sample forms, and
an admin's revision in force at once, on every process, for everything that reads a guide."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from sqlalchemy import select

from server.bootstrap import build
from server.db.tables import event_log
from server.settings import Settings
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, call_one, finish

FIELDS = ("legal_basis", "conditions", "accepting_unit", "process", "fee_standard", "fee_basis", "contact",
          "common_mistakes")


@pytest.fixture
def admin(make_staff):
    return make_staff("ada", "admin")


def guide_of(client, code: str = "SCJG-001") -> dict:
    r = client.get(f"/api/v1/guide/items/{code}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["item"]


def edited(client, admin, code: str = "SCJG-001") -> dict:
    r = client.get(f"/api/v1/admin/guides/{code}", headers=admin)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_every_item_of_the_demo_hall_has_every_article_7_field(client, hall):
    for item in hall.items:
        body = guide_of(client, item.code)
        g = body["guide"]
        assert body["name"] and all(g[f] for f in FIELDS), (item.code, [f for f in FIELDS if not g[f]])
        assert isinstance(g["time_limit_days"], int)
        assert g["materials"] and all(m["name"] and m["mistakes"] for m in g["materials"]), item.code
        assert g["revision"]["revised_on"] == "2026-10-15" and g["revision"]["note"], item.code
    g = guide_of(client)["guide"]
    assert g["accepting_unit"] == "某市市场监督管理局"
    assert g["materials"][0]["sample"]["url"] == "/guide/forms/SCJG-001/APP_FORM"


@pytest.mark.parametrize(("query", "first"), [
    ("gszc", "SCJG-001"),        # pinyin initials of a keyword: 公司注册
    ("GSZC", "SCJG-001"),
    ("huzhao", "CRJ-001"),       # full pinyin: 护照
    ("sfz", "HZ-001"),           # 身份证
    ("公司注册", "SCJG-001"),     # Chinese words
    ("不动产 过户", "BDC-001"),   # every word must match
    ("passport", "CRJ-001"),
    ("crj-002", "CRJ-002"),      # an item code
])
def test_search_finds_items_by_chinese_pinyin_english_and_code(client, query, first):
    r = client.get("/api/v1/guide/items", query_string={"q": query})
    assert r.status_code == 200
    body = r.get_json()
    assert body["count"] >= 1 and body["items"][0]["code"] == first, body


def test_search_without_a_match_answers_an_empty_list_and_without_a_query_everything(client, hall):
    assert client.get("/api/v1/guide/items?q=zzzzqqq").get_json()["items"] == []
    assert client.get("/api/v1/guide/items").get_json()["count"] == len(hall.items)


def test_an_unknown_item_is_a_json_404_and_a_page_that_says_so(client):
    r = client.get("/api/v1/guide/items/NOPE-1")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    page = client.get("/guide/items/NOPE-1")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "没有找到这个事项" in page.get_data(as_text=True) and "NOPE-1" in page.get_data(as_text=True)


def test_a_sample_form_downloads_as_a_pdf_with_its_chinese_name(client):
    r = client.get("/guide/forms/SCJG-001/APP_FORM")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.data.startswith(b"%PDF-")
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="SCJG-001-APP_FORM.pdf"')
    assert "filename*=UTF-8''" + quote("公司登记（备案）申请书（示范文本）.pdf", safe="") in disposition
    assert client.get("/guide/forms/SCJG-001/ARTICLES").status_code == 404  # no sample for that one


def test_an_admin_edit_is_in_force_at_once_for_the_catalogue_the_guide_and_new_cases(
        client, svc, admin, kiosk, make_staff):
    start = edited(client, admin)
    assert start["revision"] == 0 and start["history"][-1]["revision"] == 0
    guide = {**start["guide"], "time_limit_days": 3, "contact": "新咨询电话 000-12345678"}
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                   json={"guide": guide, "note": "办理时限调整为3个工作日", "base_revision": 0})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["revision"] == 1

    g = guide_of(client)["guide"]
    assert g["time_limit_days"] == 3 and g["contact"] == "新咨询电话 000-12345678"
    assert g["revision"] == {"number": 1, "revised_on": "2026-11-25", "note": "办理时限调整为3个工作日"}
    assert g["materials"][0]["sample"] is not None  # the hall file's sample stays
    catalogue = client.get("/api/v1/catalog").get_json()
    item = next(i for i in catalogue["items"] if i["code"] == "SCJG-001")
    assert item["guide"]["time_limit_days"] == 3 and item["guide"]["revision"]["number"] == 1

    # A case accepted now is promised by the new limit: Wednesday + 3 working days.
    clerk = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    call_one(client, kiosk, clerk)
    case = finish(client, clerk, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS).get_json()["case"]
    assert case["promised_date"] == "2026-11-30"

    history = edited(client, admin)["history"]
    assert [(h["revision"], h["author"], h["note"]) for h in history[:1]] == [(1, "ada", "办理时限调整为3个工作日")]
    with svc.engine.connect() as conn:
        entry = conn.execute(select(event_log).where(event_log.c.action == "guide.revise")).one()
    assert entry.subject == "SCJG-001" and entry.detail["revision"] == 1


def test_a_second_process_on_the_same_database_sees_the_revision(client, hq, hall, db_engine, clock, tmp_path, admin):
    other = build(Settings(db_url=str(db_engine.url), async_mode="threading", var_dir=tmp_path / "other",
                           testing=True), hall=hall, engine=db_engine, clock=clock)
    second = other.app.test_client()
    assert second.get("/api/v1/guide/items/SCJG-001").get_json()["item"]["guide"]["time_limit_days"] == 1
    guide = {**edited(client, admin)["guide"], "time_limit_days": 7}
    assert client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                      json={"guide": guide, "note": "时限调整", "base_revision": 0}).status_code == 200
    assert second.get("/api/v1/guide/items/SCJG-001").get_json()["item"]["guide"]["time_limit_days"] == 7
    page = second.get("/guide/items/SCJG-001").get_data(as_text=True)
    assert "7 个工作日" in page and "时限调整" in page


def test_a_revision_is_announced_to_the_kiosks_and_the_consoles_of_its_queue(client, admin, published):
    guide = edited(client, admin, "CRJ-001")["guide"]
    before = len(published)
    assert client.put("/api/v1/admin/guides/CRJ-001", headers=admin,
                      json={"guide": guide, "note": "核对", "base_revision": 0}).status_code == 200
    (change,) = published[before:]
    (event,) = change.events
    assert event.event == "guide.revised" and set(event.rooms) == {"hall", "queue:C"}
    assert event.data["item"] == "CRJ-001" and event.data["revision"] == 1


def test_an_edit_is_checked_like_the_hall_file_and_needs_a_note(client, admin):
    guide = edited(client, admin)["guide"]
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin, json={"guide": {**guide, "materials": []},
                                                                          "note": "清空材料", "base_revision": 0})
    assert r.status_code == 400 and "materials" in r.get_json()["error"]["message"]
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin, json={"guide": {**guide, "colour": "red"},
                                                                          "note": "x", "base_revision": 0})
    assert r.status_code == 400 and "colour" in r.get_json()["error"]["message"]
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                   json={"guide": guide, "note": "  ", "base_revision": 0})
    assert r.status_code == 400
    assert guide_of(client)["guide"]["revision"]["number"] == 0


def test_only_an_admin_edits_a_guide(client, make_staff):
    manager = make_staff("mona", "manager")
    assert client.get("/api/v1/admin/guides/SCJG-001", headers=manager).status_code == 403
    assert client.put("/api/v1/admin/guides/SCJG-001", headers=manager,
                      json={"guide": {}, "note": "x", "base_revision": 0}).status_code == 403


def test_an_uploaded_sample_form_replaces_the_hall_files(client, admin, svc):
    pdf = b"%PDF-1.4\n% a replacement sample\n%%EOF\n"
    body = {"filename": "新版申请书示范文本.pdf", "content_base64": base64.b64encode(pdf).decode()}
    r = client.put("/api/v1/admin/guides/SCJG-001/materials/ARTICLES/form", headers=admin, json=body)
    assert r.status_code == 201, r.get_json()
    got = client.get("/guide/forms/SCJG-001/ARTICLES")
    assert got.status_code == 200 and got.data == pdf and got.headers["Content-Type"] == "application/pdf"
    assert quote("新版申请书示范文本.pdf", safe="") in got.headers["Content-Disposition"]
    sample = guide_of(client)["guide"]["materials"][1]["sample"]
    assert sample["filename"] == "新版申请书示范文本.pdf" and sample["size"] == len(pdf)


@pytest.mark.parametrize(("filename", "content", "words"), [
    ("form.exe", b"MZ....", ".pdf, .docx"),
    ("form.pdf", b"<html>not a pdf</html>", "not a PDF"),
    ("form.pdf", b"%PDF-" + b"0" * (512 * 1024), "512 KB"),
])
def test_an_upload_is_type_checked_and_size_limited(client, admin, filename, content, words):
    body = {"filename": filename, "content_base64": base64.b64encode(content).decode()}
    r = client.put("/api/v1/admin/guides/SCJG-001/materials/APP_FORM/form", headers=admin, json=body)
    assert r.status_code in (400, 413), r.get_json()
    if r.status_code == 400:
        assert words in r.get_json()["error"]["message"]


def test_the_home_address_opens_the_public_guide(client):
    r = client.get("/")
    assert r.status_code in (301, 302) and r.headers["Location"].endswith("/guide/")
    page = client.get("/guide/").get_data(as_text=True)
    assert "办事指南" in page and "/guide/progress" in page and "有限责任公司设立登记" in page
    found = client.get("/guide/?q=gszc").get_data(as_text=True)
    results = found.split('id="results"', 1)[1].split('id="departments"', 1)[0]
    assert "有限责任公司设立登记" in results and "普通护照签发" not in results
    assert '<section id="departments" class="departments" hidden>' in found


def test_the_acceptance_checklist_follows_the_revision(client, admin, kiosk, make_staff):
    guide = edited(client, admin)["guide"]
    fewer = {**guide, "materials": [m for m in guide["materials"] if m["code"] != "PREMISES"]}
    assert client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                      json={"guide": fewer, "note": "住所证明改由部门间共享核验，不再提交",
                            "base_revision": 0}).status_code == 200
    clerk = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    call_one(client, kiosk, clerk)
    r = finish(client, clerk, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS)
    assert r.status_code == 400 and "PREMISES" in r.get_json()["error"]["message"]
    r = finish(client, clerk, outcome="accepted", applicant=APPLICANT, materials=ALL_MATERIALS[:-1])
    assert r.status_code == 200, r.get_json()
    assert [m["code"] for m in r.get_json()["case"]["materials"]] == ALL_MATERIALS[:-1]


def test_two_admins_editing_one_guide_do_not_overwrite_each_other(client, admin, make_staff):
    other = make_staff("bob", "admin")
    mine, theirs = edited(client, admin), edited(client, other)
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=other,
                   json={"guide": {**theirs["guide"], "time_limit_days": 5}, "note": "时限改为5天",
                         "base_revision": theirs["revision"]})
    assert r.status_code == 200, r.get_json()
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                   json={"guide": {**mine["guide"], "contact": "新电话"}, "note": "改电话",
                         "base_revision": mine["revision"]})
    assert r.status_code == 409, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "stale_revision" and "第 1 次修订" in error["message"] and "reload" in error["message"]
    g = guide_of(client)["guide"]
    assert g["time_limit_days"] == 5 and g["contact"] != "新电话" and g["revision"]["number"] == 1
    # Reloaded, the edit goes through as revision 2.
    again = edited(client, admin)
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                   json={"guide": {**again["guide"], "contact": "新电话"}, "note": "改电话",
                         "base_revision": again["revision"]})
    assert r.status_code == 200 and r.get_json()["revision"] == 2


def test_replacing_a_sample_form_is_a_revision_in_the_history(client, admin):
    pdf = b"%PDF-1.4\n% a replacement sample\n%%EOF\n"
    body = {"filename": "章程示范.pdf", "content_base64": base64.b64encode(pdf).decode()}
    r = client.put("/api/v1/admin/guides/SCJG-001/materials/ARTICLES/form", headers=admin, json=body)
    assert r.status_code == 201, r.get_json()
    name = next(m["name"] for m in guide_of(client)["guide"]["materials"] if m["code"] == "ARTICLES")
    note = f"更换示范文本：{name}"
    assert guide_of(client)["guide"]["revision"] == {"number": 1, "revised_on": "2026-11-25", "note": note}
    history = edited(client, admin)["history"]
    assert (history[0]["revision"], history[0]["author"], history[0]["note"]) == (1, "ada", note)
    listed = client.get("/api/v1/guide/items?q=SCJG-001").get_json()["items"][0]
    assert listed["revised_on"] == "2026-11-25"
