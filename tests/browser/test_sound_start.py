"""The sound's start has a time limit: where AudioContext.resume() never settles (Firefox with no
audio output; stubs.py makes Chromium do the same), the client is told within seconds what to
do, "Turn on sound" stays for a retry, the therapist sees "sound failed", and a later retry that
works starts the tones of a running set. The same in the checks' sound check."""

from __future__ import annotations

import os

import pytest

from tests.browser.a11y import axe_violations
from tests.browser.harness import collect_errors, follow_link, make_link, open_panel, pass_checks
from tests.browser.stubs import HANGING_AUDIO, NO_STEREO_PANNER, OVERLAP, shoot

SIZES = {"phone": (390, 844), "phone-landscape": (844, 390)}
SOUND = "#client-presence [data-ind=sound]"
# Every control on screen that is smaller than a fingertip.
SMALL_CONTROLS = """() => [...document.querySelectorAll("button")]
  .filter((el) => el.getClientRects().length)
  .map((el) => el.getBoundingClientRect())
  .filter((r) => r.width < 44 || r.height < 44).length"""


@pytest.fixture
def room(browser, server):
    """The therapist's panel and a function opening a client page with init scripts."""
    panel_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    panel = panel_ctx.new_page()
    open_panel(panel, server, f"sound-{os.urandom(4).hex()}@example.org")
    contexts = [panel_ctx]

    def open_client(*scripts: str):
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        contexts.append(ctx)
        for script in scripts:
            ctx.add_init_script(script)
        page = ctx.new_page()
        errors = collect_errors(page)
        follow_link(page, make_link(panel))
        page.wait_for_selector("#checks[data-step]")
        return page, errors

    yield panel, open_client
    for ctx in contexts:
        ctx.close()


def test_a_sound_that_does_not_start_is_told_and_a_later_tap_starts_the_tones(room, tmp_path):
    panel, open_client = room
    client, errors = open_client(HANGING_AUDIO)
    pass_checks(client)
    panel.click("#start")  # a set runs, with sound on (the default)
    client.wait_for_selector("body[data-moving=true]")
    client.click("#enable-sound")
    problem = client.locator("#sound-problem")
    problem.wait_for(timeout=10000)  # within the time limit, not never
    assert "did not start" in problem.text_content()
    assert "headphones" in problem.text_content()
    assert "“Turn on sound”" in problem.text_content()
    assert client.is_visible("#enable-sound") and client.is_enabled("#enable-sound")
    assert client.get_attribute("body", "data-sound") == "failed"
    panel.wait_for_selector(f"{SOUND}[data-ok=false]")
    assert "sound failed to start" in panel.text_content(SOUND)
    assert client.evaluate("window.__tones") == 0
    for name, (width, height) in SIZES.items():
        client.set_viewport_size({"width": width, "height": height})
        client.wait_for_timeout(300)
        assert axe_violations(client) == []
        assert client.evaluate(SMALL_CONTROLS) == 0
        assert not client.evaluate(OVERLAP, ["#sound-problem", "#stage"])
        shoot(client, tmp_path, f"sound-failed-{name}")

    client.click("#enable-sound")  # still hanging: told again, the button still there
    client.wait_for_selector("#enable-sound:not([aria-busy])", timeout=10000)
    assert problem.is_visible() and client.is_visible("#enable-sound")
    client.evaluate("window.__audioHangs = false")  # the headphones are in
    client.click("#enable-sound")
    client.wait_for_selector("#enable-sound", state="hidden")
    assert problem.is_hidden()
    panel.wait_for_selector(f"{SOUND}[data-ok=true]")
    client.wait_for_function("() => window.__tones >= 2", timeout=10000)  # the set's tones
    assert not errors


def test_the_sound_checks_failure_says_what_to_do_and_a_retry_goes_on(room, tmp_path):
    panel, open_client = room
    client, errors = open_client(HANGING_AUDIO)
    for question in ("seizures", "migraine", "vestibular", "eye"):
        client.check(f"input[name={question}][value=no]")
    client.click("[data-step=screening] button[type=submit]")
    client.click("[data-sound=play]")
    failed = client.locator("#checks [data-sound=failed]")
    failed.wait_for(timeout=10000)
    assert client.evaluate("document.activeElement.dataset.why") == "failed"
    assert "did not start" in client.text_content("[data-why=failed]")
    assert client.is_hidden("[data-sound=ask]")
    panel.wait_for_selector(f"{SOUND}[data-ok=false]")
    for name, (width, height) in SIZES.items():
        client.set_viewport_size({"width": width, "height": height})
        client.wait_for_timeout(200)
        assert axe_violations(client) == []
        assert client.evaluate(SMALL_CONTROLS) == 0
        shoot(client, tmp_path, f"soundcheck-failed-{name}")

    client.evaluate("window.__audioHangs = false")
    client.click("[data-sound=start-again]")
    client.wait_for_selector("[data-tone='1']:visible")  # the check goes on: first tone
    assert client.evaluate("window.__tones") == 1
    panel.wait_for_selector(f"{SOUND}[data-ok=true]")
    assert not errors


def test_going_on_without_sound_from_the_check_is_told_to_the_therapist(room):
    panel, open_client = room
    client, errors = open_client(HANGING_AUDIO)
    for question in ("seizures", "migraine", "vestibular", "eye"):
        client.check(f"input[name={question}][value=no]")
    client.click("[data-step=screening] button[type=submit]")
    client.click("[data-sound=play]")
    client.click("[data-sound=without]", timeout=10000)
    panel.wait_for_selector("#screening [data-sound=none]:visible")
    client.wait_for_selector("#checks[data-step=camera]")
    assert not errors


def test_a_browser_without_stereo_panner_still_pans_left_and_right(room):
    panel, open_client = room
    client, errors = open_client(NO_STEREO_PANNER)
    levels = client.evaluate("""async () => {
      const { buildTone } = await import("/static/js/audio.js");
      const tone = { sound_kind: "tone", waveform: "sine", pitch_hz: 440, volume: 0.8,
                     duration_ms: 120 };
      const energy = async (pan) => {
        const ctx = new OfflineAudioContext(2, 44100 * 0.3, 44100);
        buildTone(ctx, 0.05, pan, tone, null);
        const buffer = await ctx.startRendering();
        const sum = (ch) => buffer.getChannelData(ch).reduce((s, v) => s + v * v, 0);
        return [sum(0), sum(1)];
      };
      return { left: await energy(-1), right: await energy(1), typeof: typeof StereoPannerNode };
    }""")
    assert levels["typeof"] == "undefined"
    (left_l, left_r), (right_l, right_r) = levels["left"], levels["right"]
    assert left_l > 1 and right_r > 1
    assert left_r < left_l / 100 and right_l < right_r / 100  # 20 dB and more apart
    assert not errors
