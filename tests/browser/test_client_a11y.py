"""axe-core on every state of the client's room (before a set, during one, with the question up,
paused by the client, waiting to be let in, ended; and in a browser that lacks full screen, a
working sound start and WebRTC) at a phone held both ways and a desktop: no violation, and every
control a touch target of at least 44 x 44 CSS pixels."""

from __future__ import annotations

import pytest

from .a11y import axe_violations
from .harness import follow_link, make_link, open_panel, pass_checks
from .stubs import HANGING_AUDIO, NO_FULLSCREEN, NO_RTC

SIZES = {"phone": (390, 844), "phone-landscape": (844, 390), "desktop": (1440, 900)}

# Every control of the page that is on screen, and its size.
CONTROLS_JS = """() => [...document.querySelectorAll(
    "button, select, a[href], .question-scale label")]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
  .map((el) => { const r = el.getBoundingClientRect();
                 return { what: el.id || el.textContent.trim(), w: r.width, h: r.height }; })"""


@pytest.fixture(scope="module")
def room(media_browser, server):
    panel_ctx = media_browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    panel = panel_ctx.new_page()
    open_panel(panel, server, "client-a11y@example.org")
    client_ctx = media_browser.new_context(bypass_csp=True)
    client = client_ctx.new_page()
    follow_link(client, make_link(panel))
    client.wait_for_selector("#connection[data-status=connected]")
    pass_checks(client)
    client.click("[data-call=join]")
    client.wait_for_selector("#call.in-call")
    yield panel, client
    panel_ctx.close()
    client_ctx.close()


def check_everywhere(page, state: str) -> None:
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        assert axe_violations(page) == [], f"{state} at {name}"
        small = [c for c in page.evaluate(CONTROLS_JS) if c["w"] < 44 or c["h"] < 44]
        assert small == [], f"{state} at {name}: controls under 44 px"


def test_every_state_of_the_room_is_accessible(room):
    panel, client = room
    check_everywhere(client, "before a set")
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]")
    check_everywhere(client, "during a set")
    client.click("#pause")
    client.wait_for_selector("#notice:has-text('You paused')")
    check_everywhere(client, "paused by the client")
    panel.click("[data-ask=sud]")
    client.wait_for_selector("#question:not([hidden])")
    check_everywhere(client, "the question")
    client.click("#question-scale label:has(input[value='4'])")
    check_everywhere(client, "the question answered, not yet sent")
    client.click("#question button[type=submit]")
    client.wait_for_selector("#question", state="hidden")
    token = panel.get_attribute("meta[name=csrf-token]", "content")
    session_id = panel.get_attribute("#panel", "data-session-id")
    panel.request.post(
        f"{panel.url.split('/therapist')[0]}/therapist/sessions/{session_id}/end",
        form={"csrf_token": token},
        max_redirects=0,
    )
    client.wait_for_selector("#ended:not([hidden])")
    check_everywhere(client, "ended")


def test_the_waiting_page_is_accessible(media_browser, server):
    ctx = media_browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    panel = ctx.new_page()
    open_panel(panel, server, "waiting-a11y@example.org")
    panel.check("#lobby-enabled")
    panel.wait_for_function("() => document.getElementById('lobby-enabled').checked")
    client_ctx = media_browser.new_context(bypass_csp=True)
    client = client_ctx.new_page()
    follow_link(client, make_link(panel))
    client.wait_for_selector("#waiting:not([hidden])")
    check_everywhere(client, "waiting")
    ctx.close()
    client_ctx.close()


def test_the_states_of_a_browser_that_lacks_things_are_accessible(media_browser, server):
    """iPhone Safari's Home Screen steps, the sound's failure words, the call tile's "no video"
    words (stubs.py takes full screen, a working sound start and WebRTC away from Chromium)."""
    ctx = media_browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    panel = ctx.new_page()
    open_panel(panel, server, "lacking-a11y@example.org")
    client_ctx = media_browser.new_context(bypass_csp=True)
    client_ctx.add_init_script(NO_FULLSCREEN + HANGING_AUDIO + NO_RTC)
    client = client_ctx.new_page()
    follow_link(client, make_link(panel))
    client.wait_for_selector("#connection[data-status=connected]")
    pass_checks(client)
    client.wait_for_selector("#call [data-call=error]:visible")
    check_everywhere(client, "no video")
    client.click("#enable-sound")
    client.wait_for_selector("#sound-problem", timeout=10000)
    check_everywhere(client, "the sound failed")
    client.click("#fullscreen")
    client.wait_for_selector("#home-screen-help")
    check_everywhere(client, "the Home Screen steps")
    panel.wait_for_selector("#client-presence [data-ind=sound][data-ok=false]")
    assert axe_violations(panel) == []  # the panel with the red, focusable indicators
    panel.focus("#client-presence [data-ind=sound]")
    bubble = panel.locator("#client-presence [data-ind=sound] .ind-words").bounding_box()
    assert bubble["width"] > 100  # its words show on focus, not only to screen readers
    ctx.close()
    client_ctx.close()
