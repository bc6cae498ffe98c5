"""Debian's chromium driven by Playwright: never a browser download (the hall has no internet)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # The calling display must speak without a click (docs/deployment.md: kiosk-mode flags).
    "--autoplay-policy=no-user-gesture-required",
]


def require_chromium() -> None:
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get)")


def launch(playwright):  # noqa: ANN001, ANN201
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
