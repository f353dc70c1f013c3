"""The pure stimulation module: schema, validation, and the phase and pass arithmetic."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from telehealth import stimulation as s
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import TherapySession
from tests.support import received

VECTORS_DIR = Path(__file__).parent / "vectors"
VECTORS = json.loads((VECTORS_DIR / "motion.json").read_text())


def running(speed=1.0, phase0=0.5, t0=0.0, end=None, start=0.5, **settings):
    state = s.initial_state(now_ms=t0)
    state["settings"].update(speed_pps=speed, **settings)
    state.update(
        running=True, end_phase=end, set_start_phase=start, anchor={"t0_ms": t0, "phase0": phase0}
    )
    return state


def test_every_default_is_within_its_bounds():
    assert s.validate_changes(s.default_settings()) == s.default_settings()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"speed_pps": True}, "invalid_value"),
        ({"speed_pps": "1"}, "invalid_value"),
        ({"speed_pps": float("nan")}, "out_of_range"),
        ({"speed_pps": float("inf")}, "out_of_range"),
        ({"speed_pps": 0.1}, "out_of_range"),
        ({"speed_pps": 4.01}, "out_of_range"),
        ({"set_passes": 2.5}, "invalid_value"),
        ({"pattern": "zigzag"}, "invalid_value"),
        ({"pattern": ["horizontal"]}, "invalid_value"),
        ({"colour": "red"}, "invalid_value"),
        ({"colour": "#12345g"}, "invalid_value"),
        ({"sound_on": 1}, "invalid_value"),
        ({"pattern": "x" * 10000}, "invalid_value"),
        ({"volume": {"a": 1}}, "invalid_value"),
        ({"unknown": 1}, "unknown_field"),
        ({}, "invalid_payload"),
        ([], "invalid_payload"),
        ("speed", "invalid_payload"),
        (None, "invalid_payload"),
    ],
)
def test_bad_changes_are_refused_with_a_code(payload, code):
    with pytest.raises(s.StimError) as err:
        s.validate_changes(payload)
    assert err.value.code == code and err.value.message


def test_the_speed_goes_from_a_fifth_of_a_pass_to_four_passes_a_second():
    """Four passes a second is 2 Hz, the top of the EMDR 2.0 range (1 Hz: a left-right cycle)."""
    assert (s.SCHEMA["speed_pps"].low, s.SCHEMA["speed_pps"].high) == (0.2, 4.0)
    assert s.validate_changes({"speed_pps": 4}) == {"speed_pps": 4.0}
    assert s.validate_changes({"speed_pps": 0.2}) == {"speed_pps": 0.2}
    with pytest.raises(s.StimError) as err:
        s.validate_changes({"speed_pps": 4.01})
    assert err.value.message == "speed_pps must be between 0.2 and 4."
    assert s.SPEED_BANDS[-1] == ("EMDR 2.0", 2.4, 4.0)


def test_good_changes_are_cleaned():
    assert s.validate_changes({"speed_pps": 2, "colour": "#ABCDEF", "set_passes": 10.0}) == {
        "speed_pps": 2.0,
        "colour": "#abcdef",
        "set_passes": 10,
    }


@pytest.mark.parametrize(
    ("pattern", "phase", "expected"),
    [
        ("horizontal", 0.0, (-1.0, 0.0)),
        ("horizontal", 0.5, (0.0, 0.0)),
        ("horizontal", 1.0, (1.0, 0.0)),
        ("vertical", 1.0, (0.0, 1.0)),
        ("diagonal_down", 0.0, (-1.0, -1.0)),
        ("diagonal_up", 0.0, (-1.0, 1.0)),
        ("circle", 0.5, (0.0, 1.0)),
        ("circle", 1.0, (1.0, 0.0)),
        ("figure8", 0.25, (-math.sqrt(0.5), 0.5)),
    ],
)
def test_positions_at_known_phases(pattern, phase, expected):
    for profile in s.PROFILES:
        x, y = s.position(phase, pattern, profile)
        if pattern in ("circle", "figure8"):
            assert (x, y) == pytest.approx(expected, abs=1e-9)
        else:
            assert (
                (x, y) == pytest.approx(expected, abs=1e-9) or profile == "linear" and phase == 0.25
            )


def test_a_linear_sweep_moves_at_constant_speed():
    xs = [s.sweep(p / 10, "linear") for p in range(11)]
    assert [round(b - a, 9) for a, b in zip(xs, xs[1:], strict=False)] == [0.2] * 10


def test_a_speed_change_reanchors_so_the_target_does_not_jump():
    state = running(speed=1.0, t0=0.0)
    before = s.phase_at(state, 1234.0)
    changed = s.apply_settings(state, {"speed_pps": 3.0}, 1234.0)
    assert s.phase_at(changed, 1234.0) == pytest.approx(before)
    assert s.phase_at(changed, 1334.0) == pytest.approx(before + 0.3)
    assert changed["rev"] == state["rev"] + 1


@pytest.mark.parametrize(("start_from", "phase0"), [("centre", 0.5), ("edge", 0.0)])
def test_a_set_starts_from_the_centre_or_an_edge(start_from, phase0):
    state = s.apply_settings(s.initial_state(), {"start_from": start_from}, 0)
    started = s.start(state, 100.0)
    assert started["anchor"] == {"t0_ms": 100.0, "phase0": phase0} and started["running"]


@pytest.mark.parametrize(
    ("passes", "speed"), [(1, 0.2), (3, 3.0), (5, 2.0), (24, 1.0), (7, 1.3), (24, 4.0), (3, 4.0)]
)
def test_a_set_of_n_passes_ends_at_an_edge_after_exactly_n(passes, speed):
    state = s.apply_settings(s.initial_state(), {"set_passes": passes, "speed_pps": speed}, 0)
    started = s.start(state, 0.0)
    end_ms = s.ends_at_ms(started)
    assert s.passes_done(started, end_ms - 1) == passes - 1
    assert s.passes_done(started, end_ms + 5000) == passes
    assert s.phase_at(started, end_ms + 5000) == started["end_phase"] == 1 + passes
    settled = s.settle(started, end_ms + 1)
    assert not settled["running"] and s.passes_done(settled, end_ms + 9999) == passes
    assert s.settle(started, end_ms - 1) is None


def test_a_set_can_end_at_the_centre():
    state = s.apply_settings(s.initial_state(), {"set_passes": 4, "end_at": "centre"}, 0)
    started = s.start(state, 0.0)
    assert started["end_phase"] == 5.5
    assert s.position(started["end_phase"], "horizontal", "smooth")[0] == pytest.approx(0.0)


def test_a_set_in_seconds_ends_on_the_edge_nearest_its_length():
    state = s.apply_settings(
        s.initial_state(), {"set_unit": "seconds", "set_seconds": 10, "speed_pps": 1.5}, 0
    )
    started = s.start(state, 0.0)
    assert started["end_phase"] == 1 + 15
    assert s.ends_at_ms(started) == pytest.approx(10_333.33, abs=0.01)


def test_stop_glides_to_the_next_centre_and_rests():
    state = running(speed=1.0, phase0=0.5, t0=0.0)
    stopped = s.stop(state, 1200.0)  # at phase 1.7
    assert stopped["end_phase"] == 2.5 and stopped["stopping"]
    assert s.phase_at(stopped, 1500.0) == pytest.approx(2.0)
    assert s.phase_at(stopped, 9000.0) == 2.5
    rest = s.settle(stopped, 9000.0)
    assert not rest["running"] and rest["anchor"]["phase0"] == 2.5


def test_pause_freezes_and_start_resumes_the_same_set():
    state = s.start(s.apply_settings(s.initial_state(), {"set_passes": 10}, 0), 0.0)
    paused = s.pause(state, 1000.0)
    assert paused["paused"] and not paused["running"]
    assert s.phase_at(paused, 50_000.0) == pytest.approx(1.5)
    resumed = s.start(paused, 60_000.0)
    assert resumed["end_phase"] == state["end_phase"]
    assert s.phase_at(resumed, 61_000.0) == pytest.approx(2.5)


def test_changing_the_set_length_mid_set_moves_its_end():
    state = s.start(s.apply_settings(s.initial_state(), {"set_passes": 10}, 0), 0.0)
    shorter = s.apply_settings(state, {"set_passes": 2}, 4000.0)  # at phase 4.5, past 2 passes
    assert shorter["end_phase"] == 5  # the next edge, never behind the target


def test_python_matches_the_shared_motion_vectors():
    tol = VECTORS["tolerance"]
    assert len(VECTORS["cases"]) > 100
    for case in VECTORS["cases"]:
        state = case["state"]
        phase = s.phase_at(state, case["t_ms"])
        x, y = s.position(phase, state["settings"]["pattern"], state["settings"]["profile"])
        assert phase == pytest.approx(case["phase"], abs=tol)
        assert (x, y) == pytest.approx((case["x"], case["y"]), abs=tol)
        assert s.passes_done(state, case["t_ms"]) == case["passes"]


def test_python_matches_the_shared_edge_times():
    assert len(VECTORS["edges"]) > 40
    for case in VECTORS["edges"]:
        to_edge = {**case["state"], "end_phase": case["edge"]}  # a run planned to end there
        at_ms = s.ends_at_ms(to_edge)
        assert at_ms == pytest.approx(case["at_ms"], abs=VECTORS["tolerance"])
        assert s.passes_done(case["state"], at_ms) == case["passes"]


def test_python_matches_the_shared_set_ends():
    assert len(VECTORS["ends"]) > 40
    for case in VECTORS["ends"]:
        ends_at_ms = s.ends_at_ms(case["state"])
        assert ends_at_ms == pytest.approx(case["ends_at_ms"], abs=VECTORS["tolerance"])
        assert s.passes_done(case["state"], ends_at_ms) == case["passes"]


def test_the_shared_vectors_are_made_from_todays_schema_and_reach_the_top_speed():
    """motion.json is what make_vectors.py writes now (rerun it after changing the schema), and
    every table in it has cases at the highest speed."""
    spec = importlib.util.spec_from_file_location("make_vectors", VECTORS_DIR / "make_vectors.py")
    make_vectors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_vectors)
    assert json.loads(json.dumps(make_vectors.vectors())) == VECTORS
    top = s.SCHEMA["speed_pps"].high
    for table in ("cases", "edges", "ends"):
        at_top = [c for c in VECTORS[table] if c["state"]["settings"]["speed_pps"] == top]
        assert len(at_top) >= 10, table
    moving = {c["passes"] for c in VECTORS["cases"] if c["state"]["settings"]["speed_pps"] == top}
    assert max(moving) >= 40  # 12 s at four passes a second, counted whole


def test_stored_settings_are_brought_to_todays_schema():
    settings = s.complete_settings({"speed_pps": 9.9, "pattern": "circle", "old": 1})
    assert settings["speed_pps"] == s.SCHEMA["speed_pps"].default  # out of bounds today
    assert settings["pattern"] == "circle" and "old" not in settings


@pytest.mark.parametrize("colour", ["#ffffff\n", "#ffffff\r\n", " #ffffff", "#fffffff"])
def test_a_colour_must_be_exactly_a_hex_colour(colour):
    with pytest.raises(s.StimError):
        s.validate_changes({"colour": colour})


def test_the_socket_refuses_a_colour_with_a_trailing_newline(room):
    before = dict(db.session.get(TherapySession, room.session.id).stim_state)
    ack = room.therapist_socket.emit("stim:update", {"colour": "#ffffff\n"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_value"
    assert db.session.get(TherapySession, room.session.id).stim_state == before


@pytest.mark.both_socket_paths
def test_the_socket_takes_four_passes_a_second_and_refuses_more_without_a_change(room):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["ok"]  # later ones may go fast
    assert say("stim:update", {"speed_pps": 4.0}, callback=True) == {"ok": True, "rev": 2}
    assert received(room.client_socket, "stim:state")[-1]["settings"]["speed_pps"] == 4.0
    received(room.therapist_socket, "stim:state")
    before = room_state.read_state(room.session.id)
    assert before["settings"]["speed_pps"] == 4.0

    ack = say("stim:update", {"speed_pps": 4.01}, callback=True)
    error = {"code": "out_of_range", "message": "speed_pps must be between 0.2 and 4."}
    assert ack == {"ok": False, "error": error}
    assert received(room.therapist_socket, "error") == [error]
    assert received(room.client_socket, "stim:state") == []  # nothing new went out
    assert room_state.read_state(room.session.id) == before
    db.session.expire_all()
    assert db.session.get(TherapySession, room.session.id).stim_state == before
