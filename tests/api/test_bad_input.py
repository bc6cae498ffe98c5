"""Bad input is a clear 4xx JSON error, never a 5xx, on SQLite and PostgreSQL alike.

PostgreSQL refuses a NUL in text and both drivers refuse a lone surrogate: each once came back
as a 500 from wherever it reached the database. A date past year 9998 overflowed on its way out.
Error messages once echoed their whole input, and a 405 named no allowed method."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.app.views import iso
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.web.errors import EXCERPT_CHARS, MESSAGE_CHARS, excerpt, safe_message
from tests.support.services import pg_url  # noqa: F401 - a fresh PostgreSQL database per test

ITEM_A = "SCJG-001"
NUL_TEXTS = ["a\x00b", "\ud800"]  # NUL; a lone surrogate (JSON may carry one as "\ud800")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request, template_db, tmp_path):
    """The conftest's database, on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "hallq.db"
        shutil.copy(template_db, path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
        upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def alice(client, make_staff):
    """Window staff signed in at window 1, with ticket A001 called there."""
    headers = make_staff("alice", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=headers).status_code == 200
    return headers


def raw_json(obj: object) -> bytes:
    """JSON as a client may send it: json.dumps writes NUL and lone surrogates as \\u escapes."""
    return json.dumps(obj).encode()


def error(r, status: int, code: str | None = None) -> str:
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    assert r.is_json, r.get_data(as_text=True)[:500]
    err = r.get_json()["error"]
    if code:
        assert err["code"] == code, err
    return err["message"]


# -- characters a database refuses ------------------------------------------------------------


def test_a_nul_in_a_path_is_a_404(client, make_staff, kiosk):
    manager = make_staff("boss", "manager")
    for path in ["/api/v1/tickets/%00", "/api/v1/cases/a%00b", "/audio/a%00b.wav"]:
        error(client.get(path, headers=manager), 404, "not_found")
    for page in ["/t/a%00b", "/t/a%00b/qr.svg", "/case/a%00b"]:  # the visitors' pages
        assert client.get(page).status_code == 404, page
    error(client.post("/api/v1/windows/1%00/open", headers=manager), 404, "not_found")
    error(client.post("/api/v1/tickets/a%00b/reprint", headers=manager, json={}), 404, "not_found")


@pytest.mark.parametrize("text", NUL_TEXTS, ids=["nul", "surrogate"])
def test_a_refused_character_in_a_body_is_a_400(client, make_staff, kiosk, alice, text):
    r = client.post("/api/v1/auth/login", data=raw_json({"username": text, "password": "x" * 10}),
                    content_type="application/json")
    assert "$.username" in error(r, 400, "invalid_text")
    error(client.post("/api/v1/tickets", headers=kiosk, data=raw_json({"item": text}),
                      content_type="application/json"), 400, "invalid_text")
    assert client.post("/api/v1/tickets", headers=kiosk, json={"item": ITEM_A}).status_code == 201
    assert client.post("/api/v1/windows/1/call-next", headers=alice).status_code == 200
    for action, body in [("pause", {"reason": text}), ("suspend", {"note": text}),
                         ("transfer", {"queue": "B", "note": text}), ("call-number", {"number": text}),
                         ("finish", {"note": text}), ("finish", {"materials": ["m", text]}),
                         ("hand-over", {"username": text}), ("pause", {text: "lunch"})]:
        r = client.post(f"/api/v1/windows/1/{action}", headers=alice, data=raw_json(body),
                        content_type="application/json")
        error(r, 400, "invalid_text")


def test_a_refused_character_in_a_query_is_a_400(client, make_staff):
    manager = make_staff("boss", "manager")
    for query in ("updated_since=a%00b", "limit=1%00", "a%00=1"):
        error(client.get(f"/api/v1/cases?{query}", headers=manager), 400, "invalid_text")
    # Bytes that are no UTF-8 at all (a lone surrogate's, too) are read as U+FFFD: an ordinary 400.
    error(client.get("/api/v1/cases?updated_since=%ED%A0%80", headers=manager), 400, "invalid_query")


def test_a_socket_subscription_naming_a_refused_character_is_refused(hq, display_key):
    visitor = hq.socketio.test_client(hq.app)
    for text in NUL_TEXTS:
        ack = visitor.emit("subscribe", {"rooms": [f"ticket:{text}"]}, callback=True)
        assert ack["error"]["code"] == "invalid_text", ack
    assert visitor.emit("subscribe", {"rooms": ["ticket:nobody"]}, callback=True)["error"]["code"] == "not_found"
    display = hq.socketio.test_client(hq.app, auth={"device_key": "k\x00"})
    assert not display.is_connected()
    visitor.disconnect()


# -- dates out of range -----------------------------------------------------------------------


def test_a_date_out_of_range_is_a_400(client, make_staff):
    manager = make_staff("boss", "manager")
    for since in ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+08:00",
                  "0001-01-01T00:00:00Z"]:
        r = client.get("/api/v1/cases", headers=manager, query_string={"updated_since": since})
        assert "updated_since" in error(r, 400, "invalid_query")
    ok = client.get("/api/v1/cases", headers=manager, query_string={"updated_since": "2026-11-25T10:00:00+08:00"})
    assert ok.status_code == 200


