"""The calling displays' pages and `GET /api/v1/devices/me`, through Flask's test client."""

from __future__ import annotations

import json
import re

from server.app import accounts


def page_config(html: str) -> dict:
    m = re.search(r'<script id="hallq-config" type="application/json">(.*?)</script>', html, re.S)
    assert m, "the page carries its configuration"
    return json.loads(m.group(1))


def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.is_json, r.get_data(as_text=True)
    err = r.get_json()["error"]
    assert err["code"] == code and err["message"], err
    return err


def test_hall_screen_renders_without_a_key_with_the_halls_shape(client, hall):
    r = client.get("/display/hall")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert hall.name in html and "综合屏" in html
    # Same-origin scripts only: the hall has no internet.
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/socket.io.min.js" in scripts and "/static/hallq-live.js" in scripts
    assert all(s.startswith("/") and not s.startswith("//") for s in scripts)
    assert not re.search(r'(href|src)="(https?:)?//', html)
    config = page_config(html)
    assert config["screen"] == "hall" and config["stale_after_s"] == 30
    assert config["hall"]["timezone"] == hall.timezone
    assert {w["id"] for w in config["windows"]} == {w.id for w in hall.windows}
    assert all("zone" in w and "queues" in w for w in config["windows"])
    assert config["voice"]["template"] == hall.voice.template
    assert config["notices"] == list(hall.notices)


def test_window_screen_renders_its_window(client, hall):
    w = hall.window("1")
    r = client.get("/display/window/1")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert w.name in html and w.name_en in html and 'data-window="1"' in html
    config = page_config(html)
    assert config["screen"] == "window" and config["window"] == "1"
    assert config["departments"][w.department]["name"]


def test_window_screen_of_an_unknown_window_is_a_json_404(client):
    assert_error(client.get("/display/window/999"), 404, "not_found")


def test_display_assets_are_served(client):
    for path in ("/display/static/display.js", "/display/static/hall.js", "/display/static/window.js",
                 "/display/static/display.css", "/static/hallq-live.js", "/static/vendor/socket.io.min.js"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.data, path
        r.close()


def test_display_index_goes_to_the_hall_screen(client):
    r = client.get("/display/")
    assert r.status_code in (301, 302, 308) and r.headers["Location"].endswith("/display/hall")


def test_devices_me_returns_the_device_and_its_settings(client, svc):
    settings = {"zone": "B区 公安服务", "windows": ["6", "7"], "queues": ["C"], "title": "B区"}
    key = accounts.add_device(svc, "display-b", "display", settings=settings)
    r = client.get("/api/v1/devices/me", headers={"X-Device-Key": key})
    assert r.status_code == 200, r.get_json()
    device = r.get_json()["device"]
    assert device["name"] == "display-b" and device["kind"] == "display"
    assert device["settings"] == settings
    assert set(device) == {"id", "name", "kind", "printer", "settings"}  # never the key or its digest


def test_devices_me_with_no_settings_gives_an_empty_object(client, display_key):
    device = client.get("/api/v1/devices/me", headers={"X-Device-Key": display_key}).get_json()["device"]
    assert device["settings"] == {} and device["kind"] == "display"


def test_devices_me_needs_a_device_key(client):
    assert_error(client.get("/api/v1/devices/me"), 401, "unauthorized")


def test_devices_me_refuses_an_unknown_key(client):
    assert_error(client.get("/api/v1/devices/me", headers={"X-Device-Key": "not-a-key"}), 401, "unauthorized")


def test_devices_me_refuses_a_revoked_key(client, svc, display_key):
    accounts.revoke_device(svc, "display-test")
    assert_error(client.get("/api/v1/devices/me", headers={"X-Device-Key": display_key}), 401, "unauthorized")


def test_devices_me_is_not_for_staff_tokens(client, make_staff):
    staff = make_staff("alice", "window", "SCJG")
    assert_error(client.get("/api/v1/devices/me", headers=staff), 401, "unauthorized")


def test_every_browser_finds_an_icon_so_no_screen_starts_with_a_404(client):
    """The walkthrough's hall display logged one error on its first load: the browser's own
    request for /favicon.ico."""
    with client.get("/favicon.ico") as r:
        assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.get_data()
