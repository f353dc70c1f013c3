"""The client's screen stays awake through the session (Screen Wake Lock): asked for in the
client's own taps, as WebKit requires, and again when the page comes back to the front; a
refusal reaches the therapist in words, and the next tap asks again; let go when the session
ends. Chromium stands in for WebKit with a lock granted only in a user gesture (stubs.py)."""

from __future__ import annotations

from tests.browser.harness import follow_link, make_link, open_panel, open_room, pass_checks
from tests.browser.stubs import NO_WAKE_LOCK, STRICT_WAKE_LOCK

WAKE = "#client-presence [data-ind=wake]"


def wake_words(panel) -> str:
    return panel.text_content(WAKE)


def end_session(panel) -> None:
    token = panel.get_attribute("meta[name=csrf-token]", "content")
    session_id = panel.get_attribute("#panel", "data-session-id")
    panel.request.post(
        f"{panel.url.split('/therapist')[0]}/therapist/sessions/{session_id}/end",
        form={"csrf_token": token},
        max_redirects=0,
    )


def test_the_lock_is_asked_for_in_taps_its_refusal_is_told_and_it_is_let_go_at_the_end(
    browser, server
):
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    client_ctx.add_init_script(STRICT_WAKE_LOCK)
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_panel(panel, server, "wake-therapist@example.org")
    follow_link(client, make_link(panel))
    client.wait_for_selector("#checks[data-step]")
    # asked for at once (Chromium grants that), refused outside a tap (as WebKit does)
    assert client.evaluate("window.__wake") == ["refused"]
    pass_checks(client)  # the checks' taps: the first one gets the lock
    assert client.evaluate("window.__wake")[:2] == ["refused", "request:screen"]
    panel.wait_for_selector(f"{WAKE}[data-ok=true]")
    assert "screen kept on" in wake_words(panel)

    # the page went to the back: the browser let the lock go; back in front, the page asks
    # at once, outside a tap, and WebKit refuses: the therapist is told what to do
    client.evaluate("window.__browserReleases()")
    client.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    panel.wait_for_selector(f"{WAKE}[data-ok=false]")
    assert "screen may dim: ask the client to tap the screen" in wake_words(panel)
    assert client.evaluate("window.__wake")[-2:] == ["release", "refused"]

    # a set starting (a state from the socket, no tap) is refused too, and the set runs
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]")
    assert client.evaluate("window.__wake")[-1] == "refused"
    # any tap on the page while the set runs asks again, and gets it
    client.click("#stage")
    panel.wait_for_selector(f"{WAKE}[data-ok=true]")
    assert client.evaluate("window.__wake")[-1] == "request:screen"
    # the Pause tap with the lock held asks for nothing more
    client.click("#pause")
    client.wait_for_selector("#notice:has-text('You paused')")
    assert client.evaluate("window.__wake")[-1] == "request:screen"

    end_session(panel)
    client.wait_for_selector("#ended:not([hidden])")
    client.wait_for_function("() => window.__wake.at(-1) === 'release'")
    client.click("#ended h1")  # a tap after the end asks for nothing
    client.wait_for_timeout(300)
    assert client.evaluate("window.__wake").count("request:screen") == 2
    panel_ctx.close()
    client_ctx.close()


def test_a_browser_without_the_lock_is_told_to_the_therapist(browser, server):
    panel_ctx, client_ctx = browser.new_context(), browser.new_context()
    client_ctx.add_init_script(NO_WAKE_LOCK)
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    open_room(panel, client, server, "no-wake-therapist@example.org")
    panel.wait_for_selector(f"{WAKE}[data-ok=false]")
    assert "cannot keep it on" in wake_words(panel)
    panel_ctx.close()
    client_ctx.close()
