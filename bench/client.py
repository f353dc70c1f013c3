"""The client's page on a slow phone: what it downloads, how soon it draws, how smoothly it runs.

The real server (wsgi.py on eventlet), the therapist's panel unslowed, and the client's page in
a phone-sized window of Chromium slowed through the DevTools protocol: the CPU 4 times slower
(Emulation.setCPUThrottlingRate, from the link's opening on) and the network shaped as a slow
mobile link (Network.emulateNetworkConditions: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s
up), with a fake camera and microphone so the video call is on during the sets. One JSON line:

- transfer_kb: every HTTP response the client's browser received, compressed as served
  (Network.loadingFinished encodedDataLength, headers included), from opening the join link
  (the welcome page) to the first frame of the target drawn in the room, cold cache; requests:
  how many. Socket.IO's WebSocket frames are not HTTP responses and are not counted.
- first_frame_ms: the join link opened to the first frame of the target drawn on the room's
  stage, without the time the client spends reading the welcome page: the welcome page's load
  (navigation start to its load event, when Continue works) plus room_first_frame_ms, from
  pressing Continue (the room's navigation start) to the stage canvas's first draw (the
  checks' card covers that frame until the checks are done). Continue is pressed READ_S after
  the welcome page loaded, as a person reads its three lines.
- revisit_transfer_kb, revisit_first_frame_ms: the room opened again in the same browser (a
  reload, a return after a drop), warm cache.
- display_hz: frames per second the browser offers an idle, unslowed page (the baseline).
- frames_delivered_pct_4x, _6x: frames the client's stage drew during a 20-second set at 4
  passes per second with the video call on (both sides joined), in % of the frames the display
  offered in that time (the set's duration times display_hz); the CPU slowed 4 and 6 times.
  frames_delivered_pct_1x: the same set with the CPU not slowed, the baseline of this run (on a
  shared, busy machine it is below 100 too).
- long_tasks_4x (and _1x, _6x): main-thread tasks over 50 ms (PerformanceObserver "longtask")
  during the set; long_task_ms_max_4x, the longest.
- cpu_pct (at 4x), cpu_pct_1x, cpu_pct_6x: the CPU time of the client page's renderer process
  (all its threads; DevTools Performance.getMetrics ProcessTime) over the set's wall time, in %
  of one core of this machine.
- main_thread_busy_pct_4x: the share of wall time the page's main thread ran tasks during the
  set at 4x (Performance.getMetrics TaskDuration: with the CPU slowed, the slowed time), in %
  of the slowed phone's main thread.
- stage_scale_1x, _4x, _6x: device pixels per CSS pixel of the stage's canvas at the end of each
  set (the phone's ratio is 2; the page draws fewer when its frames come late, pacer.js).
- frame_cpu_ms_1x: the main thread's CPU time (ThreadTime) per frame drawn during the set with
  the CPU not slowed: the page's own cost of a frame, which a busy machine hardly changes.

Run: `.venv/bin/python bench/client.py` (or `make bench`). `--json-urls` adds the bytes per
URL of the first load.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    make_link,
    open_panel,
    pass_checks,
)
from tests.browser.probe import init_script  # noqa: E402

MEDIA_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
PHONE = {  # a mid-range phone held sideways, as the room asks for a sideways path
    "viewport": {"width": 844, "height": 390},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SLOW_LINK = {  # Lighthouse's "slow 4G": bytes per second
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 750e3 / 8,
}
SET_SECONDS = 20
READ_S = 3  # the welcome page read before pressing Continue
SET_PPS = 4

# When the stage canvas was first drawn (the probe counts its draws), and every long task.
EXTRA_INIT = """
(() => {
  const probe = window.__probe;
  probe.firstDraw = null;
  const setTransform = CanvasRenderingContext2D.prototype.setTransform;
  CanvasRenderingContext2D.prototype.setTransform = function (...args) {
    if (probe.firstDraw === null && this.canvas.id === "stage") probe.firstDraw = performance.now();
    return setTransform.apply(this, args);
  };
  probe.longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
})();
"""

SNAPSHOT = """() => ({ now: performance.now(), draws: window.__probe.draws,
                       longTasks: window.__probe.longTasks.length })"""


class Wire:
    """The bytes of every HTTP response one page received, from DevTools' Network events."""

    def __init__(self, cdp):
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, float] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event):
        self.bytes[event["requestId"]] = event["encodedDataLength"]

    def take(self) -> dict[str, float]:
        """Bytes per URL since the last take (each request once)."""
        got: dict[str, float] = {}
        for rid, size in self.bytes.items():
            url = self.urls.get(rid, "?")
            got[url] = got.get(url, 0) + size
        self.bytes.clear()
        return got


