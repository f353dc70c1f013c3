"""Bilateral stimulation: settings schema, validation and the phase arithmetic (no Flask here).

Motion is a function of time. A room's state holds ``rev``, ``running``, ``settings`` and an
``anchor``: at server time ``anchor.t0_ms`` the target stood at phase ``anchor.phase0``;
while running, ``phase = phase0 + speed_pps * (t - t0) / 1000``, clamped at ``end_phase``
when a set or a stop has a planned end. Whole phases are the edges (even: left/top, odd:
right/bottom), so one pass (edge to edge) is one unit of phase and the pass count is plain
arithmetic. ``static/js/motion.js`` mirrors this module; ``tests/vectors/motion.json`` checks both.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from typing import Any

PATTERNS = ("horizontal", "vertical", "diagonal_down", "diagonal_up", "circle", "figure8")
PROFILES = ("linear", "smooth")
SHAPES = ("circle", "square", "star", "glow")
SOUND_KINDS = ("tone", "click", "continuous")
WAVEFORMS = ("sine", "triangle", "square", "sawtooth")
START_FROM = ("centre", "edge")
END_AT = ("edge", "centre")
SET_UNITS = ("passes", "seconds")

CENTRE_PHASE = 0.5
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")  # with fullmatch: "$" lets a final newline in


class StimError(ValueError):
    """A refused stimulation input; ``code`` and ``message`` go to the sender unchanged."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    kind: str  # "number", "int", "bool", "choice", "colour"
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    label: str = ""
    step: float = 1  # the control's step on the panel


SCHEMA: dict[str, Field] = {
    "speed_pps": Field("number", 1.0, 0.2, 4.0, label="Speed", step=0.05),
    "pattern": Field("choice", "horizontal", choices=PATTERNS, label="Path"),
    "profile": Field("choice", "smooth", choices=PROFILES, label="Motion"),
    "width": Field("number", 0.9, 0.1, 1.0, label="Path width", step=0.05),
    "shape": Field("choice", "circle", choices=SHAPES, label="Target shape"),
    "size": Field("number", 0.05, 0.01, 0.2, label="Target size", step=0.005),
    "colour": Field("colour", "#4fc3f7", label="Target colour"),
    "background": Field("colour", "#101820", label="Background"),
    "sound_on": Field("bool", True, label="Sound"),
    "sound_kind": Field("choice", "tone", choices=SOUND_KINDS, label="Sound type"),
    "waveform": Field("choice", "sine", choices=WAVEFORMS, label="Waveform"),
    "pitch_hz": Field("number", 440.0, 100.0, 2000.0, label="Pitch (Hz)", step=10),
    "volume": Field("number", 0.5, 0.0, 1.0, label="Volume", step=0.05),
    "duration_ms": Field("int", 120, 20, 500, label="Tone length (ms)"),
    "set_unit": Field("choice", "passes", choices=SET_UNITS, label="Set length in"),
    "set_passes": Field("int", 24, 0, 500, label="Passes per set (0 = until stopped)"),
    "set_seconds": Field("int", 30, 0, 900, label="Seconds per set (0 = until stopped)"),
    "start_from": Field("choice", "centre", choices=START_FROM, label="Start from"),
    "end_at": Field("choice", "edge", choices=END_AT, label="Set ends at"),
}

# Speeds marked on the panel's slider, in passes per second (1 Hz, a full left-right cycle, is
# two passes): the usual range, and the faster EMDR 2.0 range (1.2 to 2 Hz).
SPEED_BANDS = (("Usual", 1.0, 2.4), ("EMDR 2.0", 2.4, 4.0))
# Settings of the protocol offered on every panel beside the therapist's own presets: resource
# installation (a safe place, a resource) runs slower and shorter sets than processing.
PROTOCOL_PRESETS = (
    {
        "key": "resource",
        "name": "Resource installation",
        "about": "slower, shorter sets: 8 passes at 0.8 passes/s (0.4 Hz)",
        "settings": {"speed_pps": 0.8, "set_unit": "passes", "set_passes": 8},
    },
    {
        "key": "processing",
        "name": "Processing",
        "about": "the usual sets: 24 passes at 1.0 passes/s (0.5 Hz)",
        "settings": {"speed_pps": 1.0, "set_unit": "passes", "set_passes": 24},
    },
)


