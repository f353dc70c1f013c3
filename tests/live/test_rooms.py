"""A room's state in the database when several server processes change it."""

from __future__ import annotations

import pytest

from telehealth import create_app, stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state


@pytest.fixture
def other_process(app, tmp_path):
    """A second app on the same database, as a second server process would be (same data keys)."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "other"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SETTLE_INTERVAL_S": 0,
            "DATA_KEYS": app.config["DATA_KEYS"],
        }
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def change(session_id, **settings):
    return room_state.commit_change(
        session_id, lambda s, t: stimulation.apply_settings(s, settings, t)
    )


def test_a_change_made_by_another_process_is_kept_and_the_revs_stay_in_sequence(
    app, make, other_process
):
    session_id = make.session().id
    assert change(session_id, speed_pps=2.0)["rev"] == 1  # this process now remembers rev 1
    with other_process.app_context():
        assert change(session_id, pattern="circle")["rev"] == 2
    state = change(session_id, size=0.1)
    assert state["rev"] == 3
    assert {k: state["settings"][k] for k in ("speed_pps", "pattern", "size")} == {
        "speed_pps": 2.0,
        "pattern": "circle",
        "size": 0.1,
    }
    assert room_state.read_state(session_id) == state


def test_a_change_that_depends_on_the_state_is_judged_on_the_stored_state(app, make, other_process):
    session_id = make.session().id
    change(session_id, set_passes=0)  # this process remembers a room at rest
    with other_process.app_context():
        assert room_state.commit_change(session_id, stimulation.start)["running"]

    def pause_if_running(state, t_ms):
        return stimulation.pause(state, t_ms) if state["running"] else None

    paused = room_state.commit_change(session_id, pause_if_running)
    assert paused is not None and paused["paused"] and paused["rev"] == 3
    assert room_state.read_state(session_id) == paused
