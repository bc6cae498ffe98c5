"""差评整改 through the API: a poor rating's follow-up from its opening to the answer or the exclusion,
who may do what, and what each change leaves (history, audit, events, the outbox for the
provincial rating system)."""

from __future__ import annotations

from sqlalchemy import select

from server.db.rating_tables import rating_followups, ratings
from tests.api.followup_helpers import audit_actions, outbox_rows, rate, staff_id

BASE = "/api/v1/followups"


def error(r, status: int, code: str | None = None) -> str:
    assert r.status_code == status, (r.status_code, r.get_json())
    body = r.get_json()["error"]
    if code:
        assert body["code"] == code, body
    return body["message"]


def step(client, headers, rid, name, note="已处理 done"):
    return client.post(f"{BASE}/{rid}/steps", headers=headers, json={"step": name, "note": note})


def test_a_poor_rating_opens_a_followup_the_chief_sees_with_whom_to_follow_up(client, svc, make_staff, published):
    make_staff("scjg01", "window", "SCJG")
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1, staff=staff_id(svc, "scjg01"), tags=("attitude", "efficiency"))
    assert rate(svc, 3) and rate(svc, 5)  # the others open nothing
    listed = client.get(BASE, headers=chief).get_json()
    assert [f["rating_id"] for f in listed["followups"]] == [rid]
    f = listed["followups"][0]
    assert f["status"] == "received" and f["next_steps"] == ["called_back"] and f["open"] is True
    # Wednesday 2026-11-25: called back by Thursday, verified by Monday, rectified and answered by Wednesday.
    assert f["due"] == {"called_back": "2026-11-26", "verified": "2026-11-30", "rectified": "2026-12-02",
                        "answered": "2026-12-02"}
    assert f["next_due"] == "2026-11-26" and f["days_left"] == 1 and f["warning"] is None
    r = f["rating"]
    assert (r["level"], r["level_name"], r["comment"]) == (1, "非常不满意", "等了很久，态度也不好")
    assert [t["name"] for t in r["tags"]] == ["服务态度", "办事效率"]
    assert r["item"] == "SCJG-001" and r["window"] == "1" and r["staff"]["name"]
    assert not {"ticket_id", "case_number"} & set(r)  # whoever rated stays anonymous
    assert [h["status"] for h in f["history"]] == ["received"]
    opened = [e for c in published for e in c.events if e.event == "followup.opened"]
    assert len(opened) == 1 and opened[0].rooms == ["followups"]
    assert opened[0].data["followup"]["department"] == "SCJG"
    rows = outbox_rows(svc)
    assert [(o["case_number"], o["destination"], o["event"]) for o in rows] == [
        (f"rating-{rid}", "ratings", "rating.followup.opened")]


def test_the_chief_takes_it_step_by_step_to_the_answer(client, svc, make_staff):
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 2)
    for name in ("called_back", "verified", "rectified", "answered"):
        r = step(client, chief, rid, name, f"{name} 备注")
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["followup"]["status"] == name
    f = client.get(f"{BASE}/{rid}", headers=chief).get_json()["followup"]
    assert [(h["status"], h["previous"]) for h in f["history"]] == [
        ("received", None), ("called_back", "received"), ("verified", "called_back"), ("rectified", "verified"),
        ("answered", "rectified")]
    assert f["history"][2]["note"] == "verified 备注" and "chief" in f["history"][2]["actor"]
    assert f["open"] is False and f["next_due"] is None and f["next_steps"] == []
    assert client.get(BASE, headers=chief).get_json()["followups"] == []
    assert [x["rating_id"] for x in client.get(f"{BASE}?status=closed", headers=chief).get_json()["followups"]] == [rid]
    assert len(client.get(f"{BASE}?status=all", headers=chief).get_json()["followups"]) == 1
    assert audit_actions(svc) == [("followup.step", str(rid))] * 4
    steps = [(o["destination"], o["event"]) for o in outbox_rows(svc)]
    assert steps == [("ratings", f"rating.followup.{e}") for e in
                     ("opened", "called_back", "verified", "rectified", "answered")]
    last = outbox_rows(svc)[-1]["payload"]
    assert last["change"]["step"] == "answered" and last["followup"]["status"] == "answered"
    assert last["key"] == f"rating-{rid}" and last["idempotency_key"]


def test_a_manager_may_take_the_explained_branch(client, svc, manager):
    rid = rate(svc, 1)
    for name in ("called_back", "verified", "explained", "answered"):
        assert step(client, manager, rid, name).status_code == 200


def test_skipped_repeated_and_late_steps_are_refused_naming_the_state(client, svc, make_staff):
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1)
    msg = error(step(client, chief, rid, "verified"), 409, "step_out_of_order")
    assert "received" in msg and "called_back" in msg
    assert step(client, chief, rid, "called_back").status_code == 200
    assert "called_back" in error(step(client, chief, rid, "called_back"), 409, "step_out_of_order")
    assert "verified" in error(step(client, chief, rid, "answered"), 409)
    assert "step" in error(step(client, chief, rid, "received"), 400)
    assert "note" in error(step(client, chief, rid, "verified", "   "), 400)
    assert "note" in error(client.post(f"{BASE}/{rid}/steps", headers=chief, json={"step": "verified"}), 400)
    for name in ("verified", "rectified", "answered"):
        assert step(client, chief, rid, name).status_code == 200
    assert "answered" in error(step(client, chief, rid, "answered"), 409, "step_out_of_order")
    error(step(client, chief, 99999, "called_back"), 404, "followup_not_found")
    error(client.get(f"{BASE}/abc", headers=chief), 404)
    error(client.get(f"{BASE}/99999999999999", headers=chief), 404)
    error(client.get(f"{BASE}?status=pending", headers=chief), 400)


