"""The client's checks before any stimulation, in Chromium with a fake camera and microphone:
each step fits a phone held either way and a desktop, is accessible and has large targets;
the sound check pans its tones left then right and reads the answers; a "yes" holds Start
until the therapist confirms; the camera step lists the devices by name, previews, and hands
the choice to the call."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.a11y import axe_violations
from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENING_QUESTIONS,
    collect_errors,
    follow_link,
    make_link,
    open_panel,
)

MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
SIZES = {"phone": (390, 844), "landscape": (844, 390), "desktop": (1440, 900)}
# Every test tone's pan, from the StereoPannerNode each tone is built with.
RECORD_PANS = """
window.pans = [];
const Panner = window.StereoPannerNode;
window.StereoPannerNode = class extends Panner {
  constructor(ctx, options) { super(ctx, options); window.pans.push(options.pan); }
};
"""
# What is wrong with the visible controls of the checks: too small to touch, or cut off sideways.
PROBLEMS = """() => {
  const root = document.getElementById("checks");
  const out = [];
  for (const el of root.querySelectorAll("button, .check-choice, select")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown
    const name = el.textContent.trim() || el.outerHTML.slice(0, 40);
    if (r.width < 44 || r.height < 44) out.push(`small: ${name}`);
    if (r.left < 0 || r.right > window.innerWidth) out.push(`cut: ${el.textContent.trim()}`);
  }
  if (root.scrollWidth > root.clientWidth) out.push("scrolls sideways");
  return out;
}"""
FOCUSED = "() => document.activeElement && document.activeElement.textContent.trim()"
KEEP_PREVIEW = (
    "() => { window.preview = document.querySelector('[data-camera=preview]').srcObject; }"
)
PREVIEW_STOPPED = "() => window.preview.getTracks().every((t) => t.readyState === 'ended')"
names = itertools.count()


@pytest.fixture(scope="module")
def media_browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    yield b
    b.close()


@pytest.fixture
def room(media_browser, server):
    """A new client's session: the panel, and a function that opens the client's page."""
    panel_ctx = media_browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    panel = panel_ctx.new_page()
    contexts = [panel_ctx]
    errors = collect_errors(panel)
    open_panel(panel, server, f"checks-{next(names)}@example.org")

    def open_client(size: str = "phone"):
        width, height = SIZES[size]
        ctx = media_browser.new_context(
            viewport={"width": width, "height": height},
            permissions=["camera", "microphone"],
            bypass_csp=True,  # axe-core arrives as an inline script
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.add_init_script(RECORD_PANS)
        errors.extend(collect_errors(page))  # the list is shared: later errors land here too
        follow_link(page, make_link(panel))
        page.wait_for_selector("#checks[data-step]")
        return page

    yield panel, open_client, errors
    for ctx in contexts:
        ctx.close()


def at_step(page, step: str, heading: str) -> None:
    """The step is shown, its heading has the focus, and nothing on it is in the way."""
    page.wait_for_selector(f"#checks[data-step={step}] [data-step={step}] h1")
    assert page.evaluate(FOCUSED) == heading
    assert page.evaluate(PROBLEMS) == []
    assert axe_violations(page) == []


def screened_and_sound_skipped(client, panel) -> None:
    """No to each safety question, and the sound check skipped (recorded as "none")."""
    for question in SCREENING_QUESTIONS:
        client.check(f"input[name={question}][value=no]")
    client.click("[data-step=screening] button[type=submit]")
    client.click("[data-sound=skip]")
    panel.wait_for_selector("#screening [data-sound=none]:visible")


def check_and_shoot(page, tmp_path, name: str) -> None:
    assert page.evaluate(PROBLEMS) == []
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"{name}.png"))


@pytest.mark.parametrize("size", SIZES)
def test_each_step_fits_the_screen_and_is_accessible(room, tmp_path, size):
    panel, open_client, errors = room
    client = open_client(size)
    at_step(client, "screening", "Before we start: your safety")
    continue_button = client.locator("[data-step=screening] button[type=submit]")
    for question in SCREENING_QUESTIONS[:3]:
        client.check(f"input[name={question}][value=no]")
    assert continue_button.is_disabled()  # every question answered explicitly
    client.check("input[name=eye][value=yes]")
    assert continue_button.is_enabled()
    check_and_shoot(client, tmp_path, f"{size}-screening")
    continue_button.click()
    client.wait_for_selector("[data-screening=warning]")
    assert "Please tell your therapist about this" in client.evaluate(FOCUSED)
    check_and_shoot(client, tmp_path, f"{size}-screening-yes")
    client.click("[data-screening=next]")

    at_step(client, "sound", "Sound check: left and right")
    client.click("[data-sound=play]")
    client.wait_for_selector("[data-sound=ask]")
    check_and_shoot(client, tmp_path, f"{size}-sound-ask")
    client.click("[data-answer=left]")
    client.click("[data-answer=right]")
    client.wait_for_selector("[data-hint=ok]")
    check_and_shoot(client, tmp_path, f"{size}-sound-ok")
    client.click("[data-sound=continue]")

    at_step(client, "camera", "Camera and microphone")
    client.click("[data-camera=on]")
    client.wait_for_selector("[data-camera=preview-box]")
    client.wait_for_function("() => document.querySelector('[data-camera=preview]').videoWidth > 0")
    check_and_shoot(client, tmp_path, f"{size}-camera")
    client.click("[data-camera=without]")
    client.wait_for_selector("#checks", state="hidden")

    client.reload()  # done in this session: one tap back in, not the checks again
    at_step(client, "resume", "Welcome back")
    assert client.is_hidden("[data-step=sound]") and client.is_hidden("[data-step=camera]")
    check_and_shoot(client, tmp_path, f"{size}-resume")
    client.click("[data-resume=continue]")
    client.wait_for_selector("#checks", state="hidden")
    client.wait_for_selector("body[data-phase=session][data-sound=on]", state="attached")
    panel.reload()  # the panel hears the kept sound check again from the client's page
    panel.wait_for_selector("#screening [data-sound=ok]:visible")
    assert not errors


def test_after_a_reload_the_client_may_do_the_sound_check_again_on_its_own(room):
    panel, open_client, errors = room
    client = open_client("landscape")
    screened_and_sound_skipped(client, panel)
    client.click("[data-camera=without]")
    client.wait_for_selector("#checks", state="hidden")

    client.reload()
    at_step(client, "resume", "Welcome back")
    client.click("[data-resume=sound]")
    at_step(client, "sound", "Sound check: left and right")
    assert client.is_hidden("[data-step=sound] .check-progress")  # one step, not "1 of 2"
    client.click("[data-sound=play]")
    client.click("[data-answer=left]")
    client.click("[data-answer=right]")
    client.click("[data-sound=continue]")
    client.wait_for_selector("#checks", state="hidden")  # no camera step again
    panel.wait_for_selector("#screening [data-sound=ok]:visible")

    client.reload()  # the new result is the one kept
    at_step(client, "resume", "Welcome back")
    client.click("[data-resume=continue]")
    client.wait_for_selector("#checks", state="hidden")
    panel.reload()
    panel.wait_for_selector("#screening [data-sound=ok]:visible")
    assert not errors


def test_the_sound_check_pans_left_then_right_and_reads_the_answers(room):
    panel, open_client, errors = room
    client = open_client("phone")
    for question in SCREENING_QUESTIONS:
        client.check(f"input[name={question}][value=no]")
    client.click("[data-step=screening] button[type=submit]")
    client.wait_for_selector("#checks[data-step=sound]")
    assert client.evaluate("window.pans") == []

    def answer(first: str, second: str, result: str) -> None:
        before = len(client.evaluate("window.pans"))
        client.click("[data-sound=retry]:visible, [data-sound=play]:visible")
        client.wait_for_selector("[data-tone='1']:visible")
        client.click(f"[data-answer={first}]")
        client.wait_for_selector("[data-tone='2']:visible")
        client.click(f"[data-answer={second}]")
        client.wait_for_selector(f"[data-hint={result}]:visible")
        assert client.evaluate("window.pans")[before:] == [-1, 1]  # left, then right
        panel.wait_for_selector(f"#screening [data-sound={result}]:visible")
        assert panel.locator("#screening [data-sound]:visible").count() == 1

    answer("right", "left", "swapped")
    answer("both", "right", "mono")
    answer("none", "right", "none")
    answer("left", "left", "mono")
    answer("left", "none", "none")
    answer("left", "both", "mono")
    client.click("[data-sound=retry]")
    client.click("[data-sound=again]")  # "Play it again" plays the same side again
    assert client.evaluate("window.pans")[-2:] == [-1, -1]
    client.click("[data-answer=left]")
    client.click("[data-sound=again]")
    assert client.evaluate("window.pans")[-2:] == [1, 1]
    client.click("[data-answer=right]")
    client.wait_for_selector("[data-hint=ok]:visible")
    panel.wait_for_selector("#screening [data-sound=ok]:visible")
    assert "left and right correct" in panel.text_content("#screening [data-sound=ok]")
    client.click("[data-sound=continue]")
    client.click("[data-camera=without]")
    client.wait_for_selector("#checks", state="hidden")
    # the Play press turned the page's sound on: the session's tones need nothing more
    assert client.is_hidden("#enable-sound")
    panel.wait_for_selector("#client-presence:has-text('sound on')")
    assert not errors


def test_start_waits_until_the_therapist_has_talked_a_yes_through(room):
    panel, open_client, errors = room
    client = open_client("phone")
    client.check("input[name=migraine][value=no]")
    client.click("[data-screening=talk]")  # the questions left open count as to talk about
    client.wait_for_selector("[data-screening=warning]")
    panel.wait_for_selector("#screening[data-warning=unseen] [data-screening=warning]:visible")
    shown = panel.locator("#screening [data-flag]:visible").all_text_contents()
    assert [text.split(",")[0] for text in shown] == [
        "Seizures or epilepsy",
        "Balance or dizziness (vestibular) problems",
        "Eye surgery or an eye problem in recent months",
    ]
    rev = client.get_attribute("body", "data-rev")
    panel.click("#start")
    panel.wait_for_selector("#ask-first[open]")  # the client is still in the checks
    panel.click("#ask-first button[value=ok]")
    panel.wait_for_selector("#panel-error:has-text('safety question')")
    assert panel.evaluate(FOCUSED) == "I have talked this through with the client"
    assert axe_violations(panel) == []
    assert panel.text_content("#run-state") == "Stopped"
    assert client.get_attribute("body", "data-rev") == rev

    panel.click("[data-screening=seen]")
    panel.wait_for_selector("#screening [data-screening=confirmed]:visible")
    assert panel.is_hidden("#screening [data-screening=warning]")
    panel.click("#start")
    panel.click("#ask-first button[value=ok]")
    panel.wait_for_selector("#run-state[data-state=running]")
    client.wait_for_function(f"() => document.body.dataset.rev !== {rev!r}")

    client.reload()  # answered once: not asked again
    client.wait_for_selector("#checks[data-step=sound]")
    assert client.locator("[data-step=screening]").count() == 0
    assert client.text_content("[data-step=sound] .check-progress") == "Step 1 of 2"
    assert not errors


def test_the_therapist_asks_for_the_sound_check_again_between_sets(room):
    panel, open_client, errors = room
    client = open_client("phone")
    screened_and_sound_skipped(client, panel)
    client.click("[data-camera=without]")
    client.wait_for_selector("#checks", state="hidden")

    ask = panel.locator("#screening [data-soundcheck=ask]")
    ask.click()
    at_step(client, "sound", "Sound check: left and right")
    assert client.is_hidden("[data-step=sound] .check-progress")
    panel.wait_for_selector("#screening [data-soundcheck=status]:has-text('Asked')")
    box = ask.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    client.click("[data-sound=play]")
    client.click("[data-answer=right]")
    client.click("[data-answer=left]")  # swapped: the hint, then on anyway
    client.wait_for_selector("[data-hint=swapped]")
    panel.wait_for_selector("#screening [data-sound=swapped]:visible")
    client.click("[data-sound=anyway]")
    client.wait_for_selector("#checks", state="hidden")
    client.wait_for_selector("body[data-phase=session]", state="attached")
    assert panel.text_content("#screening [data-soundcheck=status]") == ""

    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]")
    ask.click()  # never over a moving target
    panel.wait_for_selector("#screening [data-soundcheck=status]:has-text('A set is running')")
    assert client.is_hidden("#checks")
    panel.click("#stop")
    client.reload()  # the new result is the one kept
    at_step(client, "resume", "Welcome back")
    client.click("[data-resume=continue]")
    panel.reload()
    panel.wait_for_selector("#screening [data-sound=swapped]:visible")
    assert axe_violations(panel) == []
    assert not errors


def test_the_camera_step_names_the_devices_and_hands_the_choice_to_the_call(room):
    panel, open_client, errors = room
    client = open_client("desktop")
    screened_and_sound_skipped(client, panel)

    client.wait_for_selector("#checks[data-step=camera]")
    client.click("[data-camera=on]")
    client.wait_for_selector("[data-camera=preview-box]")
    labels = client.locator("[data-camera=video] option, [data-camera=audio] option")
    assert all(t and not t.startswith("Device ") for t in labels.all_text_contents())
    assert client.get_attribute("[data-camera=preview]", "muted") is not None
    client.evaluate(
        "() => { window.preview = document.querySelector('[data-camera=preview]').srcObject; }"
    )
    client.click("[data-camera=back]")  # back to the sound check: the preview stops
    client.wait_for_selector("#checks[data-step=sound]")
    assert client.evaluate(
        "() => window.preview.getTracks().every((t) => t.readyState === 'ended')"
    )
    client.click("[data-sound=skip]")

    client.wait_for_selector("#checks[data-step=camera]")
    assert client.is_hidden("[data-camera=preview-box]")
    client.click("[data-camera=on]")
    client.wait_for_selector("[data-camera=preview-box]")
    chosen = client.evaluate(
        "() => [document.querySelector('[data-camera=audio]').value,"
        " document.querySelector('[data-camera=video]').value]"
    )
    client.evaluate(
        "() => { window.preview = document.querySelector('[data-camera=preview]').srcObject; }"
    )
    client.click("[data-camera=join]")
    client.wait_for_selector("#checks", state="hidden")
    assert client.evaluate(
        "() => window.preview.getTracks().every((t) => t.readyState === 'ended')"
    )
    # the call tile uses the chosen devices and joins with them
    tile = client.evaluate(
        "() => [document.querySelector('#call [data-call=audio]').value,"
        " document.querySelector('#call [data-call=video]').value]"
    )
    assert tile == chosen and all(chosen)
    client.wait_for_selector("#call:not([data-call-state=off])", state="attached")
    assert not errors