# -- what an error quotes ---------------------------------------------------------------------


def test_an_error_quotes_a_short_escaped_excerpt_of_a_long_input(client, kiosk, make_staff):
    huge = "X" * 200_000
    message = error(client.post("/api/v1/tickets", headers=kiosk, json={"item": huge}), 404)
    assert len(message) < 300 and "XXXX" in message and "200000" in message
    manager = make_staff("boss", "manager")
    message = error(client.get(f"/api/v1/cases/{'Y' * 5000}", headers=manager), 404)
    assert len(message) < 300 and "YYYY" in message
    message = error(client.get("/api/v1/cases", headers=manager, query_string={"limit": "9" * 3000 + "x"}), 400)
    assert len(message) < 300
    control = error(client.post("/api/v1/tickets", headers=kiosk, json={"item": "\x1b[31mred\u202e"}), 404)
    assert "\x1b" not in control and "\u202e" not in control and "\\x1b" in control


def test_a_405_names_the_methods_allowed(client):
    r = client.post("/api/v1/catalog")
    error(r, 405, "method_not_allowed")
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    r = client.delete("/api/v1/windows/1/call-next")
    error(r, 405)
    assert "POST" in r.headers["Allow"]


@given(st.text(max_size=500), st.text(max_size=60))
def test_any_message_leaves_printable_and_short_quoting_at_most_an_excerpt(sent, before):
    message = safe_message(f"{before} unknown item {sent!r} today")
    assert len(message) <= MESSAGE_CHARS + 1
    assert all(c.isprintable() for c in message)
    if len(sent) > EXCERPT_CHARS + 10 and len(before) < 40 and "'" not in sent and "\\" not in sent:
        assert sent not in message and "characters)" in message
    assert len(excerpt(sent)) <= 10 * EXCERPT_CHARS + 40  # \U0001xxxx at worst


def test_a_time_at_the_ends_of_the_calendar_is_shown_not_a_crash(hall):
    assert iso(hall, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)).startswith("9999-12-31T23:59:59")
    assert iso(hall, datetime(2026, 11, 25, 2, 0, tzinfo=UTC)) == "2026-11-25T10:00:00+08:00"


def test_a_body_nested_too_deeply_is_a_400(client, make_staff):
    manager = make_staff("boss", "manager")
    for body in (b"[" * 200_000, b'{"reason": ' + b"[" * 5000 + b"]" * 5000 + b"}"):
        r = client.post("/api/v1/windows/1/pause", headers=manager, data=body, content_type="application/json")
        assert r.status_code == 400, r.get_data(as_text=True)[:300]