def test_who_may_read_and_move_a_followup(client, svc, make_staff, manager):
    window = make_staff("scjg01", "window", "SCJG")
    chief_crj = make_staff("cora", "chief", "CRJ")
    chief = make_staff("chief", "chief", "SCJG")
    admin = make_staff("root", "admin")
    rid = rate(svc, 1)
    error(client.get(BASE, headers=window), 403)
    error(client.get(f"{BASE}/{rid}", headers=window), 403)
    error(step(client, window, rid, "called_back"), 403)
    error(client.post(f"{BASE}/{rid}/appeal", headers=window, json={"reason": "x"}), 403)
    assert client.get(f"{BASE}/{rid}", headers=chief).get_json()["followup"]["rating_id"] == rid
    assert client.get(BASE, headers=chief_crj).get_json()["followups"] == []
    error(client.get(f"{BASE}/{rid}", headers=chief_crj), 404)
    error(step(client, chief_crj, rid, "called_back"), 404)
    assert [f["rating_id"] for f in client.get(BASE, headers=admin).get_json()["followups"]] == [rid]
    error(step(client, admin, rid, "called_back"), 403)  # the technical admin reads, never acts
    error(client.post(f"{BASE}/{rid}/appeal", headers=manager, json={"reason": "x"}), 403)  # the chief's
    error(client.get(BASE), 401)


def test_an_appeal_rejected_goes_on_where_it_stood(client, svc, make_staff, manager):
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1)
    assert step(client, chief, rid, "called_back").status_code == 200
    error(client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "  "}), 400)
    error(client.post(f"{BASE}/{rid}/appeal/decision", headers=manager, json={"approve": False, "reason": "x"}),
          409, "no_appeal_pending")
    r = client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "评价人误评了窗口 rated the wrong window"})
    assert r.status_code == 200 and r.get_json()["followup"]["appeal"] == "pending"
    assert r.get_json()["followup"]["next_steps"] == []
    error(step(client, chief, rid, "verified"), 409, "appeal_pending")
    error(client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "again"}), 409, "appeal_not_allowed")
    decide = {"approve": False, "reason": "窗口无误 the window is right"}
    error(client.post(f"{BASE}/{rid}/appeal/decision", headers=chief, json=decide), 403)
    error(client.post(f"{BASE}/{rid}/appeal/decision", headers=manager, json={"approve": "no", "reason": "x"}), 400)
    error(client.post(f"{BASE}/{rid}/appeal/decision", headers=manager, json={"approve": False}), 400)
    f = client.post(f"{BASE}/{rid}/appeal/decision", headers=manager, json=decide).get_json()["followup"]
    assert (f["status"], f["appeal"], f["next_steps"]) == ("called_back", "rejected", ["verified"])
    assert step(client, chief, rid, "verified").status_code == 200
    error(client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "once more"}), 409, "appeal_not_allowed")
    assert [h["status"] for h in f["history"]] == ["received", "called_back", "appeal_pending", "appeal_rejected"]
    assert ("followup.appeal_rejected", str(rid)) in audit_actions(svc)
    assert [o["event"] for o in outbox_rows(svc)][-3:] == [
        "rating.followup.appealed", "rating.followup.appeal_rejected", "rating.followup.verified"]


def test_an_approved_appeal_excludes_the_rating_and_closes_the_followup(client, svc, make_staff, manager):
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 2)
    assert client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "恶意评价 malicious"}).status_code == 200
    r = client.post(f"{BASE}/{rid}/appeal/decision", headers=manager,
                    json={"approve": True, "reason": "监控核实为恶意差评 verified on the camera"})
    f = r.get_json()["followup"]
    assert f["status"] == "excluded" and f["appeal"] == "approved" and f["open"] is False
    assert f["rating"]["excluded"] is True and f["rating"]["excluded_reason"].startswith("监控核实")
    with svc.engine.connect() as conn:
        row = conn.execute(select(ratings.c.excluded_at, ratings.c.excluded_reason).where(ratings.c.id == rid)).one()
        fu = conn.execute(select(rating_followups.c.next_due).where(rating_followups.c.rating_id == rid)).one()
    assert row.excluded_at is not None and row.excluded_reason.startswith("监控核实") and fu.next_due is None
    error(step(client, chief, rid, "called_back"), 409, "step_out_of_order")
    error(client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "x"}), 409)
    assert ("followup.excluded", str(rid)) in audit_actions(svc)
    assert outbox_rows(svc)[-1]["event"] == "rating.followup.excluded"
    assert outbox_rows(svc)[-1]["destination"] == "ratings"


def test_no_appeal_after_the_answer(client, svc, make_staff):
    chief = make_staff("chief", "chief", "SCJG")
    rid = rate(svc, 1)
    for name in ("called_back", "verified", "rectified", "answered"):
        step(client, chief, rid, name)
    error(client.post(f"{BASE}/{rid}/appeal", headers=chief, json={"reason": "late"}), 409, "appeal_not_allowed")
