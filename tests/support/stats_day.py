"""A generated day of the demo hall driven through the real handlers with a fake clock, and its
statistics recomputed independently from the raw records in plain Python: the event log (every
change with its time, actor and detail), the cases and their history, the ratings.

Used by tests/api/test_stats_day.py on SQLite (through the HTTP API) and PostgreSQL."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from server.app import acceptance, accounts, cases, issuing, monitor_ops, window_ops
from server.app.context import Services
from server.core.errors import DomainError
from server.core.idnumber import check_character
from server.db.accounts_repo import to_staff, user_row
from server.db.scope import hall_of
from server.db.tables import case_history, event_log, ratings, tickets
from server.db.tables import cases as cases_table
from server.db.uow import SYSTEM

DAY = date(2026, 11, 25)
STAFF = {"alice": ("SCJG", "1"), "bob": ("SCJG", "4"), "carol": ("SCJG", "5"), "dave": ("CRJ", "6")}
ITEMS = ("SCJG-001", "SCJG-001", "SCJG-001", "SCJG-101", "CRJ-001")
REASONS = ("午休", "开会", "临时离开")
MATERIALS = ["APP_FORM", "ARTICLES", "SHAREHOLDER_ID", "OFFICER_ID", "PREMISES"]
_FIRST17 = "11010519491231002"
APPLICANT = {"name": "张三丰", "id_number": _FIRST17 + check_character(_FIRST17), "phone": "13800138000"}


def staff_of(svc: Services, name: str):  # noqa: ANN201 - the core's Staff
    with svc.read() as uow:
        return to_staff(user_row(uow.conn, name))


def staff_of_or_none(svc: Services, name: str):  # noqa: ANN201
    with svc.read() as uow:
        row = user_row(uow.conn, name)
        return to_staff(row) if row is not None else None


def _finish(svc: Services, who: Any, window: str, item: str | None, rng: random.Random) -> None:
    if item != "SCJG-001" or rng.random() < 0.15:
        window_ops.finish(svc, who, window)
        return
    outcome = rng.choice(["accepted", "accepted", "notice", "refused", "concluded", "concluded"])
    extra: dict[str, Any] = {"materials": MATERIALS}
    if outcome == "notice":
        extra = {"materials": ["APP_FORM"], "missing": ["ARTICLES"]}
    elif outcome == "refused":
        extra = {"reason": "不属于本机关职权范围"}
    acceptance.finish(svc, who, window, outcome=outcome, applicant=APPLICANT, **extra)


def drive_day(svc: Services, clock: Any, seed: int = 7, steps: int = 300) -> None:
    """Opens four windows at 10:00 and runs `steps` random moves (issue, call, start, finish with
    and without a case, no-show, transfer, suspend and take back, pause and resume, force-finish,
    a monitor transfer); then signs everyone off (releasing the tickets still at a window), decides
    the accepted cases on later days, and rates some services."""
    rng = random.Random(seed)
    for name, (dept, _) in STAFF.items():
        accounts.add_user(svc, name, "correct-horse-1", "window", dept)
    if staff_of_or_none(svc, "boss") is None:
        accounts.add_user(svc, "boss", "correct-horse-1", "manager", None)
    people = {name: staff_of(svc, name) for name in [*STAFF, "boss"]}
    for name, (_, window) in STAFF.items():
        window_ops.open_window(svc, people[name], window)
    suspended: dict[str, str] = {}  # number → window
    for _ in range(steps):
        clock.advance(seconds=rng.randint(15, 120))
        if rng.random() < 0.35:
            issuing.issue_ticket(svc, SYSTEM, issuing.TicketRequest(item=rng.choice(ITEMS)))
        name = rng.choice(list(STAFF))
        who, window = people[name], STAFF[name][1]
        # A move the state does not allow (a transfer to a closed window...): the day goes on.
        with suppress(DomainError):
            _move(svc, people["boss"], who, window, rng, suspended)
    for name, (_, window) in STAFF.items():  # a visitor at each window when the staff leave
        with suppress(DomainError):  # paused or still on a ticket
            window_ops.call_next(svc, people[name], window)
    clock.advance(seconds=300)
    window_ops.sign_off_absent(svc)  # nobody here holds a token: every window is closed
    _decide_cases(svc, clock, people["boss"], rng)
    _rate(svc, rng)


def _move(svc: Services, boss: Any, who: Any, window: str, rng: random.Random, suspended: dict[str, str]) -> None:
    state = window_ops.window_state_view(svc, window)
    status, current = state["status"], state.get("current")
    r = rng.random()
    if status == "paused":
        if r < 0.5:
            window_ops.resume(svc, who, window)
        return
    if current is None:
        back = [n for n, w in suspended.items() if w == window]
        if back and r < 0.3:
            window_ops.resume_ticket(svc, who, window, suspended.pop(back[0]) and back[0])
        elif r < 0.4:
            window_ops.pause(svc, who, window, rng.choice(REASONS))
        else:
            window_ops.call_next(svc, who, window)
        return
    with svc.read() as uow:
        item = uow.conn.execute(select(tickets.c.item).where(tickets.c.id == current["id"])).scalar_one()
    t = {**current, "item": item}
    if current["status"] == "called":
        actions: list[tuple[float, Callable[[], Any]]] = [
            (0.45, lambda: window_ops.start(svc, who, window)),
            (0.55, lambda: window_ops.recall(svc, who, window)),
            (0.65, lambda: window_ops.no_show(svc, who, window)),
            (0.8, lambda: _finish(svc, who, window, t.get("item"), rng)),
        ]
    else:
        actions = [(0.6, lambda: _finish(svc, who, window, t.get("item"), rng)),
                   (0.7, lambda: monitor_ops.force_finish(svc, boss, t["id"], "忘记办结"))]
    actions += [
        (0.9 if current["status"] == "called" else 0.8,
         lambda: window_ops.transfer(svc, who, window, queue="B" if t["queue"] == "A" else "A", to_window=None,
                                     note="转办")),
        (0.95 if current["status"] == "called" else 0.9, lambda: monitor_ops.transfer(
            svc, boss, t["id"], queue="C" if t["queue"] != "C" else "A", window=None, reason="改派")),
    ]
    for bound, act in actions:
        if r < bound:
            act()
            return
    window_ops.suspend(svc, who, window, "回去取材料")
    suspended[t["number"]] = window


def _decide_cases(svc: Services, clock: Any, boss: Any, rng: random.Random) -> None:
    with svc.read() as uow:
        accepted = [n for (n,) in uow.conn.execute(select(cases_table.c.number).where(
            cases_table.c.status == "accepted").order_by(cases_table.c.number))]
    for i, number in enumerate(accepted):
        clock.advance(hours=rng.choice([2, 20, 30, 60]))  # some late, some on time
        cases.transition(svc, boss, number, "in_review")
        cases.transition(svc, boss, number, "decided_approved" if i % 3 else "decided_denied",
                         note="" if i % 3 else "材料不符合法定条件",
                         legal_basis="" if i % 3 else "《中华人民共和国行政许可法》第三十八条")
        if i % 2:
            clock.advance(hours=rng.choice([1, 30]))
            cases.transition(svc, boss, number, "delivered")


def _rate(svc: Services, rng: random.Random) -> None:
    with svc.write(SYSTEM) as uow:
        done = uow.conn.execute(select(tickets).where(tickets.c.status == "done").order_by(tickets.c.number)).all()
        for t in done:
            if rng.random() < 0.6:
                queue = svc.hall.queue(t.queue)
                uow.conn.execute(insert(ratings).values(
                    hall=hall_of(uow.conn),
                    ticket_id=t.id, day=t.day, at=uow.now, level=rng.randint(1, 5), tags=[], channel="pad",
                    department=queue.department if queue else None, item=t.item, queue=t.queue, window=t.window,
                    staff_id=rng.choice([None, *range(1, 5)]),
                    excluded_at=uow.now if rng.random() < 0.1 else None))
        uow.commit()


# --- the reference: figures from the raw records -----------------------------------------------


def p90(values: list[float]) -> float | None:
    """Nearest rank, as bench/stats.py: the ⌈0.9·n⌉-th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


