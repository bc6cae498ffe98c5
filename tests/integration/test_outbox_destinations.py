"""The outbox's destinations over real HTTP: case changes go to the approval platform's webhook,
ratings to the provincial rating system's, each in order per key; a destination with no webhook
keeps its rows (and they never crowd the other's out of a pass); one receiver down holds up
nothing of the other's."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from server.app import outbox
from server.app.outbox import OutboxWorker, run_outbox_once
from server.bootstrap import _outbox
from server.db.tables import outbox as outbox_table
from server.db.uow import SYSTEM, Committed, Emitted
from server.settings import Settings


class Webhook:
    """A receiver answering 200 to every POST, keeping (path, headers, body) in arrival order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.got: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hook.lock:
                    hook.got.append({"path": self.path, "key": self.headers["X-HallQ-Key"],
                                     "case": self.headers.get("X-HallQ-Case"), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    h = Webhook()
    yield h
    h.close()


def queue(svc, key: str, event: str, destination: str, n: int) -> None:
    with svc.write(SYSTEM) as uow:
        outbox.record(svc, uow, key, event, {"n": n}, destination=destination)
        uow.audit("test.outbox")
        svc.commit(uow)


def pending(svc) -> dict[str, int]:
    # The two destinations these tests queue for (the applicant's has tests of its own).
    return {d: outbox.pending_count(svc, d) for d in (outbox.PLATFORM, outbox.RATINGS)}


def test_each_destination_gets_its_own_rows_in_order_per_key(svc, clock, hook):
    for n in range(3):
        queue(svc, "CITY-SCJG-2026-000001", "case.updated", "platform", n)
        queue(svc, "rating-1", "rating.created" if n == 0 else "followup.step", "ratings", n)
        queue(svc, "rating-2", "rating.created", "ratings", n)
    urls = {"platform": hook.url("/platform"), "ratings": hook.url("/ratings")}
    for _ in range(3):  # one row per key and pass: a key's next row waits for its previous one
        run_outbox_once(svc, clock.now, urls=urls, post=requests.post, timeout=5)
    assert pending(svc) == {"platform": 0, "ratings": 0}
    by_path = {p: [(g["key"], g["body"]["n"]) for g in hook.got if g["path"] == p] for p in ("/platform", "/ratings")}
    assert [n for k, n in by_path["/platform"]] == [0, 1, 2]
    for key in ("rating-1", "rating-2"):
        assert [n for k, n in by_path["/ratings"] if k == key] == [0, 1, 2]
    platform = next(g for g in hook.got if g["path"] == "/platform")
    rating = next(g for g in hook.got if g["path"] == "/ratings")
    assert platform["case"] == "CITY-SCJG-2026-000001" and platform["body"]["case_number"] == "CITY-SCJG-2026-000001"
    assert rating["case"] is None and rating["body"]["key"] == "rating-1" and "case_number" not in rating["body"]


def test_a_destination_without_a_webhook_keeps_its_rows_and_starves_nothing(svc, clock, hook):
    for n in range(5):
        queue(svc, f"rating-{n}", "rating.created", "ratings", n)
    queue(svc, "CITY-SCJG-2026-000001", "case.opened", "platform", 0)
    # A small batch: five waiting ratings written first must not fill it and hide the case change.
    done = run_outbox_once(svc, clock.now, url=hook.url("/platform"), post=requests.post, timeout=5, batch=3)
    assert len(done.delivered) == 1 and [g["path"] for g in hook.got] == ["/platform"]
    assert pending(svc) == {"platform": 0, "ratings": 5}
    # Nothing configured at all: nothing is read or sent.
    assert run_outbox_once(svc, clock.now, urls={}, post=requests.post).delivered == []
    # The webhook set later: the rows that waited go out.
    run_outbox_once(svc, clock.now, urls={"ratings": hook.url("/ratings")}, post=requests.post, timeout=5)
    assert pending(svc) == {"platform": 0, "ratings": 0}


def test_a_receiver_that_is_down_holds_up_only_its_own_rows(svc, clock, hook):
    queue(svc, "rating-1", "rating.created", "ratings", 0)
    queue(svc, "rating-2", "rating.created", "ratings", 0)
    queue(svc, "CITY-SCJG-2026-000001", "case.opened", "platform", 0)
    closed = Webhook()
    down = closed.url("/ratings")
    closed.close()  # nothing listens there any more: connection refused
    done = run_outbox_once(svc, clock.now, urls={"ratings": down, "platform": hook.url("/platform")},
                           post=requests.post, timeout=5)
    assert done.down == {"ratings"} and len(done.failed) == 1 and len(done.delivered) == 1
    assert pending(svc) == {"platform": 0, "ratings": 2}
    with svc.engine.connect() as conn:
        tried = conn.execute(select(outbox_table.c.attempts).where(outbox_table.c.destination == "ratings")
                             .order_by(outbox_table.c.id)).scalars().all()
    assert tried == [1, 0]  # the pass stopped trying that receiver after the first refusal


def test_a_rating_is_posted_to_the_rating_system_with_its_service(client, svc, clock, hook, kiosk_key, make_staff):
    staff = make_staff("scjg01", "window", "SCJG")
    client.post("/api/v1/windows/1/open", headers=staff)
    t = client.post("/api/v1/tickets", headers={"X-Device-Key": kiosk_key}, json={"item": "SCJG-001"}).get_json()
    client.post("/api/v1/windows/1/call-next", headers=staff)
    client.post("/api/v1/windows/1/finish", headers=staff)
    r = client.post(f"/api/v1/tickets/{t['ticket']['id']}/rating", json={"level": 1, "tags": ["attitude"]})
    assert r.status_code == 201, r.get_json()
    run_outbox_once(svc, clock.now, urls={"ratings": hook.url("/hallq/ratings")}, post=requests.post, timeout=5)
    # The rating, then the follow-up its level 1 opened for the chief, in that order.
    got, opened = hook.got
    assert opened["body"]["event"] == "rating.followup.opened"
    body = got["body"]
    assert (body["event"], body["hall"], body["key"]) == ("rating.created", svc.hall.code,
                                                           f"rating-{r.get_json()['rating']['id']}")
    rated = body["rating"]
    assert rated["ticket_number"] == t["ticket"]["number"] and t["ticket"]["id"] not in repr(body)
    assert (rated["level"], rated["level_name"], rated["window"], rated["department"], rated["item"]) == (
        1, "非常不满意", "1", "SCJG", "SCJG-001")
    assert [t["name"] for t in rated["tag_names"]] == ["服务态度"] and rated["staff"]["name"] == "scjg01"


def test_the_worker_wakes_for_ratings_and_is_built_for_the_webhooks_set(svc):
    worker = OutboxWorker(svc, {"ratings": "http://example.invalid/r"}, sleep=lambda s: None)
    worker.wake(Committed(seq=1, events=[Emitted("window.updated", ["hall"], {})]))
    assert not worker._wake
    worker.wake(Committed(seq=2, events=[Emitted("rating.created", ["ratings"], {})]))
    assert worker._wake
    assert OutboxWorker(svc, "http://example.invalid/p", sleep=lambda s: None).urls == {
        "platform": "http://example.invalid/p"}

    class FakeSocketIO:
        sleep = staticmethod(lambda s: None)

    assert _outbox(Settings(), svc, FakeSocketIO()) is None  # type: ignore[arg-type]
    built = _outbox(Settings(ratings_webhook="http://example.invalid/r"), svc, FakeSocketIO())  # type: ignore[arg-type]
    assert built is not None and built.urls == {"ratings": "http://example.invalid/r"}
    both = _outbox(Settings(platform_webhook="http://p.invalid", ratings_webhook="http://r.invalid"), svc,
                   FakeSocketIO())  # type: ignore[arg-type]
    assert both is not None and both.urls == {"platform": "http://p.invalid", "ratings": "http://r.invalid"}


def test_settings_read_the_ratings_webhook(monkeypatch):
    monkeypatch.setenv("HALLQ_RATINGS_WEBHOOK", " http://r.invalid/hook ")
    assert Settings.from_env().ratings_webhook == "http://r.invalid/hook"
