"""The manager's board page: it renders, loads only the hall's own assets, and its modules are served."""

from __future__ import annotations

import re


def test_board_page_renders_chinese_first_with_the_shared_live_scripts(client):
    r = client.get("/manage/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.index("大厅监控") < html.index("Hall board")
    i_io = html.index('src="/static/vendor/socket.io.min.js"')
    i_live = html.index('src="/static/hallq-live.js"')
    i_board = html.index('src="/manage/static/board.js"')
    assert i_io < i_live < i_board


def test_board_loads_nothing_from_outside_the_hall(client):
    r = client.get("/manage/")
    html = r.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN: the hall may have no internet"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert r.headers["Cache-Control"] == "no-store"


def test_board_static_assets_are_served(client):
    for name in ("board.js", "state.js", "api.js", "session.js", "connection.js", "floor.js", "alerts.js",
                 "tools.js", "staffing.js", "tickets.js", "notes.js"):
        r = client.get(f"/manage/static/{name}")
        assert r.status_code == 200 and "javascript" in r.mimetype, name
        r.close()
    r = client.get("/manage/static/manage.css")
    assert r.status_code == 200 and "css" in r.mimetype
    r.close()


def test_board_without_the_slash_redirects(client):
    r = client.get("/manage")
    assert r.status_code in (301, 308) and r.headers["Location"].endswith("/manage/")