@dataclass
class Stint:
    ticket: str
    queue: str
    item: str | None
    window: str
    staff: int | None
    called: datetime
    last_call: datetime
    started: datetime | None = None
    ended: datetime | None = None
    ending: str | None = None


@dataclass
class Replay:
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)  # ticket id → issue facts
    first_call: dict[str, tuple[datetime, str, int | None, str]] = field(default_factory=dict)
    stints: list[Stint] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)


def _queue_in_events(events: list[dict[str, Any]], ticket_id: str) -> str | None:
    for e in events:
        t = e.get("data", {}).get("ticket")
        if isinstance(t, dict) and t.get("id") == ticket_id:
            return str(t["queue"])
    return None


def replay(conn: Any) -> Replay:
    out = Replay()
    queue_now: dict[str, str] = {}
    open_stint: dict[str, Stint] = {}
    open_period: dict[str, dict[str, Any]] = {}
    by_number: dict[str, str] = {}

    def end(ticket: str, at: datetime, ending: str) -> None:
        s = open_stint.pop(ticket, None)
        if s is not None:
            s.ended, s.ending = at, ending

    def period(window: str, at: datetime, state: str | None, staff: int | None = None, reason: str = "") -> None:
        was = open_period.pop(window, None)
        if was is not None:
            was["ended"] = at
        if state is not None:
            staff = staff if staff is not None or was is None else was["staff"]
            open_period[window] = {"window": window, "staff": staff, "state": state, "reason": reason, "started": at,
                                   "ended": None}
            out.periods.append(open_period[window])

    for row in conn.execute(select(event_log).order_by(event_log.c.seq)):
        d, at, action = row.detail or {}, row.at, row.action
        ticket = d.get("ticket")
        if action == "ticket.issue":
            out.issued[ticket] = {"at": at, "queue": d["queue"], "item": d.get("item")}
            queue_now[ticket] = d["queue"]
            by_number[row.subject] = ticket
        elif action in ("ticket.call", "ticket.call_number"):
            out.first_call.setdefault(ticket, (at, d["window"], row.actor_id, queue_now[ticket]))
            s = Stint(ticket, queue_now[ticket], out.issued[ticket]["item"], d["window"], row.actor_id, at, at)
            open_stint[ticket] = s
            out.stints.append(s)
        elif action == "ticket.recall":
            open_stint[ticket].last_call = at
        elif action == "ticket.start":
            open_stint[ticket].started = at
        elif action in ("ticket.finish", "monitor.force_finish"):
            s = open_stint[ticket]
            s.started = s.started or s.last_call
            end(ticket, at, "finished" if action == "ticket.finish" else "forced")
        elif action in ("ticket.no_show", "ticket.suspend"):
            end(ticket, at, "no_show" if action == "ticket.no_show" else "suspended")
        elif action in ("ticket.transfer", "monitor.transfer"):
            end(ticket, at, "transferred")
            queue_now[ticket] = _queue_in_events(row.events, ticket) or queue_now[ticket]
        elif action == "window.sign_off":
            for number in d.get("released", []):
                end(by_number[number], at, "released")
            period(row.subject, at, None)
        elif action == "window.open":
            period(row.subject, at, "open", row.actor_id)
        elif action == "window.pause":
            period(row.subject, at, "paused", reason=d.get("reason", ""))
        elif action == "window.resume":
            period(row.subject, at, "open")
        elif action == "window.close":
            period(row.subject, at, None)
    return out


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def expected(svc: Services, conn: Any, by: str, now: datetime) -> dict[Any, dict[str, Any]]:
    """Every figure of the API's rows for `by`, keyed as the API keys them (str, or None)."""
    hall = svc.hall
    dept_of = {q.code: q.department for q in hall.queues}
    data = replay(conn)
    rows: dict[Any, dict[str, Any]] = defaultdict(lambda: defaultdict(int))

    def k(v: Any) -> Any:
        return None if v is None else str(v)

    waits: dict[Any, list[float]] = defaultdict(list)
    for tid, facts in data.issued.items():
        if by not in ("window", "staff"):  # issued: by the queue issued for
            rows[k({"department": dept_of[facts["queue"]], "item": facts["item"], "queue": facts["queue"]}[by])][
                "issued"] += 1
        first = data.first_call.get(tid)
        if first is not None:  # wait: by where the first call was (its window, staff, queue)
            at, window, staff, queue = first
            key = {"department": dept_of[queue], "item": facts["item"], "queue": queue, "window": window,
                   "staff": staff}[by]
            waits[k(key)].append((at - facts["at"]).total_seconds())
    for key, vs in waits.items():
        rows[key]["wait_mean_s"], rows[key]["wait_p90_s"] = sum(vs) / len(vs), p90(vs)
    services: dict[Any, list[float]] = defaultdict(list)
    for s in data.stints:
        key = k({"department": dept_of[s.queue], "item": s.item, "queue": s.queue, "window": s.window,
                 "staff": s.staff}[by])
        rows[key]["served" if s.ending == "finished" else str(s.ending)] += 1
        if s.ending == "finished" and s.started is not None and s.ended is not None:
            services[key].append((s.ended - s.started).total_seconds())
    for key, vs in services.items():
        rows[key]["service_mean_s"], rows[key]["service_p90_s"] = sum(vs) / len(vs), p90(vs)
    if by in ("window", "staff"):
        for p in data.periods:
            key = k(p["window"] if by == "window" else p["staff"])
            length = ((p["ended"] or now) - p["started"]).total_seconds()
            row = rows[key]
            if p["state"] == "paused":
                row.setdefault("paused_s", defaultdict(float))[p["reason"]] += length
            else:
                busy = sum(_overlap(p["started"], p["ended"] or now, s.called, s.ended or now)
                           for s in data.stints if s.window == p["window"])
                row["idle_s"] += length - busy
    _cases(svc, conn, by, rows, now)
    _ratings(conn, by, rows)
    return rows


