"""Article 21's progress query by case number (issue 14 point 6): a case found by its number and
the last four characters of the applicant's ID number or phone; one answer for every miss,
refusals after repeated failures per client address and per case number, failures audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from server.app import accounts
from server.core.idnumber import check_character
from server.db.tables import event_log
from tests.api.test_acceptance import ALL_MATERIALS, ID, call_one

LOOKUP = "/api/v1/progress/lookup"
PHONE = "13800138000"


def x_id() -> str:
    """An ID number whose check character is X."""
    for n in range(1000):
        first17 = f"11010519800101{n:03d}"
        if check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X found")


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def open_case(client, kiosk, alice, id_number: str = ID) -> dict:
    call_one(client, kiosk, alice)
    r = client.post("/api/v1/windows/1/finish", headers=alice, json={
        "outcome": "accepted", "materials": ALL_MATERIALS,
        "applicant": {"name": "张三丰", "id_number": id_number, "phone": PHONE}})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]


@pytest.fixture
def case(client, kiosk, alice):
    return open_case(client, kiosk, alice)


def ask(client, number, last4, address="203.0.113.7", headers=None):
    return client.post(LOOKUP, json={"number": number, "last4": last4}, headers=headers or {},
                       environ_base={"REMOTE_ADDR": address})


def test_the_number_and_the_last_four_of_the_id_number_find_the_case(client, case):
    r = ask(client, case["number"], ID[-4:])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["case"]["number"] == case["number"]
    assert body["case"]["status_code"] == "accepted" and body["case"]["applicant_name"] == "张*丰"
    # The tokenised page's URL, the same the slip's QR code carries; nothing personal in the answer.
    assert body["progress_url"] == case["progress_url"]
    text = r.get_data(as_text=True)
    assert ID not in text and PHONE not in text and "张三丰" not in text
    assert r.headers["Cache-Control"] == "no-store"
    # The same view the /case/<token> page renders.
    page = client.get("/case/" + body["progress_url"].rsplit("/", 1)[1])
    assert page.status_code == 200 and case["number"] in page.get_data(as_text=True)


def test_the_last_four_of_the_phone_find_it_too_however_typed(client, case):
    n = case["number"]  # CITY-SCJG-2026-000001
    typed = " ｃｉｔｙ－ｓｃｊｇ－2026－1 "  # full-width, lower case, spaces, leading zeros left out
    assert n == "CITY-SCJG-2026-000001"
    r = ask(client, typed, "８０００")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["case"]["number"] == n


def test_an_id_number_ending_in_x_matches_in_either_case(client, kiosk, alice):
    ident = x_id()
    c = open_case(client, kiosk, alice, id_number=ident)
    assert ask(client, c["number"], ident[-4:].lower()).status_code == 200
    assert ask(client, c["number"], ident[-4:]).status_code == 200


def test_a_wrong_last_four_and_an_unknown_number_answer_alike(client, case, svc):
    wrong = ask(client, case["number"], "1234", address="198.51.100.1")
    unknown = ask(client, "CITY-SCJG-2026-999999", ID[-4:], address="198.51.100.2")
    other_dept = ask(client, "CITY-ZZZ-2026-000001", ID[-4:], address="198.51.100.3")
    for r in (wrong, unknown, other_dept):
        assert r.status_code == 404
        assert r.get_json() == wrong.get_json()
        assert set(r.headers.keys()) == set(wrong.headers.keys())
    assert wrong.get_json()["error"]["code"] == "not_found"
    assert "未查到办件" in wrong.get_json()["error"]["message_zh"]
    # Each failure is on record, with the number asked and where from; never the last four typed.
    with svc.engine.connect() as conn:
        failed = conn.execute(select(event_log.c.subject, event_log.c.detail)
                              .where(event_log.c.action == "progress.lookup_failed")).all()
    assert [t for t, _ in failed] == [case["number"], "CITY-SCJG-2026-999999", "CITY-ZZZ-2026-000001"]
    assert failed[0][1]["address"] == "198.51.100.1" and "1234" not in str(failed[0][1])


@pytest.mark.parametrize(("body", "field"), [
    ({"number": "SCJG-2026", "last4": "1234"}, "number"),
    ({"number": "not a number", "last4": "1234"}, "number"),
    ({"number": "CITY-SCJG-2026-000001", "last4": "12"}, "last4"),
    ({"number": "CITY-SCJG-2026-000001", "last4": "12X4"}, "last4"),
    ({"number": "CITY-SCJG-2026-000001", "last4": "abcd"}, "last4"),
    ({"number": "CITY-SCJG-2026-000001"}, "last4"),
    ({"last4": "1234"}, "number"),
])
def test_malformed_input_is_a_400_naming_the_field(client, body, field):
    r = client.post(LOOKUP, json=body)
    assert r.status_code == 400, r.get_json()
    assert field in r.get_json()["error"]["message"]


def test_an_address_that_keeps_failing_is_refused_even_with_the_right_answer(client, case, clock):
    for seq in range(2, 12):  # ten failures, on ten numbers nobody has
        assert ask(client, f"CITY-SCJG-2026-{seq:06d}", "0000").status_code == 404
    refused = ask(client, case["number"], ID[-4:])
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) == 30
    # Another address is not held up; this one again after the wait.
    assert ask(client, case["number"], ID[-4:], address="192.0.2.50").status_code == 200
    clock.advance(seconds=31)
    assert ask(client, case["number"], ID[-4:]).status_code == 200


def test_a_case_number_guessed_from_many_addresses_is_refused(client, case, clock):
    for i in range(5):
        assert ask(client, case["number"], f"{i:04d}", address=f"10.0.0.{i + 1}").status_code == 404
    # From a new address, the right answer included: this number waits now.
    r = ask(client, case["number"], ID[-4:], address="10.0.1.1")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 60
    # An unknown number is counted just the same (a refusal tells nothing of which exist).
    for i in range(5):
        ask(client, "CITY-SCJG-2026-777777", f"{i:04d}", address=f"10.0.2.{i + 1}")
    assert ask(client, "CITY-SCJG-2026-777777", "0000", address="10.0.3.1").status_code == 429
    # Another number from that address goes on.
    assert ask(client, "CITY-SCJG-2026-000099", "0000", address="10.0.1.1").status_code == 404
    clock.advance(seconds=61)
    assert ask(client, case["number"], ID[-4:], address="10.0.1.1").status_code == 200


def test_a_kiosk_is_not_refused_for_its_visitors_typos(client, case, svc):
    kiosk = {"X-Device-Key": accounts.add_device(svc, "kiosk-lobby", "kiosk")}
    for seq in range(2, 16):
        assert ask(client, f"CITY-SCJG-2026-{seq:06d}", "0000", headers=kiosk).status_code == 404
    assert ask(client, case["number"], PHONE[-4:], headers=kiosk).status_code == 200
    display = {"X-Device-Key": accounts.add_device(svc, "display-lobby", "display")}
    assert ask(client, case["number"], PHONE[-4:], headers=display).status_code == 403
    assert ask(client, case["number"], PHONE[-4:], headers={"X-Device-Key": "nope"}).status_code == 401


def test_both_misses_do_the_same_work(client, case, svc):
    """No timing to tell them apart: a wrong last four and an unknown number run the very same
    statements (one read by primary key, the counters, the audit entry), differing only in values."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # The print spooler of the slip just printed runs beside it: its statements are not the lookup's.
        if "print_jobs" not in statement and not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(svc.engine, "before_cursor_execute", record)
    try:
        ask(client, case["number"], "1234", address="198.51.100.9")
        wrong = list(seen)
        seen.clear()
        ask(client, "CITY-SCJG-2026-888888", "1234", address="198.51.100.9")
        unknown = list(seen)
    finally:
        event.remove(svc.engine, "before_cursor_execute", record)
    assert wrong == unknown and len(wrong) > 3


def test_the_public_page_is_chinese_first_with_local_assets_only(client):
    r = client.get("/guide/progress")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert html.index("办件进度查询") < html.index("Track a case")
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    assert all(u.startswith("/") or u == "data:," for u in re.findall(r'(?:src|href)="([^"]+)"', html))
    assert "<script>" not in html and "style=" not in html  # the CSP forbids inline scripts and styles
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
