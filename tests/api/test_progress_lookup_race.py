"""Reviewer's finding: a burst of simultaneous guesses at one case's last four must not all be
compared before any is counted. The check, the count and the comparison are one transaction, so
no more guesses are compared than the per-number rule lets through (five), however they race;
shown on SQLite here and on PostgreSQL in test_progress_lookup_pg.py."""

from __future__ import annotations

import threading
import time

from server.app import progress
from server.core.progress_lookup import CaseNotMatched
from server.db import progress_repo
from tests.api.test_progress_lookup import PHONE, alice, case, open_case  # noqa: F401 - fixtures

FREE = progress.rules.DEFAULT.case.free


def burst(svc, number: str, monkeypatch, n: int = 12) -> tuple[dict[int, str], list[int]]:
    """`n` guesses at once from `n` addresses, the last one right (and sent a moment later, while
    the others are being compared). The answers by guess, and the order the case was read in."""
    real = progress_repo.secrets_of
    reads: list[int] = []
    who = threading.local()

    def slow(conn, number_):
        reads.append(who.i)
        time.sleep(0.05)  # a slow comparison: the other guesses arrive meanwhile
        return real(conn, number_)

    monkeypatch.setattr(progress_repo, "secrets_of", slow)
    out: dict[int, str] = {}

    def guess(i: int) -> None:
        who.i = i
        right = i == n - 1
        if right:
            time.sleep(0.02)
        try:
            progress.lookup(svc, number, PHONE[-4:] if right else f"{i:04d}", f"198.51.100.{i}")
            out[i] = "200"
        except CaseNotMatched:
            out[i] = "404"
        except progress.TooManyLookups:
            out[i] = "429"

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out, reads


def check(out: dict[int, str], reads: list[int], n: int) -> None:
    answers = sorted(out.values())
    assert len(out) == n, out
    # No more wrong guesses compared than the rule allows: the rest are refused.
    assert answers.count("404") <= FREE, answers
    assert len([i for i in reads if out[i] != "200"]) <= FREE, reads
    # The right guess is let in only if it came within the allowance.
    if out[n - 1] == "200":
        assert reads.index(n - 1) <= FREE, reads


def test_parallel_guesses_are_compared_no_more_than_allowed(client, kiosk, alice, svc, monkeypatch):  # noqa: F811
    opened = open_case(client, kiosk, alice)
    out, reads = burst(svc, opened["number"], monkeypatch)
    check(out, reads, 12)


def test_ipv6_addresses_of_one_64_share_one_counter(client, case):  # noqa: F811
    from tests.api.test_progress_lookup import ask

    for i in range(10):  # ten free per address: each from a different address of one /64
        assert ask(client, f"CITY-SCJG-2026-9999{i:02d}", "0000", f"2001:db8:7:7::{i + 1:x}").status_code == 404
    r = ask(client, case["number"], PHONE[-4:], "2001:db8:7:7:ffff::1")
    assert r.status_code == 429, r.get_json()
    assert ask(client, case["number"], PHONE[-4:], "2001:db8:7:8::1").status_code == 200


def test_a_case_locked_by_failures_still_opens_by_its_slip_and_at_the_window(
        client, kiosk, alice, case):  # noqa: F811
    """Anyone can lock a case's lookup by failing on purpose (the price of bounding guesses); the
    slip's QR link and the window are not touched by it."""
    from tests.api.test_progress_lookup import ask

    for i in range(FREE):
        assert ask(client, case["number"], f"{i:04d}", f"198.51.100.{i}").status_code == 404
    assert ask(client, case["number"], PHONE[-4:], "198.51.100.99").status_code == 429
    token = case["progress_url"].rsplit("/", 1)[1]
    page = client.get("/case/" + token)
    assert page.status_code == 200 and case["number"] in page.get_data(as_text=True)
    staff = client.get(f"/api/v1/cases/{case['number']}", headers=alice)
    assert staff.status_code == 200, staff.get_json()
