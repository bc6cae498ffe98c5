"""Debian's chromium driven by Playwright: never a browser download (the hall has no internet).

Also what every browser test shares: `shot()` for screenshots, and `page_errors()` for what a
page logs. The `browser` fixture itself is in tests/browser/conftest.py.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # The calling display must speak without a click (docs/deployment.md: kiosk-mode flags).
    "--autoplay-policy=no-user-gesture-required",
]

REPO = Path(__file__).resolve().parents[2]
DOCS_SHOTS = REPO / "docs" / "screenshots"
# The browser reports a refused API call as a failed resource and a dropped network as a failed
# WebSocket: both are what the page shows anyway, not a fault in its script.
NETWORK_NOISE = ("Failed to load resource", "WebSocket connection to")

_scratch: Path | None = None


def require_chromium() -> None:
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get)")


def launch(playwright):
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


# -- screenshots ---------------------------------------------------------------------------------


def writing_docs() -> bool:
    """HALLQ_SCREENSHOTS=1: screenshots are the documentation's, in docs/screenshots/."""
    return os.environ.get("HALLQ_SCREENSHOTS") == "1"


def use_scratch_dir(path: Path) -> None:
    """Where screenshots go on a plain run (tests/browser/conftest.py gives pytest's tmp dir)."""
    global _scratch
    _scratch = path


def shots_dir() -> Path:
    global _scratch
    if writing_docs():
        out = DOCS_SHOTS
    else:
        if _scratch is None:
            _scratch = Path(tempfile.mkdtemp(prefix="hallq-screenshots-"))
        out = _scratch
    out.mkdir(parents=True, exist_ok=True)
    return out


def shot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """A screenshot named as in docs/screenshots/, written there only with HALLQ_SCREENSHOTS=1:
    a plain test run leaves the work tree as it found it."""
    path = shots_dir() / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_for_image(page: Page, selector: str, timeout: float = 10) -> None:
    """Until the image `selector` has loaded. Polled from here: page.wait_for_function with a string
    evaluates it with eval, which a page whose policy has no 'unsafe-eval' refuses on its second try."""
    deadline = time.monotonic() + timeout
    js = f"(() => {{ const i = document.querySelector({selector!r}); return !!i && i.naturalWidth > 0; }})()"
    while not page.evaluate(js):
        assert time.monotonic() < deadline, f"{selector} did not load within {timeout} s"
        time.sleep(0.1)


# -- what a page logs ----------------------------------------------------------------------------


def page_errors(page: Page, *, console: bool = True) -> list[str]:
    """A list that fills with the page's uncaught script errors and, with `console`, its
    console.error messages (a Content-Security-Policy violation shows there too)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if console:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def script_errors(errors: list[str]) -> list[str]:
    """`errors` less the browser's reports of refused requests and dropped connections."""
    return [e for e in errors if not e.startswith(NETWORK_NOISE)]


@contextmanager
def page_maker(browser: Any, default_viewport: dict[str, int]) -> Iterator[Callable[..., Page]]:
    """`make(viewport=...)` opens a page in a context of its own (Chinese locale, 1× pixels); every
    context is closed afterwards, and no page may have logged a script error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = default_viewport) -> Page:
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        errors.extend(page_errors(page))
        return page

    yield make
    for c in contexts:
        c.close()
    assert not script_errors(errors), errors


class LateAnswer:
    """The first request to `pattern`, read from the server when the page sends it and delivered
    to the page only on `deliver()`: an answer overtaken by a newer read of the same view. Later
    requests to `pattern` go through."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.page = page
        self.pattern = re.compile(pattern)
        self.held: list[tuple[Any, Any]] = []
        page.route(self.pattern, self._route)

    def _route(self, route: Any) -> None:
        if self.held:
            route.continue_()
        else:
            self.held.append((route, route.fetch()))

    def wait_read(self, timeout: float = 5) -> None:
        """Until the held request has been read. Playwright runs route handlers only while the
        test waits on it, so without this the read could come after the test's next action."""
        end = time.monotonic() + timeout
        while not self.held:
            assert time.monotonic() < end, f"no request to {self.pattern.pattern} was made"
            self.page.wait_for_timeout(50)

    def deliver(self) -> None:
        """Hand the page the held answer and give it a moment to draw it, if it does."""
        route, response = self.held[0]
        with self.page.expect_response(self.pattern):
            route.fulfill(response=response)
        self.page.wait_for_timeout(300)
