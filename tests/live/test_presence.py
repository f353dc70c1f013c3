"""Presence: what the panel learns of the client's page, and the clinical fail-safe."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.live.settler import gone_limits, pause_for_the_gone
from telehealth.models import TherapySession, utcnow
from tests.support import PRESENCE, received

pytestmark = pytest.mark.both_socket_paths


def test_the_clients_screen_reaches_the_therapist(room):
    assert room.client_socket.emit("presence:update", PRESENCE, callback=True)["ok"]
    (seen,) = received(room.therapist_socket, "presence:state")
    assert seen == {**PRESENCE, "connected": True}


@pytest.mark.parametrize(
    "change",
    [
        {"sound": "failed", "wake_lock": "on", "missing": []},
        {"sound": "unsupported", "wake_lock": "unsupported", "missing": ["canvas", "video"]},
        {"sound": "off", "wake_lock": "off", "missing": ["fullscreen", "video", "canvas"]},
    ],
)
def test_the_sound_wake_lock_and_missing_features_reach_the_therapist(room, change):
    assert room.client_socket.emit("presence:update", {**PRESENCE, **change}, callback=True)["ok"]
    (seen,) = received(room.therapist_socket, "presence:state")
    assert {name: seen[name] for name in change} == change


def test_the_client_confirms_each_state_it_draws(room):
    room.therapist_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)
    assert room.client_socket.emit("stim:applied", {"rev": 1}, callback=True)["ok"]
    assert received(room.therapist_socket, "presence:applied") == [{"rev": 1}]


def test_a_therapist_joining_asks_the_clients_page_how_it_is(room, sockets):
    sockets(room.therapist_http, {"role": "therapist", "session_id": room.session.id})
    assert "presence:request" in [m["name"] for m in room.client_socket.get_received()]


def test_the_therapist_hears_when_the_client_leaves(room):
    room.client_socket.disconnect()
    assert received(room.therapist_socket, "presence:state") == [{"connected": False}]


def set_left(session_id: int, seconds_ago: float) -> None:
    """As if the client (connected a minute before) left ``seconds_ago``."""
    db.session.execute(
        sa.update(TherapySession)
        .where(TherapySession.id == session_id)
        .values(
            client_connected_at=utcnow() - timedelta(seconds=seconds_ago + 60),
            client_left_at=utcnow() - timedelta(seconds=seconds_ago),
        )
    )
    db.session.commit()


def test_a_running_set_pauses_when_the_client_is_gone_too_long(room):
    room.therapist_socket.emit("stim:start", callback=True)
    room.client_socket.disconnect()
    published, left_ms = [], room_state.now_ms()
    assert room_state.pause_abandoned(10, lambda i, s: published.append(s)) == []  # not yet
    later_ms = left_ms + 11_000
    paused = room_state.pause_abandoned(10, lambda i, s: published.append(s), now_ms=later_ms)
    assert paused == [room.session.id]
    state = room_state.read_state(room.session.id)
    assert state["paused"] and not state["running"] and published[0]["rev"] == state["rev"]
    assert room_state.pause_abandoned(10, lambda *_: None, now_ms=later_ms) == []  # once


def test_a_client_that_came_back_keeps_its_set_running(room, sockets):
    room.therapist_socket.emit("stim:start", callback=True)
    room.client_socket.disconnect()
    set_left(room.session.id, 30)
    sockets(room.client_http, {"role": "client"})  # back (the link cookie still works)
    assert room_state.pause_abandoned(10, lambda *_: None) == []
    assert room_state.read_state(room.session.id)["running"]


def test_a_stopped_room_is_left_alone_by_the_fail_safe(room):
    room.client_socket.disconnect()
    set_left(room.session.id, 30)
    before = room_state.read_state(room.session.id)
    assert room_state.pause_abandoned(10, lambda *_: None) == []
    assert room_state.read_state(room.session.id) == before


@pytest.mark.parametrize(
    "app_config",
    [{"SETTLE_INTERVAL_S": 0.05, "CLIENT_GONE_PAUSE_S": 0.5, "THERAPIST_GONE_PAUSE_S": 0.7}],
)
@pytest.mark.parametrize(("who", "gone_s"), [("client", 0.5), ("therapist", 0.7)])
def test_the_server_pauses_a_set_whose_person_is_gone_and_tells_the_other(room, who, gone_s):
    """The process's own loop does it, without anyone asking."""
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    gone, stays = (
        (room.client_socket, room.therapist_socket)
        if who == "client"
        else (room.therapist_socket, room.client_socket)
    )
    gone.disconnect()
    deadline, told = time.monotonic() + 5, []
    while not told and time.monotonic() < deadline:
        time.sleep(0.05)
        told = received(stays, "failsafe:paused")
    assert told == [{"who": who, "gone_s": gone_s}]
    state = room_state.read_state(room.session.id)
    assert state["paused"] and not state["running"]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"phase": "dancing"}, "invalid_value"),
        ({"phase": None}, "invalid_value"),
        ({"layout": None}, "invalid_value"),
        ({"layout": {"stage": None}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "extra": None}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "stage": [0, 0, 390]}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "stage": [0, 0, 390, 1.5]}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "stage": [0, -1, 390, 600]}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "dock": [0, 0, 390, True]}}, "invalid_value"),
        ({"layout": {**PRESENCE["layout"], "video": "top"}}, "invalid_value"),
        ({"tactile": None}, "invalid_value"),
        ({"tactile": ["smell"]}, "invalid_value"),
        ({"tactile": ["vibration", "vibration"]}, "invalid_value"),
        ({"tactile": [1]}, "invalid_value"),
        ({"sound": True}, "invalid_value"),  # a word now: on, off, failed or unsupported
        ({"sound": "loud"}, "invalid_value"),
        ({"sound": None}, "invalid_value"),
        ({"wake_lock": "asleep"}, "invalid_value"),
        ({"wake_lock": False}, "invalid_value"),
        ({"wake_lock": ["on"]}, "invalid_value"),
        ({"missing": "video"}, "invalid_value"),
        ({"missing": ["video", "video"]}, "invalid_value"),
        ({"missing": ["camera"]}, "invalid_value"),
        ({"missing": [None]}, "invalid_value"),
    ],
)
def test_a_bad_presence_is_refused_and_relays_nothing(room, change, code):
    ack = room.client_socket.emit("presence:update", {**PRESENCE, **change}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert received(room.therapist_socket, "presence:state") == []


def test_a_running_set_pauses_when_the_therapist_is_gone_too_long(app, room):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    room.therapist_socket.disconnect()
    room.client_socket.get_received()
    limits, left_ms = gone_limits(app.config), room_state.now_ms()
    assert limits["therapist"] == 10
    assert pause_for_the_gone(limits, now_ms=left_ms + 5_000) == []  # not yet
    assert room_state.read_state(room.session.id)["running"]
    assert pause_for_the_gone(limits, now_ms=left_ms + 11_000) == [room.session.id]
    state = room_state.read_state(room.session.id)
    assert state["paused"] and not state["running"]
    told = room.client_socket.get_received()
    assert [m["args"][0]["rev"] for m in told if m["name"] == "stim:state"] == [state["rev"]]
    assert [m["args"] for m in told if m["name"] == "failsafe:paused"] == [
        [{"who": "therapist", "gone_s": 10}]
    ]
    assert pause_for_the_gone(limits, now_ms=left_ms + 12_000) == []  # once


def test_a_therapist_with_another_panel_open_is_not_gone(app, room, sockets):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    second = sockets(room.therapist_http, {"role": "therapist", "session_id": room.session.id})
    assert second.is_connected()
    room.therapist_socket.disconnect()
    later_ms = room_state.now_ms() + 60_000
    assert pause_for_the_gone(gone_limits(app.config), now_ms=later_ms) == []
    assert room_state.read_state(room.session.id)["running"]
    second.disconnect()  # the last panel: now the therapist is gone
    assert pause_for_the_gone(gone_limits(app.config), now_ms=later_ms) == [room.session.id]


def test_a_therapist_that_came_back_keeps_the_set_running(app, room, sockets):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    room.therapist_socket.disconnect()
    sockets(room.therapist_http, {"role": "therapist", "session_id": room.session.id})
    later_ms = room_state.now_ms() + 60_000
    assert pause_for_the_gone(gone_limits(app.config), now_ms=later_ms) == []
    assert room_state.read_state(room.session.id)["running"]
    assert received(room.client_socket, "failsafe:paused") == []
