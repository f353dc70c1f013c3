"""Stimulation presets: saved from a room, ordered, one default for new sessions, private."""

from __future__ import annotations

import pytest

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import Preset, TherapySession
from tests.support import Auth, csrf_token


@pytest.fixture
def therapist(app, make, client, auth):
    user = make.user()
    auth.login(user)
    return user


def post(client, url, body=None):
    token = csrf_token(client.get("/therapist/clients"))
    return client.post(url, json=body or {}, headers={"X-CSRFToken": token})


def save(client, session_id, name):
    return post(client, f"/therapist/sessions/{session_id}/presets", {"name": name})


def names(response):
    return [p["name"] for p in response.get_json()["presets"]]


def test_saving_a_preset_keeps_the_rooms_current_settings(therapist, make, client):
    ts = make.session(therapist)
    room_state.commit_change(
        ts.id, lambda s, t: stimulation.apply_settings(s, {"speed_pps": 2.5}, t)
    )
    response = save(client, ts.id, "  Fast  ")
    assert response.status_code == 201
    (preset,) = response.get_json()["presets"]
    assert preset["name"] == "Fast"
    assert preset["settings"]["speed_pps"] == 2.5


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, None, 5, ["a"]])
def test_a_preset_needs_a_sensible_name(therapist, make, client, name):
    ts = make.session(therapist)
    response = save(client, ts.id, name)
    assert response.status_code == 400
    assert "name" in response.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count(Preset.id))) == 0


def test_presets_are_reordered_up_and_down(therapist, make, client):
    ts = make.session(therapist)
    for name in ("A", "B", "C"):
        save(client, ts.id, name)
    ids = {p["name"]: p["id"] for p in client.get("/therapist/presets").get_json()["presets"]}
    assert names(post(client, f"/therapist/presets/{ids['C']}/move", {"direction": "up"})) == [
        "A",
        "C",
        "B",
    ]
    assert names(post(client, f"/therapist/presets/{ids['A']}/move", {"direction": "up"})) == [
        "A",
        "C",
        "B",
    ]
    response = post(client, f"/therapist/presets/{ids['A']}/move", {"direction": "sideways"})
    assert response.status_code == 400


def test_the_default_preset_sets_up_new_sessions(therapist, make, client):
    ts = make.session(therapist)
    room_state.commit_change(
        ts.id, lambda s, t: stimulation.apply_settings(s, {"pattern": "circle"}, t)
    )
    preset_id = save(client, ts.id, "Circle").get_json()["presets"][0]["id"]
    listing = post(client, f"/therapist/presets/{preset_id}/default").get_json()["presets"]
    assert listing[0]["is_default"] is True
    new = TherapySession.open(make.client(therapist), room_state.now_ms())
    assert new.stim_state["settings"]["pattern"] == "circle"
    # pressing it again stops it being the default
    assert (
        post(client, f"/therapist/presets/{preset_id}/default").get_json()["presets"][0][
            "is_default"
        ]
        is False
    )


def test_deleting_a_preset_removes_it(therapist, make, client):
    ts = make.session(therapist)
    preset_id = save(client, ts.id, "Gone").get_json()["presets"][0]["id"]
    assert names(post(client, f"/therapist/presets/{preset_id}/delete")) == []
    assert db.session.get(Preset, preset_id) is None


def test_another_therapists_presets_are_not_found(app, therapist, make, client):
    ts = make.session(therapist)
    preset_id = save(client, ts.id, "Mine").get_json()["presets"][0]["id"]
    other = app.test_client()
    Auth(other).login(make.user())
    for action in ("move", "default", "delete"):
        assert (
            post(other, f"/therapist/presets/{preset_id}/{action}", {"direction": "up"}).status_code
            == 404
        )
    assert save(other, ts.id, "Steal").status_code == 404
    assert other.get("/therapist/presets").get_json()["presets"] == []
    assert db.session.get(Preset, preset_id).name == "Mine"


def test_a_preset_without_csrf_token_is_refused(therapist, make, client):
    ts = make.session(therapist)
    response = client.post(f"/therapist/sessions/{ts.id}/presets", json={"name": "x"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Preset.id))) == 0


def test_a_preset_saved_under_an_older_schema_gets_defaults_for_new_fields(therapist):
    preset = Preset(therapist_id=therapist.id, name="Old", settings={"speed_pps": 0.5, "gone": 1})
    db.session.add(preset)
    db.session.commit()
    settings = preset.current_settings()
    assert settings["speed_pps"] == 0.5
    assert "gone" not in settings
    assert settings.keys() == stimulation.SCHEMA.keys()
