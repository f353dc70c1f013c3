"""The client's screen in Chromium: crisp on high-DPI, right after resize and rotation."""

from __future__ import annotations

import pytest

from tests.browser.harness import follow_link, make_link, open_panel


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
