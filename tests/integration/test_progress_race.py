"""The reviewer's race against a real `hallq serve` (eventlet, SQLite): a burst of simultaneous
guesses at one case's last four from many threads. The check, the count and the comparison are
one transaction, so no more are compared than the per-number rule allows (five); the rest are
refused with 429, and a right guess among the refused does not get in. PostgreSQL's row locks are
shown in tests/api/test_progress_lookup_pg.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.core.idnumber import check_character
from server.core.progress_lookup import DEFAULT
from tests.integration.conftest import HTTP_TIMEOUT

pytestmark = pytest.mark.slow

PHONE = "13911112222"
ID = "11010519800101002" + check_character("11010519800101002")
MATERIALS = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]


@pytest.mark.parametrize("mode", ["threading", "eventlet"])
def test_a_burst_of_guesses_gets_no_more_comparisons_than_allowed(start_server, mode):
    # Threads serve requests truly in parallel (eventlet's blocking SQLite calls queue them anyway).
    srv = start_server(async_mode=mode)
    staff = srv.login("scjg01")
    api = f"{srv.url}/api/v1"
    assert requests.post(f"{api}/windows/1/open", headers=staff, timeout=HTTP_TIMEOUT).status_code == 200
    kiosk = {"X-Device-Key": srv.device_key("kiosk-1")}
    assert requests.post(f"{api}/tickets", json={"item": "SCJG-001"}, headers=kiosk,
                         timeout=HTTP_TIMEOUT).status_code == 201
    assert requests.post(f"{api}/windows/1/call-next", headers=staff, timeout=HTTP_TIMEOUT).status_code == 200
    r = requests.post(f"{api}/windows/1/finish", headers=staff, timeout=HTTP_TIMEOUT, json={
        "outcome": "accepted", "materials": MATERIALS,
        "applicant": {"name": "李四", "id_number": ID, "phone": PHONE}})
    assert r.status_code == 200, r.text
    number = r.json()["case"]["number"]
    n = 24

    def guess(i: int) -> int:
        # The right last four is every fourth guess, all of them past the first few sent.
        last4 = PHONE[-4:] if i % 4 == 3 and i > DEFAULT.case.free else f"{i:04d}"
        return requests.post(f"{api}/progress/lookup", json={"number": number, "last4": last4},
                             timeout=HTTP_TIMEOUT).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(guess, range(n)))
    assert set(answers) <= {200, 404, 429}, answers
    compared = [a for a in answers if a != 429]
    assert answers.count(404) <= DEFAULT.case.free, answers
    # A right guess gets in only within the allowance: never more comparisons than it allows,
    # plus the right guesses (whose count is taken back).
    assert len(compared) <= DEFAULT.case.free + answers.count(200), answers
    assert answers.count(429) >= n - DEFAULT.case.free - answers.count(200), answers
