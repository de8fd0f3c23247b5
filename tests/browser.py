"""The one way the tests open reports in a browser: Debian's Chromium, driven by Playwright.

Playwright's own browser download is not reachable, so the tests use the system's Chromium
('make test' installs it) and are skipped where it is missing.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by 'make test'")


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium (a Playwright Browser) with a fresh profile, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
