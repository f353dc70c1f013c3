"""static/js/stimview.js in Chromium: a state that arrives late is blended in, never jumped to.

The view runs on a clock the test moves by hand, so every millisecond of a blend is checked.
"""

from __future__ import annotations

RUN = """async () => {
  const { StimView, BLEND_MS, BLEND_MAX_PHASE } = await import("/static/js/stimview.js");
  const { phaseAt } = await import("/static/js/motion.js");
  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  let now = 1000000;
  const view = new StimView(canvas, { now: () => now });
  view.renderer.draw = () => {}; // only the phases are looked at
  const state = (rev, speed, t0, phase0, extra = {}) => ({
    rev, running: true, end_phase: null, anchor: { t0_ms: t0, phase0 },
    settings: { pattern: "horizontal", speed_pps: speed }, ...extra,
  });
  // A late change: made 150 ms before this page hears of it, 0.5 -> 2.5 passes a second.
  const slow = state(1, 0.5, now, 0.5);
  view.setState(slow);
  now += 1000;
  const madeAt = now - 150;
  const fast = state(2, 2.5, madeAt, phaseAt(slow, madeAt));
  const before = view.phaseNow(now);
  view.setState(fast);
  const series = [];
  for (let k = 0; k <= BLEND_MS + 100; k += 1) {
    series.push([k, view.phaseNow(now + k), phaseAt(fast, now + k)]);
  }
  const lateChange = { before, oldFormula: phaseAt(slow, now), series };
  now += BLEND_MS + 100;
  // Far from where it is drawn (a page back from being offline): shown at once.
  const far = state(3, 2.5, now, view.phaseNow(now) + BLEND_MAX_PHASE + 0.2);
  view.setState(far);
  const farGap = view.phaseNow(now) - phaseAt(far, now);
  // Another path: shown at once, even from close by.
  const other = state(4, 2.5, now, phaseAt(far, now) + 0.1, {});
  other.settings = { pattern: "vertical", speed_pps: 2.5 };
  view.setState(other);
  const otherGap = view.phaseNow(now) - phaseAt(other, now);
  // Drawn ahead of a set that ends 40 ms from now: the blend never carries it past the end.
  const phase0 = phaseAt(other, now) - 0.3; // made 100 ms ago: 0.05 behind what is drawn
  const endAt = phase0 + 0.25 + 0.1;
  const ending = state(5, 2.5, now - 100, phase0, { end_phase: endAt });
  ending.settings = other.settings;
  view.setState(ending);
  const endingGap = view.phaseNow(now) - phaseAt(ending, now);
  let maxEnding = -Infinity;
  for (let k = 0; k <= BLEND_MS; k += 1) maxEnding = Math.max(maxEnding, view.phaseNow(now + k));
  return { lateChange, farGap, otherGap, endAt, endingGap, maxEnding, blendMs: BLEND_MS };
}"""


def test_a_late_speed_change_is_blended_in_without_a_jump(browser, server):
    page = browser.new_page()
    page.goto(server.url + "/login")
    got = page.evaluate(RUN)
    page.close()
    late = got["lateChange"]
    series = late["series"]
    # the page hears of the change: the target is where it was, not 0.3 of a pass further
    assert abs(late["before"] - late["oldFormula"]) < 1e-9
    assert abs(series[0][1] - late["before"]) < 1e-9
    assert series[0][2] - series[0][1] > 0.25  # the formula alone would have jumped that far
    # then it moves on, never backwards and never faster than the new speed plus the catch-up
    # (smoothstep's steepest slope is 1.5 x the gap over the blend)
    gap = series[0][2] - series[0][1]
    fastest = 2.5 / 1000 + 1.5 * gap / got["blendMs"]
    steps = [b[1] - a[1] for a, b in zip(series, series[1:], strict=False)]
    assert min(steps) >= 0
    assert max(steps) <= fastest * 1.001
    # and once the blend is over it is exactly where the formula says
    assert all(abs(shown - formula) < 1e-9 for k, shown, formula in series if k >= got["blendMs"])
    assert any(abs(shown - formula) > 0.01 for k, shown, formula in series if k < got["blendMs"])
    # large differences and a change of path are shown at once
    assert got["farGap"] == 0 and got["otherGap"] == 0
    assert got["endingGap"] > 0.04 and abs(got["maxEnding"] - got["endAt"]) < 1e-9
