"""The admin page's API: staff accounts, devices and the hall notice (issue 11, point 8)."""

from __future__ import annotations

import pytest

from server.app import accounts
from tests.conftest import PASSWORD

from .test_socket_rooms import connect, subscribe

ZONE = "A区 市场准入"


def audited(svc, action: str) -> list[tuple[str, str]]:
    """Who did `action` to whom, from the event log (article 31)."""
    from sqlalchemy import select

    from server.db.log_tables import event_log

    with svc.engine.connect() as conn:
        rows = conn.execute(select(event_log.c.actor_name, event_log.c.subject).where(event_log.c.action == action))
        return [(r.actor_name, r.subject) for r in rows]


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


@pytest.fixture
def admin(make_staff) -> dict[str, str]:
    return make_staff("ada", "admin")


def login(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


# -- who may do what ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "department"), [("window", "SCJG"), ("chief", "SCJG"), ("manager", None)])
def test_only_admins_change_accounts_and_devices(client, make_staff, role, department):
    headers = make_staff("someone", role, department)
    changes = [
        ("post", "/api/v1/admin/users", {"username": "x1", "password": "long-enough", "role": "window"}),
        ("post", "/api/v1/admin/users/someone/disable", None),
        ("post", "/api/v1/admin/users/someone/reset-password", {"password": "long-enough"}),
        ("post", "/api/v1/admin/users/someone/unlock", None),
        ("post", "/api/v1/admin/devices", {"name": "d1", "kind": "display"}),
        ("delete", "/api/v1/admin/devices/none", None),
    ]
    for method, path, body in changes:
        r = getattr(client, method)(path, headers=headers, json=body)
        assert r.status_code == 403, (path, r.get_json())
        assert r.get_json()["error"]["message_zh"]
    looks = [client.get(p, headers=headers).status_code for p in ("/api/v1/admin/users", "/api/v1/admin/devices")]
    assert looks == ([200, 200] if role == "manager" else [403, 403])


def test_without_a_token_nothing_answers(client):
    assert client.get("/api/v1/admin/users").status_code == 401
    assert client.put("/api/v1/hall/notice", json={"text": "x"}).status_code == 401


# -- accounts ----------------------------------------------------------------------------------------

def test_an_admin_adds_a_chief_who_can_sign_in(client, admin):
    r = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "chen.chief", "password": "long-enough", "role": "chief", "department": "SCJG",
        "name": "陈首代", "staff_no": "S-7"})
    assert r.status_code == 201, r.get_json()
    user = r.get_json()["user"]
    assert (user["role"], user["department"], user["name"], user["disabled"]) == ("chief", "SCJG", "陈首代", False)
    assert login(client, "chen.chief", "long-enough").status_code == 200
    listed = client.get("/api/v1/admin/users", headers=admin).get_json()["users"]
    assert [u["username"] for u in listed] == ["ada", "chen.chief"]


def test_adding_a_bad_account_says_why(client, admin):
    chief_without_dept = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "c2", "password": "long-enough", "role": "chief"})
    assert chief_without_dept.status_code == 400
    unknown_dept = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "c3", "password": "long-enough", "role": "window", "department": "NOPE"})
    assert unknown_dept.status_code == 404
    short = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "c4", "password": "short", "role": "window"})
    assert short.status_code == 400
    twice = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "ada", "password": "long-enough", "role": "window"})
    assert twice.status_code == 400 and "exists" in twice.get_json()["error"]["message"]


