"""static/js/motion.js, run in Chromium, gives the numbers of telehealth/stimulation.py."""

from __future__ import annotations

import json
from pathlib import Path

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "motion.json").read_text())

RUN = """async (vectors) => {
  const m = await import("/static/js/motion.js");
  const out = { x: 0, y: 0 };
  return vectors.cases.map((c) => {
    const phase = m.phaseAt(c.state, c.t_ms);
    m.position(phase, c.state.settings.pattern, c.state.settings.profile, out);
    return { phase, x: out.x, y: out.y, passes: m.passesDone(c.state, c.t_ms) };
  });
}"""


def test_javascript_motion_matches_the_shared_vectors(browser, server):
    page = browser.new_page()
    page.goto(server.url + "/login")
    results = page.evaluate(RUN, VECTORS)
    tol = VECTORS["tolerance"]
    assert len(results) == len(VECTORS["cases"])
    for case, got in zip(VECTORS["cases"], results, strict=True):
        assert abs(got["phase"] - case["phase"]) <= tol, case
        assert abs(got["x"] - case["x"]) <= tol and abs(got["y"] - case["y"]) <= tol, case
        assert got["passes"] == case["passes"], case
    page.close()
