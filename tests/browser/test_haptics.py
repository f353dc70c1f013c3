"""The tactile channel in Chromium against the real server: a phone's vibration and a game
controller's rumble pulse at the target's arrivals at each side (left arrivals on the left
motor or trigger), within a few ms, never after a pause or the end; the toggle shows only where
there is something to shake. Headless Chromium has neither motor: stand-ins act as the devices
do (a pulse handed over ahead starts after its delay; one taken back before it starts never
does) and record when each pulse starts on the server's clock, as the page's own estimate of
its offset gives it."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest

from tests.browser.harness import (
    collect_errors,
    follow_link,
    make_link,
    open_panel,
    pass_checks,
    wait_until,
)

TOLERANCE_MS = 25.0

# When each call was made, on the server's clock; and when each state reached the page.
RECORDER = """
(() => {
  const serverNow = () => performance.timeOrigin + performance.now()
    + Number((document.body && document.body.dataset.clockOffsetMs) || 0);
  window.__serverNow = serverNow;
  // what a device was given and has not begun, taken back
  window.__dropBegun = (calls, now) => {
    for (let i = calls.length - 1; i >= 0; i -= 1) if (calls[i].server > now) calls.splice(i, 1);
  };
  window.__pulses = [];
  window.__rumbles = [];
  window.__revs = [];
  new MutationObserver(() => {
    window.__revs.push({ rev: Number(document.body.dataset.rev), server: serverNow() });
  }).observe(document, { attributes: true, attributeFilter: ["data-rev"], subtree: true });
})();
"""
# The device's side: a pattern [0, pause, on] starts after its pause; vibrate(0) stops what
# has not begun. Each pulse is recorded at the moment it starts.
VIBRATION = """
Object.defineProperty(Navigator.prototype, "vibrate", { configurable: true, writable: true,
  value: function (pattern) {
    const now = window.__serverNow();
    if (pattern === 0) {
      window.__dropBegun(window.__pulses, now);
      return true;
    }
    const [pause, ms] = Array.isArray(pattern) ? [pattern[1], pattern[2]] : [0, pattern];
    window.__pulses.push({ ms, server: now + pause });
    return true;
  } });
"""
NO_VIBRATION = "delete Navigator.prototype.vibrate;"
NO_GAMEPAD_API = "delete Navigator.prototype.getGamepads;"
# A controller that is plugged in when the test says so; `effects` as Chrome lists them.
GAMEPAD = """
(() => {
  const effects = %s;
  const actuator = {
    playEffect(kind, params) {
      window.__rumbles.push({ kind, ...params, server: window.__serverNow() + params.startDelay });
      return Promise.resolve("complete");
    },
    reset() {
      window.__dropBegun(window.__rumbles, window.__serverNow());
      return Promise.resolve("complete");
    },
  };
  if (effects) actuator.effects = effects;
  let pads = [null, null, null, null];
  Navigator.prototype.getGamepads = function () { return pads; };
  window.__plugPad = (plugged) => {
    pads = plugged ? [{ id: "Test pad", index: 0, connected: true, mapping: "standard",
                        buttons: [], axes: [], vibrationActuator: actuator }, null, null, null]
                   : [null, null, null, null];
    window.dispatchEvent(new Event(plugged ? "gamepadconnected" : "gamepaddisconnected"));
  };
})();
"""
SERVER_NOW = (
    "performance.timeOrigin + performance.now() + Number(document.body.dataset.clockOffsetMs)"
)
# Press a panel button at a given moment on the server's clock; returns when it was pressed.
PRESS_AT = f"""async ([id, atMs]) => {{
  await new Promise((r) => setTimeout(r, atMs - ({SERVER_NOW})));
  document.getElementById(id).click();
  return {SERVER_NOW};
}}"""
PAUSE_AHEAD_MS = 130  # pressed this long before an arrival: the device has its pulse by then
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def panel(browser, server):
    """The therapist's panel of an open session."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    open_panel(page, server, "haptics-therapist@example.org")
    yield page
    ctx.close()


