"""The monthly evaluation (article 27; issue #12 point 4) of a small month driven through the real
app with a fake clock: two windows, a no-show, a pause, a case decided and delivered on time, and
ratings. Every figure, term and score is computed here by hand and compared with the answer, the
XLSX is opened with openpyxl, and a chief sees the department only. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest
from sqlalchemy import insert

from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.tables import ratings
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

from .test_protocol import assert_error

openpyxl = pytest.importorskip("openpyxl")

MONTH = "2026-11"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request, template_db, tmp_path):
    """The app's database (tests/conftest.py's), on each of the two."""
    if request.param == "sqlite":
        path = tmp_path / "hallq.db"
        shutil.copy(template_db, path)
        made = make_engine(f"sqlite:///{path}")
    else:
        made = make_engine(request.getfixturevalue("pg_url"))
        upgrade(made)
    yield made
    made.dispose()


def post(client, headers, path, body=None):
    r = client.post(f"/api/v1{path}", headers=headers, json=body)
    assert r.status_code in (200, 204), r.get_data(as_text=True)
    return r.get_json()


def rate(svc, ticket_id: str, window: str, staff_id: int, level: int, at, *, excluded: bool = False) -> None:
    """A rating as the rating pad stores it (branch ratings): the service's window and staff copied."""
    with svc.engine.begin() as conn:
        conn.execute(insert(ratings).values(
            hall=svc.hall.code, ticket_id=ticket_id, day=date(2026, 11, 25), at=at, level=level, tags=[], channel="pad",
            department="SCJG", item="SCJG-001", queue="A", window=window, staff_id=staff_id,
            excluded_at=at if excluded else None, excluded_reason="恶意差评" if excluded else ""))


