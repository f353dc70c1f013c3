"""Stimulation never flashes (WCAG 2.3.1, the three-flashes limit, a clinical requirement in
EMDR where clients are screened for photosensitivity): the client's real page, driven through
the therapist's socket, at the schema's highest speed, largest target and widest path, with
every target shape and every look the panel offers, on every path, shows no more than three
general flashes in any second in any 10-degree field (tests/browser/flash_meter.js says how
that is measured).

Every frame at 60 per second is measured: the page's frame clock is held and stepped by
exactly one frame at a time (its animation frames and performance.now, nothing else), so the
measure does not depend on how fast this machine draws."""

from __future__ import annotations

from pathlib import Path

import pytest

from telehealth.stimulation import PATTERNS, SCHEMA, SHAPES
from tests.browser.harness import collect_errors, follow_link, make_link, open_panel, pass_checks

METER = (Path(__file__).parent / "flash_meter.js").read_text()
SCREEN = {"width": 1024, "height": 768}  # WCAG's reference screen: its field is 341 x 256 px
WIDE_SCREEN = {"width": 1920, "height": 1080}
FRAME_MS = 1000 / 60
SECONDS = 2  # several passes at the highest speed, and a second twice over

# Holds the page's animation frames and performance.now; the test steps them one frame at a
# time. Released, time goes on from where it was held (never backwards).
FRAME_CLOCK = """
(() => {
  const realNow = performance.now.bind(performance);
  const realRaf = window.requestAnimationFrame.bind(window);
  let held = null;
  let ahead = 0;
  let queue = [];
  let ids = 1e9;
  performance.now = () => (held === null ? realNow() + ahead : held);
  window.requestAnimationFrame = (cb) => {
    if (held === null) return realRaf(cb);
    queue.push(cb);
    ids += 1;
    return ids;
  };
  window.__frames = {
    realRaf,
    hold() { held = performance.now(); },
    pending: () => queue.length,
    step(ms) {
      held += ms;
      const due = queue;
      queue = [];
      for (const cb of due) cb(held);
    },
    release() {
      ahead = Math.max(ahead, held - realNow());
      held = null;
      const due = queue;
      queue = [];
      for (const cb of due) realRaf(cb);
    },
  };
})();
"""

# Returns once the page has drawn a frame after this moment.
DRAWN = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

# Step the client's page frame by frame and measure each frame of its canvas.
MEASURE = """async ([frames, frameMs]) => {
  const clock = window.__frames;
  const canvas = document.getElementById("stage");
  const dpr = canvas.width / canvas.getBoundingClientRect().width;
  const meter = new window.FlashMeter(canvas.width, canvas.height,
                                      window.innerWidth * dpr, window.innerHeight * dpr);
  const offset = Number(document.body.dataset.clockOffsetMs);
  clock.hold();
  while (!clock.pending()) await new Promise((r) => clock.realRaf(r));
  for (let i = 0; i < frames; i += 1) {
    clock.step(frameMs);
    meter.addCanvas(canvas, i * frameMs);
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 0)); // the page's sockets go on
  }
  clock.release();
  const moved = Math.abs(Number(document.body.dataset.clockOffsetMs) - offset);
  return { ...meter.result(), clockMoved: moved };
}"""

# Synthetic screens with known answers, through the same meter: [what, hz, grey a, grey b, side].
SYNTHETIC = """(cases) => cases.map(([what, hz, a, b, side]) => {
  const canvas = document.createElement("canvas");
  canvas.width = 1024;
  canvas.height = 768;
  const ctx = canvas.getContext("2d");
  const meter = new window.FlashMeter(1024, 768);
  const grey = (v) => `rgb(${v},${v},${v})`;
  for (let i = 0; i < 70; i += 1) {
    const t = (i * 1000) / 60;
    const phase = (t * hz) / 1000;
    ctx.fillStyle = grey(a);
    ctx.fillRect(0, 0, 1024, 768);
    let v = Math.floor(phase * 2) % 2 ? b : a;
    if (what === "fade") v = Math.round(a + ((b - a) * (1 - Math.cos(2 * Math.PI * phase))) / 2);
    ctx.fillStyle = grey(v);
    if (what === "square") ctx.fillRect(300, 200, side, side);
    else ctx.fillRect(0, 0, 1024, 768);
    meter.addCanvas(canvas, t);
  }
  return meter.result().flashes;
})"""
SYNTHETIC_CASES = {
    "the whole screen, black and white, 5 a second": (["screen", 5, 0, 255, 0], True),
    "the same as a smooth fade": (["fade", 5, 0, 255, 0], True),
    "160 x 160 px: more than a quarter of a field": (["square", 5, 0, 255, 160], True),
    "the whole screen, twice a second": (["screen", 2, 0, 255, 0], False),
    "140 x 140 px, 10 a second: less than a quarter": (["square", 10, 0, 255, 140], False),
    "dim: less than 0.1 apart": (["screen", 10, 0, 60, 0], False),
    "both light: the darker above 0.8": (["screen", 10, 238, 255, 0], False),
}


def test_the_meter_tells_a_flashing_screen_from_a_safe_one(browser):
    page = browser.new_page()
    page.evaluate(METER)
    cases = list(SYNTHETIC_CASES.values())
    counted = page.evaluate(SYNTHETIC, [case for case, _ in cases])
    page.close()
    wrong = {
        name: flashes
        for name, flashes, (_, over) in zip(SYNTHETIC_CASES, counted, cases, strict=True)
        if (flashes > 3) != over
    }
    assert not wrong, wrong