def display_hz(browser) -> float:
    """Frames per second an idle page is offered (rAF callbacks over 2 s)."""
    page = browser.new_page()
    hz = page.evaluate(
        """() => new Promise((resolve) => {
             let n = 0, first = null;
             const tick = (t) => {
               if (first === null) first = t; else n += 1;
               if (t - first < 2000) requestAnimationFrame(tick);
               else resolve(n * 1000 / (t - first));
             };
             requestAnimationFrame(tick);
           })"""
    )
    page.close()
    return hz


def slowed_client(browser, rate: float):
    ctx = browser.new_context(permissions=["camera", "microphone"], **PHONE)
    ctx.add_init_script(init_script())
    ctx.add_init_script(EXTRA_INIT)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    cdp.send("Performance.enable")
    return page, cdp, Wire(cdp)


def first_frame(page) -> float:
    """Milliseconds from the document's navigation start to the stage's first draw."""
    page.wait_for_function(
        "() => window.__probe && window.__probe.firstDraw !== null", polling=100, timeout=60_000
    )
    return page.evaluate("() => window.__probe.firstDraw")


def open_as_client(page, link: str) -> float:
    """Open the join link, read the welcome page READ_S, press Continue; its load time."""
    page.goto(link, wait_until="load", timeout=60_000)
    welcome_ms = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_timeout(READ_S * 1000)
    page.click("#join")
    page.wait_for_url("**/room", timeout=60_000)
    return welcome_ms


def cpu_seconds(cdp) -> dict[str, float]:
    """The page's TaskDuration (main thread, wall), ThreadTime and ProcessTime (CPU) so far."""
    wanted = ("TaskDuration", "ThreadTime", "ProcessTime")
    return {
        m["name"]: m["value"]
        for m in cdp.send("Performance.getMetrics")["metrics"]
        if m["name"] in wanted
    }


def run_set(panel, client, cdp, rate: float, hz: float) -> dict:
    """One set of SET_SECONDS at SET_PPS with the CPU slowed ``rate`` times: what it drew."""
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    client.wait_for_timeout(1000)
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]", timeout=30_000)
    before, cpu0 = client.evaluate(SNAPSHOT), cpu_seconds(cdp)
    client.wait_for_selector(
        "body[data-moving=false]", state="attached", timeout=(SET_SECONDS + 30) * 1000
    )
    after, cpu1 = client.evaluate(SNAPSHOT), cpu_seconds(cdp)
    scale = float(client.get_attribute("#stage", "data-scale"))
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=30_000)
    elapsed_ms = after["now"] - before["now"]
    draws = after["draws"] - before["draws"]
    tasks = client.evaluate(
        "([a, b]) => window.__probe.longTasks.filter(([s]) => s >= a && s <= b)",
        [before["now"], after["now"]],
    )
    return {
        "seconds": elapsed_ms / 1000,
        "frames_pct": 100 * draws / (elapsed_ms * hz / 1000),
        "long_tasks": len(tasks),
        "long_task_ms_max": max((d for _, d in tasks), default=0),
        "cpu_pct": 100 * (cpu1["ProcessTime"] - cpu0["ProcessTime"]) / (elapsed_ms / 1000),
        "busy_pct": 100 * (cpu1["TaskDuration"] - cpu0["TaskDuration"]) / (elapsed_ms / 1000),
        "scale": scale,
        "frame_cpu_ms": 1000 * (cpu1["ThreadTime"] - cpu0["ThreadTime"]) / max(1, draws),
    }