def _cases(svc: Services, conn: Any, by: str, rows: dict[Any, Any], now: datetime) -> None:
    tz = ZoneInfo(svc.hall.timezone)
    history: dict[str, list[Any]] = defaultdict(list)
    for h in conn.execute(select(case_history)):
        history[h.case_number].append(h)
    queue_of = {t.id: t.queue for t in conn.execute(select(tickets.c.id, tickets.c.queue))}
    today = now.astimezone(tz).date()
    for c in conn.execute(select(cases_table)):
        key = {"department": c.department, "item": c.item, "queue": queue_of.get(c.ticket_id), "window": c.window,
               "staff": c.opened_by}[by]
        row = rows[None if key is None else str(key)]
        row[f"case_{c.outcome}"] += 1
        decided = min((h.at for h in history[c.number] if h.status.startswith("decided") or h.status == "concluded"),
                      default=None)
        delivered = min((h.at for h in history[c.number] if h.status == "delivered"), default=None)
        if c.promised is None or (decided is None and c.promised >= today):
            continue
        row["cases_due"] += 1
        if decided is not None and decided.astimezone(tz).date() <= c.promised and (
                delivered is None or delivered.astimezone(tz).date() <= c.promised):
            row["cases_on_time"] += 1


def _ratings(conn: Any, by: str, rows: dict[Any, Any]) -> None:
    for r in conn.execute(select(ratings).where(ratings.c.excluded_at.is_(None))):
        key = {"department": r.department, "item": r.item, "queue": r.queue, "window": r.window,
               "staff": r.staff_id}[by]
        rows[None if key is None else str(key)][f"rating_{r.level}"] += 1


