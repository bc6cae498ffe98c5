"""The ticket's estimated range (issue 13, protocol v1.1): `estimated_wait_range_s` is [low, high]
while an open window serves the queue, null when none does; the queue's events carry the
estimate of every place in its line, which the phone page follows."""

from __future__ import annotations

import pytest

from tests.api.helpers import issue


@pytest.fixture
def alice(make_staff):
    return make_staff("alice", "window", "SCJG")


def test_a_ticket_shows_a_range_around_its_estimate_once_a_window_serves_it(client, kiosk, alice, clock):
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    first = issue(client, kiosk)
    assert first["estimated_wait_s"] == 0 and first["estimated_wait_range_s"] == [0, 60]
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 200
    clock.advance(minutes=5)
    second, third = issue(client, kiosk), issue(client, kiosk)
    for t in (second, third):
        low, high = t["estimated_wait_range_s"]
        assert 0 <= low <= t["estimated_wait_s"] <= high and high - low >= 60
    # Window 1 is five minutes into A001's visit: A002 waits for the rest of it, A003 a visit more.
    assert 0 < second["estimated_wait_s"] < third["estimated_wait_s"]
    assert third["estimated_wait_range_s"][1] > second["estimated_wait_range_s"][1]
    again = client.get(f"/api/v1/tickets/{third['id']}").get_json()["ticket"]
    assert again["estimated_wait_range_s"] == third["estimated_wait_range_s"]


def test_no_window_open_means_no_range_and_no_number(client, kiosk, alice):
    t = issue(client, kiosk)  # the demo hall warns and issues before its windows open
    assert t["estimated_wait_s"] is None and t["estimated_wait_range_s"] is None
    client.post("/api/v1/windows/1/open", headers=alice)
    client.post("/api/v1/windows/1/pause", headers=alice, json={"reason": "午休"})
    paused = client.get(f"/api/v1/tickets/{t['id']}").get_json()["ticket"]
    assert paused["estimated_wait_range_s"] is None, "a paused window: nobody knows when lunch ends"


def test_the_queue_event_carries_each_places_estimate(client, kiosk, alice, published):
    client.post("/api/v1/windows/1/open", headers=alice)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    tickets = [issue(client, kiosk) for _ in range(3)]
    queue = [e.data["queue"] for c in published for e in c.events if e.event == "queue.updated"][-1]
    assert queue["order"] == [t["number"] for t in tickets]
    assert len(queue["waits"]) == 3
    assert [w[0] for w in queue["waits"]] == sorted(w[0] for w in queue["waits"])
    assert queue["waits"][-1] == [tickets[-1]["estimated_wait_s"], *tickets[-1]["estimated_wait_range_s"]]