@pytest.fixture
def join(browser, panel):
    """Open a client's page with the given stand-ins; its contexts are closed after the test."""
    contexts = []

    def open_client(*scripts: str, **options):
        ctx = browser.new_context(**options)
        contexts.append(ctx)
        for script in (RECORDER, *scripts):
            ctx.add_init_script(script)
        page = ctx.new_page()
        errors = collect_errors(page)
        follow_link(page, make_link(panel))
        pass_checks(page)
        page.wait_for_selector("#connection[data-status=connected]")
        page.wait_for_function("() => document.body.dataset.clockOffsetMs !== undefined")
        return page, errors

    yield open_client
    stop(panel)
    for ctx in contexts:
        ctx.close()


def room_state(panel, server) -> dict:
    """The state as the server stored it (the test reads the server's own database)."""
    session_id = int(panel.url.rsplit("/", 1)[1])
    db = sqlite3.connect(server.tmp / "server.db")
    (raw,) = db.execute(
        "SELECT stim_state FROM therapy_session WHERE id = ?", (session_id,)
    ).fetchone()
    db.close()
    return json.loads(raw)


def press(panel, button: str) -> None:
    """A panel button, once the panel is connected (offline, the panel ignores commands)."""
    panel.wait_for_selector("#connection[data-status=connected]")
    panel.click(button)


def run(panel, passes: int, speed: float) -> None:
    panel.fill("#c-set_passes", str(passes))
    panel.locator("#c-speed_pps").fill(str(speed))
    press(panel, "#start")
    panel.wait_for_selector("#run-state[data-state=running]")


def stop(panel) -> None:
    if panel.get_attribute("#run-state", "data-state") in ("running", "paused"):
        press(panel, "#stop")
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=10000)


def turn_on(client) -> None:
    """Press the toggle; it pulses once on both sides, which the test then forgets."""
    client.click("#tactile")
    assert client.get_attribute("#tactile", "aria-pressed") == "true"
    wait_until(lambda: client.evaluate("() => window.__pulses.length + window.__rumbles.length"))
    client.evaluate("() => { window.__pulses.length = 0; window.__rumbles.length = 0; }")


def set_arrivals(state: dict, last: float | None = None) -> dict[int, float]:
    """Server time of every arrival at a side in the set, up to phase ``last`` or where it
    rests (its end, or where it was paused)."""
    speed, start = state["settings"]["speed_pps"], state["set_start_phase"]
    last = state["anchor"]["phase0"] if last is None else last
    return {
        k: state["set_started_ms"] + (k - start) * 1000 / speed
        for k in range(math.ceil(start), int(last) + 1)
    }


def match(calls: list[dict], due: dict[int, float]) -> dict[int, dict]:
    """Each call at the arrival nearest to it; every call within the tolerance, one per edge."""
    matched = {}
    for call in calls:
        k = min(due, key=lambda k, at=call["server"]: abs(due[k] - at))
        error = call["server"] - due[k]
        assert abs(error) <= TOLERANCE_MS, (k, error, calls, due)
        assert k not in matched, f"two pulses for arrival {k}"
        matched[k] = {**call, "error": error}
    return matched


def finish_set(panel, server, client, passes: int, speed: float) -> dict:
    run(panel, passes, speed)
    panel.wait_for_selector("#run-state[data-state=stopped]", timeout=(passes + 2) / speed * 1000)
    client.wait_for_timeout(200)
    return room_state(panel, server)


def test_a_phone_vibrates_at_every_arrival_of_a_set_and_nowhere_else(panel, server, join):
    client, errors = join(VIBRATION, **PHONE)
    box = client.locator("#tactile").bounding_box()
    assert client.is_visible("#tactile") and box["width"] >= 44 and box["height"] >= 44
    stage = client.locator("#stage").bounding_box()
    apart_x = box["x"] >= stage["x"] + stage["width"] or stage["x"] >= box["x"] + box["width"]
    apart_y = box["y"] >= stage["y"] + stage["height"] or stage["y"] >= box["y"] + box["height"]
    assert apart_x or apart_y, (box, stage)  # nothing covers the stimulation
    client.click("#tactile")
    wait_until(lambda: client.evaluate("() => window.__pulses.length") == 1, what="a first pulse")
    client.evaluate("() => { window.__pulses.length = 0; }")

    state = finish_set(panel, server, client, passes=4, speed=2.0)
    due = set_arrivals(state)
    assert len(due) == 5  # the first edge, then one more per pass
    pulses = client.evaluate("() => window.__pulses")
    matched = match(pulses, due)
    assert sorted(matched) == sorted(due)
    assert all(p["ms"] == 50 for p in pulses)
    worst = max(abs(m["error"]) for m in matched.values())
    print(f"vibration: {len(pulses)} pulses, largest error {worst:.1f} ms")
    assert not errors


