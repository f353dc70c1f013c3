"""The client in control, in Chromium: Pause (the button and Escape) stops a running set at once
and the therapist is told; the therapist's connection dropping pauses the set and the client is
told in words; the session's end ends the call and says so on the whole page."""

from __future__ import annotations

import pytest

from tests.browser.harness import (
    SCREENING_QUESTIONS,
    Server,
    collect_errors,
    follow_link,
    make_link,
    open_panel,
    open_room,
)
from tests.browser.probe import INIT

SIZES = {"phone": (390, 844), "phone-landscape": (844, 390), "desktop": (1440, 900)}


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory):
    """A server whose fail-safe pauses a set soon after the therapist's panel is gone."""
    env = {"THERAPIST_GONE_PAUSE_S": "1", "CLIENT_GONE_PAUSE_S": "30"}
    srv = Server(tmp_path_factory.mktemp("control"), env).start()
    yield srv
    srv.stop()


def pages(browser, size=(390, 844)):
    panel_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    client_ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    return panel_ctx, client_ctx, panel_ctx.new_page(), client_ctx.new_page()


def start_set(panel, client):
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]")
    client.wait_for_selector("#pause:enabled")


@pytest.mark.parametrize("how", ["button", "escape"])
def test_the_client_pauses_a_running_set_and_the_therapist_is_told(browser, server, how):
    panel_ctx, client_ctx, panel, client = pages(browser)
    errors = collect_errors(panel, client)
    open_room(panel, client, server, f"pause-{how}@example.org")
    assert client.is_disabled("#pause")  # nothing moves yet
    box = client.locator("#pause").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    start_set(panel, client)
    if how == "button":
        client.click("#pause")
    else:
        client.keyboard.press("Escape")
    client.wait_for_selector("body[data-moving=false]", timeout=2000)
    client.wait_for_selector("#notice:has-text('You paused')")
    panel.wait_for_selector("#failsafe:has-text('The client paused set 1')")
    panel.wait_for_selector("#run-state[data-state=paused]")
    # the therapist resumes; the client's notice goes
    panel.click("#start")
    client.wait_for_selector("body[data-moving=true]")
    client.wait_for_selector("#notice", state="hidden")
    panel.wait_for_selector("#failsafe", state="hidden")
    assert errors == []
    panel_ctx.close()
    client_ctx.close()


def test_the_therapist_dropping_pauses_the_set_and_the_client_is_told(browser, quick_server):
    panel_ctx, client_ctx, panel, client = pages(browser)
    open_room(panel, client, quick_server, "dropped-therapist@example.org")
    start_set(panel, client)
    panel_ctx.close()  # the therapist's tab is gone
    client.wait_for_selector("body[data-moving=false]", timeout=6000)
    notice = client.locator("#notice")
    notice.wait_for()
    assert notice.text_content() == "Your therapist's connection dropped; the set is paused."
    client_ctx.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_sessions_end_ends_the_call_and_fills_the_page(media_browser, server, size, tmp_path):
    panel_ctx, client_ctx, panel, client = pages(media_browser, SIZES[size])
    open_room(panel, client, server, f"end-{size}@example.org")
    client.wait_for_selector("#call:not([hidden])")
    client.click("[data-call=join]")
    client.wait_for_selector("#call.in-call")
    keep = """() => {
      window.callTracks = document.querySelector("[data-call=local]").srcObject.getTracks();
      return window.callTracks.map((t) => t.readyState);
    }"""
    assert client.evaluate(keep) == ["live", "live"]  # microphone and camera
    token = panel.get_attribute("meta[name=csrf-token]", "content")
    session_id = panel.get_attribute("#panel", "data-session-id")
    answer = panel.request.post(
        f"{server.url}/therapist/sessions/{session_id}/end",
        form={"csrf_token": token},
        max_redirects=0,
    )
    assert answer.status in (302, 303)
    client.wait_for_selector("#ended h1:has-text('This session has ended')")
    assert client.is_hidden("#stage") and client.is_hidden("#dock")
    heading = client.locator("#ended h1").bounding_box()
    text = client.locator("#ended p").first.bounding_box()
    width, height = SIZES[size]
    for box in (heading, text):  # said in full, on the screen
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["y"] >= 0 and box["y"] + box["height"] <= height
    # the camera and microphone are released: the call is over
    ended = "() => window.callTracks.map((t) => t.readyState)"
    assert client.evaluate(ended) == ["ended", "ended"]
    assert client.evaluate("() => document.querySelector('[data-call=local]').srcObject") is None
    client.screenshot(path=str(tmp_path / f"ended-{size}.png"))
    panel_ctx.close()
    client_ctx.close()


def test_a_set_during_the_checks_asks_first_and_is_not_heard(browser, server):
    panel_ctx, client_ctx, panel, client = pages(browser)
    client.add_init_script(INIT % {"skew_ms": 0, "late_ms": 0})  # records every tone played
    open_panel(panel, server, "during-checks@example.org")
    follow_link(client, make_link(panel))
    client.wait_for_selector("#checks[data-step]")
    panel.wait_for_function(
        "() => document.getElementById('mirror-frame').dataset.phase === 'checks'"
    )
    panel.click("#start")
    panel.wait_for_selector("#ask-first[open]")
    assert "still doing the checks" in panel.text_content("#ask-first [data-ask-first=message]")
    panel.click("#ask-first button[value=cancel]")
    panel.wait_for_timeout(300)
    assert panel.get_attribute("#run-state", "data-state") == "stopped"  # cancelled: no set
    panel.click("#start")
    panel.click("#ask-first button[value=ok]")
    panel.wait_for_selector("#run-state[data-state=running]")
    # the client plays the sound check's tone (sound is on now) but hears nothing of the set
    for question in SCREENING_QUESTIONS:
        client.check(f"#checks input[name={question}][value=no]")
    client.click("#checks [data-step=screening] button[type=submit]")
    client.click("#checks [data-sound=play]")
    client.wait_for_timeout(2500)  # the set passes both sides more than once meanwhile
    tones = "() => window.__probe.tones.length"
    assert client.evaluate(tones) == 1  # the check's own tone only
    assert client.evaluate("() => document.body.dataset.phase") == "checks"
    # through the checks (the second test tone), the set is heard
    client.click("#checks [data-answer=left]")
    client.click("#checks [data-answer=right]")
    client.wait_for_selector("#checks [data-sound=continue]")
    client.wait_for_timeout(1500)
    assert client.evaluate(tones) == 2  # the check's two tones, still none of the set
    client.click("#checks [data-sound=continue]")
    client.wait_for_selector("#checks[data-step=camera]", state="attached")
    client.click("#checks [data-camera=without]")
    client.wait_for_selector("#checks", state="hidden")
    client.wait_for_function(f"() => ({tones[6:]}) > 3", timeout=5000)
    panel_ctx.close()
    client_ctx.close()
