"""The hall screen at 1920×1080 shows every queue's name whole: a visitor looking for
"不动产查询与证明" across the hall cannot guess the rest of "不动产查询与…".

The demo hall's 18 queues fill the waiting panel in two columns; a long name gets a smaller font
or a second line (display/static/fit.js), and the tiles still fit the panel.
"""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import page_errors, require_chromium, script_errors, shot
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every name element that is wider than its box, or whose tile cuts it at the bottom.
CUT = """() => {
  const cut = [];
  document.querySelectorAll('.queue').forEach(tile => {
    const box = tile.getBoundingClientRect();
    tile.querySelectorAll('.queue-name, .queue-name-en').forEach(n => {
      const r = n.getBoundingClientRect();
      if (n.scrollWidth > n.clientWidth + 1 || r.bottom > box.bottom + 1 || r.top < box.top - 1)
        cut.push(n.textContent);
    });
  });
  return cut;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    srv = ServerProcess(tmp_path_factory.mktemp("display-names"))
    srv.seed()
    srv.start()
    # Window 20 serves T (不动产查询与证明), the longest name both ways: its English shows too.
    staff = srv.login("bdc01")
    r = requests.post(f"{srv.url}/api/v1/windows/20/open", headers=staff, timeout=10)
    assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def test_every_queue_name_is_whole_on_the_hall_screen(server, new_context):
    page = new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    errors = page_errors(page, console=False)
    page.goto(f"{server.url}/display/hall?key={server.device_key('display-hall')}")
    page.wait_for_function("document.querySelectorAll('.queue').length === 18", timeout=15000)
    tile = page.locator('.queue[data-queue="T"]')
    page.wait_for_function("() => !document.querySelector('.queue[data-queue=\"T\"]').classList.contains('unserved')",
                           timeout=10000)
    assert tile.locator(".queue-name").text_content() == "不动产查询与证明"
    assert tile.locator(".queue-name-en").text_content() == "Real Estate Records and Certificates"
    assert page.evaluate(CUT) == []
    # Still legible from the seats: no name shrunk below 80% of its tile's own size.
    sizes = page.evaluate("[...document.querySelectorAll('.queue-name')]"
                          ".map(n => parseFloat(getComputedStyle(n).fontSize))")
    assert min(sizes) >= 0.8 * max(sizes)
    # The layout holds: all 18 tiles inside the waiting panel, none under the notices.
    assert page.evaluate("""() => {
      const panel = document.querySelector('.waiting').getBoundingClientRect();
      return [...document.querySelectorAll('.queue')].every(t => t.getBoundingClientRect().bottom <= panel.bottom);
    }""")
    shot(page, "display-hall-long-names.png")
    assert script_errors(errors) == []
