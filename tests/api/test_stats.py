"""GET /api/v1/stats (issue #12 point 3): who may ask (managers the hall, a chief the department,
window staff not), the parameters refused with a 400 that names them, the CSV and XLSX files
holding the JSON's rows, and what the window handlers record for it (service segments, window
periods) including the sign-off of several windows at once."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from server.db.tables import event_log, service_segments, tokens, window_periods

from .helpers import issue
from .test_protocol import assert_error

DAY = "2026-11-25"
URL = f"/api/v1/stats?from={DAY}&to={DAY}"


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def dave(client, make_staff):
    headers = make_staff("dave", "window", "CRJ")
    assert client.post("/api/v1/windows/6/open", headers=headers).status_code == 200
    return headers


@pytest.fixture
def day(client, kiosk, alice, dave, clock):
    """Two services at window 1 (SCJG, queue A), one at window 6 (CRJ, queue C), a pause."""
    for _ in range(2):
        issue(client, kiosk)
    issue(client, kiosk, "CRJ-001")
    clock.advance(minutes=4)
    for headers, window in ((alice, "1"), (dave, "6"), (alice, "1")):
        assert client.post(f"/api/v1/windows/{window}/call-next", headers=headers).status_code == 200
        clock.advance(minutes=1)
        client.post(f"/api/v1/windows/{window}/start", headers=headers)
        clock.advance(minutes=5)
        assert client.post(f"/api/v1/windows/{window}/finish", headers=headers, json={}).status_code == 200
    assert client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"}).status_code == 200
    clock.advance(minutes=30)


def get(client, headers, query: str):
    return client.get(f"{URL}&{query}", headers=headers)


def test_managers_see_the_hall_and_a_chief_the_department(client, day, manager, make_staff):
    hall = get(client, manager, "by=department").get_json()
    assert [r["key"] for r in hall["rows"]] == ["CRJ", "SCJG"]
    assert hall["totals"]["served"] == 3 and hall["totals"]["issued"] == 3
    chief = make_staff("chief", "chief", "SCJG")
    mine = get(client, chief, "by=window").get_json()
    assert [r["key"] for r in mine["rows"]] == ["1"]
    row = mine["rows"][0]
    assert (row["served"], row["paused_s"], row["label"], row["number"]) == (2, {"午休": 1800}, "1号窗口", 1)
    assert mine["totals"]["served"] == 2 and mine["totals"]["issued"] is not None
    assert sum(h["issued"] for h in mine["arrivals_by_hour"]) == 2  # the department's tickets only
    admin = make_staff("root", "admin")
    assert get(client, admin, "by=staff").status_code == 200


def test_window_staff_are_refused(client, day, alice):
    assert_error(get(client, alice, "by=window"), 403)
    assert_error(client.get(f"{URL}&by=window"), 401)


@pytest.mark.parametrize(("query", "named"), [
    ("by=team", "by"), ("", "by"), ("by=window&format=pdf", "format"),
])
def test_a_bad_parameter_is_a_400_naming_it(client, manager, query, named):
    err = assert_error(get(client, manager, query), 400)
    assert named in err["message"]


@pytest.mark.parametrize(("query", "named"), [
    ("from=2026-11-26&to=2026-11-25", "from"), ("from=2025-01-01&to=2026-01-02", "to"),
    ("from=2026-13-01&to=2026-12-01", "from"), ("from=2026-11-01&to=yesterday", "to"),
    ("from=20261101&to=2026-11-02", "from"), ("to=2026-11-02", "from"), ("from=2026-11-02", "to"),
])
def test_bad_dates_are_a_400_naming_the_date(client, manager, query, named):
    err = assert_error(client.get(f"/api/v1/stats?{query}&by=queue", headers=manager), 400)
    assert named in err["message"], err


def test_a_quarter_is_the_longest_range(client, manager):
    assert client.get("/api/v1/stats?from=2024-01-01&to=2024-03-31&by=item", headers=manager).status_code == 200
    year = client.get("/api/v1/stats?from=2024-01-01&to=2024-12-31&by=item", headers=manager)
    assert year.status_code == 400 and "92" in year.get_json()["error"]["message"]


def test_the_csv_holds_the_rows_with_a_bom_and_a_bilingual_header(client, day, manager):
    data = get(client, manager, "by=window").get_json()
    r = get(client, manager, "by=window&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert f"hallq-stats-window-{DAY}-{DAY}.csv" in r.headers["Content-Disposition"]
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = lines[0], lines[1:]
    assert header[:5] == ["编码 / key", "名称 / label", "英文名称 / label_en", "取号数 / issued", "办结数 / served"]
    assert "暂停：午休 (秒) / paused: 午休 (s)" in header and "满意率 / satisfaction_rate" in header
    col = {h.split(" / ")[-1]: i for i, h in enumerate(header)}
    assert [line[0] for line in body] == [row["key"] for row in data["rows"]] + [""]
    for line, row in zip(body, data["rows"], strict=False):
        assert int(line[col["served"]]) == row["served"]
        assert float(line[col["service_mean_s"]]) == row["service_mean_s"]
        assert int(line[col["rating_5"]]) == row["ratings"]["5"]
    assert body[-1][1] == "合计" and int(body[-1][col["served"]]) == data["totals"]["served"]


def test_the_xlsx_holds_the_same_rows_as_numbers(client, day, manager):
    data = get(client, manager, "by=department").get_json()
    r = get(client, manager, "by=department&format=xlsx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="hallq-stats-department-{DAY}-{DAY}.xlsx"' in r.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(r.get_data()))
    assert book.sheetnames == ["按部门统计", "分时段取号"]
    sheet = book["按部门统计"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "编码 / key" and header[3] == "取号数 / issued"
    col = {h.split(" / ")[-1]: i for i, h in enumerate(header)}
    assert [line[0] for line in rows[1:-1]] == [row["key"] for row in data["rows"]]
    for line, row in zip(rows[1:-1], data["rows"], strict=True):
        assert line[1] == row["label"] and line[2] == row["label_en"]
        for name in ("issued", "served", "no_show", "wait_mean_s", "wait_p90_s", "service_p90_s"):
            assert line[col[name]] == row[name], name
        assert isinstance(line[col["served"]], int) and isinstance(line[col["wait_mean_s"]], float | int)
        assert line[col["cases_accepted"]] == row["cases"]["accepted"]
    assert rows[-1][1] == "合计" and rows[-1][col["issued"]] == data["totals"]["issued"]
    assert sheet.column_dimensions["B"].width >= 10 and sheet.freeze_panes == "B2"
    hours = list(book["分时段取号"].iter_rows(values_only=True))
    assert hours[0] == ("时段 / hour", "取号数 / issued")
    assert [list(h) for h in hours[1:]] == [[h["hour"], h["issued"]] for h in data["arrivals_by_hour"]]


def test_window_handlers_record_segments_and_periods(client, day, svc, clock):
    with svc.engine.connect() as conn:
        segments = conn.execute(select(service_segments).order_by(service_segments.c.id)).all()
        periods = conn.execute(select(window_periods).order_by(window_periods.c.id)).all()
    assert [(s.window, s.queue, s.department, s.ending) for s in segments] == [
        ("1", "A", "SCJG", "finished"), ("6", "C", "CRJ", "finished"), ("1", "A", "SCJG", "finished")]
    assert all((s.ended_at - s.started_at).total_seconds() == 300 for s in segments)
    assert [(p.window, p.state, p.reason, p.ended_at is None) for p in periods] == [
        ("1", "open", "", False), ("6", "open", "", True), ("1", "paused", "午休", True)]


def test_signing_off_several_windows_audits_each_with_its_own_tickets(client, kiosk, svc, alice, dave, clock):
    """A defect: the sweep closed every absent window in one transaction, whose single audit entry
    named only the first window, with the last one's staff and tickets."""
    from server.app import window_ops

    issue(client, kiosk)
    c = issue(client, kiosk, "CRJ-001")
    client.post("/api/v1/windows/1/call-next", headers=alice)
    client.post("/api/v1/windows/6/call-next", headers=dave)
    with svc.engine.begin() as conn:  # both sign-ins expire at once
        conn.execute(update(tokens).values(expires_at=clock.now))
    assert sorted(window_ops.sign_off_absent(svc)) == ["1", "6"]
    with svc.engine.connect() as conn:
        entries = conn.execute(select(event_log.c.subject, event_log.c.detail)
                               .where(event_log.c.action == "window.sign_off")).all()
        endings = conn.execute(select(service_segments.c.window, service_segments.c.ending)).all()
    assert sorted((s, d["released"]) for s, d in entries) == [("1", ["A001"]), ("6", [c["number"]])]
    assert sorted(endings) == [("1", "released"), ("6", "released")]
