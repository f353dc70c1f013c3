"""The therapist's cockpit in Chromium: the live area in one screen, keys that never misfire,
the countdown, Start and End session asking first, no axe violations; screenshots."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.a11y import axe_violations
from tests.browser.harness import collect_errors, open_panel, open_room

SHOTS = Path("/tmp/shots-cockpit")  # noqa: S108 - where the brief asks for the screenshots
LIVE = ("#setbar", "#mirror-frame", "#call .videos")


def context(browser, width, height):
    return browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)


@pytest.fixture(scope="module")
def room(browser, server):
    """A panel at 1280×720 with a client in the session."""
    panel_ctx = context(browser, 1280, 720)
    client_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_room(panel, client, server, "cockpit@example.org")
    panel.wait_for_selector("#client-presence[data-status=connected]")
    yield {"panel": panel, "client": client, "errors": errors}
    assert not errors
    panel_ctx.close()
    client_ctx.close()


def in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    return (
        box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= view["height"]
        and box["x"] + box["width"] <= view["width"]
    )


def rev(page) -> int:
    return int(page.get_attribute("#panel", "data-rev"))


def stop_set(panel):
    panel.click("#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=5000)


def test_the_live_area_fits_without_scrolling_at_1280x720(room):
    panel = room["panel"]
    assert panel.evaluate("() => window.scrollY") == 0
    for selector in LIVE:
        assert in_viewport(panel, selector), selector
    # scrolled down to the controls, the set bar is still in view
    panel.locator("#record").scroll_into_view_if_needed()
    assert panel.evaluate("() => window.scrollY") > 0
    assert in_viewport(panel, "#setbar")
    panel.evaluate("() => window.scrollTo(0, 0)")


def test_space_after_clicking_start_stops_rather_than_pressing_start_again(room):
    panel = room["panel"]
    panel.fill("#c-set_passes", "0")  # until stopped
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]")
    assert panel.evaluate("() => document.activeElement.id") != "start"
    panel.keyboard.press(" ")  # the shortcut: stop, not a second Start (which would keep running)
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=5000)


def test_shortcuts_work_after_clicking_elsewhere_but_not_while_typing(room):
    panel = room["panel"]
    panel.click("#c-sound_on")  # a checkbox clicked with the mouse keeps no focus
    panel.click("#c-sound_on")
    panel.keyboard.press("3")
    panel.wait_for_function("() => document.getElementById('c-pattern').value === 'diagonal_down'")
    panel.click("#make-link")  # a button
    panel.keyboard.press("1")
    panel.wait_for_function("() => document.getElementById('c-pattern').value === 'horizontal'")
    panel.wait_for_timeout(300)  # the path's change has come back from the server
    before = rev(panel)
    panel.click("#record textarea[name=notes]")
    panel.keyboard.type("2 ps ")
    panel.wait_for_timeout(300)  # any stray shortcut would have reached the server by now
    assert panel.input_value("#c-pattern") == "horizontal"
    assert panel.text_content("#run-state") == "Stopped"
    assert rev(panel) == before
    assert panel.input_value("#record textarea[name=notes]").endswith("2 ps ")


def test_question_mark_shows_the_shortcuts(room):
    panel = room["panel"]
    panel.click("h1")
    panel.keyboard.press("?")
    panel.wait_for_selector("#keys-dialog[open]")
    assert "Start or stop the set" in panel.text_content("#keys-dialog")
    assert axe_violations(panel) == []
    panel.keyboard.press("Escape")
    panel.wait_for_selector("#keys-dialog", state="hidden")


def test_the_countdown_matches_the_planned_end(room):
    panel = room["panel"]
    panel.select_option("#c-set_unit", "seconds")
    panel.fill("#c-set_seconds", "4")
    panel.wait_for_function("() => document.getElementById('set-timer').textContent === '0:04'")
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]")
    assert panel.text_content("#timer-label") == "Time left"
    left_ms = float(panel.get_attribute("#set-timer", "data-left-ms"))
    read_at = time.monotonic()
    shown = panel.text_content("#set-timer")
    assert shown in ("0:05", "0:04")  # 4 passes from the centre: 4.5 s
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=8000)
    took_ms = (time.monotonic() - read_at) * 1000
    # the set stops (server-planned end, the 4 passes at 1 pass/s) when the countdown said
    assert took_ms == pytest.approx(left_ms, abs=1000)
    panel.select_option("#c-set_unit", "passes")
    panel.fill("#c-set_passes", "24")


def test_the_panel_has_no_axe_violations(room):
    panel = room["panel"]
    panel.wait_for_timeout(300)
    assert axe_violations(panel) == []


def test_start_with_no_client_asks_first_and_cancel_starts_nothing(browser, server):
    ctx = context(browser, 1280, 720)
    panel = ctx.new_page()
    errors = collect_errors(panel)
    open_panel(panel, server, "cockpit-alone@example.org")
    before = rev(panel) if panel.get_attribute("#panel", "data-rev") else -1
    panel.click("#start")
    panel.wait_for_selector("#ask-first[open]")
    assert "not connected" in panel.text_content("#ask-first")
    assert panel.text_content("#ask-first h2") == "Start the set?"
    assert panel.evaluate("() => document.activeElement.textContent") == "Cancel"
    panel.click("#ask-first button[value=cancel]")
    panel.wait_for_selector("#ask-first", state="hidden")
    panel.wait_for_timeout(300)
    assert panel.text_content("#run-state") == "Stopped"
    assert (rev(panel) if panel.get_attribute("#panel", "data-rev") else -1) == before
    panel.click("#start")
    panel.click("#ask-first button[value=ok]")
    panel.wait_for_selector("#run-state[data-state=running]")
    stop_set(panel)
    assert not errors
    ctx.close()


def test_end_session_asks_then_lands_on_the_summary(browser, server):
    ctx = context(browser, 1280, 720)
    panel = ctx.new_page()
    open_panel(panel, server, "cockpit-end@example.org")
    panel.click("#end-session")
    panel.wait_for_selector("#end-dialog[open]")
    panel.click("#end-dialog button[value=cancel]")
    panel.wait_for_selector("#end-dialog", state="hidden")
    assert "/summary" not in panel.url
    panel.click("#end-session")
    panel.click("#end-dialog button[type=submit]")
    panel.wait_for_url("**/summary")
    assert "Here is its summary" in panel.text_content("main")
    ctx.close()


@pytest.mark.parametrize("width,height", [(1440, 900), (1280, 720), (1024, 768)])
def test_screenshots(browser, server, width, height):
    SHOTS.mkdir(exist_ok=True)
    panel_ctx = context(browser, width, height)
    client_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_room(panel, client, server, f"cockpit-{width}@example.org")
    panel.wait_for_selector("#client-presence[data-status=connected]")
    panel.fill("#c-set_passes", "0")
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]")
    panel.evaluate("() => window.scrollTo(0, 0)")  # filling the set length scrolled to it
    panel.screenshot(path=str(SHOTS / f"panel-{width}x{height}.png"))
    for selector in LIVE:
        assert in_viewport(panel, selector), (selector, width)
    panel.screenshot(path=str(SHOTS / f"panel-{width}x{height}-full.png"), full_page=True)
    stop_set(panel)
    panel_ctx.close()
    client_ctx.close()
