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

EDGE_TIMES = """async (vectors) => {
  const m = await import("/static/js/motion.js");
  const edge = (state, k) => {
    const atMs = m.edgeTimeMs(state, k);
    return { atMs, passes: m.passesDone(state, atMs) };
  };
  return {
    edges: vectors.edges.map((c) => edge(c.state, c.edge)),
    ends: vectors.ends.map((c) => edge(c.state, c.state.end_phase)),
  };
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


def test_javascript_edge_times_match_the_shared_vectors(browser, server):
    page = browser.new_page()
    page.goto(server.url + "/login")
    results = page.evaluate(EDGE_TIMES, VECTORS)
    tol = VECTORS["tolerance"]
    assert len(results["edges"]) == len(VECTORS["edges"]) > 40
    for case, got in zip(VECTORS["edges"], results["edges"], strict=True):
        assert abs(got["atMs"] - case["at_ms"]) <= tol and got["passes"] == case["passes"], case
    assert len(results["ends"]) == len(VECTORS["ends"]) > 40
    for case, got in zip(VECTORS["ends"], results["ends"], strict=True):
        assert abs(got["atMs"] - case["ends_at_ms"]) <= tol, case
        assert got["passes"] == case["passes"], case
    page.close()
