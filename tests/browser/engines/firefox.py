"""Debian's Firefox ESR as the client's browser, driven over WebDriver BiDi (no geckodriver):
headless, with its own profile, a fake camera and microphone, and sound into a null sink."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

from .bidi import BiDi, BiDiError
from .desktop import require, stop, wait_for

FIREFOX = os.environ.get("FIREFOX", "firefox-esr")
# On top of what Firefox sets itself when remote control is on (no first-run pages, no
# updates): a fake camera and microphone used without asking, as a client who said yes.
# Autoplay stays as shipped: the page's sound must start from the client's tap.
PREFS = {
    "media.navigator.permission.disabled": True,
    "media.navigator.streams.fake": True,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "browser.aboutwelcome.enabled": False,
    "browser.tabs.warnOnClose": False,
}
# A page function's source, called with JSON arguments; its result comes back as JSON. The
# browser compiles it (the page's CSP, which forbids eval, does not apply to WebDriver).
CALL = """async function (argsJson) {
  const result = await (%s)(...JSON.parse(argsJson));
  return JSON.stringify(result === undefined ? null : result);
}"""


class Firefox:
    """One headless Firefox with one tab: ``errors`` gathers its script and console errors."""

    name = "firefox"

    def __init__(self, tmp: Path, pulse_server: str):
        binary = require(FIREFOX, "firefox-esr")
        profile = tmp / "profile"
        profile.mkdir()
        (profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())
        )
        self.log = tmp / "firefox.log"
        self.log_file = open(self.log, "w")  # noqa: SIM115
        env = {
            **os.environ,
            "PULSE_SERVER": pulse_server,
            "MOZ_HEADLESS_WIDTH": "1280",  # room for a phone held upright or sideways
            "MOZ_HEADLESS_HEIGHT": "1024",
            "HOME": str(tmp),
        }
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-remote", "--profile", str(profile)]
            + ["--remote-debugging-port=0", "about:blank"],
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            url = wait_for(self._listening, 60, "Firefox's WebDriver BiDi")
        except BaseException:
            stop(self.proc, self.log_file)
            raise
        self.bidi = BiDi(url + "/session")
        self.bidi.send("session.new", {"capabilities": {}})
        self.context = self.bidi.send("browsingContext.getTree", {"maxDepth": 0})["contexts"][0][
            "context"
        ]
        self.errors: list[str] = []
        self.bidi.on("log.entryAdded", self._logged)
        self.bidi.send("session.subscribe", {"events": ["log.entryAdded"]})

    def _listening(self) -> str | None:
        assert self.proc.poll() is None, self.log.read_text()
        found = re.search(r"WebDriver BiDi listening on (ws://\S+)", self.log.read_text())
        return found and found.group(1)

    def _logged(self, entry: dict) -> None:
        if entry.get("level") == "error":
            self.errors.append(f"{entry.get('type')}: {entry.get('text')}")

    def close(self) -> None:
        with contextlib.suppress(BiDiError):
            self.bidi.send("session.end", timeout_s=5)
        self.bidi.close()
        stop(self.proc, self.log_file)

    # What the flow asks of every engine's page.

    def watch(self) -> None:
        """Nothing to do: log.entryAdded hears every page from the start."""

    def goto(self, url: str) -> None:
        self.bidi.send(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    def call(self, source: str, *args):
        """Run the page function ``source`` with ``args`` (JSON); its result, through JSON."""
        reply = self.bidi.send(
            "script.callFunction",
            {
                "functionDeclaration": CALL % source,
                "target": {"context": self.context},
                "arguments": [{"type": "string", "value": json.dumps(args)}],
                "awaitPromise": True,
                "resultOwnership": "none",
            },
        )
        if reply["type"] == "exception":
            raise BiDiError(reply["exceptionDetails"]["text"])
        return json.loads(reply["result"]["value"])

    def click(self, css: str, timeout_s: float = 5.0) -> None:
        """A real mouse click in the middle of the element (a user's gesture). As Playwright
        does, an element that is not yet where it can be clicked (being laid out, or replaced
        by the page) is looked for again, for a while."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._click_once(css)
                return
            except BiDiError as exc:
                transient = any(word in str(exc) for word in ("out of bounds", "no such node"))
                if not transient or time.monotonic() > deadline:
                    raise BiDiError(f"clicking {css}: {exc}") from exc
                time.sleep(0.1)

    def _click_once(self, css: str) -> None:
        nodes = self.bidi.send(
            "browsingContext.locateNodes",
            {"context": self.context, "locator": {"type": "css", "value": css}, "maxNodeCount": 1},
        )["nodes"]
        assert nodes, f"nothing matches {css}"
        element = {"sharedId": nodes[0]["sharedId"]}
        self.bidi.send(
            "script.callFunction",
            {
                "functionDeclaration": "(el) => el.scrollIntoView({block: 'center'})",
                "target": {"context": self.context},
                "arguments": [element],
                "awaitPromise": False,
            },
        )
        pointer = [
            {
                "type": "pointerMove",
                "x": 0,
                "y": 0,
                "origin": {"type": "element", "element": element},
            },
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        self.bidi.send(
            "input.performActions",
            {
                "context": self.context,
                "actions": [{"type": "pointer", "id": "mouse", "actions": pointer}],
            },
        )

    def resize(self, width: int, height: int) -> None:
        self.bidi.send(
            "browsingContext.setViewport",
            {"context": self.context, "viewport": {"width": width, "height": height}},
        )

    def screenshot(self, path: Path) -> None:
        data = self.bidi.send("browsingContext.captureScreenshot", {"context": self.context})
        path.write_bytes(base64.b64decode(data["data"]))
