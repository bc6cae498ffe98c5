"""Working days of the demo hall replayed through the real app with a fake clock, into the demo
database a `hallq serve` then opens: what the statistics page and the monthly evaluation show in
the browser tests and their screenshots. Four windows (1 and 2 of SCJG, 6 of CRJ, 11 of RSJ) open
at 09:00; visitors arrive through the morning and early afternoon; each window calls the next when
free, serves 4-15 minutes (some no-shows, some accepted cases decided and delivered the same day),
pauses for lunch and now and then for a meeting, and closes at 16:30. Ratings are stored as the
rating pad stores them (branch ratings). Seeded: the same days every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from server.bootstrap import build
from server.db.engine import make_engine
from server.db.scope import hall_of
from server.db.tables import ratings
from server.demo import DEMO_PASSWORD
from server.hallconfig import DEFAULT_CONFIG, load_hall
from server.settings import Settings
from tests.api.test_acceptance import ALL_MATERIALS, APPLICANT
from tests.support.clock import FakeClock

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Desk:
    user: str
    window: str
    item: str
    poor: float  # how often its visitors rate it poorly
    headers: dict | None = None
    staff_id: int = 0
    busy_until: datetime | None = None
    current: dict | None = None
    outcome: str = "consulted"
    paused_until: datetime | None = None


DESKS = (("scjg01", "1", "SCJG-001", 0.03), ("scjg02", "2", "SCJG-001", 0.15), ("crj01", "6", "CRJ-001", 0.06),
         ("rsj01", "11", "RSJ-001", 0.1))
LEVELS = (5, 4, 3, 2, 1)


def _local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ).astimezone(UTC)


def days_to_replay(today: date) -> list[date]:
    """The working days of this month before today (none on the 1st)."""
    first = today.replace(day=1)
    return [first + timedelta(days=i) for i in range((today - first).days) if (first + timedelta(days=i)).weekday() < 5]


def replay(var_dir: Path, days: list[date], kiosk_key: str, seed: int = 12) -> int:
    """Replay `days` into the demo database of `var_dir` (already seeded); returns the tickets issued."""
    rng = random.Random(seed)
    hall = load_hall(DEFAULT_CONFIG)
    engine = make_engine(f"sqlite:///{var_dir / 'hallq.db'}")
    clock = FakeClock()
    settings = Settings(db_url=str(engine.url), async_mode="threading", var_dir=var_dir / "replay", testing=True)
    client = build(settings, hall=hall, engine=engine, clock=clock).app.test_client()
    kiosk = {"X-Device-Key": kiosk_key}
    (var_dir / "replay").mkdir(exist_ok=True)
    boss = None
    issued = 0
    waiting: dict[str, int] = {}

    def post(headers: dict, path: str, body: dict | None = None) -> dict | None:
        r = client.post(f"/api/v1{path}", headers=headers, json=body)
        assert r.status_code in (200, 201, 204), (path, r.get_data(as_text=True))
        return r.get_json() if r.status_code != 204 else None

    def login(user: str) -> dict:
        r = client.post("/api/v1/auth/login", json={"username": user, "password": DEMO_PASSWORD})
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    for day in days:
        clock.now = _local(day, 8, 55)
        boss = login("manager")
        desks = [Desk(u, w, i, p) for u, w, i, p in DESKS]
        for d in desks:
            d.headers = login(d.user)
            d.staff_id = client.get("/api/v1/auth/me", headers=d.headers).get_json()["user"]["id"]
        arrivals = sorted((_local(day, 9) + timedelta(minutes=rng.uniform(0, 420)), d.item)
                          for d in desks for _ in range(rng.randint(14, 22)))
        clock.now = _local(day, 9)
        for d in desks:
            post(d.headers, f"/windows/{d.window}/open")
        end = _local(day, 16, 30)
        while clock.now < end:
            while arrivals and arrivals[0][0] <= clock.now:
                item = arrivals.pop(0)[1]
                post(kiosk, "/tickets", {"item": item})
                waiting[item] = waiting.get(item, 0) + 1
                issued += 1
            for d in desks:
                _step(d, clock.now, rng, post, boss, engine, day, waiting)
            clock.advance(minutes=1)
        for d in desks:
            if d.current is not None and d.outcome == "no_show":
                post(d.headers, f"/windows/{d.window}/no-show")
            elif d.current is not None:
                post(d.headers, f"/windows/{d.window}/finish", {"outcome": "consulted"})
            if d.paused_until is not None:
                post(d.headers, f"/windows/{d.window}/resume")
            post(d.headers, f"/windows/{d.window}/close")
    engine.dispose()
    return issued


def _step(d: Desk, now: datetime, rng: random.Random, post, boss: dict | None, engine, day: date,
          waiting: dict[str, int]) -> None:
    path = f"/windows/{d.window}"
    if d.paused_until is not None:
        if now >= d.paused_until:
            post(d.headers, f"{path}/resume")
            d.paused_until = None
        return
    if d.current is not None:
        if now < (d.busy_until or now):
            return
        if d.outcome == "no_show":
            post(d.headers, f"{path}/no-show")
        else:
            body: dict = {"outcome": d.outcome}
            if d.outcome == "accepted":
                body.update(applicant=APPLICANT, materials=ALL_MATERIALS)
            done = post(d.headers, f"{path}/finish", body) or {}
            if d.outcome == "accepted" and boss is not None and rng.random() < 0.8:
                for step in ("in_review", "decided_approved", "delivered"):
                    post(boss, f"/cases/{done['case']['number']}/transition", {"to": step, "note": ""})
            if rng.random() < 0.7:
                poor = rng.random() < d.poor
                level = rng.choice((2, 1)) if poor else rng.choices((5, 4, 3), (70, 22, 8))[0]
                with engine.begin() as conn:
                    conn.execute(insert(ratings).values(
                        hall=hall_of(conn),
                        ticket_id=d.current["id"], day=day, at=now, level=level, tags=[], channel="pad",
                        department=d.item.split("-")[0], item=d.item, queue=d.current["queue"], window=d.window,
                        staff_id=d.staff_id))
        d.current = None
    local = now.astimezone(TZ)
    if local.hour == 12 and local.minute < 5 or rng.random() < 0.004:
        lunch = local.hour == 12
        post(d.headers, f"{path}/pause", {"reason": "午休" if lunch else "会议"})
        d.paused_until = now + timedelta(minutes=40 if lunch else rng.randint(5, 20))
        return
    if not waiting.get(d.item):
        return
    called = post(d.headers, f"{path}/call-next")
    if called is None:
        return
    waiting[d.item] -= 1
    d.current = called["ticket"]
    if rng.random() < 0.07:
        d.outcome, d.busy_until = "no_show", now + timedelta(minutes=2)
        return
    post(d.headers, f"{path}/start")
    d.outcome = "accepted" if d.item == "SCJG-001" and rng.random() < 0.3 else "consulted"
    d.busy_until = now + timedelta(minutes=rng.uniform(4, 15))
