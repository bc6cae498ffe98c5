"""Browser tests: Debian's chromium through Playwright against a real `hallq serve` (marked
`browser` and `slow`).

One chromium for the whole session (`browser`); each test opens its own contexts, so cookies,
storage and viewports never leak between tests. Screenshots are taken with
`tests.support.browser.shot(page, name)`: on a plain run they go to pytest's temporary directory
and the work tree stays clean. To regenerate the ones in docs/screenshots/:

    HALLQ_SCREENSHOTS=1 .venv/bin/pytest tests/browser

(then look at them before committing: a screenshot is documentation, and a wrong one misleads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.support.browser import launch, use_scratch_dir, writing_docs


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _screenshots_out_of_the_tree(tmp_path_factory) -> None:
    if not writing_docs():
        use_scratch_dir(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def new_context(browser) -> Iterator[Callable[..., BrowserContext]]:
    """Opens browser contexts (`new_context(viewport=..., locale=...)`) closed after the test."""
    opened: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()
