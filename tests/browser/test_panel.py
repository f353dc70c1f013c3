"""The therapist's panel in Chromium: presets, keyboard, pause, what it shows of the client."""

from __future__ import annotations

import pytest

from tests.browser.harness import collect_errors, open_room, wait_until


@pytest.fixture(scope="module")
def room_pages(browser, server):
    """A therapist's panel and a joined client page, each in its own browser context."""
    therapist_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    client_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    panel, client = therapist_ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_room(panel, client, server, "panel-therapist@example.org")
    yield {"panel": panel, "client": client, "errors": errors}
    assert not errors
    therapist_ctx.close()
    client_ctx.close()


def revision(page) -> int:
    """The newest state rev the client page has applied."""
    return int(page.evaluate("() => document.body.dataset.rev || -1"))


def test_the_panel_shows_the_clients_screen_and_shapes_the_mirror_like_it(room_pages):
    panel = room_pages["panel"]
    panel.wait_for_selector("#client-presence[data-status=connected]")
    text = panel.text_content("#client-presence")
    assert "390×844" in text and "page visible" in text and "sound off" in text
    frame = panel.locator("#mirror-frame").bounding_box()  # the client's whole screen
    assert frame["width"] / frame["height"] == pytest.approx(390 / 844, rel=0.02)
    # the stage where the client's is: the whole width, above the client's dock
    client = room_pages["client"]
    stage = client.locator("#stage").bounding_box()
    mirror = panel.locator("#mirror").bounding_box()
    assert mirror["width"] / frame["width"] == pytest.approx(stage["width"] / 390, abs=0.02)
    assert mirror["height"] / frame["height"] == pytest.approx(stage["height"] / 844, abs=0.02)
    dock = panel.locator("#mirror-frame [data-part=dock]").bounding_box()
    assert dock["y"] == pytest.approx(mirror["y"] + mirror["height"], abs=2)

    room_pages["client"].click("#enable-sound")
    panel.wait_for_selector("#client-presence:has-text('sound on')")


def test_presets_are_saved_reordered_and_applied(room_pages):
    panel = room_pages["panel"]
    panel.select_option("#c-pattern", "circle")
    panel.fill(".preset-save input[name=name]", "Circle")
    panel.click(".preset-save button")
    panel.wait_for_selector(".preset-list li:has-text('Circle')")
    panel.select_option("#c-pattern", "vertical")
    panel.fill(".preset-save input[name=name]", "Vertical")
    panel.click(".preset-save button")
    panel.wait_for_selector(".preset-list li:nth-child(2):has-text('Vertical')")

    panel.click("button[aria-label='Move Vertical up']")
    panel.wait_for_selector(".preset-list li:nth-child(1):has-text('Vertical')")
    panel.click("button[aria-label='Use for new sessions']>>nth=1")
    panel.wait_for_selector(".preset-list li:has-text('Circle (default)')")

    rev = revision(room_pages["client"])
    panel.click("button[aria-label='Apply Circle']")
    wait_until(lambda: revision(room_pages["client"]) > rev)
    wait_until(lambda: panel.input_value("#c-pattern") == "circle")

    # deleting asks first in the panel's own dialog: Cancel keeps the preset, OK deletes it
    panel.click("button[aria-label='Delete Vertical']")
    assert panel.text_content("#ask-first h2") == "Delete the preset “Vertical”?"
    assert panel.evaluate("() => document.activeElement.value") == "cancel"
    panel.click("#ask-first button[value=cancel]")
    assert panel.locator(".preset-list li").count() == 2
    panel.click("button[aria-label='Delete Vertical']")
    panel.click("#ask-first button[value=ok]")
    panel.wait_for_selector(".preset-list li:has-text('Vertical')", state="detached")


def test_keyboard_starts_pauses_and_changes_speed_and_path(room_pages):
    panel = room_pages["panel"]
    panel.click("h1")  # focus the page, not a control
    before = float(panel.input_value("#c-speed_pps"))
    panel.keyboard.press("ArrowUp")
    panel.keyboard.press("2")
    panel.keyboard.press(" ")
    panel.wait_for_selector("#run-state[data-state=running]")
    assert float(panel.input_value("#c-speed_pps")) == pytest.approx(before + 0.1)
    assert panel.input_value("#c-pattern") == "vertical"
    panel.keyboard.press("p")
    panel.wait_for_selector("#run-state[data-state=paused]")
    assert panel.text_content("#start") == "Resume"
    panel.keyboard.press("p")
    panel.wait_for_selector("#run-state[data-state=running]")
    panel.keyboard.press(" ")
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=5000)