def default_settings() -> dict[str, Any]:
    return {name: field.default for name, field in SCHEMA.items()}


def complete_settings(saved: dict[str, Any]) -> dict[str, Any]:
    """Stored settings brought to the current schema: unknown or invalid fields take defaults."""
    settings = default_settings()
    for name, value in saved.items():
        if name in SCHEMA:
            with contextlib.suppress(StimError):  # a value out of today's bounds: the default
                settings[name] = _check_value(name, SCHEMA[name], value)
    return settings


def _check_value(name: str, field: Field, value: Any) -> Any:
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise StimError("invalid_value", f"{name} must be true or false.")
        return value
    if field.kind in ("number", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise StimError("invalid_value", f"{name} must be a number.")
        if field.kind == "int" and not float(value).is_integer():
            raise StimError("invalid_value", f"{name} must be a whole number.")
        if not math.isfinite(value) or not field.low <= value <= field.high:
            raise StimError(
                "out_of_range", f"{name} must be between {field.low:g} and {field.high:g}."
            )
        return int(value) if field.kind == "int" else float(value)
    if not isinstance(value, str) or len(value) > 32:
        raise StimError("invalid_value", f"{name} must be a short text value.")
    if field.kind == "choice" and value not in field.choices:
        raise StimError("invalid_value", f"{name} must be one of: {', '.join(field.choices)}.")
    if field.kind == "colour" and not _COLOUR.fullmatch(value):
        raise StimError("invalid_value", f"{name} must be a colour like #336699.")
    return value.lower() if field.kind == "colour" else value


def validate_changes(payload: Any) -> dict[str, Any]:
    """Check a partial settings update; return the cleaned changes or raise StimError."""
    if not isinstance(payload, dict):
        raise StimError("invalid_payload", "Settings must be an object of field names and values.")
    if not payload:
        raise StimError("invalid_payload", "No settings to change.")
    unknown = sorted(str(k)[:40] for k in payload if k not in SCHEMA)
    if unknown:
        raise StimError("unknown_field", f"Unknown setting: {', '.join(unknown)}.")
    return {name: _check_value(name, SCHEMA[name], value) for name, value in payload.items()}


# --- phase arithmetic -------------------------------------------------------------------------


def initial_state(settings: dict[str, Any] | None = None, now_ms: float = 0.0) -> dict[str, Any]:
    return {
        "rev": 0,
        "running": False,
        "settings": dict(settings or default_settings()),
        "anchor": {"t0_ms": now_ms, "phase0": CENTRE_PHASE},
        "end_phase": None,
        "paused": False,
        "stopping": False,
        "set_start_phase": None,
        "set_started_ms": None,
    }


def phase_at(state: dict[str, Any], t_ms: float) -> float:
    """The target's phase at server time ``t_ms``."""
    anchor = state["anchor"]
    if not state["running"]:
        return anchor["phase0"]
    phase = anchor["phase0"] + state["settings"]["speed_pps"] * (t_ms - anchor["t0_ms"]) / 1000.0
    end = state["end_phase"]
    return min(phase, end) if end is not None else phase


def sweep(phase: float, profile: str) -> float:
    """Position along a straight path in -1..1: -1 at even phases, +1 at odd ones."""
    if profile == "smooth":
        return -math.cos(math.pi * phase)
    p = phase % 2.0
    return 2.0 * (p if p <= 1.0 else 2.0 - p) - 1.0


def position(phase: float, pattern: str, profile: str) -> tuple[float, float]:
    """Target position in -1..1 on both axes (x right, y down) for a phase."""
    u = sweep(phase, profile)
    if pattern == "horizontal":
        return u, 0.0
    if pattern == "vertical":
        return 0.0, u
    if pattern == "diagonal_down":
        return u, u
    if pattern == "diagonal_up":
        return u, -u
    angle = math.pi * phase
    if pattern == "circle":
        return -math.cos(angle), math.sin(angle)
    if pattern == "figure8":
        return -math.cos(angle), math.sin(2.0 * angle) / 2.0
    raise StimError("invalid_value", f"Unknown path {pattern}.")


def passes_done(state: dict[str, Any], t_ms: float) -> int:
    """Whole passes (edge to edge) completed in the current set.

    A set started from the centre reaches its first edge after half a pass; passes are counted
    from that first edge, so a set of N passes ends at edge ``first_edge + N``.
    """
    start = state.get("set_start_phase")
    if start is None:
        return 0
    return max(0, math.floor(phase_at(state, t_ms) + 1e-9) - math.ceil(start))


def has_ended(state: dict[str, Any], t_ms: float) -> bool:
    end = state["end_phase"]
    return state["running"] and end is not None and phase_at(state, t_ms) >= end


def ends_at_ms(state: dict[str, Any]) -> float | None:
    """Server time at which a running state reaches its planned end, if it has one."""
    if not state["running"] or state["end_phase"] is None:
        return None
    anchor = state["anchor"]
    speed = state["settings"]["speed_pps"]
    return anchor["t0_ms"] + (state["end_phase"] - anchor["phase0"]) * 1000.0 / speed


def _next(state: dict[str, Any], t_ms: float) -> dict[str, Any]:
    """Copy of ``state`` one rev on, anchored at ``t_ms`` at the same phase (no jump).

    A run that has reached its planned end is at rest in the copy.
    """
    new = dict(state)
    new["rev"] = state["rev"] + 1
    new["anchor"] = {"t0_ms": t_ms, "phase0": phase_at(state, t_ms)}
    if has_ended(state, t_ms):
        new["running"], new["stopping"], new["end_phase"] = False, False, None
    return new


def _set_end(state: dict[str, Any], phase: float) -> float | None:
    """Where the current set ends, from its settings, never behind ``phase``."""
    settings = state["settings"]
    first_edge = math.ceil(state["set_start_phase"])
    if settings["set_unit"] == "seconds":
        if not settings["set_seconds"]:
            return None
        # Whole passes that fit in the time at this speed: the set still ends on an edge.
        passes = max(1, round(settings["set_seconds"] * settings["speed_pps"]))
    else:
        passes = settings["set_passes"]
        if not passes:
            return None
    end = first_edge + passes + (CENTRE_PHASE if settings["end_at"] == "centre" else 0.0)
    return max(end, math.ceil(phase))


def apply_settings(state: dict[str, Any], changes: dict[str, Any], t_ms: float) -> dict[str, Any]:
    """New state with ``changes`` applied; re-anchored so the target never jumps."""
    new = _next(state, t_ms)
    new["settings"] = {**state["settings"], **changes}
    set_length = {"set_unit", "set_passes", "set_seconds", "end_at"}
    if new["running"] and not new["stopping"] and set_length & changes.keys():
        new["end_phase"] = _set_end(new, new["anchor"]["phase0"])
    return new


def start(state: dict[str, Any], t_ms: float) -> dict[str, Any]:
    """Start a set (from the centre or the left edge), or resume a paused one where it is."""
    new = _next(state, t_ms)
    new["running"], new["paused"], new["stopping"] = True, False, False
    if state["paused"]:
        return new
    phase0 = CENTRE_PHASE if new["settings"]["start_from"] == "centre" else 0.0
    new["anchor"] = {"t0_ms": t_ms, "phase0": phase0}
    new["set_start_phase"] = phase0
    new["set_started_ms"] = t_ms
    new["end_phase"] = _set_end(new, phase0)
    return new


def pause(state: dict[str, Any], t_ms: float) -> dict[str, Any]:
    """Freeze the target where it is; start resumes the same set from there."""
    new = _next(state, t_ms)
    if new["running"]:
        new["running"], new["paused"] = False, True
    return new


def stop(state: dict[str, Any], t_ms: float) -> dict[str, Any]:
    """Stop: the target glides on to the next centre crossing and rests there."""
    new = _next(state, t_ms)
    if new["running"] or new["paused"]:
        phase = new["anchor"]["phase0"]
        new["running"], new["paused"], new["stopping"] = True, False, True
        new["end_phase"] = math.floor(phase - CENTRE_PHASE) + 1 + CENTRE_PHASE
    return new


def settle(state: dict[str, Any], t_ms: float) -> dict[str, Any] | None:
    """The state at rest once a run has reached its planned end; None while it has not."""
    if not has_ended(state, t_ms):
        return None
    return _next(state, t_ms)
