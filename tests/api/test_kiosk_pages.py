"""The kiosk's pages, the visitor's status page and the ticket's QR code, through the Flask test client."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def ticket(client, kiosk_key, make_staff) -> dict:
    staff = make_staff("scjg-w1", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=staff).status_code == 200
    r = client.post("/api/v1/tickets", json={"item": "SCJG-001"}, headers={"X-Device-Key": kiosk_key})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def local_urls(html: str) -> list[str]:
    """Every address the page loads, except the empty inline icon (which stops a /favicon.ico request)."""
    return [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if u != "data:,"]


def test_kiosk_page_renders_in_chinese_with_local_assets_only(client):
    r = client.get("/kiosk/")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "请选择办理部门" in html and "取号" in html and "English" in html
    urls = local_urls(html)
    assert "/static/vendor/socket.io.min.js" in urls and "/static/hallq-live.js" in urls
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "TODO" not in html and "placeholder text" not in html.lower()
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("asset", ["kiosk.js", "kiosk.css", "status.js", "status.css", "checkin.js"])
def test_page_assets_are_served(client, asset):
    r = client.get(f"/kiosk/static/{asset}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "http://" not in body and "https://" not in body, "no external URL in the pages' assets"
    r.close()


def test_shared_live_assets_are_served(client):
    for path in ("/static/vendor/socket.io.min.js", "/static/hallq-live.js"):
        r = client.get(path)
        assert r.status_code == 200, path
        r.close()


def test_status_page_shows_the_ticket_and_its_materials(client, ticket):
    r = client.get(f"/t/{ticket['id']}")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    assert ticket["number"] in html
    assert "有限责任公司设立登记" in html and "排队等候中" in html and "Waiting in line" in html
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)[1])
    assert data["ticket"]["id"] == ticket["id"]
    # The materials are the catalogue's (article 7).
    catalog = client.get("/api/v1/catalog").get_json()
    item = next(i for i in catalog["items"] if i["code"] == "SCJG-001")
    assert data["materials"] == item["guide"]["materials"]
    assert data["windows"]["1"] == {"name": "1号窗口", "name_en": "Window 1"}
    assert all(u.startswith("/") for u in local_urls(html))
    # The guide's time limit: one day in both languages ("1 个工作日 working days" before).
    assert re.search(r"1 个工作日 <span lang=\"en\">1 working day</span>", html), html


def test_status_page_of_an_unknown_ticket_is_a_friendly_html_404(client):
    r = client.get("/t/no-such-ticket")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "找不到这张号票" in html and "We cannot find this ticket" in html


def test_qr_code_is_an_svg_of_the_status_url(client, ticket):
    r = client.get(f"/t/{ticket['id']}/qr.svg")
    assert r.status_code == 200
    assert r.mimetype == "image/svg+xml"
    root = ET.fromstring(r.get_data())
    assert root.tag == SVG
    assert root.find("{http://www.w3.org/2000/svg}path") is not None
    assert ticket["status_url"].endswith(f"/t/{ticket['id']}")


def test_qr_code_holds_exactly_the_status_url(client, ticket):
    """The SVG's modules are the same as a QR code made from the status URL, so a phone lands there."""
    import qrcode
    import qrcode.image.svg

    expected = qrcode.make(ticket["status_url"], image_factory=qrcode.image.svg.SvgPathFillImage,
                           error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    assert client.get(f"/t/{ticket['id']}/qr.svg").get_data(as_text=True) == expected.to_string(encoding="unicode")


def test_qr_code_of_an_unknown_ticket_is_a_json_404(client):
    r = client.get("/t/no-such-ticket/qr.svg")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_a_paused_window_is_why_the_wait_is_unknown(client, kiosk_key, make_staff):
    """docs/kiosk.md: while the queue's only window is paused the phone says 未知 and why; the
    ticket and its queue carry the paused window and its staff's reason, and lose it on resume."""
    staff = make_staff("scjg-w1", "window", "SCJG")
    assert client.post("/api/v1/windows/1/open", headers=staff).status_code == 200
    taken = client.post("/api/v1/tickets", json={"item": "SCJG-001"}, headers={"X-Device-Key": kiosk_key})
    ticket = taken.get_json()["ticket"]
    assert ticket["paused_windows"] == [] and ticket["estimated_wait_range_s"] is not None

    assert client.post("/api/v1/windows/1/pause", headers=staff, json={"reason": "午休"}).status_code == 200
    paused = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["ticket"]
    assert paused["estimated_wait_range_s"] is None and paused["unserved"] is False
    assert paused["paused_windows"] == [{"id": "1", "name": "1号窗口", "name_en": "Window 1", "reason": "午休"}]
    queue = next(q for q in client.get("/api/v1/hall", headers=staff).get_json()["queues"] if q["code"] == "A")
    assert queue["open_windows"] == [] and queue["paused_windows"] == paused["paused_windows"]
    # The page starts from the same view, so a reload shows the reason too.
    page = client.get(f"/t/{ticket['id']}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S).group(1))
    assert data["ticket"]["paused_windows"][0]["reason"] == "午休"

    assert client.post("/api/v1/windows/1/resume", headers=staff).status_code == 200
    back = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["ticket"]
    assert back["paused_windows"] == [] and back["estimated_wait_range_s"] is not None