def compare(api_rows: list[dict[str, Any]], want: dict[Any, dict[str, Any]], by: str) -> None:
    """Asserts the API's rows carry exactly the reference figures."""
    got = {r["key"]: r for r in api_rows}
    assert set(got) == set(want), (by, sorted(map(str, got)), sorted(map(str, want)))
    for key, w in want.items():
        g = got[key]
        where = f"by={by} key={key}"
        if by not in ("window", "staff"):
            assert g["issued"] == w["issued"], where
        else:
            assert g["issued"] is None, where
        for name in ("served", "no_show", "transferred", "suspended", "released", "forced"):
            assert g[name] == w[name], (where, name, g[name], w[name])
        for name in ("wait_mean_s", "wait_p90_s", "service_mean_s", "service_p90_s"):
            if w.get(name) is None:
                assert g[name] is None, (where, name)
            else:
                assert abs(g[name] - w[name]) <= 0.051, (where, name, g[name], w[name])
        if by in ("window", "staff"):
            paused = {r: round(s) for r, s in w.get("paused_s", {}).items()}
            assert g["paused_s"] == paused, (where, g["paused_s"], paused)
            assert abs(g["idle_s"] - w["idle_s"]) <= 1, (where, g["idle_s"], w["idle_s"])
        else:
            assert g["paused_s"] is None and g["idle_s"] is None
        outcomes = ("accepted", "notice", "refused", "concluded", "received")
        assert g["cases"] == {o: w.get(f"case_{o}", 0) for o in outcomes}, where
        assert (g["cases_due"], g["cases_on_time"]) == (w["cases_due"], w["cases_on_time"]), where
        levels = {str(n): w[f"rating_{n}"] for n in range(1, 6)}
        assert g["ratings"] == levels, (where, g["ratings"], levels)
        rated = sum(levels.values())
        assert g["satisfaction_rate"] == (round((levels["4"] + levels["5"]) / rated, 4) if rated else None), where

