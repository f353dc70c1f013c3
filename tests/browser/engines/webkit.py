"""Debian's WebKitGTK as the client's browser: WebKitWebDriver (classic WebDriver, through
Selenium with the driver's path given, so nothing is downloaded) starts WebKitGTK's MiniBrowser
on a virtual screen, with sound into a null sink."""

from __future__ import annotations

import glob
import json
import os
import time
import warnings
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    ElementNotInteractableException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from .desktop import require

WEBKIT_DRIVER = os.environ.get("WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
# The browser WebKitWebDriver starts: WebKitGTK's MiniBrowser, which comes with
# libwebkit2gtk-4.1-0 (webkit2gtk-driver depends on it), in the machine's library folder.
MINIBROWSER = os.environ.get("WEBKIT_BROWSER") or next(
    iter(sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))),
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
)
# MiniBrowser's toolbar keeps its window wider than a phone: shrink its buttons and address
# field (a GTK style of the test's own), so the page can get 390 CSS pixels.
NARROW_TOOLBAR = """entry, button { min-width: 0; min-height: 0; padding: 0; margin: 0;
  border-width: 0; font-size: 1px; -gtk-icon-transform: scale(0.25); }
"""
# Classic WebDriver reads no console: each page gets listeners for its errors once loaded.
WATCH = """() => {
  if (window.engineErrors) return;
  window.engineErrors = [];
  const note = (text) => window.engineErrors.push(String(text));
  window.addEventListener("error", (e) => note(`error: ${e.message}`));
  window.addEventListener("unhandledrejection", (e) => note(`unhandledrejection: ${e.reason}`));
  const consoleError = console.error.bind(console);
  console.error = (...args) => { note(`console: ${args.join(" ")}`); consoleError(...args); };
}"""
# A page function's source, called with JSON arguments; its result comes back as JSON.
CALL = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(...JSON.parse(arguments[0])))
  .then((r) => done({ ok: JSON.stringify(r === undefined ? null : r) }),
        (e) => done({ error: `${e}\n${(e && e.stack) || ""}` }));"""


class WebKit:
    """One MiniBrowser window on ``display``. ``errors`` is what the page's listeners heard
    since ``watch`` (see WATCH: an error while the page's modules first run is not among them,
    but shows as the flow stopping there)."""

    name = "webkit"

    def __init__(self, tmp: Path, display: str, pulse_server: str):
        driver = require(WEBKIT_DRIVER, "webkit2gtk-driver")
        browser = require(MINIBROWSER, "libwebkit2gtk-4.1-0")
        config = tmp / "config"
        (config / "gtk-3.0").mkdir(parents=True)
        (config / "gtk-3.0" / "gtk.css").write_text(NARROW_TOOLBAR)
        env = {
            **os.environ,
            "DISPLAY": display,
            "PULSE_SERVER": pulse_server,
            "XDG_CONFIG_HOME": str(config),
            "HOME": str(tmp),
            "NO_AT_BRIDGE": "1",  # no accessibility bus to look for
        }
        options = Options()
        options.binary_location = browser
        options.add_argument("--automation")  # given a browser, the driver adds nothing itself
        # the driver's path given: Selenium Manager (which would download one) is not run
        service = Service(executable_path=driver, log_output=str(tmp / "webkit.log"), env=env)
        with warnings.catch_warnings():
            # Selenium's own WebKitGTK class still uses its deprecated way of connecting
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        self.driver.set_script_timeout(30)

    @property
    def errors(self) -> list[str]:
        return self.call("() => window.engineErrors || ['the page was left: errors not read']")

    def watch(self) -> None:
        """Listen for the current page's errors (once it has loaded)."""
        self.call(WATCH)

    def close(self) -> None:
        self.driver.quit()

    # What the flow asks of every engine's page.

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def call(self, source: str, *args):
        """Run the page function ``source`` with ``args`` (JSON); its result, through JSON."""
        reply = self.driver.execute_async_script(CALL % source, json.dumps(args))
        if "error" in reply:
            raise WebDriverException(reply["error"])
        return json.loads(reply["ok"])

    def click(self, css: str, timeout_s: float = 5.0) -> None:
        """WebDriver's element click: a real mouse click in the middle of the element. As
        Playwright does, an element being laid out or replaced is looked for again, a while."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                element = self.driver.find_element(By.CSS_SELECTOR, css)
                self.driver.execute_script(
                    "arguments[0].scrollIntoView({block: 'center'})", element
                )
                element.click()
                return
            except (ElementNotInteractableException, StaleElementReferenceException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def resize(self, width: int, height: int) -> None:
        """Make the page's viewport ``width`` x ``height`` (the window is a little larger)."""
        for _ in range(3):
            inner_w, inner_h = self.driver.execute_script("return [innerWidth, innerHeight]")
            if (inner_w, inner_h) == (width, height):
                return
            size = self.driver.get_window_size()
            self.driver.set_window_size(
                size["width"] + width - inner_w, size["height"] + height - inner_h
            )
            time.sleep(0.2)  # the page hears of its new size a moment later
        raise AssertionError(f"the window would not give the page {width}x{height}")

    def screenshot(self, path: Path) -> None:
        self.driver.save_screenshot(str(path))
