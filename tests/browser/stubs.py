"""Init scripts that make Chromium behave like the engines whose gaps the client's page must
survive (WebKit, iPhone Safari, Firefox without an audio output, a browser without WebRTC):
each takes away or tightens one API before the page's scripts run (page.add_init_script)."""

from __future__ import annotations

import os
from pathlib import Path

# iPhone Safari: no element full screen, neither the standard nor the webkit-prefixed one.
NO_FULLSCREEN = """
delete Element.prototype.requestFullscreen;
delete Element.prototype.webkitRequestFullscreen;
"""

# Older Safari on a Mac or an iPad: only the webkit-prefixed full screen, its calls recorded.
WEBKIT_FULLSCREEN_ONLY = """
window.__webkitFullscreen = 0;
const prefixed = Element.prototype.webkitRequestFullscreen;
delete Element.prototype.requestFullscreen;
Element.prototype.webkitRequestFullscreen = function () {
  window.__webkitFullscreen += 1;
  prefixed.call(this);  // no promise, as in Safari
};
"""

# WebKit's Screen Wake Lock: granted only in a user gesture (a tap), refused otherwise with
# NotAllowedError. A gesture is a user activation (navigator.userActivation.isActive) while a
# real tap or key press is being handled: Playwright's page.evaluate() counts as a user
# activation itself, so isActive alone would let a test's own scripts through.
# window.__wake records "request" (granted), "refused" and "release";
# window.__browserReleases() lets every held lock go, as a browser does when the page is hidden.
STRICT_WAKE_LOCK = """
window.__wake = [];
let inTap = false;
for (const name of ["click", "keydown"]) {
  window.addEventListener(name, (event) => {
    if (!event.isTrusted) return;
    inTap = true;
    setTimeout(() => { inTap = false; }, 0);
  }, true);
}
const held = new Set();
window.__browserReleases = () => {
  for (const lock of [...held]) lock.__end();
};
Object.defineProperty(navigator, "wakeLock", { configurable: true, value: {
  request: (type) => {
    if (!(inTap && navigator.userActivation.isActive)) {
      window.__wake.push("refused");
      return Promise.reject(new DOMException("not in a user gesture", "NotAllowedError"));
    }
    const listeners = [];
    const lock = { type, released: false,
      addEventListener: (name, fn) => { if (name === "release") listeners.push(fn); },
      __end: () => { if (lock.released) return; lock.released = true; held.delete(lock);
                     window.__wake.push("release"); listeners.forEach((fn) => fn()); },
      release: async () => lock.__end() };
    held.add(lock);
    window.__wake.push("request:" + type);
    return Promise.resolve(lock);
  } } });
"""

NO_WAKE_LOCK = "delete Navigator.prototype.wakeLock;"

# Firefox with no audio output: AudioContext.resume() never settles and the context stays
# suspended, while window.__audioHangs is true; then it starts as usual. The page's tones are
# counted in window.__tones (sources started on a real-time AudioContext).
HANGING_AUDIO = """
window.__audioHangs = true;
window.__tones = 0;
const realResume = AudioContext.prototype.resume;
AudioContext.prototype.resume = function () {
  return window.__audioHangs ? new Promise(() => {}) : realResume.call(this);
};
const realState = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, "state").get;
Object.defineProperty(AudioContext.prototype, "state", { configurable: true,
  get() { return window.__audioHangs ? "suspended" : realState.call(this); } });
const realStart = AudioScheduledSourceNode.prototype.start;
AudioScheduledSourceNode.prototype.start = function (...args) {
  if (this.context instanceof AudioContext) window.__tones += 1;
  return realStart.apply(this, args);
};
"""

# A browser without WebRTC (WebKitGTK built without it, an old in-app browser).
NO_RTC = """
delete window.RTCPeerConnection;
delete window.webkitRTCPeerConnection;
"""

# Safari before 14.1: no StereoPannerNode (the tones' pan falls back to two merged gains).
NO_STEREO_PANNER = "delete window.StereoPannerNode;"


# Where the client tests keep their screenshots of the changed states, for a person to look at.
SHOTS = os.environ.get("CLIENT_SHOTS")
# Do the boxes of two elements (CSS selectors) overlap?
OVERLAP = """([a, b]) => {
  const r = (sel) => document.querySelector(sel).getBoundingClientRect();
  const x = r(a), y = r(b);
  return x.left < y.right && y.left < x.right && x.top < y.bottom && y.top < x.bottom;
}"""


def shoot(page, tmp_path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))
