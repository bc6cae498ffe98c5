"""The readable audit log (issue #12 point 5): managers search the event log by day, action, actor
and text, page through it newest first, and export it as CSV or XLSX; the kinds the issue names
(allocation changes, full-identity reads, force-finishes, exclusions of ratings) are each found by
one filter. The older GET /api/v1/audit (allocation changes) keeps working beside it."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest

from server.core.audit_labels import IMPORTANT, LABELS
from server.db.uow import Actor
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT, call_one

from .helpers import issue
from .test_protocol import assert_error

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def alice(client, make_staff):
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def log(client, headers, **query):
    r = client.get("/api/v1/audit/log", headers=headers, query_string=query)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def exclude_a_rating(svc, clock) -> None:
    """What a manager's approval of an appeal logs (branch followups): the rating excluded."""
    with svc.write(Actor("staff", 1, "boss")) as uow:
        uow.audit("followup.excluded", "R-7", rating=7, reason="恶意差评 / malicious", approve=True)
        svc.commit(uow)


@pytest.fixture
def the_four(client, svc, clock, kiosk, manager, alice):
    """One of each important kind, at known times: an allocation change, a full-identity read, a
    force-finish and an excluded rating."""
    body = {"queues": [{"queue": "A", "weight": 1}, {"queue": "B", "weight": 2}], "reason": "午间高峰"}
    assert client.put("/api/v1/windows/2/queues", headers=manager, json=body).status_code == 200
    clock.advance(minutes=1)
    call_one(client, kiosk, alice)
    r = client.post("/api/v1/windows/1/finish", headers=alice,
                    json={"outcome": "accepted", "applicant": APPLICANT, "materials": ALL_MATERIALS})
    number = r.get_json()["case"]["number"]
    assert client.get(f"/api/v1/cases/{number}", headers=alice).status_code == 200
    clock.advance(minutes=1)
    t = call_one(client, kiosk, alice)
    client.post("/api/v1/windows/1/start", headers=alice)
    r = client.post(f"/api/v1/manage/tickets/{t['id']}/force-finish", headers=manager, json={"reason": "忘记结束"})
    assert r.status_code == 200, r.get_json()
    clock.advance(minutes=1)
    exclude_a_rating(svc, clock)
    return {"case": number, "ticket": t}


def test_each_important_kind_is_found_by_its_filter(client, manager, the_four):
    for kind in IMPORTANT:
        entries = log(client, manager, action=kind.action)["entries"]
        assert entries and {e["action"] for e in entries} <= set(kind.action.split(",")), kind.action
        assert entries[0]["label"] == {"zh": LABELS[entries[0]["action"]].zh, "en": LABELS[entries[0]["action"]].en}
    [read] = log(client, manager, action="case.read")["entries"]
    assert read["actor"] == {"kind": "staff", "name": "alice"} and read["subject"] == the_four["case"]
    assert read["label"]["zh"] == "查阅完整身份信息"
    [forced] = log(client, manager, action="monitor.force_finish")["entries"]
    assert forced["detail"]["reason"] == "忘记结束" and forced["detail"]["ticket"] == the_four["ticket"]["id"]
    # Several at once, and a prefix.
    both = log(client, manager, action="case.read,followup.excluded")["entries"]
    assert [e["action"] for e in both] == ["followup.excluded", "case.read"]
    assert [e["action"] for e in log(client, manager, action="followup.")["entries"]] == ["followup.excluded"]
    assert {e["action"] for e in log(client, manager, action="window.")["entries"]} == {"window.open"}
    # The allocation audit of issue 11 is still there.
    assert len(client.get("/api/v1/audit", headers=manager).get_json()["changes"]) == 1


def test_newest_first_paged_below_a_seq(client, manager, the_four):
    everything = log(client, manager, limit=500)["entries"]
    seqs = [e["seq"] for e in everything]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) > 6
    first = log(client, manager, limit=3)
    assert [e["seq"] for e in first["entries"]] == seqs[:3] and first["next_before_seq"] == seqs[2]
    second = log(client, manager, limit=3, before_seq=first["next_before_seq"])
    assert [e["seq"] for e in second["entries"]] == seqs[3:6]
    last = log(client, manager, limit=500, before_seq=seqs[-2])
    assert [e["seq"] for e in last["entries"]] == seqs[-1:] and last["next_before_seq"] is None


def test_text_matches_subject_actor_action_and_label_any_case(client, manager, the_four):
    by_subject = log(client, manager, q=the_four["case"].lower())["entries"]
    assert {e["subject"] for e in by_subject} == {the_four["case"]}
    assert {e["actor"]["name"] for e in log(client, manager, actor="ALI")["entries"]} == {"alice"}
    by_label = log(client, manager, q="强制")["entries"]
    assert [e["action"] for e in by_label] == ["monitor.force_finish"]
    assert [e["action"] for e in log(client, manager, q="Exclu")["entries"]] == ["followup.excluded"]
    # LIKE's wildcards are matched as themselves.
    assert log(client, manager, q="%")["entries"] == [] and log(client, manager, actor="_")["entries"] == []


