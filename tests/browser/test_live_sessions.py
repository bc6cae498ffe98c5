"""A screen whose credential ends leaves the hall at once (issue #9): the shared live client
(hallq-live.js) hears `session.ended`, and the page shows what to do instead of old calls."""

from __future__ import annotations

import pytest

from tests.browser.test_display import HALL_VIEW, hall, open_display, wait_live  # noqa: F401 - `hall` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_display_whose_key_is_revoked_shows_its_pairing_screen_at_once(hall, browser):  # noqa: F811
    key = hall.server.cli("device", "add", "display-to-revoke", "--kind", "display").stdout.strip().splitlines()[-1]
    ctx, page = open_display(browser, f"{hall.url}/display/hall", HALL_VIEW, key)
    try:
        wait_live(page)
        out = hall.server.cli("device", "revoke", "display-to-revoke")
        assert out.returncode == 0, out.stderr
        page.wait_for_selector("#pairing:not([hidden])", timeout=8000)
        assert "吊销" in page.text_content("#pairing-reason")
        assert page.evaluate("localStorage.getItem('hallq.display.key')") is None
    finally:
        ctx.close()
