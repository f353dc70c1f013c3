"""Write tests/vectors/motion.json from telehealth/stimulation.py (the same file on every run).

Run from the repository's root: ``python tests/vectors/make_vectors.py``.
"""

from __future__ import annotations

import itertools
import json
import math
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

TOP_PPS = s.SCHEMA["speed_pps"].high
# (running, t0_ms, phase0, end_phase, set_start_phase, speed_pps): a set under way from the
# centre, one from an edge with a planned end, one at rest, and at the highest speed one with a
# planned end and one running on.
STATES = [
    (True, 1000.0, 0.5, None, 0.5, 1.0),
    (True, 5000.0, 0.0, 7.0, 0.0, 2.5),
    (False, 0.0, 3.25, None, 0.5, 0.2),
    (True, 200.0, 0.5, 4.5, 0.5, TOP_PPS),
    (True, 300.0, 0.0, None, 0.0, TOP_PPS),
]
TIMES_MS = [0.0, 1000.0, 1250.0, 2333.3, 5000.0, 7400.0, 12000.0]

SPEEDS_PPS = [s.SCHEMA["speed_pps"].low, 1.0, 2.5, 3.0, TOP_PPS]
# Set lengths: (set_unit, its length, start_from, end_at).
SET_LENGTHS = [("passes", 24, "centre", "edge"), ("seconds", 30, "edge", "centre")]
NTH_EDGES = [0, 1, 2, 7, 24]  # edges after a set's first one (0: the first edge itself)
STARTED_MS = 1000.0
CHANGED_MS = 2345.6


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


def motion_part(full: dict) -> dict:
    """A room's whole state cut down to what the motion formulas read."""
    settings = full["settings"]
    return state(
        full["running"],
        full["anchor"]["t0_ms"],
        full["anchor"]["phase0"],
        full["end_phase"],
        full["set_start_phase"],
        settings["speed_pps"],
        settings["pattern"],
        settings["profile"],
    )


def started_set(pattern: str, speed_pps: float, set_length: tuple) -> dict:
    unit, length, start_from, end_at = set_length
    changes = {
        "pattern": pattern,
        "speed_pps": speed_pps,
        "set_unit": unit,
        f"set_{unit}": length,
        "start_from": start_from,
        "end_at": end_at,
    }
    return s.start(s.apply_settings(s.initial_state(), changes, 0.0), STARTED_MS)


def edge_time_ms(st: dict, edge: float) -> float:
    """When the target reaches phase ``edge``: the planned end of the same run ending there."""
    return s.ends_at_ms({**st, "running": True, "end_phase": edge})


def edge_cases() -> list[dict]:
    """The time of a set's Nth edge, from its start and after a change of speed mid-set."""
    cases = []
    runs = itertools.product(SPEEDS_PPS, SET_LENGTHS)
    for pattern, (speed_pps, set_length) in zip(itertools.cycle(s.PATTERNS), runs):
        started = started_set(pattern, speed_pps, set_length)
        faster = s.apply_settings(started, {"speed_pps": TOP_PPS}, CHANGED_MS)
        for full in (started, faster):
            st = motion_part(full)
            first_edge = math.ceil(st["set_start_phase"])
            for n in NTH_EDGES:
                edge = first_edge + n
                if not st["anchor"]["phase0"] <= edge <= st["end_phase"]:
                    continue  # behind the target or past the set's end: never reached
                at_ms = edge_time_ms(st, edge)
                cases.append(
                    {
                        "state": st,
                        "edge": edge,
                        "at_ms": round(at_ms, DIGITS),
                        "passes": s.passes_done(st, at_ms),
                    }
                )
    return cases


def end_cases() -> list[dict]:
    """When a set, or a stop's glide to the centre, reaches its planned end."""
    cases = []
    for pattern in s.PATTERNS:
        for speed_pps in SPEEDS_PPS:
            for set_length in SET_LENGTHS:
                started = started_set(pattern, speed_pps, set_length)
                stopped = s.stop(started, CHANGED_MS)
                for full in (started, stopped):
                    st = motion_part(full)
                    ends_at_ms = s.ends_at_ms(st)
                    cases.append(
                        {
                            "state": st,
                            "ends_at_ms": round(ends_at_ms, DIGITS),
                            "passes": s.passes_done(st, ends_at_ms),
                        }
                    )
    return cases


def vectors() -> dict:
    return {
        "about": ABOUT,
        "tolerance": TOLERANCE,
        "cases": motion_cases(),
        "edges": edge_cases(),
        "ends": end_cases(),
    }


def main() -> None:
    OUT.write_text(json.dumps(vectors(), indent=1))


if __name__ == "__main__":
    main()
