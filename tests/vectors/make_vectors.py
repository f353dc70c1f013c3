"""Write tests/vectors/motion.json from telehealth/stimulation.py (the same file on every run).

Run from the repository's root: ``python tests/vectors/make_vectors.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from telehealth import stimulation as s  # noqa: E402

OUT = Path(__file__).with_name("motion.json")
ABOUT = (
    "Motion vectors: inputs and the outputs of telehealth/stimulation.py; static/js/motion.js"
    " must give the same (tests/test_stimulation.py and tests/browser/test_motion_vectors.py)."
)
TOLERANCE = 1e-6
DIGITS = 9

# (running, t0_ms, phase0, end_phase, set_start_phase, speed_pps): a set under way from the
# centre, one from an edge with a planned end, one at rest, one at the highest speed.
STATES = [
    (True, 1000.0, 0.5, None, 0.5, 1.0),
    (True, 5000.0, 0.0, 7.0, 0.0, 2.5),
    (False, 0.0, 3.25, None, 0.5, 0.2),
    (True, 200.0, 0.5, 4.5, 0.5, 3.0),
]
TIMES_MS = [0.0, 1000.0, 1250.0, 2333.3, 5000.0, 7400.0, 12000.0]


def state(running, t0_ms, phase0, end_phase, set_start_phase, speed_pps, pattern, profile):
    """The part of a room's state that the motion formulas read."""
    return {
        "running": running,
        "anchor": {"t0_ms": t0_ms, "phase0": phase0},
        "end_phase": end_phase,
        "set_start_phase": set_start_phase,
        "settings": {"speed_pps": speed_pps, "pattern": pattern, "profile": profile},
    }


def motion_case(st: dict, t_ms: float) -> dict:
    phase = s.phase_at(st, t_ms)
    x, y = s.position(phase, st["settings"]["pattern"], st["settings"]["profile"])
    return {
        "state": st,
        "t_ms": t_ms,
        "phase": round(phase, DIGITS),
        "x": round(x, DIGITS),
        "y": round(y, DIGITS),
        "passes": s.passes_done(st, t_ms),
    }


def motion_cases() -> list[dict]:
    return [
        motion_case(state(*row, pattern, profile), t_ms)
        for row in STATES
        for t_ms in TIMES_MS
        for pattern in s.PATTERNS
        for profile in s.PROFILES
    ]


def vectors() -> dict:
    return {"about": ABOUT, "tolerance": TOLERANCE, "cases": motion_cases()}


def main() -> None:
    OUT.write_text(json.dumps(vectors(), indent=1))


if __name__ == "__main__":
    main()