def test_disabling_stops_the_token_and_drops_the_socket_at_once(hq, svc, client, admin, make_staff):
    wendy = make_staff("wendy", "window", "SCJG")
    console = connect(hq, token=token_of(wendy))
    assert "windows" in subscribe(console, "window:1")
    r = client.post("/api/v1/admin/users/wendy/disable", headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["tokens_revoked"] == 1 and r.get_json()["user"]["disabled"] is True
    assert not console.is_connected()
    ended = [m for m in console.queue if m["name"] == "session.ended"]
    assert ended and ended[0]["args"][0]["reason"] == "disabled"
    assert client.get("/api/v1/auth/me", headers=wendy).status_code == 401
    assert login(client, "wendy").status_code == 401
    assert audited(svc, "user.disable") == [("ada", "wendy")]

    assert client.post("/api/v1/admin/users/wendy/enable", headers=admin).get_json()["user"]["disabled"] is False
    assert login(client, "wendy").status_code == 200


def test_an_admin_cannot_disable_their_own_account(client, admin):
    r = client.post("/api/v1/admin/users/ada/disable", headers=admin)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "own_account"


def test_a_password_reset_ends_the_old_sign_in_and_the_new_password_works(hq, client, admin, make_staff):
    wendy = make_staff("wendy", "window", "SCJG")
    console = connect(hq, token=token_of(wendy))
    r = client.post("/api/v1/admin/users/wendy/reset-password", headers=admin, json={"password": "brand-new-pw"})
    assert r.status_code == 200 and r.get_json()["tokens_revoked"] == 1
    assert not console.is_connected()
    assert client.get("/api/v1/auth/me", headers=wendy).status_code == 401
    assert login(client, "wendy").status_code == 401
    assert login(client, "wendy", "brand-new-pw").status_code == 200


def test_unlock_forgets_the_failures(client, admin, make_staff):
    make_staff("wendy", "window", "SCJG")
    for _ in range(3):
        assert login(client, "wendy", "wrong-password").status_code == 401
    users = {u["username"]: u for u in client.get("/api/v1/admin/users", headers=admin).get_json()["users"]}
    assert users["wendy"]["failures"] == 3
    r = client.post("/api/v1/admin/users/wendy/unlock", headers=admin)
    assert r.status_code == 200 and r.get_json()["user"]["failures"] == 0
    assert client.post("/api/v1/admin/users/nobody/unlock", headers=admin).status_code == 404


# -- devices -----------------------------------------------------------------------------------------

def test_pairing_shows_the_key_once_and_the_key_works(client, admin):
    r = client.post("/api/v1/admin/devices", headers=admin, json={
        "name": "screen-a", "kind": "display", "settings": {"zone": ZONE}})
    assert r.status_code == 201, r.get_json()
    key = r.get_json()["key"]
    assert r.get_json()["device"]["settings"] == {"zone": ZONE}
    me = client.get("/api/v1/devices/me", headers={"X-Device-Key": key})
    assert me.status_code == 200 and me.get_json()["device"]["name"] == "screen-a"
    listed = client.get("/api/v1/admin/devices", headers=admin).get_json()["devices"]
    assert [d["name"] for d in listed] == ["screen-a"]
    assert key not in str(listed)


def test_a_printer_url_typo_is_refused_naming_it(client, admin):
    r = client.post("/api/v1/admin/devices", headers=admin, json={
        "name": "kiosk-a", "kind": "kiosk", "printer": "tpc://192.168.1.50:9100"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "invalid_printer" and "tpc" in error["message"] and error["message_zh"]
    ok = client.post("/api/v1/admin/devices", headers=admin, json={
        "name": "kiosk-a", "kind": "kiosk", "printer": "tcp://192.168.1.50:9100"})
    assert ok.status_code == 201
    changed = client.put("/api/v1/admin/devices/kiosk-a", headers=admin, json={"printer": "usb://zz:01"})
    assert changed.status_code == 400 and "zz" in changed.get_json()["error"]["message"]
    moved = client.put("/api/v1/admin/devices/kiosk-a", headers=admin, json={"printer": "dummy://k"})
    assert moved.get_json()["device"]["printer"] == "dummy://k"
    removed = client.put("/api/v1/admin/devices/kiosk-a", headers=admin, json={"printer": ""})
    assert removed.get_json()["device"]["printer"] is None


def test_a_displays_settings_are_checked_and_reach_it_at_once(hq, svc, client, admin):
    key = client.post("/api/v1/admin/devices", headers=admin,
                      json={"name": "screen-a", "kind": "display"}).get_json()["key"]
    screen = connect(hq, device_key=key)
    subscribe(screen, "hall")
    screen.get_received()
    bad = client.put("/api/v1/admin/devices/screen-a", headers=admin, json={"settings": {"windows": ["999"]}})
    assert bad.status_code == 400 and "999" in bad.get_json()["error"]["message"]
    r = client.put("/api/v1/admin/devices/screen-a", headers=admin,
                   json={"settings": {"windows": ["1", "2"], "queues": ["A"], "title": "一楼"}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["device"]["settings"] == {"windows": ["1", "2"], "queues": ["A"], "title": "一楼"}
    assert [m["name"] for m in screen.get_received()] == ["resync"]
    me = client.get("/api/v1/devices/me", headers={"X-Device-Key": key}).get_json()["device"]
    assert me["settings"]["windows"] == ["1", "2"]
    assert audited(svc, "device.update") == [("ada", "screen-a")]


def test_revoking_a_device_drops_its_display(hq, client, admin):
    key = client.post("/api/v1/admin/devices", headers=admin,
                      json={"name": "screen-a", "kind": "display"}).get_json()["key"]
    screen = connect(hq, device_key=key)
    assert "hall" in subscribe(screen, "hall")
    assert client.delete("/api/v1/admin/devices/screen-a", headers=admin).status_code == 204
    assert not screen.is_connected()
    assert client.get("/api/v1/devices/me", headers={"X-Device-Key": key}).status_code == 401
    assert client.get("/api/v1/admin/devices", headers=admin).get_json()["devices"] == []
    assert client.delete("/api/v1/admin/devices/screen-a", headers=admin).status_code == 404


# -- the hall notice ---------------------------------------------------------------------------------

def test_the_notice_is_stored_sent_live_and_in_a_new_displays_snapshot(hq, client, svc, make_staff, display_key):
    manager = make_staff("mona", "manager")
    early = connect(hq, device_key=display_key)
    subscribe(early, "hall")
    early.get_received()
    r = client.put("/api/v1/hall/notice", headers=manager, json={"text": "今日系统升级", "text_en": "Upgrade today"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["notice"]["notices"] == ["今日系统升级", "Upgrade today"]
    live = [m for m in early.get_received() if m["name"] == "hall.notice"]
    assert live and live[0]["args"][0]["notices"] == ["今日系统升级", "Upgrade today"]
    assert live[0]["args"][0]["seq"] > 0
    assert audited(svc, "hall.notice") == [("mona", "")]

    later = connect(hq, device_key=accounts.add_device(svc, "screen-late", "display"))
    assert subscribe(later, "hall")["hall"]["notices"] == ["今日系统升级", "Upgrade today"]
    assert client.get("/api/v1/hall/notice", headers=manager).get_json()["notice"]["updated_by"] == "mona"

    cleared = client.put("/api/v1/hall/notice", headers=manager, json={"text": ""})
    assert cleared.get_json()["notice"]["notices"] == list(svc.hall.notices)


def test_window_staff_may_not_set_the_notice(client, make_staff):
    r = client.put("/api/v1/hall/notice", headers=make_staff("wendy", "window", "SCJG"), json={"text": "x"})
    assert r.status_code == 403
    english_only = client.put("/api/v1/hall/notice", headers=make_staff("mona", "manager"), json={
        "text": "", "text_en": "English only"})
    assert english_only.status_code == 400


def test_the_admin_page_is_served_with_the_hall_policy(client):
    r = client.get("/manage/admin")
    assert r.status_code == 200 and "系统管理" in r.get_data(as_text=True)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    script = client.get("/manage/admin/static/admin.js")
    assert script.status_code == 200
    script.close()


def test_a_rating_pad_is_paired_to_a_window_of_the_hall(client, admin):
    r = client.post("/api/v1/admin/devices", headers=admin, json={"name": "pad-2", "kind": "rater", "window": "2"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["device"]["settings"] == {"window": "2"}
    me = client.get("/api/v1/devices/me", headers={"X-Device-Key": r.get_json()["key"]})
    assert me.get_json()["device"]["kind"] == "rater"
    for body, where in (({"name": "pad-x", "kind": "rater"}, "window"),
                        ({"name": "pad-x", "kind": "rater", "window": "99"}, "settings.window"),
                        ({"name": "screen-x", "kind": "display", "window": "2"}, "window")):
        refused = client.post("/api/v1/admin/devices", headers=admin, json=body)
        assert refused.status_code == 400, body
        error = refused.get_json()["error"]
        assert error["message"].startswith(f"{where}:") and error["message_zh"], error
