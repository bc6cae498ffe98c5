"""Every case change the applicant should hear of reaches them through the outbox (issue 14 point
6, article 21): one `applicant.notify` row per change, written with the change, for the SMS
gateway's webhook (HALLQ_APPLICANT_WEBHOOK); article 16 warnings never; nothing queued in a hall
without a gateway; delivered over HTTP with a fixed idempotency key, retried, in order per case."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from server.app import accounts
from server.app.cases import check_warnings
from server.app.outbox import APPLICANT, run_outbox_once
from server.bootstrap import _outbox, build
from server.db.tables import outbox
from server.settings import Settings
from tests.api.test_acceptance import ALL_MATERIALS, ID, call_one
from tests.api.test_acceptance import APPLICANT as PERSON
from tests.conftest import PASSWORD
from tests.integration.test_outbox_destinations import Webhook

GATEWAY = "http://sms.invalid/hallq"


@pytest.fixture
def hook():
    h = Webhook()
    yield h
    h.close()


def hq_with(hall, db_engine, clock, tmp_path, published, gateway: str | None):
    settings = Settings(db_url=str(db_engine.url), async_mode="threading", var_dir=tmp_path, testing=True,
                        applicant_webhook=gateway)
    return build(settings, hall=hall, engine=db_engine, clock=clock, watch=[published.append])


@pytest.fixture
def sms(hall, db_engine, clock, tmp_path, published):
    return hq_with(hall, db_engine, clock, tmp_path, published, GATEWAY)


def staff(hq, client):
    svc = hq.services
    accounts.add_user(svc, "alice", PASSWORD, "window", "SCJG")
    token = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    alice = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    kiosk = {"X-Device-Key": accounts.add_device(svc, "kiosk-sms", "kiosk")}
    return alice, kiosk


def finish(client, kiosk, alice, **body) -> dict:
    call_one(client, kiosk, alice)
    r = client.post("/api/v1/windows/1/finish", headers=alice, json={"applicant": PERSON, **body})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


def applicant_rows(svc) -> list[dict]:
    with svc.engine.connect() as conn:
        return list(conn.execute(select(outbox.c.payload).where(outbox.c.destination == APPLICANT)
                                 .order_by(outbox.c.id)).scalars())


def test_each_change_but_warnings_queues_one_message_with_the_change(sms, clock):
    client, svc = sms.app.test_client(), sms.services
    alice, kiosk = staff(sms, client)
    case = finish(client, kiosk, alice, outcome="accepted", materials=ALL_MATERIALS)
    n = case["number"]
    [opened] = applicant_rows(svc)
    assert opened["event"] == "applicant.notify" and opened["key"] == n and opened["case_number"] == n
    assert opened["phone"] == PERSON["phone"]  # whole: the gateway sends to it
    assert opened["template"] == "case.accepted" and opened["version"] == 1 and opened["status"] == "accepted"
    assert opened["progress_url"] == case["progress_url"]
    assert n in opened["text"]["zh"] and "2026-11-26" in opened["text"]["zh"] and case["progress_url"] in \
        opened["text"]["zh"]
    assert opened["text"]["en"].startswith("Your application was accepted")
    assert ID not in str(opened) and PERSON["name"] not in str(opened)
    assert opened["idempotency_key"] and opened["hall"] == svc.hall.code

    clock.advance(days=1, hours=3)  # past a warning tier: the hall is warned, the applicant is not
    assert check_warnings(svc) != []
    assert len(applicant_rows(svc)) == 1
    for to in ("in_review", "decided_approved", "delivered"):
        r = client.post(f"/api/v1/cases/{n}/transition", headers=staff_token(client), json={"to": to})
        assert r.status_code == 200, r.get_json()
    rows = applicant_rows(svc)
    assert [r["template"] for r in rows] == ["case.accepted", "case.in_review", "case.decided_approved",
                                            "case.delivered"]
    # The version the change made (the warning bumped it too, so the gateway can order and de-duplicate).
    assert [r["version"] for r in rows] == sorted(r["version"] for r in rows) and rows[-1]["version"] == 5


def staff_token(client) -> dict:
    token = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("body", "template", "words"), [
    ({"outcome": "notice", "materials": ["APP_FORM"], "missing": ["ARTICLES"]}, "case.notice", "补正"),
    ({"outcome": "refused", "reason": "不属于本中心受理范围"}, "case.refused", "不予受理"),
    ({"outcome": "concluded", "materials": ALL_MATERIALS}, "case.concluded", "当场办结"),
])
def test_every_outcome_of_the_window_is_told(sms, body, template, words):
    client, svc = sms.app.test_client(), sms.services
    alice, kiosk = staff(sms, client)
    case = finish(client, kiosk, alice, **body)
    [row] = applicant_rows(svc)
    assert row["template"] == template and words in row["text"]["zh"] and case["number"] in row["text"]["zh"]


def test_a_hall_without_a_gateway_queues_nothing_for_applicants(hall, db_engine, clock, tmp_path, published):
    hq = hq_with(hall, db_engine, clock, tmp_path, published, None)
    client = hq.app.test_client()
    alice, kiosk = staff(hq, client)
    finish(client, kiosk, alice, outcome="accepted", materials=ALL_MATERIALS)
    assert applicant_rows(hq.services) == []
    with hq.services.engine.connect() as conn:  # the platform's row is there as ever
        assert conn.execute(select(outbox.c.event).where(outbox.c.destination == "platform")).scalars().all() == [
            "case.opened"]


def test_the_gateway_gets_each_message_once_in_order_with_a_fixed_key(sms, clock, hook):
    client, svc = sms.app.test_client(), sms.services
    alice, kiosk = staff(sms, client)
    n = finish(client, kiosk, alice, outcome="accepted", materials=ALL_MATERIALS)["number"]
    client.post(f"/api/v1/cases/{n}/transition", headers=alice, json={"to": "in_review"})
    calls = []

    def flaky(url, data, headers, timeout):  # the gateway fails once, then is fine
        calls.append(headers["Idempotency-Key"])
        if len(calls) == 1:
            return type("R", (), {"status_code": 503, "text": "busy"})()
        return requests.post(url, data=data, headers=headers, timeout=timeout)

    urls = {APPLICANT: hook.url("/sms")}
    done = run_outbox_once(svc, clock.now, urls=urls, post=flaky, timeout=5)
    assert len(done.failed) == 1 and hook.got == []  # the second message waits for the first
    clock.advance(seconds=2)
    for _ in range(2):
        run_outbox_once(svc, clock.now, urls=urls, post=flaky, timeout=5)
    assert [g["body"]["template"] for g in hook.got] == ["case.accepted", "case.in_review"]
    assert calls[0] == calls[1]  # the retry carried the same Idempotency-Key
    first = hook.got[0]
    assert first["path"] == "/sms" and first["key"] == n and first["body"]["phone"] == PERSON["phone"]
    assert first["body"]["idempotency_key"] == calls[0]
    # The platform's rows were not touched by the applicant's worker route.
    with svc.engine.connect() as conn:
        assert conn.execute(select(outbox.c.delivered_at).where(outbox.c.destination == "platform")).scalars().all() \
            == [None, None]


def test_the_setting_and_the_worker(monkeypatch, svc):
    monkeypatch.setenv("HALLQ_APPLICANT_WEBHOOK", " http://sms.invalid/hook ")
    assert Settings.from_env().applicant_webhook == "http://sms.invalid/hook"

    class FakeSocketIO:
        sleep = staticmethod(lambda s: None)

    built = _outbox(Settings(applicant_webhook=GATEWAY), svc, FakeSocketIO())  # type: ignore[arg-type]
    assert built is not None and built.urls == {APPLICANT: GATEWAY}


def test_a_failing_gateways_answer_is_not_logged_nor_kept_for_the_applicants_rows(sms, clock, caplog):
    """Reviewer's finding: the failed gateway's body (up to 300 characters) was logged, and an SMS
    gateway may echo the phone. Of the applicant's rows only the status is logged and kept."""
    client, svc = sms.app.test_client(), sms.services
    alice, kiosk = staff(sms, client)
    finish(client, kiosk, alice, outcome="accepted", materials=ALL_MATERIALS)

    def echoing(url, data, headers, timeout):
        return type("R", (), {"status_code": 400, "text": f"bad request: phone {PERSON['phone']} rejected"})()

    with caplog.at_level("WARNING", logger="hallq.outbox"):
        done = run_outbox_once(svc, clock.now, urls={APPLICANT: "http://sms.invalid/x"}, post=echoing, timeout=5)
    assert done.failed
    assert "HTTP 400" in caplog.text and PERSON["phone"] not in caplog.text
    with svc.engine.connect() as conn:
        kept = str(conn.execute(select(outbox).where(outbox.c.destination == APPLICANT)).all())
    assert "HTTP 400" in kept and "rejected" not in kept