def arrivals_ahead(state: dict, count: int = 8) -> dict[int, float]:
    """Server time of the next arrivals of a running state, from its anchor."""
    t0, phase0 = state["anchor"]["t0_ms"], state["anchor"]["phase0"]
    speed = state["settings"]["speed_pps"]
    first = math.floor(phase0) + 1
    return {k: t0 + (k - phase0) * 1000 / speed for k in range(first, first + count)}


def told_at(client, rev: int) -> float:
    """When the page had state `rev`, on the server's clock."""
    wait_until(lambda: any(r["rev"] == rev for r in client.evaluate("() => window.__revs")))
    return next(r["server"] for r in client.evaluate("() => window.__revs") if r["rev"] == rev)


def pause_just_before_an_arrival(panel, server, client):
    """Pause PAUSE_AHEAD_MS before an arrival, when the device has its pulse already. A busy
    machine may bring the pause to the page after the arrival: then resume and try again."""
    for _ in range(4):
        running = room_state(panel, server)
        now = panel.evaluate(f"() => {SERVER_NOW}")
        due = min(t for t in arrivals_ahead(running).values() if t > now + 300)
        panel.evaluate(PRESS_AT, ["pause", due - PAUSE_AHEAD_MS])
        panel.wait_for_selector("#run-state[data-state=paused]")
        paused = room_state(panel, server)
        told = told_at(client, paused["rev"])
        if told < due:
            return running, paused, due, told
        client.evaluate("() => { window.__pulses.length = 0; }")
        press(panel, "#pause")  # resume, and try the next arrival
        panel.wait_for_selector("#run-state[data-state=running]")
    raise AssertionError("the pause never reached the page before the arrival")


def test_nothing_vibrates_after_a_pause_and_a_resume_picks_the_arrivals_up_again(
    panel, server, join
):
    client, errors = join(VIBRATION, **PHONE)
    turn_on(client)
    run(panel, passes=0, speed=2.0)
    wait_until(lambda: len(client.evaluate("() => window.__pulses")) >= 2, what="two pulses")
    running, paused, due, told = pause_just_before_an_arrival(panel, server, client)
    client.wait_for_timeout(1300)  # two or three arrivals' worth at this speed
    pulses = client.evaluate("() => window.__pulses.slice()")
    assert all(p["server"] <= told for p in pulses), (pulses, told, due)
    # every arrival between the page learning of the run and of the pause had its pulse
    since = told_at(client, running["rev"])
    before = {k: t for k, t in arrivals_ahead(running, 20).items() if since < t < told}
    matched = match(pulses, arrivals_ahead(running, 20))
    assert before.keys() <= matched.keys() and max(matched) < due, (matched, before, due)

    client.evaluate("() => { window.__pulses.length = 0; }")
    press(panel, "#pause")  # now "Resume"
    panel.wait_for_selector("#run-state[data-state=running]")
    resumed = room_state(panel, server)
    client.wait_for_timeout(1300)
    pulses = client.evaluate("() => window.__pulses.slice()")
    since, now = told_at(client, resumed["rev"]), client.evaluate("() => window.__serverNow()")
    ahead = arrivals_ahead(resumed)
    expected = {k: t for k, t in ahead.items() if since < t < now - TOLERANCE_MS}
    assert len(expected) >= 2 and expected.keys() <= match(pulses, ahead).keys()

    stop(panel)
    client.wait_for_timeout(300)
    count = len(client.evaluate("() => window.__pulses"))
    client.wait_for_timeout(1200)
    assert len(client.evaluate("() => window.__pulses")) == count  # at rest: nothing more
    assert not errors