@pytest.fixture
def month(client, svc, clock, kiosk, make_staff):
    """Wednesday 25 November 2026, 10:00-11:00 in Beijing:

    window 1 (alice): served 2 (one opens a case, decided and delivered the same day), 1 no-show,
        paused 10 of 60 minutes signed in; rated 5, 4 and 2 (and a 1, excluded on appeal);
    window 2 (bob): served 1, no rating, no case, no pause.
    """
    alice, bob = make_staff("alice", "window", "SCJG"), make_staff("bob", "window", "SCJG")
    boss = make_staff("boss", "manager")
    post(client, alice, "/windows/1/open")
    post(client, bob, "/windows/2/open")
    for _ in range(4):
        assert client.post("/api/v1/tickets", headers=kiosk, json={"item": "SCJG-001"}).status_code == 201
    # window 1: a consultation, a no-show, an accepted case
    first = post(client, alice, "/windows/1/call-next")["ticket"]
    post(client, alice, "/windows/1/start")
    clock.advance(minutes=5)
    post(client, alice, "/windows/1/finish", {"outcome": "consulted"})
    post(client, alice, "/windows/1/call-next")
    clock.advance(minutes=2)
    post(client, alice, "/windows/1/no-show")
    # window 2 serves one meanwhile
    post(client, bob, "/windows/2/call-next")
    post(client, bob, "/windows/2/start")
    clock.advance(minutes=3)
    post(client, bob, "/windows/2/finish", {"outcome": "consulted"})
    third = post(client, alice, "/windows/1/call-next")["ticket"]
    post(client, alice, "/windows/1/start")
    clock.advance(minutes=5)
    case = post(client, alice, "/windows/1/finish",
                {"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})["case"]
    # now 10:15; a pause 10:20-10:30
    clock.advance(minutes=5)
    post(client, alice, "/windows/1/pause", {"reason": "会议"})
    clock.advance(minutes=10)
    post(client, alice, "/windows/1/resume")
    for step in ("in_review", "decided_approved", "delivered"):
        post(client, boss, f"/cases/{case['number']}/transition", {"to": step, "note": ""})
    clock.advance(minutes=30)  # 11:00: both sign off
    post(client, alice, "/windows/1/close")
    post(client, bob, "/windows/2/close")
    ids = {u: client.get("/api/v1/auth/me", headers=h).get_json()["user"]["id"] for u, h in (("alice", alice),
                                                                                          ("bob", bob))}
    # Two of the services, and two more (the pad's ratings of services earlier that day), one excluded.
    for ticket_id, level, excluded in ((first["id"], 5, False), (third["id"], 4, False), ("earlier-1", 2, False),
                                       ("earlier-2", 1, True)):
        rate(svc, ticket_id, "1", ids["alice"], level, clock.now, excluded=excluded)
    clock.advance(days=10)  # the month is evaluated after it
    return {"boss": make_staff("director", "manager"), "alice": ids["alice"], "bob": ids["bob"]}


def evaluation(client, headers, **query):
    r = client.get("/api/v1/evaluation", headers=headers, query_string={"month": MONTH, **query})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


# Window 1 by hand: satisfaction 2 of 3 (5, 4; the 2 is poor; the excluded 1 does not count),
# on time 1 of 1, no-shows 1 of 3 called, paused 10 of 60 minutes.
W1 = {"satisfaction": 2 / 3, "on_time": 1.0, "no_show": 1 / 3, "pause": 10 / 60}
W1_POINTS = {"satisfaction": 40 * 2 / 3, "on_time": 30.0, "no_show": 20 * (1 - 1 / 3), "pause": 10 * (1 - 1 / 6)}
W1_SCORE = sum(W1_POINTS.values())  # 78.33
# Window 2: no rating and no case, so only no-shows and pauses count: 20 + 10 of 30 → 100.
W2_SCORE = 100.0


def test_the_month_by_window_matches_the_hand_computed_scores(client, month):
    got = evaluation(client, month["boss"], by="window")
    assert got["month"] == MONTH and got["from"] == "2026-11-01" and got["to"] == "2026-11-30"
    assert got["formula"]["zh"] == "得分 = 40×满意率 + 30×按时办结率 + 20×(1−过号率) + 10×(1−暂停占比)"
    rows = {r["key"]: r for r in got["rows"]}
    w1, w2 = rows["1"], rows["2"]
    assert (w1["served"], w1["no_show"], w1["rated"], w1["satisfied"]) == (2, 1, 3, 2)
    assert w1["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert (w1["cases_known"], w1["cases_on_time"]) == (1, 1)
    assert (w1["paused_s"], w1["signed_in_s"]) == (600, 3600)
    for term, rate in W1.items():
        assert w1["rates"][term] == pytest.approx(rate, abs=1e-4)
        assert w1["points"][term] == pytest.approx(W1_POINTS[term], abs=0.01)
    assert w1["score"] == pytest.approx(W1_SCORE, abs=0.01) and w1["score"] == pytest.approx(78.33, abs=0.01)
    assert w2["rates"]["satisfaction"] is None and w2["points"]["on_time"] is None
    assert w2["score"] == W2_SCORE
    assert [(r["key"], r["rank"]) for r in got["rows"]][:2] == [("2", 1), ("1", 2)]
    # Windows nobody signed in at this month are not in the report.
    assert set(rows) == {"1", "2"}


def test_by_staff_the_same_people_and_figures(client, month):
    got = evaluation(client, month["boss"], by="staff")
    rows = {r["key"]: r for r in got["rows"]}
    alice = rows[str(month["alice"])]
    assert alice["score"] == pytest.approx(W1_SCORE, abs=0.01) and alice["name"]
    assert rows[str(month["bob"])]["score"] == W2_SCORE


def test_the_xlsx_holds_the_formula_and_the_rows(client, month):
    r = client.get("/api/v1/evaluation", headers=month["boss"], query_string={"month": MONTH, "format": "xlsx"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="hallq-evaluation-window-2026-11.xlsx"' in r.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert any(row[0] == "得分 = 40×满意率 + 30×按时办结率 + 20×(1−过号率) + 10×(1−暂停占比)" for row in values)
    head = next(i for i, row in enumerate(values) if row[0] == "名次 Rank")
    body = {row[1]: row for row in values[head + 1:]}
    assert body["1"][0] == 2 and body["1"][3] == pytest.approx(W1_SCORE, abs=0.01)
    assert body["1"][4] == pytest.approx(66.67, abs=0.01) and body["1"][12:14] == [2, 1]
    assert body["2"][3] == 100 and body["2"][4] is None  # no data: an empty cell, not 0
    csv = client.get("/api/v1/evaluation", headers=month["boss"], query_string={"month": MONTH, "format": "csv"})
    assert csv.status_code == 200 and csv.get_data().decode("utf-8").startswith("\ufeff名次 Rank")


def test_who_may_see_it_and_bad_input(client, month, make_staff):
    chief = make_staff("chief-x", "chief", "CRJ")
    assert evaluation(client, chief)["rows"] == []  # nothing of another department
    assert evaluation(client, chief)["department"] == "CRJ"
    assert_error(client.get("/api/v1/evaluation", headers=make_staff("w", "window", "SCJG"),
                            query_string={"month": MONTH}), 403)
    for query, field in (({}, "month"), ({"month": "2026-13"}, "month"), ({"month": "11/2026"}, "month"),
                         ({"month": "2026-+1"}, "month"), ({"month": "0000-01"}, "month"),
                         ({"month": MONTH, "by": "queue"}, "by"), ({"month": MONTH, "format": "pdf"}, "format")):
        err = assert_error(client.get("/api/v1/evaluation", headers=month["boss"], query_string=query), 400)
        assert field in err["message"], (query, err)
