"""Nothing ever covers the moving target on the client's screen: on every path, on a phone held
upright and sideways, a tablet and a desktop, with the video call on, the question shown and
the hints up, and in a browser that lacks full screen, sound and WebRTC with its words up, the
target's drawn pixels never meet any other visible element."""

from __future__ import annotations

import pytest

from tests.browser.harness import (
    follow_link,
    make_link,
    open_panel,
    pass_checks,
)
from tests.browser.stubs import HANGING_AUDIO, NO_FULLSCREEN, NO_RTC

VIEWPORTS = {
    "phone": (390, 844),
    "phone-landscape": (844, 390),
    "tablet": (768, 1024),
    "desktop": (1440, 900),
}
PATHS = ["horizontal", "vertical", "diagonal_down", "diagonal_up", "circle", "figure8"]
SAMPLES = 12

# After a frame: the box of the target's pixels (the target colour on the canvas) in page
# coordinates, and every visible element that box meets (the canvas and what holds it aside).
OVERLAP_JS = """
async ([colour]) => {
  await new Promise((r) => requestAnimationFrame(r));
  const canvas = document.getElementById("stage");
  const rect = canvas.getBoundingClientRect();
  const dpr = canvas.width / rect.width;
  const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let p = 0, px = 0; p < d.length; p += 4, px += 1) {
    if (Math.abs(d[p] - colour[0]) < 24 && Math.abs(d[p + 1] - colour[1]) < 24
        && Math.abs(d[p + 2] - colour[2]) < 24) {
      const x = px % canvas.width, y = Math.floor(px / canvas.width);
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return { found: false };
  const box = { left: rect.left + x0 / dpr, top: rect.top + y0 / dpr,
                right: rect.left + (x1 + 1) / dpr, bottom: rect.top + (y1 + 1) / dpr };
  // What of an element shows: its box cut by every ancestor that clips (a scrolled dock's
  // content above its top is out of sight, not over the stage).
  const clips = new Map();
  const clipOf = (el) => {
    if (!el) return { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
    if (clips.has(el)) return clips.get(el);
    const outer = clipOf(el.parentElement);
    const style = getComputedStyle(el);
    let clip = outer;
    if (style.overflowX !== "visible" || style.overflowY !== "visible") {
      const b = el.getBoundingClientRect();
      clip = { left: Math.max(outer.left, b.left), top: Math.max(outer.top, b.top),
               right: Math.min(outer.right, b.right), bottom: Math.min(outer.bottom, b.bottom) };
    }
    clips.set(el, clip);
    return clip;
  };
  const hits = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el === canvas || el.contains(canvas)) continue;
    const style = getComputedStyle(el);
    const clipped = style.clip === "rect(0px, 0px, 0px, 0px)"; // for screen readers only
    if (style.visibility === "hidden" || Number(style.opacity) === 0 || clipped) continue;
    const shown = clipOf(style.position === "fixed" ? null : el.parentElement);
    for (const whole of el.getClientRects()) {
      const r = { left: Math.max(whole.left, shown.left), top: Math.max(whole.top, shown.top),
                  right: Math.min(whole.right, shown.right),
                  bottom: Math.min(whole.bottom, shown.bottom) };
      r.width = r.right - r.left;
      r.height = r.bottom - r.top;
      if (r.width <= 0 || r.height <= 0) continue;
      if (r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top) {
        hits.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
      }
    }
  }
  return { found: true, box, hits };
}
"""
TARGET_RGB = [0x4F, 0xC3, 0xF7]  # the default target colour, #4fc3f7


@pytest.fixture(scope="module")
def panel(media_browser, server):
    ctx = media_browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    open_panel(page, server, "covered-therapist@example.org")
    page.click("[data-call=join]")
    for name, value in {"size": 0.2, "width": 1.0, "speed_pps": 2.0, "set_passes": 0}.items():
        set_control(page, name, value)
    yield page
    ctx.close()


def set_control(panel, name: str, value) -> None:
    panel.evaluate(
        """([name, value]) => {
             const el = document.getElementById(`c-${name}`);
             el.value = String(value);
             el.dispatchEvent(new Event("input", { bubbles: true }));
             el.dispatchEvent(new Event("change", { bubbles: true }));
           }""",
        [name, value],
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_nothing_covers_the_target_on_any_path(media_browser, panel, viewport):
    width, height = VIEWPORTS[viewport]
    ctx = media_browser.new_context(viewport={"width": width, "height": height})
    client = ctx.new_page()
    follow_link(client, make_link(panel))
    client.wait_for_selector("#connection[data-status=connected]")
    pass_checks(client)
    client.wait_for_selector("#call:not([hidden])")
    if not client.is_visible("#call.in-call"):  # back in the call by itself after the last page
        client.click("[data-call=join]")
    client.wait_for_selector("#call.in-call")
    run_every_path(panel, client, viewport, ask=True)
    if height > width and width <= 700:
        assert client.is_hidden("#turn-hint")  # the question is up: it needs the room more
    ctx.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_nothing_covers_the_target_in_a_browser_that_lacks_things(media_browser, panel, viewport):
    """iPhone Safari's Home Screen steps, the sound's failure words and the call tile's "no
    video" words are in the dock, beside the target, like everything else."""
    width, height = VIEWPORTS[viewport]
    ctx = media_browser.new_context(viewport={"width": width, "height": height})
    ctx.add_init_script(NO_FULLSCREEN + HANGING_AUDIO + NO_RTC)
    client = ctx.new_page()
    follow_link(client, make_link(panel))
    client.wait_for_selector("#connection[data-status=connected]")
    pass_checks(client)
    client.click("#enable-sound")
    client.wait_for_selector("#sound-problem", timeout=10000)
    client.click("#fullscreen")
    client.wait_for_selector("#home-screen-help")
    client.wait_for_selector("#call [data-call=error]:visible")
    run_every_path(panel, client, viewport)
    ctx.close()


def run_every_path(panel, client, viewport: str, ask: bool = False) -> None:
    """Run a set on each path; the target's pixels meet nothing else on the client's screen.
    With ``ask``, a question is up during each set (asked once it runs: a set's start
    withdraws a question left from before)."""
    width, height = VIEWPORTS[viewport]
    for path in PATHS:
        panel.select_option("#c-pattern", path)
        panel.click("#start")
        client.wait_for_selector("body[data-moving=true]")
        if ask:
            panel.click("[data-ask=sud]")
            client.wait_for_selector("#question:not([hidden])")
        client.wait_for_timeout(300)  # the set is under way, the layout settled
        xs, ys = [], []
        for _ in range(SAMPLES):
            seen = client.evaluate(OVERLAP_JS, [TARGET_RGB])
            assert seen["found"], f"{viewport} {path}: no target drawn"
            assert seen["hits"] == [], f"{viewport} {path}: the target meets {seen['hits']}"
            xs.append(seen["box"]["left"])
            ys.append(seen["box"]["top"])
            client.wait_for_timeout(80)
        travel = max(max(xs) - min(xs), max(ys) - min(ys))
        assert travel > min(width, height) / 4, f"{viewport} {path}: the target hardly moved"
        panel.click("#stop")
        client.wait_for_selector("body[data-moving=false]")
