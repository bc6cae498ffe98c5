"""Issue 14's "done when", in the demo hall against a real `hallq serve`, in Debian's chromium:

- every outcome (accepted, notice, refused, concluded, received) and every later decision
  (approval, denial, extension, suspension and its end, a receipt's answer) prints a complete
  paper: read back from the printer's bytes, each carries the applicant's full name, its document
  number, the department's seal and a verification code whose QR the public /verify page confirms;
  the refusal and the denial also state the reason, the rights, the review body and the court;
- a notice's missing papers are waiting at the window when the visitor comes back through the kiosk;
- a citizen at home reads the whole guide of an item, downloads its sample form and finds the
  case by its number and the last four characters of the ID number.

Screenshots: docs/screenshots/paperwork-*.png."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from server.db.tables import print_jobs
from tests.browser.test_console import STAFF, VIEWPORT, press, sign_in_at_window, valid_id_number
from tests.support.browser import page_errors, script_errors, shot
from tests.support.escpos_decode import decode
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ITEM = "SCJG-001"
EVERYTHING = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]
ID = valid_id_number()
APPLICANT = {"name": "欧阳明月", "id_number": ID, "phone": "13912345678"}
SEAL = "（某市市场监督管理局行政审批专用章）"
REVIEW_BODY = "某市人民政府"
COURT = "某市某区人民法院"
BASIS = "《中华人民共和国行政许可法》第三十八条"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


class Hall:
    """The clerk at window 1 and the department's chief, through the API."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.clerk = server.login(STAFF)
        self.chief = server.login("chief-scjg")
        self.kiosk = {"X-Device-Key": server.device_key("kiosk-1")}
        self.engine = create_engine(f"sqlite:///{server.var_dir / 'hallq.db'}")

    def post(self, path: str, headers: dict, body: dict | None = None, status: int = 200) -> dict:
        r = requests.post(f"{self.server.url}{path}", headers=headers, json=body or {}, timeout=15)
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json() if r.content else {}

    def take(self, **body) -> dict:
        return self.post("/api/v1/tickets", self.kiosk, body or {"item": ITEM}, status=201)["ticket"]

    def serve(self, outcome: str, **body) -> dict:
        """The next visitor called at window 1 and finished with `outcome`; the case opened."""
        self.post("/api/v1/windows/1/call-next", self.clerk)
        done = self.post("/api/v1/windows/1/finish", self.clerk,
                         {"outcome": outcome, "applicant": APPLICANT, **body})
        return done["case"]

    def move(self, number: str, to: str, **body) -> dict:
        return self.post(f"/api/v1/cases/{number}/transition", self.chief, {"to": to, **body})

    def papers(self, number: str) -> list[dict]:
        r = requests.get(f"{self.server.url}/api/v1/cases/{number}/documents", headers=self.chief, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["documents"]

    def printed(self, number: str) -> list[tuple[str, list[str]]]:
        """Every job printed for the case: its text (wrapping undone) and its QR payloads."""
        with self.engine.connect() as conn:
            jobs = conn.execute(select(print_jobs).where(print_jobs.c.ref == number).order_by(print_jobs.c.id)).all()
        out = []
        for job in jobs:
            d = decode(job.payload)
            out.append(("".join(d.texts), list(d.qr_payloads)))
        return out


def check_paper(hall: Hall, number: str, doc: dict, *words: str) -> str:
    """The paper of `doc` as printed: complete, and its code confirmed by the public check."""
    found = [(t, q) for t, q in hall.printed(number) if doc["number"] in t]
    assert found, f"no printed job of {number} carries {doc['number']}"
    text, qrs = found[-1]
    assert APPLICANT["name"] in text, text            # addressed by full name on paper
    assert ID not in text                             # never the ID number
    assert SEAL in text, text
    assert doc["verify_code"] in text, text
    assert doc["verify_url"] in qrs, qrs
    for w in words:
        assert w in text, (w, text)
    r = requests.get(f"{hall.server.url}/api/v1/verify/{doc['verify_code']}", timeout=10)
    assert r.status_code == 200, r.text
    checked = r.json()["document"]
    assert checked["number"] == doc["number"] and checked["case"] == number
    assert checked["applicant"] != APPLICANT["name"]    # masked on a screen
    return text


def latest(hall: Hall, number: str, kind: str) -> dict:
    docs = [d for d in hall.papers(number) if d["kind"] == kind]
    assert docs, (number, kind, hall.papers(number))
    return docs[-1]


def test_every_outcome_and_decision_prints_verifiable_paper_and_the_citizen_is_served_from_home(
        browser, server):
    hall = Hall(server)
    errors_seen = []
    console = browser.new_context(viewport={**VIEWPORT, "height": 900}, device_scale_factor=1, locale="zh-CN")
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=1)
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                accept_downloads=True)
    try:
        desk = console.new_page()
        errors_seen.append(page_errors(desk))
        sign_in_at_window(desk, server)

        # --- the five outcomes ----------------------------------------------------------------
        hall.take()
        notice = hall.serve("notice", materials=["APP_FORM", "ARTICLES", "OFFICER_ID"],
                            missing=["SHAREHOLDER_ID", "PREMISES"])
        n_notice = notice["number"]
        check_paper(hall, n_notice, latest(hall, n_notice, "notice"), "股东的主体资格证明", "住所（经营场所）使用证明")

        hall.take()
        refused = hall.serve("refused", materials=[], reason="申请事项不属于本机关职权范围")
        check_paper(hall, refused["number"], latest(hall, refused["number"], "refusal"),
                    "申请事项不属于本机关职权范围", REVIEW_BODY, COURT, "六十日", "六个月")

        hall.take()
        concluded = hall.serve("concluded", materials=EVERYTHING)
        check_paper(hall, concluded["number"], latest(hall, concluded["number"], "concluded"))

        hall.take()
        received = hall.serve("received", materials=["APP_FORM", "ARTICLES"])
        check_paper(hall, received["number"], latest(hall, received["number"], "received"))
        hall.move(received["number"], "accepted")
        check_paper(hall, received["number"], latest(hall, received["number"], "acceptance"))

        hall.take()
        accepted = hall.serve("accepted", materials=EVERYTHING)
        n_acc = accepted["number"]
        check_paper(hall, n_acc, latest(hall, n_acc, "acceptance"))

        # --- the later decisions on the accepted case: extension, suspension, approval ----------
        hall.move(n_acc, "in_review")
        asked = hall.post(f"/api/v1/cases/{n_acc}/extensions", hall.clerk, {
            "days": 3, "reason": "需组织现场核查", "legal_basis": "《中华人民共和国行政许可法》第四十二条"}, status=201)
        ext = next(e for e in asked["clock"] if e["kind"] == "extension" and e["state"] == "requested")
        hall.post(f"/api/v1/cases/{n_acc}/extensions/{ext['id']}/approve", hall.chief, {"note": "同意"})
        check_paper(hall, n_acc, latest(hall, n_acc, "extension"), "需组织现场核查", "第四十二条")
        hall.post(f"/api/v1/cases/{n_acc}/suspension", hall.clerk, {"kind": "expert_review", "reason": "组织专家评审"},
                  status=201)
        check_paper(hall, n_acc, latest(hall, n_acc, "suspension"), "组织专家评审")
        hall.post(f"/api/v1/cases/{n_acc}/suspension/end", hall.clerk)
        check_paper(hall, n_acc, latest(hall, n_acc, "suspension"))
        hall.move(n_acc, "decided_approved")
        check_paper(hall, n_acc, latest(hall, n_acc, "approval"))

        # --- the visitor comes back with the notice's missing papers ---------------------------
        k = kiosk.new_page()
        errors_seen.append(page_errors(k))
        k.goto(f"{server.url}/kiosk/?key={server.device_key('kiosk-1')}")
        k.locator("#return-btn").click()
        k.locator("#return-ref").fill(n_notice)
        k.locator("#return-take").click()
        expect(k.locator("#screen-result")).to_be_visible()
        back_number = k.locator("#result-number").inner_text()
        shot(k, "paperwork-kiosk-return.png")

        press(desk, "F1")
        expect(desk.locator("#t-number")).to_have_text(back_number)
        follows = desk.locator("#t-follows")
        expect(follows).to_contain_text(n_notice)
        expect(follows.locator(".follows-missing li")).to_have_count(2)
        expect(desk.locator('#materials input[data-code="SHAREHOLDER_ID"]')).to_be_checked()
        expect(desk.locator('#materials input[data-code="PREMISES"]')).to_be_checked()
        shot(desk, "paperwork-console-return.png")
        done = hall.post("/api/v1/windows/1/finish", hall.clerk,
                         {"outcome": "accepted", "applicant": APPLICANT, "materials": EVERYTHING})
        n_back = done["case"]["number"]
        check_paper(hall, n_back, latest(hall, n_back, "acceptance"))
        # ... and is denied later, in writing, with reason, basis, rights, bodies.
        hall.move(n_back, "in_review")
        hall.move(n_back, "decided_denied", note="经现场核查，住所不符合登记条件", legal_basis=BASIS)
        denial = latest(hall, n_back, "denial")
        check_paper(hall, n_back, denial, "经现场核查，住所不符合登记条件", BASIS, REVIEW_BODY, COURT,
                    "六十日", "六个月")

        # --- the citizen at home ---------------------------------------------------------------
        p = phone.new_page()
        errors_seen.append(page_errors(p))
        # The QR's address, on this test server (the demo hall's public_url is port 5000).
        p.goto(server.url + "/verify/" + denial["verify_url"].rsplit("/verify/", 1)[1])
        expect(p.locator("body")).to_contain_text("真实有效")
        expect(p.locator("body")).to_contain_text(denial["number"])
        expect(p.locator("body")).not_to_contain_text(APPLICANT["name"])   # masked on a screen
        shot(p, "paperwork-verify.png", full_page=True)

        p.goto(f"{server.url}/")
        p.locator("#q").press_sequentially("yxzrgs", delay=20)   # 有限责任公司, by pinyin initials
        p.locator("#result-list a").first.click()
        expect(p.locator("#item-name")).to_have_text("有限责任公司设立登记")
        for field_id in ("#f-legal", "#f-conditions", "#f-unit", "#f-mistakes"):
            expect(p.locator(field_id)).not_to_be_empty()
        with p.expect_download() as info:
            p.locator('[data-material="APP_FORM"] a.sample').click()
        with open(info.value.path(), "rb") as f:
            assert "公司登记" in pypdf.PdfReader(io.BytesIO(f.read())).pages[0].extract_text().replace(" ", "")
        shot(p, "paperwork-guide.png")

        p.goto(f"{server.url}/guide/progress")
        p.fill("#number", n_back)
        p.fill("#last4", ID[-4:])
        p.click("#submit")
        expect(p.locator("#result")).to_contain_text(n_back)
        expect(p.locator("#result")).to_contain_text("不予批准")
        shot(p, "paperwork-progress.png", full_page=True)
    finally:
        console.close()
        kiosk.close()
        phone.close()
    for errors in errors_seen:
        assert not script_errors(errors), errors
