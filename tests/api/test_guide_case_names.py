"""A case names its materials as the revised guide named them when it was opened or answered: a
material an admin added shows by its name (not its code) on the case, the console's case view, the
public progress page and the platform's outbox row, and a later rename leaves the notice's words."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from server.app import cases
from server.db import case_tables, print_jobs_repo
from server.db.case_tables import outbox
from tests.api.test_acceptance import APPLICANT, call_one, finish
from tests.api.test_guides import edited
from tests.support.escpos_decode import decode


@pytest.fixture
def admin(make_staff):
    return make_staff("ada", "admin")


def _save(client, admin, materials, note):
    guide = edited(client, admin)["guide"]
    r = client.put("/api/v1/admin/guides/SCJG-001", headers=admin,
                   json={"guide": {**guide, "materials": materials}, "note": note,
                         "base_revision": edited(client, admin)["revision"]})
    assert r.status_code == 200, r.get_json()


def test_a_case_keeps_the_names_of_the_guide_it_was_opened_under(client, svc, admin, kiosk, make_staff):
    materials = edited(client, admin)["guide"]["materials"]
    _save(client, admin, [*materials, {"code": "NEW_DOC", "name": "新增材料样例", "name_en": "New doc"}], "新增材料")
    clerk = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    call_one(client, kiosk, clerk)
    r = finish(client, clerk, outcome="notice", applicant=APPLICANT, materials=["APP_FORM"], missing=["NEW_DOC"])
    assert r.status_code == 200, r.get_json()
    case = r.get_json()["case"]
    assert case["missing"] == [{"code": "NEW_DOC", "name": "新增材料样例", "name_en": "New doc"}]

    # The admin renames it afterwards: the notice keeps the words the applicant was given.
    _save(client, admin, [*materials, {"code": "NEW_DOC", "name": "改过的名字", "name_en": "Renamed"}], "改名")
    console = client.get(f"/api/v1/cases/{case['number']}", headers=clerk).get_json()["case"]
    assert console["missing"][0]["name"] == "新增材料样例"
    token = case["progress_url"].rsplit("/", 1)[-1]
    assert cases.progress_page(svc, token)["missing"][0]["name"] == "新增材料样例"
    with svc.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload).where(outbox.c.case_number == case["number"])).scalars()
        sent = [p for p in payloads if isinstance(p, dict) and "case" in p]
    assert sent and all(p["case"]["missing"][0]["name"] == "新增材料样例" for p in sent), sent


def test_a_receipt_answered_with_a_material_an_admin_added_names_it_and_prints_it(
        client, svc, admin, kiosk, make_staff):
    clerk = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    call_one(client, kiosk, clerk)
    r = finish(client, clerk, outcome="received", applicant=APPLICANT, materials=["APP_FORM", "ARTICLES"])
    assert r.status_code == 200, r.get_json()
    n = r.get_json()["case"]["number"]
    materials = edited(client, admin)["guide"]["materials"]
    _save(client, admin, [*materials, {"code": "NEW_DOC", "name": "新增材料样例", "name_en": "New doc",
                                       "copies": "原件1份"}], "新增材料")
    r = client.post(f"/api/v1/cases/{n}/transition", headers=clerk, json={"to": "noticed", "missing": ["NEW_DOC"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["case"]["missing"][0]["name"] == "新增材料样例"
    with svc.engine.connect() as conn:
        jobs = print_jobs_repo.jobs_for(conn, n)
    texts = ["\n".join(decode(j.payload).texts) for j in jobs]
    assert any("新增材料样例（原件1份）" in t for t in texts), texts


def test_a_case_opened_before_names_were_kept_shows_the_guide_in_force(client, svc, admin, kiosk, make_staff):
    clerk = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=clerk).status_code == 200
    call_one(client, kiosk, clerk)
    r = finish(client, clerk, outcome="notice", applicant=APPLICANT, materials=["APP_FORM"], missing=["ARTICLES"])
    n = r.get_json()["case"]["number"]
    with svc.engine.begin() as conn:  # as a row written before migration 0019
        conn.execute(update(case_tables.cases).values(material_names=None))
    materials = [{**m, "name": "公司章程（新版）"} if m["code"] == "ARTICLES" else m
                 for m in edited(client, admin)["guide"]["materials"]]
    _save(client, admin, materials, "章程改名")
    case = client.get(f"/api/v1/cases/{n}", headers=clerk).get_json()["case"]
    assert case["missing"][0]["name"] == "公司章程（新版）"
