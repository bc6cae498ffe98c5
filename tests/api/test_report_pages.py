"""The board's report pages (issue #12): statistics, audit log and the monthly evaluation render
Chinese first, load only the hall's own files (ECharts vendored, never a CDN), under the same
Content-Security-Policy as every page, and the board links to them."""

from __future__ import annotations

import re

import pytest

PAGES = {"/manage/stats": ("统计", "Statistics"), "/manage/audit": ("审计日志", "Audit log"),
         "/manage/evaluation": ("月度考核", "Monthly evaluation")}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_renders_chinese_first_from_the_halls_own_files(client, path):
    r = client.get(path)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    zh, en = PAGES[path]
    assert html.index(zh) < html.index(en)
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN: the hall may have no internet"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "unsafe" not in csp
    for src in re.findall(r'src="([^"]+)"', html):
        asset = client.get(src)
        assert asset.status_code == 200 and "javascript" in asset.mimetype, src
        asset.close()


def test_the_statistics_page_uses_the_vendored_echarts_with_its_licence(client):
    html = client.get("/manage/stats").get_data(as_text=True)
    assert html.index('src="/static/vendor/echarts.min.js"') < html.index('src="/manage/static/stats.js"')
    for name in ("echarts.LICENSE", "echarts.NOTICE", "README.md"):
        r = client.get(f"/static/vendor/{name}")
        assert r.status_code == 200, name
        r.close()
    head = client.get("/static/vendor/echarts.min.js")
    assert b"Apache License" in head.get_data()[:2000]
    head.close()


def test_the_evaluation_page_prints_on_a4(client):
    html = client.get("/manage/evaluation").get_data(as_text=True)
    assert "大厅主任（签字）" in html
    css = client.get("/manage/static/reports.css")
    text = css.get_data(as_text=True)
    css.close()
    assert re.search(r"@page\s*\{\s*size:\s*A4", text)


def test_the_board_links_to_the_report_pages(client):
    html = client.get("/manage/").get_data(as_text=True)
    for path in PAGES:
        assert f'href="{path}"' in html
