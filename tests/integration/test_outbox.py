"""Handing cases on to the approval platform (articles 10, 21) over real HTTP: a local receiver that
fails on purpose, retries with backoff and a stable Idempotency-Key, order per case, and nothing
lost across a kill -9 of a real server process."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from server.app.outbox import backoff, run_outbox_once
from server.db.engine import make_engine
from server.db.tables import outbox
from tests.support.server_process import ServerProcess

ITEM = "SCJG-001"
ID = "11010519491231002X"  # check digit valid
APPLICANT = {"name": "李四", "id_number": ID, "phone": "13900139000"}


class Receiver:
    """The approval platform's webhook: answers 503 to the first `fail` requests, then 200."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every attempt, in arrival order
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    ok = receiver.fail <= 0
                    receiver.fail -= 1
                    receiver.requests.append({
                        "key": self.headers["Idempotency-Key"], "case": body["case_number"],
                        "version": body["version"], "event": body["event"], "ok": ok, "at": time.monotonic(),
                        "content_type": self.headers["Content-Type"], "body": body,
                    })
                self.send_response(200 if ok else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hallq/cases"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def delivered(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["ok"]]


def check_order_and_keys(receiver: Receiver) -> None:
    """Per case: versions acknowledged in order, each once, and every retry kept its key."""
    by_case: dict[str, list[int]] = {}
    for r in receiver.delivered():
        by_case.setdefault(r["case"], []).append(r["version"])
    for case, versions in by_case.items():
        assert versions == sorted(set(versions)), (case, versions)
    keys: dict[tuple[str, int], set[str]] = {}
    for r in receiver.requests:
        keys.setdefault((r["case"], r["version"]), set()).add(r["key"])
    assert all(len(k) == 1 for k in keys.values()), keys
    # Nothing of a case was attempted before its previous version was acknowledged.
    acked: dict[str, int] = {}
    for r in receiver.requests:
        assert r["version"] <= acked.get(r["case"], 0) + 1, r
        if r["ok"]:
            acked[r["case"]] = max(acked.get(r["case"], 0), r["version"])


# -- in process, real HTTP ---------------------------------------------------------------------------


def test_delivery_to_a_failing_receiver_is_retried_with_backoff_in_order(client, svc, clock, kiosk_key, make_staff):
    staff = make_staff("alice", "window", "SCJG")
    kiosk = {"X-Device-Key": kiosk_key}
    client.post("/api/v1/windows/1/open", headers=staff)
    numbers = []
    for _ in range(2):
        client.post("/api/v1/tickets", headers=kiosk, json={"item": ITEM})
        client.post("/api/v1/windows/1/call-next", headers=staff)
        r = client.post("/api/v1/windows/1/finish", headers=staff,
                        json={"outcome": "accepted", "applicant": APPLICANT, "materials": ["APP_FORM"]})
        numbers.append(r.get_json()["case"]["number"])
    for to in ("in_review", "decided_approved", "delivered"):
        assert client.post(f"/api/v1/cases/{numbers[0]}/transition", headers=staff, json={"to": to}).status_code == 200

    with Receiver(fail=3) as receiver:
        attempts_at_due = []
        for _ in range(12):
            before = len(receiver.requests)
            run_outbox_once(svc, clock.now, url=receiver.url, post=requests.post, timeout=5)
            attempts_at_due.append(len(receiver.requests) - before)
            # Without time passing nothing is due again: the backoff holds.
            run_outbox_once(svc, clock.now, url=receiver.url, post=requests.post, timeout=5)
            clock.advance(seconds=backoff(4).total_seconds())
        delivered = receiver.delivered()
        assert sorted((r["case"], r["version"]) for r in delivered) == sorted(
            [(numbers[0], v) for v in (1, 2, 3, 4)] + [(numbers[1], 1)]
        )
        assert len(receiver.requests) == len(delivered) + 3
        check_order_and_keys(receiver)
        first = receiver.requests[0]
        assert first["content_type"].startswith("application/json")
        assert first["body"]["case"]["applicant"]["id_number"] == ID and first["body"]["hall"] == svc.hall.code
    with svc.engine.connect() as conn:
        rows = conn.execute(select(outbox)).all()
    assert all(r.delivered_at is not None for r in rows)


# -- a real server, kill -9 --------------------------------------------------------------------------------


@pytest.mark.slow
def test_nothing_is_lost_across_a_kill_9(tmp_path):
    with Receiver(fail=4) as receiver:
        server = ServerProcess(tmp_path / "hall", async_mode="threading",
                               env={"HALLQ_PLATFORM_WEBHOOK": receiver.url})
        server.seed()
        server.start()
        try:
            staff = server.login("scjg01")
            kiosk = {"X-Device-Key": server.device_key("kiosk-1")}
            base = f"{server.url}/api/v1"
            assert requests.post(f"{base}/windows/1/open", headers=staff, timeout=10).status_code == 200
            numbers = []
            for _ in range(2):
                assert requests.post(f"{base}/tickets", headers=kiosk, json={"item": ITEM}, timeout=10).ok
                assert requests.post(f"{base}/windows/1/call-next", headers=staff, timeout=10).ok
                r = requests.post(f"{base}/windows/1/finish", headers=staff, timeout=10,
                                  json={"outcome": "accepted", "applicant": APPLICANT, "materials": ["APP_FORM"]})
                assert r.status_code == 200, r.text
                numbers.append(r.json()["case"]["number"])
            for to in ("in_review", "decided_approved"):
                r = requests.post(f"{base}/cases/{numbers[0]}/transition", headers=staff, json={"to": to}, timeout=10)
                assert r.status_code == 200, r.text
            server.kill()  # with changes still failing at the receiver and backing off
            assert len(receiver.delivered()) < 4
            server.start()
            # What the server committed: the changes made above, plus the article 16 warnings its
            # checker announced at start (an accepted case with one working day left is yellow).
            engine = make_engine(f"sqlite:///{server.var_dir / 'hallq.db'}")

            def outbox_rows() -> list:
                with engine.connect() as conn:
                    return conn.execute(select(outbox).order_by(outbox.c.id)).all()

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                rows = outbox_rows()
                if rows and all(r.delivered_at is not None for r in rows):
                    break
                time.sleep(0.2)
            rows = outbox_rows()
            engine.dispose()
            expected = sorted((r.case_number, r.payload["version"]) for r in rows)
            made = {(numbers[0], 1), (numbers[0], 2), (numbers[0], 3), (numbers[1], 1)}
            assert made <= set(expected)
            assert all(r.delivered_at is not None for r in rows), server.log_text()
            got = sorted((r["case"], r["version"]) for r in receiver.delivered())
            # At least once: a 2xx answered just before the kill may be sent again, with its key.
            assert sorted(set(got)) == expected, (got, server.log_text())
            assert len(receiver.requests) >= 4 + len(expected)
            check_order_and_keys(receiver)
        finally:
            server.stop()