@pytest.mark.parametrize(
    ("effects", "kind", "left", "right"),
    [
        (None, "dual-rumble", "strongMagnitude", "weakMagnitude"),
        (["dual-rumble", "trigger-rumble"], "trigger-rumble", "leftTrigger", "rightTrigger"),
    ],
)
def test_a_controller_rumbles_left_for_a_left_arrival_and_right_for_a_right_one(
    panel, server, join, effects, kind, left, right
):
    client, errors = join(GAMEPAD % json.dumps(effects), viewport={"width": 1024, "height": 768})
    assert client.is_hidden("#tactile")  # a desktop without a controller: nothing to shake
    client.evaluate("() => window.__plugPad(true)")
    client.wait_for_selector("#tactile", state="visible")
    turn_on(client)

    state = finish_set(panel, server, client, passes=3, speed=2.0)
    due = set_arrivals(state)
    rumbles = client.evaluate("() => window.__rumbles")
    matched = match(rumbles, due)
    assert sorted(matched) == sorted(due) and len(due) == 4
    for k, call in matched.items():
        side_left = k % 2 == 0  # even edges are the left side
        assert call["kind"] == kind and call["duration"] == 50
        assert (call[left], call[right]) == ((1, 0) if side_left else (0, 1)), (k, call)
        if kind == "trigger-rumble":
            assert call["strongMagnitude"] == call["weakMagnitude"] == 0

    client.evaluate("() => window.__plugPad(false)")
    client.wait_for_selector("#tactile", state="hidden")
    client.evaluate("() => { window.__rumbles.length = 0; }")
    finish_set(panel, server, client, passes=1, speed=3.0)
    assert client.evaluate("() => window.__rumbles") == []
    assert not errors


def test_turned_off_nothing_pulses(panel, server, join):
    client, errors = join(VIBRATION, **PHONE)
    turn_on(client)
    client.click("#tactile")
    assert client.get_attribute("#tactile", "aria-pressed") == "false"
    finish_set(panel, server, client, passes=2, speed=3.0)
    assert client.evaluate("() => window.__pulses") == []


@pytest.mark.parametrize(
    "scripts",
    [(NO_VIBRATION,), (NO_VIBRATION, NO_GAMEPAD_API), (VIBRATION,)],
    ids=["phone-without-vibration", "no-apis-at-all", "desktop-with-the-api-but-no-motor"],
)
def test_the_toggle_stays_hidden_with_nothing_to_shake(panel, join, scripts):
    options = {"viewport": {"width": 1024, "height": 768}} if VIBRATION in scripts else PHONE
    client, errors = join(*scripts, **options)
    client.wait_for_timeout(300)
    assert client.is_hidden("#tactile")
    assert not errors


def test_the_channels_are_those_turned_on_and_present_and_changes_are_told(panel, server, join):
    client, errors = join(VIBRATION, GAMEPAD % "null", **PHONE)
    told = client.evaluate("""async () => {
      const { HapticScheduler, tactileSupport } = await import("/static/js/haptics.js");
      const told = [];
      const h = new HapticScheduler({ now: () => 0 }, { onTactileChange: (c) => told.push(c) });
      const tick = () => new Promise((r) => setTimeout(r, 0));
      const seen = [tactileSupport()];
      h.enable("vibration"); await tick(); seen.push(h.channels());
      h.enable("gamepad"); await tick(); seen.push(h.channels());  // no pad yet: nothing new
      window.__plugPad(true); h.devicesChanged(); await tick(); seen.push(h.channels());
      h.disable(); await tick(); seen.push(h.channels());
      h.silence();
      return { seen, told };
    }""")
    assert told["seen"] == [
        {"vibration": True, "gamepad": False},
        ["vibration"],
        ["vibration"],
        ["vibration", "gamepad"],
        [],
    ]
    assert told["told"] == [["vibration"], ["vibration", "gamepad"], []]