def test_days_are_the_halls_days(client, manager, the_four, clock, svc, make_staff):
    today = svc.today().isoformat()
    assert log(client, manager, **{"from": today, "to": today})["entries"]
    assert log(client, manager, **{"from": "2026-11-26"})["entries"] == []
    assert log(client, manager, to="2026-11-24")["entries"] == []
    # 23:30 in Beijing on the 25th is still the 25th, though it is 15:30 UTC.
    clock.now = clock.now.replace(hour=15, minute=30)
    exclude_a_rating(svc, clock)
    night = make_staff("night", "manager")
    late = log(client, night, action="followup.excluded", **{"from": today, "to": today})["entries"]
    assert len(late) == 2 and late[0]["at"].startswith(f"{today}T23:30")


def test_bad_filters_are_400_naming_the_field(client, manager):
    for query, field in (({"from": "2026-13-01"}, "from"), ({"to": "tomorrow"}, "to"), ({"limit": "x"}, "limit"),
                         ({"limit": "0"}, "limit"), ({"before_seq": "1.5"}, "before_seq"),
                         ({"before_seq": str(2**64)}, "before_seq"), ({"limit": "-1"}, "limit"),
                         ({"format": "pdf"}, "format"), ({"from": "2026-11-26", "to": "2026-11-25"}, "from"),
                         ({"q": "x" * 101}, "q")):
        err = assert_error(client.get("/api/v1/audit/log", headers=manager, query_string=query), 400)
        assert field in err["message"], (query, err)


def test_only_managers_and_admins_read_it(client, make_staff, manager):
    assert client.get("/api/v1/audit/log", headers=make_staff("root", "admin")).status_code == 200
    for role, dept in (("chief", "SCJG"), ("window", "SCJG")):
        assert_error(client.get("/api/v1/audit/log", headers=make_staff(f"u-{role}", role, dept)), 403, "forbidden")
        assert_error(client.get("/api/v1/audit/actions", headers=make_staff(f"v-{role}", role, dept)), 403)
    assert_error(client.get("/api/v1/audit/log"), 401)
    actions = client.get("/api/v1/audit/actions", headers=manager).get_json()
    assert [a["action"] for a in actions["important"]] == [k.action for k in IMPORTANT]
    assert {"action": "case.read", "zh": "查阅完整身份信息", "en": "full identity read"} in actions["actions"]


def test_export_as_csv_and_xlsx(client, manager, the_four):
    shown = log(client, manager, limit=500)["entries"]
    r = client.get("/api/v1/audit/log", headers=manager, query_string={"format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="audit-' in r.headers["Content-Disposition"]
    text = r.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "时间 Time" and len(rows) == len(shown) + 1
    assert [row[4] for row in rows[1:]] == [e["action"] for e in shown]
    read = next(row for row in rows if row[4] == "case.read")
    assert read[1] == "alice" and read[3] == "查阅完整身份信息 full identity read" and read[5] == the_four["case"]

    r = client.get("/api/v1/audit/log", headers=manager, query_string={"format": "xlsx", "action": "monitor."})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    head = next(i for i, row in enumerate(values) if row[0] == "时间 Time")
    assert values[0][0].endswith("审计日志 Audit log")
    body = values[head + 1:]
    assert [row[4] for row in body] == ["monitor.force_finish"]
    assert body[0][1] == "boss" and '"reason": "忘记结束"' in body[0][6]


def test_every_logged_action_has_a_label():
    """The brief's own search: every literal action the server logs, and the window and monitor
    actions named by variable, is in the label table."""
    out = subprocess.run(["grep", "-rhoE", r'audit\(\s*"[a-z_.]+"', "server/"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    literal = set(re.findall(r'"([a-z_.]+)"', out))
    dynamic = set(re.findall(r'"((?:window|ticket|monitor)\.[a-z_]+)"',
                             (ROOT / "server/app/window_ops.py").read_text() +
                             (ROOT / "server/app/monitor_ops.py").read_text()))
    dynamic -= {"ticket.updated", "ticket.called", "ticket.issued", "window.updated"}  # events, not actions
    missing = sorted((literal | dynamic) - set(LABELS))
    assert not missing, f"add labels to server/core/audit_labels.py for {missing}"


def test_unlabelled_actions_still_show(client, svc, manager):
    with svc.write(Actor("system", None, "system")) as uow:
        uow.audit("something.new", "x")
        svc.commit(uow)
    [entry] = log(client, manager, action="something.new")["entries"]
    assert entry["label"] == {"zh": "something.new", "en": "something.new"}


def test_issuing_is_logged_too(client, kiosk, manager):
    t = issue(client, kiosk)
    [entry] = log(client, manager, action="ticket.issue")["entries"]
    assert entry["subject"] == t["number"] and entry["actor"]["kind"] == "device"


def test_exports_never_carry_a_formula(client, svc, manager):
    with svc.write(Actor("staff", 1, "=HYPERLINK(1)")) as uow:
        uow.audit("hall.notice", "=1+2", note="@SUM(A1)")
        svc.commit(uow)
    r = client.get("/api/v1/audit/log", headers=manager, query_string={"format": "csv", "action": "hall.notice"})
    [row] = list(csv.reader(io.StringIO(r.get_data().decode("utf-8")[1:])))[1:]
    assert row[1] == "'=HYPERLINK(1)" and row[5] == "'=1+2"
    r = client.get("/api/v1/audit/log", headers=manager, query_string={"format": "xlsx", "action": "hall.notice"})
    sheet = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
    assert cells["=1+2"] == "s" and cells["=HYPERLINK(1)"] == "s"
