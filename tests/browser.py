"""Open a local HTML file in headless Chromium for tests and screenshots.

Usage (in a test)::

    from browser import browser_page          # tests/ is on sys.path under pytest

    def test_page(tmp_path):
        with browser_page(tmp_path / "class.html") as page:   # skips if Chromium is missing
            assert page.console_errors() == []                # SEVERE browser-log entries
            png = page.screenshot()                           # PNG bytes of the viewport
            page.click("th[data-key=score]")                  # CSS selector
            texts = page.texts("tbody tr td:first-child")     # innerText of each match
            value = page.run("return document.title")         # any JavaScript

``browser_page(path, width=1280, height=900, full_page=False)`` (the viewport size; with
``full_page`` screenshots grow to the page's height, at most 8000 px) starts Chromium with
``--headless --no-sandbox --disable-gpu`` through chromedriver (Debian packages
``chromium`` and ``chromium-driver``; ``setup.sh`` installs them) and quits it on exit.
When Chromium, chromedriver or the ``selenium`` package is missing, it calls
``pytest.skip`` with the reason; scripts outside pytest can call :func:`browser_missing`
first (it returns the reason or ``None``) and get ``BrowserUnavailable`` instead of a skip
with ``skip=False``.

The page is loaded from ``file://``: a page that needs the network fails its own test.
Console errors are collected after load and after each :meth:`Page.click`, so an error
raised by a click handler is reported too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)


class BrowserUnavailable(RuntimeError):
    """Chromium, chromedriver or selenium is not installed here."""


def _which(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why no headless browser can run here, or ``None`` when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[test]')"
    if _which(CHROMIUM_NAMES, "LABGRADE_CHROMIUM") is None:
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    if _which(DRIVER_NAMES, "LABGRADE_CHROMEDRIVER") is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


class Page:
    """One loaded page: console errors, screenshots, clicks, element texts, scripts."""

    def __init__(self, driver: Any, full_page: bool, width: int, height: int) -> None:
        self._driver = driver
        self.resize(width, height)
        self._full_page = full_page
        self._errors: list[str] = []
        self._collect()

    def resize(self, width: int, height: int) -> None:
        """Make the viewport (not the window with its frame) ``width`` x ``height`` pixels."""
        self._driver.set_window_size(width, height)
        inner = self._driver.execute_script("return [window.innerWidth, window.innerHeight]")
        extra_w, extra_h = width - int(inner[0]), height - int(inner[1])
        if extra_w or extra_h:
            self._driver.set_window_size(width + extra_w, height + extra_h)

    def _collect(self) -> None:
        for entry in self._driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                self._errors.append(str(entry.get("message", "")))

    def console_errors(self) -> list[str]:
        """Every SEVERE console/browser-log message seen so far (uncaught JS errors included)."""
        self._collect()
        return list(self._errors)

    def screenshot(self) -> bytes:
        """PNG bytes of the window (of the whole page when opened with ``full_page=True``)."""
        if self._full_page:
            height = int(self._driver.execute_script(
                "return Math.ceil(document.documentElement.scrollHeight)"))
            width = int(self._driver.execute_script("return window.innerWidth"))
            self.resize(width, max(200, min(height, 8000)))
        return bytes(self._driver.get_screenshot_as_png())

    def click(self, css: str) -> None:
        """Click the first element matching the CSS selector (raises if there is none)."""
        from selenium.webdriver.common.by import By

        self._driver.find_element(By.CSS_SELECTOR, css).click()
        self._collect()

    def texts(self, css: str) -> list[str]:
        """The rendered text of every element matching the CSS selector, in page order."""
        from selenium.webdriver.common.by import By

        return [e.text for e in self._driver.find_elements(By.CSS_SELECTOR, css)]

    def type(self, css: str, text: str) -> None:
        """Type text into the first element matching the CSS selector (e.g. a filter box)."""
        from selenium.webdriver.common.by import By

        self._driver.find_element(By.CSS_SELECTOR, css).send_keys(text)
        self._collect()

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page (use ``return`` to get a value back)."""
        return self._driver.execute_script(script, *args)

    @property
    def driver(self) -> Any:
        """The underlying selenium WebDriver, for anything not covered above."""
        return self._driver


@contextmanager
def browser_page(path: Path | str, *, width: int = 1280, height: int = 900,
                 full_page: bool = False, skip: bool = True) -> Iterator[Page]:
    """Open ``path`` (a local HTML file) in headless Chromium; see the module docstring."""
    reason = browser_missing()
    if reason is not None:
        if skip:
            import pytest

            pytest.skip(reason)
        raise BrowserUnavailable(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(_which(CHROMIUM_NAMES, "LABGRADE_CHROMIUM"))
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--force-device-scale-factor=1",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(_which(DRIVER_NAMES, "LABGRADE_CHROMEDRIVER")))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.get(Path(path).resolve().as_uri())
        yield Page(driver, full_page, width, height)
    finally:
        driver.quit()
