"""A poor rating posted by a visitor reaches its department's chief as a follow-up with its
deadlines, in the transaction of the rating itself; a good one opens nothing."""

from __future__ import annotations

from sqlalchemy import select

from server.db.tables import outbox
from tests.api.test_ratings import rate, served, staff  # noqa: F401  (fixture)


def test_a_poor_rating_opens_the_chiefs_followup_and_a_good_one_does_not(client, kiosk, staff, make_staff, svc):  # noqa: F811
    poor = served(client, kiosk, staff)
    good = served(client, kiosk, staff)
    assert rate(client, poor["id"], level=1, tags=["attitude"], comment="态度差").status_code == 201
    assert rate(client, good["id"], level=4).status_code == 201

    chief = make_staff("chief-scjg", "chief", "SCJG")
    listed = client.get("/api/v1/followups", headers=chief)
    assert listed.status_code == 200, listed.get_json()
    [f] = listed.get_json()["followups"]
    assert f["status"] == "received"
    assert f["rating"]["level"] == 1 and [t["code"] for t in f["rating"]["tags"]] == ["attitude"]
    assert f["rating"]["window"] == "1" and f["next_due"]
    # Another department's chief sees none of it.
    other = make_staff("chief-crj", "chief", "CRJ")
    assert client.get("/api/v1/followups", headers=other).get_json()["followups"] == []
    # The provincial rating system hears of both ratings and of the follow-up opened.
    with svc.engine.connect() as conn:
        events = [(r.destination, r.event) for r in conn.execute(select(outbox).order_by(outbox.c.id))]
    assert events == [("ratings", "rating.created"), ("ratings", "rating.followup.opened"),
                      ("ratings", "rating.created")]
