"""The client's main flow, the same in every engine: the client's page in the engine under test
(Firefox or WebKit, through a small page object: goto, call, click, resize, screenshot, watch,
errors), the therapist's panel in Chromium (Playwright)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.browser.harness import SAMPLE_JS, SCREENING_QUESTIONS, TARGET_RGB, make_link, spread

PORTRAIT, LANDSCAPE = (390, 844), (844, 390)
VISIBLE = """(css) => {
  const el = document.querySelector(css);
  if (!el || el.getClientRects().length === 0) return false;
  return getComputedStyle(el).visibility !== "hidden";
}"""
# Every AudioContext the page makes and every tone's pan (from the StereoPannerNode each tone
# is built with), kept for the test. The page makes its context in a tap and its nodes later,
# after this is in place, so the app exposes nothing for the test.
RECORD_AUDIO = """() => {
  window.audioContexts = [];
  window.pans = [];
  const Context = window.AudioContext;
  window.AudioContext = class extends Context {
    constructor(...args) { super(...args); window.audioContexts.push(this); }
  };
  const Panner = window.StereoPannerNode;
  window.StereoPannerNode = class extends Panner {
    constructor(ctx, options) { super(ctx, options); window.pans.push(options.pan); }
  };
}"""
PANS = "() => window.pans"
BOTH_SIDES = "() => window.pans.slice(2).includes(-1) && window.pans.slice(2).includes(1)"
AUDIO_CLOCK = """() => {
  const ctx = window.audioContexts[window.audioContexts.length - 1];
  return ctx ? { state: ctx.state, time: ctx.currentTime } : null;
}"""
CLOCK_PAST = """(t) => window.audioContexts[window.audioContexts.length - 1].currentTime > t"""


def wait(page, source: str, *args, what: str, timeout_s: float = 15.0):
    """Wait until the page function ``source`` returns something true; return it. A page in
    the middle of a navigation may fail to answer: asked again."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        try:
            result = page.call(source, *args)
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 (the engines' errors differ; the last is shown)
            last = exc
        assert time.monotonic() < deadline, f"{page.name}: {what} not within {timeout_s} s ({last})"
        time.sleep(0.1)


def visible(page, css: str, timeout_s: float = 15.0) -> None:
    wait(page, VISIBLE, css, what=f"{css} shown", timeout_s=timeout_s)


def hidden(page, css: str, timeout_s: float = 15.0) -> None:
    wait(page, f"(css) => !({VISIBLE})(css)", css, what=f"{css} hidden", timeout_s=timeout_s)


def tap(page, css: str) -> None:
    """Press a control once it is shown, as a person does."""
    visible(page, css)
    page.click(css)


def shoot(page, name: str) -> None:
    """A screenshot into SHOTS_DIR (when set) for a person to look at."""
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        size = page.call("() => `${innerWidth}x${innerHeight}`")
        page.screenshot(Path(folder) / f"{page.name}-{name}-{size}.png")


def sample(page, count: int = 30) -> list[dict]:
    """Where the target is drawn on ``count`` of the client's frames (see harness.SAMPLE_JS)."""
    samples = page.call(SAMPLE_JS % "stage", [count, 25, TARGET_RGB])
    assert all(s["n"] > 0 for s in samples), f"{page.name}: the target was not on every frame"
    return samples


def welcome(page, panel) -> None:
    """The client opens a new join link on a phone held upright and presses Continue."""
    page.resize(*PORTRAIT)
    page.goto(make_link(panel))
    visible(page, "#join")
    shoot(page, "welcome")
    page.click("#join")
    wait(page, "() => location.pathname.endsWith('/room')", what="the room")
    page.watch()
    page.call(RECORD_AUDIO)
    visible(page, "#checks")


def checks(page, panel, camera: bool) -> None:
    """Through the checks: no to each safety question, left then right in the sound check, the
    camera previewed and joined with (``camera``) or the session joined without video."""
    wait(page, "() => document.querySelector('#checks').dataset.step", what="the first check")
    if page.call("() => document.querySelector('#checks').dataset.step") == "screening":
        for question in SCREENING_QUESTIONS:
            tap(page, f"#checks input[name={question}][value=no]")
        shoot(page, "screening")
        tap(page, "#checks [data-step=screening] button[type=submit]")
    tap(page, "[data-sound=play]")  # a tap: the page's sound starts here
    visible(page, "[data-tone='1']")
    tap(page, "[data-answer=left]")
    visible(page, "[data-tone='2']")
    shoot(page, "sound-check")
    tap(page, "[data-answer=right]")
    visible(page, "[data-hint=ok]")
    assert page.call(PANS) == [-1, 1], f"{page.name}: the test tones were not left then right"
    panel.wait_for_selector("#screening [data-sound=ok]", state="visible")
    tap(page, "[data-sound=continue]")
    wait(
        page,
        "() => ['camera', 'done'].includes(document.querySelector('#checks').dataset.step)"
        " || document.querySelector('#checks').hidden",
        what="the camera step or the room",
    )
    if page.call(VISIBLE, "[data-step=camera]"):
        if camera:
            tap(page, "[data-camera=on]")
            wait(
                page,
                "() => document.querySelector('[data-camera=preview]').videoWidth > 0",
                what="the camera's preview",
            )
            shoot(page, "camera-check")
            tap(page, "[data-camera=join]")
        else:
            tap(page, "[data-camera=without]")
    hidden(page, "#checks")


def sound_is_on(page, panel) -> None:
    """The page's sound runs: its AudioContext is running and its clock goes on."""
    if page.call(VISIBLE, "#enable-sound"):
        page.click("#enable-sound")
    hidden(page, "#enable-sound")
    clock = page.call(AUDIO_CLOCK)
    assert clock, f"{page.name}: the page made no AudioContext"
    assert clock["state"] == "running", f"{page.name}: the AudioContext is {clock['state']}"
    wait(page, CLOCK_PAST, clock["time"] + 0.1, what="the audio clock going on")
    panel.wait_for_selector("#client-presence:has-text('sound on')")


def set_runs(page, panel) -> None:
    """The therapist starts a set; the client's page shows that state, the therapist hears so,
    and the target sweeps across the stage."""
    panel.fill("#c-set_passes", "0")  # no planned end: it runs until stopped
    panel.click("#start")
    panel.wait_for_selector("#run-state[data-state=running]")
    rev = int(panel.get_attribute("#panel", "data-rev"))
    wait(page, "(rev) => Number(document.body.dataset.rev) >= rev", rev, what=f"state {rev}")
    panel.wait_for_selector("#client-applied[data-status=current]")
    moving = sample(page)
    assert spread(moving, "x") > 100, f"{page.name}: the target does not sweep: {moving[:3]}"
    shoot(page, "set-running")
    # the set's tones, after the sound check's two, come from both sides in turn
    wait(page, BOTH_SIDES, what="the set's tones on both sides", timeout_s=10)


def turned_sideways(page) -> None:
    """The phone turned sideways and back: the target keeps moving, over the wider stage."""
    page.resize(*LANDSCAPE)
    wait(page, "() => innerWidth > innerHeight", what="a landscape page")
    moving = sample(page)
    assert spread(moving, "x") > 200, f"{page.name}: sideways, the target does not sweep"
    shoot(page, "set-running")
    page.resize(*PORTRAIT)
    wait(page, "() => innerWidth < innerHeight", what="a portrait page")


def answers_sud(page, panel, value: int = 3) -> None:
    """The set stops; the therapist asks for the SUD; the client answers it on the phone."""
    panel.click("#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]")
    panel.click("[data-ask=sud]")
    visible(page, "#question")
    assert page.call("() => [innerWidth, innerHeight]") == list(PORTRAIT)
    shoot(page, "question")
    tap(page, f"#question-scale input[value='{value}']")
    tap(page, "#question button[type=submit]:not([disabled])")
    hidden(page, "#question")
    panel.wait_for_selector(f"#scores .sud-chart circle[data-value='{value}']")


def main_flow(page, panel, camera: bool = False) -> None:
    """The whole of it; then no script or console error on either side."""
    welcome(page, panel)
    checks(page, panel, camera)
    sound_is_on(page, panel)
    set_runs(page, panel)
    turned_sideways(page)
    answers_sud(page, panel)
    assert page.errors == [], f"{page.name}: errors on the client's page"