def test_a_window_paused_past_its_allowance_is_not_calling_at_once(client, kiosk, alice, make_staff, clock):
    """Review of issue 13: a pause over its allowance gave the window a negative rest, counted as
    free: the next ticket read 即将叫号 while nobody sat there."""
    bob = make_staff("bob", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    assert client.post("/api/v1/windows/2/open", headers=bob).status_code == 200
    issue(client, kiosk)
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 200
    assert client.post("/api/v1/windows/2/pause", headers=bob, json={"reason": "暂时离开"}).status_code == 200
    clock.advance(minutes=20)  # 暂时离开 allows 15
    t = issue(client, kiosk)
    assert t["estimated_wait_s"] > 0 and t["estimated_wait_range_s"][0] > 0


def test_the_measured_service_time_follows_each_finish_while_issuing_reads_it_no_more(
        client, kiosk, alice, clock, db_engine):
    """The queue's service durations are remembered between changes (an issue reads them no
    more); a finish, here or through another process, is in the next estimate."""
    from sqlalchemy import event

    from server.app import waits

    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    issue(client, kiosk)
    for minutes in (2, 2):  # two quick visits: the queue's measured pace is short
        client.post("/api/v1/windows/1/call-next", headers=alice)
        issue(client, kiosk)
        clock.advance(minutes=minutes)
        assert client.post("/api/v1/windows/1/finish", headers=alice, json={}).status_code == 200
    reads: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if "finished_at IS NOT NULL" in statement:
            reads.append(statement)

    event.listen(db_engine, "before_cursor_execute", count)
    try:
        quick = issue(client, kiosk)
        assert reads == [], "an issue read the durations again"
        client.post("/api/v1/windows/1/call-next", headers=alice)
        clock.advance(minutes=40)  # a long visit moves the measured pace
        assert client.post("/api/v1/windows/1/finish", headers=alice, json={}).status_code == 200
        assert reads, "the finish's change did not read the new durations"
    finally:
        event.remove(db_engine, "before_cursor_execute", count)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    clock.advance(minutes=1)
    slow = issue(client, kiosk)
    remembered = client.get(f"/api/v1/tickets/{slow['id']}").get_json()["ticket"]
    waits._durations.clear()  # what a process that never saw this queue works out
    fresh = client.get(f"/api/v1/tickets/{slow['id']}").get_json()["ticket"]
    assert remembered["estimated_wait_range_s"] == fresh["estimated_wait_range_s"]
    assert remembered["estimated_wait_s"] == fresh["estimated_wait_s"] > quick["estimated_wait_s"]


def _queue_estimate(published, queue: str) -> int:
    """The queue's estimate for the next to join, in the latest change that showed the queue."""
    return _queue_event(published, queue)["estimate_s"]


def _queue_event(published, queue: str) -> dict:
    """The queue as the latest change that showed it showed it."""
    for committed in reversed(published):
        for e in committed.events:
            if e.event == "queue.updated" and e.data["queue"]["code"] == queue:
                return e.data["queue"]
    raise AssertionError(f"no queue.updated for {queue}")


def test_a_green_ticket_slows_the_walk_ins_estimate_from_its_own_issue(client, kiosk, alice, published):
    """The day's cut-ins (kept by trigger since migration 0022) reach the estimate, the ticket
    issued in the same change included: each green arrival is expected to be followed by more,
    who will be called before the walk-ins."""
    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    for _ in range(3):
        issue(client, kiosk)
    client.post("/api/v1/windows/1/call-next", headers=alice)
    queue = issue(client, kiosk)["queue"]
    before = _queue_estimate(published, queue)
    r = client.post("/api/v1/tickets", headers=kiosk,
                    json={"item": "SCJG-001", "priority": "green", "green_reason": "elderly"})
    assert r.status_code == 201, r.get_json()
    green = _queue_estimate(published, queue)
    issue(client, kiosk)
    after = _queue_estimate(published, queue)
    # One place more each time; the green ticket's own change already counts it, so its step is the
    # longer one (every place waits longer from then on), not the next walk-in's.
    assert green - before > after - green > 0, (before, green, after)


def test_an_issue_works_out_its_line_s_call_times_once_and_counts_no_tickets(client, kiosk, alice, db_engine,
                                                                           monkeypatch, clock):
    """The new ticket's place and the queue's next place come from one list of call times, and the
    day's cut-ins come with the queue's counts: no count over the day's tickets."""
    from sqlalchemy import event

    from server.app import waits

    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    for _ in range(3):
        issue(client, kiosk)
    worked_out: list[int] = []
    real = waits.wait_estimates

    def counted(count, *args, **kwargs):
        worked_out.append(count)
        return real(count, *args, **kwargs)

    statements: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany) -> None:
        statements.append(statement)

    monkeypatch.setattr(waits, "wait_estimates", counted)
    event.listen(db_engine, "before_cursor_execute", seen)
    clock.advance(seconds=1)  # a second on: the window's rest moved, so the line is worked out anew
    try:
        t = issue(client, kiosk)
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)
    assert t["estimated_wait_s"] is not None
    assert len(worked_out) == 1, worked_out
    assert not [s for s in statements if "count(" in s.lower()], statements


def test_issues_of_one_second_share_their_queue_s_line_and_a_call_makes_a_new_one(client, kiosk, alice, clock,
                                                                                 monkeypatch, published):
    """A 9:00 rush: a queue's line of estimates is worked out once for the changes of one second
    that leave its windows and services as they were, and each of them still shows every place.
    A call moves a window: the next change works its line out again."""
    from server.app import waits

    assert client.post("/api/v1/windows/1/open", headers=alice).status_code == 200
    for _ in range(3):
        issue(client, kiosk)
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 200
    clock.advance(seconds=30.25)
    worked_out: list[int] = []
    real = waits.wait_estimates

    def counted(count, *args, **kwargs):
        worked_out.append(count)
        return real(count, *args, **kwargs)

    monkeypatch.setattr(waits, "wait_estimates", counted)
    queue = issue(client, kiosk)["queue"]
    clock.advance(seconds=0.5)  # the same whole second
    t = issue(client, kiosk)
    assert len(worked_out) == 1, worked_out
    line = _queue_event(published, queue)
    assert len(line["waits"]) == len(line["order"]) == 4 and line["order"][-1] == t["number"]
    assert line["waits"][-1][0] == t["estimated_wait_s"] and line["waits"][-1][1:] == t["estimated_wait_range_s"]
    assert [w[0] for w in line["waits"]] == sorted(w[0] for w in line["waits"])
    assert client.post("/api/v1/windows/1/finish", headers=alice, json={}).status_code == 200
    assert len(worked_out) == 2, "a finish changes the queue's service times and frees the window"
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 200
    assert len(worked_out) == 3, "a call changes the window the line waits for"
