"""The client's screen in Chromium: crisp on high-DPI, right after resize and rotation; full
screen where the browser has it (standard or webkit-prefixed), and where it has none (iPhone
Safari) the steps to add the page to the Home Screen."""

from __future__ import annotations

import pytest

from tests.browser.a11y import axe_violations
from tests.browser.harness import collect_errors, follow_link, make_link, open_panel, pass_checks
from tests.browser.stubs import NO_FULLSCREEN, OVERLAP, WEBKIT_FULLSCREEN_ONLY, shoot


@pytest.fixture(scope="module")
def panel(browser, server):
    """The therapist's panel of an open session."""
    ctx = browser.new_context()
    panel = ctx.new_page()
    open_panel(panel, server, "screen-therapist@example.org")
    yield panel
    ctx.close()


@pytest.fixture
def join_url(panel):
    """A fresh join link (each link works once)."""
    return make_link(panel)


def canvas_size(page) -> dict:
    return page.evaluate(
        """() => { const c = document.getElementById("stage");
                   const r = c.getBoundingClientRect();
                   return {w: c.width, h: c.height, cssW: r.width, cssH: r.height}; }"""
    )


def test_the_canvas_is_drawn_at_device_resolution_on_a_high_dpi_phone(browser, join_url):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    page = ctx.new_page()
    follow_link(page, join_url)
    page.wait_for_selector("#connection[data-status=connected]")
    size = canvas_size(page)
    dock = page.locator("#dock").bounding_box()
    # the whole width, and the height the dock below it leaves
    assert size["cssW"] == 390 and size["cssH"] == 844 - dock["height"] > 844 / 2
    assert (size["w"], size["h"]) == (1170, round(3 * size["cssH"]))  # one per device pixel
    ctx.close()


def test_the_canvas_follows_a_resize_and_a_rotation(browser, join_url):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = ctx.new_page()
    follow_link(page, join_url)
    page.wait_for_selector("#connection[data-status=connected]")
    page.set_viewport_size({"width": 844, "height": 390})  # turned to landscape
    page.wait_for_timeout(300)
    size = canvas_size(page)
    dock = page.locator("#dock").bounding_box()
    # the whole height, and the width the dock beside it leaves
    assert size["cssH"] == 390 and size["cssW"] == 844 - dock["width"] > 844 / 2
    assert (size["w"], size["h"]) == (round(2 * size["cssW"]), 780)
    ctx.close()


# Where the canvas is not the background (CSS px): the target, and anything left behind by it.
NOT_BACKGROUND = """([bg]) => new Promise((resolve) => requestAnimationFrame(() => {
  const c = document.getElementById("stage");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const dpr = c.width / c.getBoundingClientRect().width;
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let p = 0, px = 0; p < d.length; p += 4, px += 1) {
    if (d[p] !== bg[0] || d[p + 1] !== bg[1] || d[p + 2] !== bg[2]) {
      const x = px % c.width, y = Math.floor(px / c.width);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  const r = c.getBoundingClientRect();
  resolve({ w: (x1 - x0 + 1) / dpr, h: (y1 - y0 + 1) / dpr, side: Math.min(r.width, r.height) });
}))"""


@pytest.mark.parametrize("shape", ["circle", "square", "star", "glow"])
def test_the_moving_target_leaves_nothing_behind(browser, panel, join_url, shape):
    """Nothing of the target stays behind it, not a shade, also where CSS pixels fall between
    device pixels (the whole canvas is painted again each frame: a frame that paints over only
    where the target was must keep it so)."""
    ctx = browser.new_context(viewport={"width": 900, "height": 600}, device_scale_factor=2.625)
    page = ctx.new_page()
    follow_link(page, join_url)
    page.wait_for_selector("#connection[data-status=connected]", state="attached")
    pass_checks(page)
    panel.select_option("#c-shape", shape)
    panel.select_option("#c-pattern", "figure8")
    panel.fill("#c-set_passes", "0")  # until stopped
    panel.locator("#c-speed_pps").fill("4")
    panel.click("#start")
    page.wait_for_selector("body[data-moving=true]")
    reach = 1.5 if shape == "glow" else 1.0  # the glow's halo, in target radii
    for _ in range(8):
        page.wait_for_timeout(120)
        box = page.evaluate(NOT_BACKGROUND, [[0x10, 0x18, 0x20]])  # the default background
        diameter = 2 * reach * box["side"] * 0.05 / 2  # the default size: 5% of the short side
        assert 0 < box["w"] <= diameter + 2 and 0 < box["h"] <= diameter + 2, (box, diameter)
    panel.click("#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]")


def open_client(browser, join_url, script: str, size=(390, 844)):
    ctx = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,  # axe-core arrives as an inline script
    )
    ctx.add_init_script(script)
    page = ctx.new_page()
    errors = collect_errors(page)
    follow_link(page, join_url)
    page.wait_for_selector("#connection[data-status=connected]")
    pass_checks(page)
    return ctx, page, errors


def test_without_full_screen_the_button_shows_how_to_add_the_page_to_the_home_screen(
    browser, panel, join_url, tmp_path
):
    ctx, client, errors = open_client(browser, join_url, NO_FULLSCREEN)
    button = client.locator("#fullscreen")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    panel.wait_for_selector("#client-presence [data-ind=fullscreen]:has-text('Home Screen')")
    button.tap()
    help_card = client.locator("#home-screen-help")
    help_card.wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    assert client.evaluate("document.activeElement.id") == "home-screen-help"
    text = help_card.text_content()
    assert "Share" in text and "Add to Home Screen" in text and "Home Screen" in text
    for size, name in (
        ((390, 844), "iphone-home-screen-steps"),
        ((844, 390), "iphone-home-screen-steps-landscape"),
    ):
        client.set_viewport_size({"width": size[0], "height": size[1]})
        client.wait_for_timeout(300)
        assert not client.evaluate(OVERLAP, ["#home-screen-help", "#stage"])
        assert axe_violations(client) == []
        close = client.locator("#home-screen-help [data-help=close]").bounding_box()
        assert close["width"] >= 44 and close["height"] >= 44
        shoot(client, tmp_path, name)
    client.click("#home-screen-help [data-help=close]")
    assert help_card.is_hidden() and button.get_attribute("aria-expanded") == "false"
    assert client.evaluate("document.activeElement.id") == "fullscreen"
    assert not errors
    ctx.close()


def test_a_webkit_only_browser_goes_full_screen_with_the_prefixed_call(browser, panel, join_url):
    ctx, client, errors = open_client(browser, join_url, WEBKIT_FULLSCREEN_ONLY, (844, 390))
    client.click("#fullscreen")
    client.wait_for_selector("#fullscreen", state="hidden")
    assert client.evaluate("window.__webkitFullscreen") == 1
    assert client.evaluate("document.webkitFullscreenElement === document.documentElement")
    assert client.is_hidden("#home-screen-help")
    panel.wait_for_selector("#client-presence [data-ind=fullscreen][data-ok=true]")
    client.evaluate("document.webkitExitFullscreen()")
    client.wait_for_selector("#fullscreen")  # out of full screen: the button is back
    assert not errors
    ctx.close()


def test_a_page_opened_from_the_home_screen_needs_no_full_screen_button(browser, panel, join_url):
    ctx, client, errors = open_client(
        browser,
        join_url,
        NO_FULLSCREEN + "Object.defineProperty(navigator, 'standalone', { value: true });",
    )
    assert client.is_hidden("#fullscreen")
    panel.wait_for_selector("#client-presence [data-ind=fullscreen][data-ok=true]")
    assert not errors
    ctx.close()
