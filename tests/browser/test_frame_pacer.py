"""A slow device keeps the target smooth: when frames come late while the target moves, the
stage is drawn with fewer pixels (static/js/pacer.js), never fewer than one per CSS pixel; a
device that keeps up stays at its full resolution."""

from __future__ import annotations

import pytest

from tests.browser.harness import follow_link, make_link, open_panel, pass_checks

# Feeds FramePacer frame times: `frames` intervals in ms, while moving or not; what tick said.
FEED = """async ({intervals, moving}) => {
  const { FramePacer } = await import("/static/js/pacer.js");
  const pacer = new FramePacer();
  let t = 1000;
  const said = [pacer.tick(t, moving)];
  for (const ms of intervals) { t += ms; said.push(pacer.tick(t, moving)); }
  return said.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
}"""


def steady(n, ms=1000 / 60):
    return [ms] * n


@pytest.fixture(scope="module")
def page(browser, server):
    page = browser.new_page()
    page.goto(server.url + "/login")
    yield page
    page.close()


def test_a_device_that_keeps_up_is_never_told_to_draw_less(page):
    assert page.evaluate(FEED, {"intervals": steady(600), "moving": True}) == []
    # a 120 Hz display, and the browser's own 30 Hz (a page with a video call): each is steady
    assert page.evaluate(FEED, {"intervals": steady(600, 1000 / 120), "moving": True}) == []
    assert page.evaluate(FEED, {"intervals": steady(600, 1000 / 30), "moving": True}) == []


def test_more_than_four_late_frames_in_a_window_ask_for_fewer_pixels_at_once(page):
    late5 = steady(100) + [40, 16.7] * 5  # the fifth late frame: said at once
    assert page.evaluate(FEED, {"intervals": late5, "moving": True}) == [109]
    # four in a window (a pause for garbage now and then), twice over: let be
    late4 = steady(150) + [40] * 4 + steady(146)
    assert page.evaluate(FEED, {"intervals": late4 + late4, "moving": True}) == []
    # a frame one and a half display intervals late is late; 1.4 is not
    assert page.evaluate(FEED, {"intervals": steady(50) + [25.5] * 5, "moving": True}) == [55]
    assert page.evaluate(FEED, {"intervals": steady(50) + [23] * 10, "moving": True}) == []
    # each time the count starts again: a device still too slow is told again
    slow = (steady(10) + [40] * 5) * 2
    assert page.evaluate(FEED, {"intervals": slow, "moving": True}) == [15, 30]


def test_only_frames_while_the_target_moves_are_judged(page):
    slow = [50] * 120
    assert page.evaluate(FEED, {"intervals": slow, "moving": False}) == []


def test_a_slowed_phone_draws_the_stage_with_fewer_pixels_and_keeps_its_frames(browser, server):
    """The CPU slowed 12 times (DevTools): at the phone's 2 device pixels per CSS pixel the
    canvas cannot be drawn every frame; the page lowers its scale, never under 1, and the
    backing store follows it."""
    panel_ctx = browser.new_context()
    panel = panel_ctx.new_page()
    open_panel(panel, server, "pacer-therapist@example.org")
    link = make_link(panel)
    ctx = browser.new_context(
        viewport={"width": 844, "height": 390}, device_scale_factor=2, is_mobile=True
    )
    client = ctx.new_page()
    follow_link(client, link)
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    pass_checks(client)
    assert client.get_attribute("#stage", "data-scale") == "2"
    cdp = ctx.new_cdp_session(client)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 12})
    panel.fill("#c-set_passes", "0")  # until stopped
    panel.locator("#c-speed_pps").fill("4")
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]", timeout=30_000)
    client.wait_for_function(
        "() => Number(document.getElementById('stage').dataset.scale) < 2",
        polling=500,
        timeout=30_000,
    )
    canvas = client.evaluate(
        """() => { const c = document.getElementById("stage");
                   return { w: c.width, cssW: c.getBoundingClientRect().width,
                            scale: Number(c.dataset.scale) }; }"""
    )
    assert canvas["scale"] >= 1 and canvas["scale"] < 2  # lowered, never under one
    assert abs(canvas["w"] - canvas["cssW"] * canvas["scale"]) <= 1
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    panel.click("#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]")
    ctx.close()
    panel_ctx.close()