def join_call(panel, client) -> None:
    panel.click("#call [data-call=join]")
    client.click("#call [data-call=join]")
    for page in (panel, client):
        page.wait_for_function(
            """() => { const v = document.querySelector('#call [data-call=remote]');
                       return v && v.srcObject && v.videoWidth > 0; }""",
            polling=250,
            timeout=60_000,
        )


def measure(server, with_urls: bool) -> dict:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
        hz = display_hz(browser)
        panel_ctx = browser.new_context(
            viewport={"width": 1280, "height": 800}, permissions=["camera", "microphone"]
        )
        panel = panel_ctx.new_page()
        open_panel(panel, server, "bench-client@example.org")
        link = make_link(panel)
        panel.select_option("#c-set_unit", "seconds")
        panel.fill("#c-set_seconds", str(SET_SECONDS))
        panel.locator("#c-speed_pps").fill(str(SET_PPS))

        client, cdp, wire = slowed_client(browser, 4)
        welcome_ms = open_as_client(client, link)
        room_ms = first_frame(client)
        first_load = wire.take()
        client.wait_for_selector("#connection[data-status=connected]", state="attached")
        pass_checks(client)
        join_call(panel, client)
        at1 = run_set(panel, client, cdp, 1, hz)
        at4 = run_set(panel, client, cdp, 4, hz)
        at6 = run_set(panel, client, cdp, 6, hz)

        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        wire.take()
        client.goto(server.url + "/room", wait_until="commit", timeout=60_000)
        revisit_ms = first_frame(client)
        revisit = wire.take()
        browser.close()
    figures = {
        "transfer_kb": round(sum(first_load.values()) / 1024, 1),
        "requests": len(first_load),
        "first_frame_ms": round(welcome_ms + room_ms),
        "room_first_frame_ms": round(room_ms),
        "welcome_load_ms": round(welcome_ms),
        "revisit_transfer_kb": round(sum(revisit.values()) / 1024, 1),
        "revisit_first_frame_ms": round(revisit_ms),
        "display_hz": round(hz, 1),
        "set_seconds_4x": round(at4["seconds"], 2),
        "frames_delivered_pct_1x": round(at1["frames_pct"], 2),
        "frames_delivered_pct_4x": round(at4["frames_pct"], 2),
        "frames_delivered_pct_6x": round(at6["frames_pct"], 2),
        "stage_scale_1x": at1["scale"],
        "stage_scale_4x": at4["scale"],
        "stage_scale_6x": at6["scale"],
        "long_tasks_1x": at1["long_tasks"],
        "long_tasks_4x": at4["long_tasks"],
        "long_task_ms_max_4x": round(at4["long_task_ms_max"]),
        "long_tasks_6x": at6["long_tasks"],
        "cpu_pct_1x": round(at1["cpu_pct"], 1),
        "cpu_pct": round(at4["cpu_pct"], 1),
        "cpu_pct_6x": round(at6["cpu_pct"], 1),
        "main_thread_busy_pct_4x": round(at4["busy_pct"], 1),
        "frame_cpu_ms_1x": round(at1["frame_cpu_ms"], 2),
    }
    if with_urls:
        prefix = len(server.url)
        figures["urls"] = {
            u[prefix:] if u.startswith(server.url) else u: round(b)
            for u, b in sorted(first_load.items(), key=lambda kv: -kv[1])
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-urls", action="store_true", help="bytes per URL of the first load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp)).start()
        try:
            figures = measure(server, args.json_urls)
        finally:
            server.stop()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
