"""The window console page: it renders, loads only the hall's own assets, and names its shortcuts."""

from __future__ import annotations

import re


def test_console_page_renders_with_the_shared_live_scripts(client):
    r = client.get("/console/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "窗口控制台" in html and "Window console" in html
    # The shared live helper and the vendored Socket.IO client, in the order hallq-live.js needs.
    i_io = html.index('src="/static/vendor/socket.io.min.js"')
    i_live = html.index('src="/static/hallq-live.js"')
    i_console = html.index('src="/console/static/console.js"')
    assert i_io < i_live < i_console


def test_console_loads_nothing_from_outside_the_hall(client):
    r = client.get("/console/")
    html = r.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN: the hall may have no internet"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert r.headers["Cache-Control"] == "no-store"


def test_console_buttons_show_their_keyboard_shortcuts(client):
    html = client.get("/console/").get_data(as_text=True)
    for act, key in [("next", "F1/空格"), ("recall", "R"), ("start", "S"), ("noshow", "N"), ("finish", "F"),
                     ("transfer", "T"), ("suspend", "H"), ("number", "C"), ("pause", "P")]:
        button = re.search(rf'<button[^>]*data-act="{act}"[^>]*>(.*?)</button>', html, re.S)
        assert button, act
        assert f"<kbd>{key}</kbd>" in button.group(1), (act, button.group(1))


def test_console_offers_every_outcome_and_the_pause_reasons(client):
    html = client.get("/console/").get_data(as_text=True)
    for value in ("accepted", "notice", "refused", "concluded", "consulted"):
        assert f'name="outcome" value="{value}"' in html
    for reason in ("午休", "会议", "暂时离开"):
        assert f'value="{reason}"' in html


def test_console_static_assets_are_served(client):
    for name, kind in [("console.js", "javascript"), ("idcheck.js", "javascript"), ("console.css", "css")]:
        r = client.get(f"/console/static/{name}")
        assert r.status_code == 200 and kind in r.mimetype, name
        r.close()
    r = client.get("/static/hallq-live.js")
    assert r.status_code == 200
    r.close()


def test_console_without_the_slash_redirects(client):
    r = client.get("/console")
    assert r.status_code in (301, 308) and r.headers["Location"].endswith("/console/")