def open_flash_room(browser, server, screen: dict, email: str):
    """The client's page on `screen` and a therapist's socket to set the target."""
    panel_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    client_ctx = browser.new_context(viewport=screen, device_scale_factor=1)
    client_ctx.add_init_script(FRAME_CLOCK)
    panel, client = panel_ctx.new_page(), client_ctx.new_page()
    errors = collect_errors(panel, client)
    open_panel(panel, server, email)
    follow_link(client, make_link(panel))
    pass_checks(client)
    client.wait_for_selector("#connection[data-status=connected]")
    client.evaluate(METER)
    session_id = int(panel.url.rsplit("/", 1)[1])
    panel.evaluate(
        """(id) => new Promise((resolve) => {
             window.__therapist = window.io({ auth: { role: "therapist", session_id: id },
                                              transports: ["websocket"] });
             window.__therapist.on("connect", resolve);
           })""",
        session_id,
    )
    looks = panel.evaluate(
        """() => [...document.querySelectorAll(".look")]
                 .map((b) => [b.dataset.colour, b.dataset.background])"""
    )
    yield {"panel": panel, "client": client, "looks": looks, "errors": errors}
    panel_ctx.close()
    client_ctx.close()


@pytest.fixture(scope="module")
def room(browser, server):
    """WCAG's reference screen."""
    yield from open_flash_room(browser, server, SCREEN, "flash-therapist@example.org")


@pytest.fixture(scope="module")
def wide_room(browser, server):
    """A large wide screen: the dock beside the stage takes the least of it."""
    yield from open_flash_room(browser, server, WIDE_SCREEN, "wide-therapist@example.org")


def send(room, event: str, payload: dict | None = None) -> int:
    """Emit as the therapist; the client's page shows the new state before this returns."""
    ack = room["panel"].evaluate(
        "([event, payload]) => window.__therapist.emitWithAck(event, payload)", [event, payload]
    )
    assert ack["ok"], ack
    room["client"].wait_for_function(
        "(rev) => Number(document.body.dataset.rev) >= rev", arg=ack["rev"]
    )
    room["client"].evaluate(DRAWN)
    return ack["rev"]


def measure(room) -> dict:
    result = room["client"].evaluate(MEASURE, [SECONDS * 60, FRAME_MS])
    if result["clockMoved"] > 1:  # the page's clock estimate moved mid-way: measure again
        result = room["client"].evaluate(MEASURE, [SECONDS * 60, FRAME_MS])
    assert result["frames"] == SECONDS * 60
    return result


def report(results) -> None:
    """What was seen, for the log: flashes in a field, the most of a field changing together
    in one frame, and the most flashes of one small cell (WCAG 2.3.2's stricter count)."""
    for combo, r in results:
        print(combo, r["flashes"], round(r["together"]["share"], 3), r["cellFlashes"])


def fastest_largest(pattern: str) -> dict:
    return {
        "speed_pps": SCHEMA["speed_pps"].high,
        "size": SCHEMA["size"].high,
        "width": SCHEMA["width"].high,
        "pattern": pattern,
        "profile": "smooth",
        "set_unit": "passes",
        "set_passes": 0,  # until stopped
    }


def test_no_shape_and_no_look_flashes_at_the_fastest_speed_and_largest_size(room):
    default = (SCHEMA["colour"].default, SCHEMA["background"].default)
    looks = list(dict.fromkeys([default, *map(tuple, room["looks"])]))
    assert len(looks) >= 4
    send(room, "stim:update", fastest_largest("horizontal"))
    send(room, "stim:start")
    results = []
    for shape in SHAPES:
        for colour, background in looks:
            send(room, "stim:update", {"shape": shape, "colour": colour, "background": background})
            results.append(((shape, colour, background), measure(room)))
    send(room, "stim:stop")
    report(results)
    assert all(r["flashes"] <= 3 for _, r in results), [c for c, r in results if r["flashes"] > 3]
    assert not room["errors"]


FASTEST = ("diagonal_down", "figure8")  # the most pixels a second at the same passes a second
# The targets whose moving edges change the most area at once: a black glow on white (its soft
# edge is wide in luminance: the glow's former halo of two radii flashed on the diagonal paths
# and the figure of eight), a white square on black; and the usual glow, white on black.
WORST = [
    ("glow", "#000000", "#ffffff"),
    ("square", "#ffffff", "#000000"),
    ("glow", "#ffffff", "#000000"),
]


def test_no_path_flashes_with_the_targets_that_change_the_most_at_once(room):
    paths = [("smooth", p, look) for p in PATTERNS if p != "horizontal" for look in WORST]
    paths += [("linear", p, WORST[0]) for p in ("horizontal", "figure8")]  # sharp turns
    check_paths(room, paths)


def test_on_a_large_wide_screen_the_fastest_paths_do_not_flash_either(wide_room):
    """Where the stage fills the most of the screen: the 10-degree field is the screen's, the
    target's size and speed the stage's."""
    check_paths(wide_room, [("smooth", p, look) for p in FASTEST for look in WORST[:2]])


def check_paths(room, paths) -> None:
    send(room, "stim:update", fastest_largest("horizontal"))
    send(room, "stim:start")
    results = []
    for profile, pattern, (shape, colour, background) in paths:
        look = {"shape": shape, "colour": colour, "background": background}
        send(room, "stim:update", {"profile": profile, "pattern": pattern, **look})
        results.append(((profile, pattern, shape, colour), measure(room)))
    send(room, "stim:stop")
    report(results)
    assert all(r["flashes"] <= 3 for _, r in results), [c for c, r in results if r["flashes"] > 3]
    assert not room["errors"]
